import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/**
 * What `ts_headline` puts around matched words: two private-use characters
 * nobody types, removed from the text beforehand, so that after the snippet is
 * HTML-escaped they are known to be ours and only ours become `<mark>` tags.
 */
export const MARK_START = '\uE000';
export const MARK_STOP = '\uE001';
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_STOP}, MaxFragments=2, MinWords=8, MaxWords=30, FragmentDelimiter=" … "`;

/** One hit as the database returns it. */
export interface SearchRow {
  type: 'thread' | 'comment';
  id: string;
  thread_id: string;
  group_id: string;
  title: string;
  /** Plain text with MARK_START/MARK_STOP around matches; not yet safe to render. */
  snippet: string;
}

/** How much of a long text its snippet is cut from: the match, a little before it and what follows. */
const SNIPPET_BEFORE = 120;
const SNIPPET_CHARS = 1_500;
/** A regular expression finding the first of the query's stems that starts a word, any case: `(?i)\m(compost|garden)`. */
const STEMS_OPEN = '(?i)\\m(';
/** regexp_replace's replacement putting a backslash before a character, so that it matches only itself. */
const ESCAPED = '\\\\\\1';

/**
 * Threads (title and body) and comments matching `q` (web search syntax,
 * English stemming) in the groups `userId` belongs to, optionally one group,
 * best match first. Deleted comments never match.
 *
 * Ranking reads each match's stored tsvector; the text itself is read only for
 * the returned page, and `ts_headline`, which parses whatever it is given (33 ms
 * for a 99 KB comment), gets a window of the text around its first match: the
 * first place a word of the query, as the index stems it, starts a word. Where
 * no stem is found verbatim (stemming can change a word's end: happy, happi),
 * the window is the start of the text.
 */
export async function searchPage(
  db: Handle,
  userId: string,
  options: { q: string; groupId: string | null; offset: number; limit: number },
): Promise<SearchRow[]> {
  const inGroup = options.groupId === null ? sql`true` : sql`m.group_id = ${options.groupId}::uuid`;
  const { rows } = await sql<SearchRow>`
    with query as (
      select websearch_to_tsquery('english', ${options.q}) as q,
             (select ${sql.lit(STEMS_OPEN)} || string_agg(regexp_replace(lexeme, '([^[:alnum:]])', ${sql.lit(ESCAPED)}, 'g'), '|') || ')'
                from unnest(to_tsvector('english', ${options.q}))) as first_match
    ),
    mine as (select m.group_id from memberships m where m.user_id = ${userId}::uuid and ${inGroup}),
    hits as (
      select 'thread' as type, t.id, t.id as thread_id, t.group_id, t.title, t.body as text,
             ts_rank(t.search, query.q) as rank, t.created_at
        from threads t, query
        where t.group_id in (select group_id from mine) and t.search @@ query.q
      union all
      select 'comment', c.id, c.thread_id, c.group_id, t.title, c.body,
             ts_rank(c.search, query.q), c.created_at
        from comments c join threads t on t.id = c.thread_id, query
        where c.group_id in (select group_id from mine) and c.deleted_at is null and c.search @@ query.q
    ),
    page as (
      select * from hits order by rank desc, created_at desc, type, id
      limit ${options.limit} offset ${options.offset}
    )
    select page.type, page.id, page.thread_id, page.group_id, page.title,
           ts_headline('english',
                       translate(substr(shown.text, greatest(1, found.at - ${SNIPPET_BEFORE}), ${SNIPPET_CHARS}),
                                 ${MARK_START + MARK_STOP}, ''),
                       query.q, ${HEADLINE_OPTIONS})
             as snippet
      from page, query,
      -- A thread found by its title alone shows its title: its body would have nothing marked.
      -- (The body is the thread's weight-B part of its search vector: no need to parse it again.)
      lateral (select case when page.type = 'thread'
                            and not exists (select 1 from threads t
                                             where t.id = page.id and ts_filter(t.search, '{b}') @@ query.q)
                           then page.title else page.text end as text) shown,
      lateral (select coalesce(nullif(strpos(shown.text, substring(shown.text from query.first_match)), 0), 1)
                 as at) found
      order by page.rank desc, page.created_at desc, page.type, page.id`.execute(db);
  return rows;
}

/**
 * Cancels any statement of this transaction still running after `ms`, on
 * Postgres. PGlite accepts the setting and ignores it (checked with 0.4.6: a
 * 5 s statement runs to the end under a 300 ms limit), as WebAssembly gives it
 * no timer to cancel with; there only the search gate bounds the cost.
 */
export async function limitStatementTime(trx: Transaction<DB>, ms: number): Promise<void> {
  await sql`select set_config('statement_timeout', ${String(ms)}, true)`.execute(trx);
}

/** True for the error Postgres raises when statement_timeout cancels a statement. */
export function isStatementTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '57014';
}
