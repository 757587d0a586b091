import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app';

/** Whoever a request acts as: anything with headers (a `Person`, a `BulkMember`, an API token), or `null` for no one. */
export type Caller = { headers: Record<string, string> } | null;

/** What a request sends as its body: an object goes as JSON. */
type Payload = InjectOptions['payload'];

/** Headers added to (or replacing) the caller's for one request. */
export interface RequestOptions {
  headers?: Record<string, string>;
}

/**
 * Requests to `app` made as `caller` (in the manner of fastify/demo's `injectWithLogin`):
 * each method calls `app.inject` with the caller's headers and answers the response as it is.
 * Requests that need more than this (raw payload strings, odd methods) call `app.inject` themselves.
 */
export function as(app: TestApp, caller: Caller) {
  const send = (
    method: InjectOptions['method'],
    url: string,
    payload?: Payload,
    opts: RequestOptions = {},
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers: { ...caller?.headers, ...opts.headers },
      ...(payload === undefined ? {} : { payload }),
    });
  return {
    get: (url: string, opts?: RequestOptions) => send('GET', url, undefined, opts),
    post: (url: string, body?: Payload, opts?: RequestOptions) => send('POST', url, body, opts),
    patch: (url: string, body?: Payload, opts?: RequestOptions) => send('PATCH', url, body, opts),
    put: (url: string, body?: Payload, opts?: RequestOptions) => send('PUT', url, body, opts),
    delete: (url: string, body?: Payload, opts?: RequestOptions) => send('DELETE', url, body, opts),
  };
}
