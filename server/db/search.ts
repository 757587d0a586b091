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

/**
 * Threads (title and body) and comments matching `q` (web search syntax,
 * English stemming) in the groups `userId` belongs to, optionally one group,
 * best match first. Deleted comments never match. Snippets are computed for
 * the returned page only.
 */
export async function searchPage(
  db: Handle,
  userId: string,
  options: { q: string; groupId: string | null; offset: number; limit: number },
): Promise<SearchRow[]> {
  const inGroup = options.groupId === null ? sql`true` : sql`m.group_id = ${options.groupId}::uuid`;
  const { rows } = await sql<SearchRow>`
    with query as (select websearch_to_tsquery('english', ${options.q}) as q),
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
           ts_headline('english', translate(shown.text, ${MARK_START + MARK_STOP}, ''), query.q, ${HEADLINE_OPTIONS})
             as snippet
      from page, query,
      -- A thread found by its title alone shows its title: its body would have nothing marked.
      lateral (select case when page.type = 'thread' and not (to_tsvector('english', page.text) @@ query.q)
                           then page.title else page.text end as text) shown
      order by page.rank desc, page.created_at desc, page.type, page.id`.execute(db);
  return rows;
}
