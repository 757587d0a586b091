import type { SearchHit, SearchQuery } from '../../shared/schemas/threads';
import { isStatementTimeout, limitStatementTime, MARK_START, MARK_STOP, searchPage } from '../db/search';
import { AppError, invalid } from '../errors';
import type { Ctx } from './context';
import { Gate, GateClosed } from './gate';
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

/**
 * What one search may cost. A search ranks every match in the caller's
 * groups, so its cost grows with the matches and their length, unlike any
 * other read: these keep a few members' searches from taking every database
 * connection (or, on the embedded database, the one thread) from everyone else.
 */
export const SEARCH_LIMITS = {
  /** Searches running at once in this process; the default Postgres pool has 10 connections. */
  concurrency: 2,
  /** Searches waiting for a slot; one more is `503 busy` at once. */
  maxWaiting: 16,
  maxWaitMs: 5_000,
  /** Seconds a client is told to wait after `503 busy`. */
  retryAfterSeconds: 2,
  /** Each word is another index lookup and another term ranked against every match. */
  maxWords: 20,
  /** On Postgres a search is cancelled after this; the embedded database cannot (see limitStatementTime). */
  statementTimeoutMs: 5_000,
} as const;

/** The searches of this process (exported so tests can watch how many run at once). */
export const searchGate = new Gate(SEARCH_LIMITS);

const busy = () =>
  new AppError(
    503,
    'busy',
    `too many searches at once; try again in ${SEARCH_LIMITS.retryAfterSeconds} s`,
    undefined,
    { 'retry-after': String(SEARCH_LIMITS.retryAfterSeconds) },
  );

function isOffsetCursor(v: unknown): v is { offset: number } {
  const c = v as { offset?: unknown };
  return Number.isSafeInteger(c?.offset) && (c.offset as number) > 0;
}

/**
 * Threads and comments matching `q` in the caller's groups, or in one of
 * them (`groupId`; a group the caller is not in is `404`), best match first.
 * Pages by offset: relevance has no stable key to resume from. Runs through
 * {@link searchGate}: `503 busy` when it may not wait for a slot.
 */
export async function search(ctx: Ctx, userId: string, query: SearchQuery) {
  const q = query.q.trim();
  if (q === '') throw invalid('/q', 'must not be empty');
  if ((q.match(/[\p{L}\p{N}]+/gu)?.length ?? 0) > SEARCH_LIMITS.maxWords)
    throw invalid('/q', `must have at most ${SEARCH_LIMITS.maxWords} words`);
  if (query.groupId !== undefined) await groupAccess(ctx, query.groupId, userId);
  const limit = pageLimit(query.limit);
  const offset = decodeCursor(query.cursor, isOffsetCursor)?.offset ?? 0;
  const rows = await searchGate
    .run(() =>
      ctx.db.transaction().execute(async (trx) => {
        await limitStatementTime(trx, SEARCH_LIMITS.statementTimeoutMs);
        return searchPage(trx, userId, { q, groupId: query.groupId ?? null, offset, limit: limit + 1 });
      }),
    )
    .catch((err: unknown) => {
      if (err instanceof GateClosed) throw busy();
      if (isStatementTimeout(err))
        throw new AppError(503, 'search_timeout', 'the search took too long; try more specific words');
      throw err;
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
