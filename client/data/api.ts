import type { ErrorBody } from '../../shared/schemas/common';
import { t } from '../i18n';

/** One `{path, message}` entry of an error's `details`; `path` is a JSON pointer into the request. */
export type ErrorDetail = NonNullable<ErrorBody['error']['details']>[number];

/** Base path of every call. */
export const API_BASE = '/api/v1';

/**
 * A failed API call, carrying the contract's error shape. `status` is 0 and
 * `code` is `network_error` when no answer came back at all.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

let onUnauthenticated: (() => void) | null = null;

/** Called whenever the API answers 401 (the session ended); the session store listens. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

/**
 * Calls the API at `path` (relative to /api/v1) with the session cookie and
 * JSON in and out. Resolves with the parsed body (`undefined` for 204);
 * rejects with an {@link ApiError} for any non-2xx answer or a network failure.
 */
export async function api<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    // Same-origin fetches carry the cookie, and browsers add the Origin
    // header the server's CSRF rule asks for on POST/PATCH/DELETE.
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(
      0,
      'network_error',
      t('Could not reach Plenary. Check your connection and try again.'),
    );
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed as T;
  const error = toApiError(response.status, parsed);
  if (error.status === 401) onUnauthenticated?.();
  throw error;
}

/** The contract's `{error: {code, message, details?}}` as an ApiError; anything else as a generic one. */
export function toApiError(status: number, body: unknown): ApiError {
  const e = (body as Partial<ErrorBody> | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return new ApiError(status, e.code, e.message, Array.isArray(e.details) ? e.details : []);
  }
  return new ApiError(status, 'http_error', t('The server answered {status}.', { status }));
}

/** Field errors keyed by field name (`/email` → `email`, `/settings/membersCanInvite` → `settings.membersCanInvite`). */
export type FieldErrors = Record<string, string>;

/**
 * Splits an error into messages for the named fields and one message for the
 * form as a whole (anything that does not point at a field shown). The
 * messages are the server's, in English; the client's own (no network, no
 * answer it understands) are in the reader's language.
 */
export function splitErrors(
  err: unknown,
  fields: readonly string[],
): { fields: FieldErrors; form: string | null } {
  if (!(err instanceof ApiError)) {
    return { fields: {}, form: err instanceof Error ? err.message : t('Something went wrong.') };
  }
  const byField: FieldErrors = {};
  const rest: string[] = [];
  for (const detail of err.details) {
    const field = pointerToField(detail.path);
    if (field && fields.includes(field)) {
      byField[field] ??= sentence(detail.message);
    } else {
      rest.push(
        detail.path && detail.path !== '/'
          ? `${pointerToField(detail.path)} ${detail.message}`
          : detail.message,
      );
    }
  }
  if (Object.keys(byField).length > 0)
    return { fields: byField, form: rest.length ? sentence(rest.join('; ')) : null };
  return { fields: byField, form: sentence(err.message) };
}

/** `/settings/membersCanInvite` → `settings.membersCanInvite` (JSON pointer escapes undone). */
export function pointerToField(pointer: string): string {
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  return trimmed[0]!.toUpperCase() + trimmed.slice(1) + (/[.!?]$/.test(trimmed) ? '' : '.');
}
