import type { SearchHit, SearchQuery } from '../../shared/schemas/threads';
import { MARK_START, MARK_STOP, searchPage } from '../db/search';
import { invalid } from '../errors';
import type { Ctx } from './context';
import { groupAccess } from './groups';
import { decodeCursor, encodeCursor, pageLimit } from './pagination';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * A `ts_headline` snippet made safe to put in HTML: everything the text says
 * is escaped, then the markers the database put around matches (characters
 * stripped from the text beforehand, so none can be the author's) become
 * `<mark>` tags, the only markup in the result.
 */
export function safeSnippet(headline: string): string {
  return headline
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
    .replaceAll(MARK_START, '<mark>')
    .replaceAll(MARK_STOP, '</mark>');
}

function isOffsetCursor(v: unknown): v is { offset: number } {
  const c = v as { offset?: unknown };
  return Number.isSafeInteger(c?.offset) && (c.offset as number) > 0;
}

/**
 * Threads and comments matching `q` in the caller's groups, or in one of
 * them (`groupId`; a group the caller is not in is `404`), best match first.
 * Pages by offset: relevance has no stable key to resume from.
 */
export async function search(ctx: Ctx, userId: string, query: SearchQuery) {
  const q = query.q.trim();
  if (q === '') throw invalid('/q', 'must not be empty');
  if (query.groupId !== undefined) await groupAccess(ctx, query.groupId, userId);
  const limit = pageLimit(query.limit);
  const offset = decodeCursor(query.cursor, isOffsetCursor)?.offset ?? 0;
  const rows = await searchPage(ctx.db, userId, {
    q,
    groupId: query.groupId ?? null,
    offset,
    limit: limit + 1,
  });
  const items: SearchHit[] = rows.slice(0, limit).map((r) => ({
    type: r.type,
    id: r.id,
    threadId: r.thread_id,
    groupId: r.group_id,
    title: r.title,
    snippet: safeSnippet(r.snippet),
  }));
  return { items, nextCursor: rows.length > limit ? encodeCursor({ offset: offset + limit }) : null };
}
