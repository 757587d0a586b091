import type { SearchHit } from '../../shared/schemas/threads';
import { api } from './api';
import type { Page } from './threads';

export type { SearchHit } from '../../shared/schemas/threads';

/**
 * One page of threads and comments matching `q` in the caller's groups (or
 * one group), best match first. Each hit's `snippet` is HTML whose only tags
 * are `<mark>`s; render it through `snippet` (client/ui/markdown.ts), which
 * makes text of everything but the marks all the same.
 */
export function search(
  q: string,
  options: { groupId?: string | null; limit?: number; cursor?: string | null; signal?: AbortSignal } = {},
): Promise<Page<SearchHit>> {
  const query = new URLSearchParams({ q, limit: String(options.limit ?? 20) });
  if (options.groupId) query.set('groupId', options.groupId);
  if (options.cursor) query.set('cursor', options.cursor);
  return api<Page<SearchHit>>('GET', `/search?${query}`, { signal: options.signal });
}

/** Where a hit leads: the thread, scrolled to the comment for comment hits. */
export function hitHref(hit: SearchHit): string {
  const base = `/threads/${encodeURIComponent(hit.threadId)}`;
  return hit.type === 'comment' ? `${base}#comment-${encodeURIComponent(hit.id)}` : base;
}

/** The query as the search page shows and sends it: trimmed, capped at the server's 500 characters. */
export function normaliseQuery(q: string | null | undefined): string {
  return (q ?? '').trim().slice(0, 500);
}
