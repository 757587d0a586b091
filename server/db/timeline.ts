import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** What a timeline entry is. */
export type EntryKind = 'thread' | 'comment' | 'proposal' | 'outcome';

/** One timeline entry before its payload is loaded: what it is and the event that created it. */
export interface TimelineEntry {
  kind: EntryKind;
  eventId: number;
  /** The thread, comment, proposal or outcome id. */
  id: string;
  /** For proposal and outcome entries, the proposal. */
  proposalId: string | null;
  at: Date;
}

interface EntryRow {
  kind: EntryKind;
  event_id: string | number;
  id: string;
  proposal_id: string | null;
  at: Date | string;
}

/**
 * Everything placed in a thread's timeline, each by the id of its creation
 * event, on one side of `eventId`, nearest first. The range, order and limit
 * are applied inside every branch, so each reads at most `limit` rows from its
 * own index on (thread, event id) instead of sorting the whole thread.
 */
function entries(threadId: string, op: '>' | '<', eventId: number, limit: number) {
  // Every branch names its table `e`, so one condition serves all four.
  const range = sql<boolean>`e.event_id ${sql.raw(op)} ${String(eventId)}::bigint`;
  const order = sql.raw(op === '>' ? 'asc' : 'desc');
  return sql<EntryRow>`
    (select 'thread' as kind, e.event_id, e.id, null::uuid as proposal_id, e.created_at as at
      from threads e
      where e.id = ${threadId} and ${range})
    union all
    (select 'comment', e.event_id, e.id, null, e.created_at
      from comments e
      where e.thread_id = ${threadId} and ${range}
      order by e.event_id ${order} limit ${limit})
    union all
    (select 'proposal', e.event_id, e.id, e.id, e.created_at
      from proposals e
      where e.thread_id = ${threadId} and ${range}
      order by e.event_id ${order} limit ${limit})
    union all
    (select 'outcome', e.event_id, e.id, e.proposal_id, e.created_at
      from outcomes e join proposals p on p.id = e.proposal_id
      where p.thread_id = ${threadId} and ${range}
      order by e.event_id ${order} limit ${limit})`;
}

function toEntry(r: EntryRow): TimelineEntry {
  return {
    kind: r.kind,
    eventId: Number(r.event_id),
    id: r.id,
    proposalId: r.proposal_id,
    at: r.at instanceof Date ? r.at : new Date(r.at),
  };
}

/** Up to `limit` entries after `eventId`, oldest first. */
export async function entriesAfter(db: Handle, threadId: string, eventId: number, limit: number) {
  const { rows } = await sql<EntryRow>`
    select * from (${entries(threadId, '>', eventId, limit)}) x
    order by x.event_id asc limit ${limit}`.execute(db);
  return rows.map(toEntry);
}

/** Up to `limit` entries before `eventId`, newest first (the caller turns the page around). */
export async function entriesBefore(db: Handle, threadId: string, eventId: number, limit: number) {
  const { rows } = await sql<EntryRow>`
    select * from (${entries(threadId, '<', eventId, limit)}) x
    order by x.event_id desc limit ${limit}`.execute(db);
  return rows.map(toEntry);
}

/** Outcome statements by outcome id, with their authors, for outcome entries. */
export function outcomesByIds(db: Handle, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('outcomes')
    .leftJoin('users', 'users.id', 'outcomes.author_id')
    .select([
      'outcomes.id',
      'outcomes.statement',
      'outcomes.author_id',
      'users.name as author_name',
      'outcomes.created_at',
      // A date, as the contract writes it; as a Date it would shift with the server's time zone.
      sql<string | null>`to_char(outcomes.review_on, 'YYYY-MM-DD')`.as('review_on'),
    ])
    .where('outcomes.id', 'in', ids)
    .execute();
}

/**
 * What a timeline read checks first, in one round trip: whether `userId` is a
 * member of the thread's group, and the newest event of the thread's topic
 * (undefined when the thread does not exist or the caller is not a member).
 */
export async function timelineAccess(db: Handle, threadId: string, userId: string) {
  const { rows } = await sql<{ group_id: string; last_event_id: string | number | null }>`
    select t.group_id, (select e.id from events e
             where e.thread_id = t.id and e.recipient_id is null
             order by e.thread_id desc, e.id desc limit 1) as last_event_id
      from threads t
      join memberships m on m.group_id = t.group_id and m.user_id = ${userId}
     where t.id = ${threadId}`.execute(db);
  const row = rows[0];
  return row ? { groupId: row.group_id, lastEventId: Number(row.last_event_id ?? 0) } : undefined;
}
