/**
 * Files members upload to a group (POST /groups/:id/attachments) and link
 * from Markdown: uploading one, the group's list, deleting one, and the
 * Markdown that links it. No DOM here.
 */
import { MAX_ATTACHMENT_BYTES } from '../../shared/limits';
import type { Attachment } from '../../shared/schemas/attachments';
import { t, translator } from '../i18n';
import { API_BASE, ApiError, api, toApiError } from './api';
import type { StreamEvent } from './stream';

export type { Attachment } from '../../shared/schemas/attachments';
export { MAX_ATTACHMENT_BYTES };

const enc = encodeURIComponent;

/** Images the server shows in place, which Markdown can show as a preview. */
const PREVIEWED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Event kinds of `group:<id>` that change the group's file list. */
const FILE_EVENTS: ReadonlySet<string> = new Set(['attachment.created', 'attachment.deleted']);
/** Writes whose text may link a file, which the server then records as where it is used. */
const LINKING_EVENTS: ReadonlySet<string> = new Set([
  'thread.created',
  'thread.updated',
  'comment.created',
  'comment.updated',
  'proposal.created',
  'proposal.updated',
]);

/** Whether an event of `group:<id>` changes its file list: a file came or went, or a text now links one. */
export function changesFiles(event: Pick<StreamEvent, 'kind' | 'data'>): boolean {
  if (FILE_EVENTS.has(event.kind)) return true;
  return LINKING_EVENTS.has(event.kind) && JSON.stringify(event.data).includes(`${API_BASE}/attachments/`);
}

/**
 * Uploads a file to the group: the body is the file itself (no multipart),
 * its name in `?filename=`. Files over 10 MiB are refused here, before a byte
 * is sent, with the same error the server would give.
 */
export async function uploadFile(groupId: string, file: File, signal?: AbortSignal): Promise<Attachment> {
  if (file.size > MAX_ATTACHMENT_BYTES) {
    throw new ApiError(
      413,
      'payload_too_large',
      t('{name} is over 10 MB, the largest file Plenary takes.', { name: file.name }),
    );
  }
  let response: Response;
  try {
    response = await fetch(`${API_BASE}/groups/${enc(groupId)}/attachments?filename=${enc(file.name)}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': file.type || 'application/octet-stream' },
      body: file,
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(
      0,
      'network_error',
      t('Could not reach Plenary. Check your connection and try again.'),
    );
  }
  const parsed = await response.json().catch(() => undefined);
  if (!response.ok) throw toApiError(response.status, parsed);
  return (parsed as { attachment: Attachment }).attachment;
}

/** A page of the group's files, newest first. */
export async function listFiles(
  groupId: string,
  options: { cursor?: string | null; limit?: number; signal?: AbortSignal } = {},
): Promise<{ items: Attachment[]; nextCursor: string | null }> {
  const query = new URLSearchParams({ limit: String(options.limit ?? 20) });
  if (options.cursor) query.set('cursor', options.cursor);
  return api('GET', `/groups/${enc(groupId)}/attachments?${query}`, { signal: options.signal });
}

/** Deletes a file (its uploader or a facilitator); links to it then lead nowhere. */
export function deleteFile(id: string): Promise<void> {
  return api<void>('DELETE', `/attachments/${enc(id)}`);
}

/** Whether Markdown shows the file as an image. */
export function isPreviewedImage(file: Pick<Attachment, 'contentType'>): boolean {
  return PREVIEWED.has(file.contentType);
}

/** The Markdown that links a file: `![name](url)` for images shown in place, `[name](url)` otherwise. */
export function attachmentMarkdown(file: Pick<Attachment, 'filename' | 'url' | 'contentType'>): string {
  const text = file.filename.replace(/[\\[\]]/g, '\\$&').replace(/\s+/g, ' ');
  return `${isPreviewedImage(file) ? '!' : ''}[${text}](${file.url})`;
}

/** "12 KB", "3.4 MB" ("3,4 MB"): a file's size for people, in the reader's language. */
export function fileSize(bytes: number): string {
  const number = (n: number, digits = 0) =>
    translator().number(n, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: false,
    });
  // The units are the same in every language Plenary speaks; the numbers are not ("3,4").
  if (bytes < 1024) return `${number(bytes)} B`;
  if (bytes < 1024 * 1024) return `${number(Math.round(bytes / 1024))} KB`;
  return `${number(bytes / 1024 / 1024, 1)} MB`;
}
