import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { DB, EventRow } from './schema';

/**
 * Event ids must become visible in id order: a subscriber that saw id 11 must
 * never later find id 10. A bigserial alone does not promise that (a transaction
 * holding 10 may commit after 11). So every writer takes one transaction-scoped
 * advisory lock before taking its id and keeps it until commit: ids are handed
 * out, and become visible, one writer at a time. Writers append their events
 * last, just before commit, so the lock is held briefly; bursts of votes share
 * one transaction (and one lock) to keep throughput up.
 */
export const EVENT_ORDER_LOCK = 0x706c656e; // "plen"

export interface EventInput {
  kind: string;
  groupId?: string | null;
  threadId?: string | null;
  actorId?: string | null;
  /** For events addressed to one person (the `me` topic). */
  recipientId?: string | null;
  subjectId?: string | null;
  data?: Record<string, unknown>;
  /** A row whose `event_id` column should hold this event's id (timelines order by it). */
  recordIdIn?: { table: 'threads' | 'comments' | 'proposals' | 'outcomes'; id: string };
}

/** Events as the `jsonb_to_recordset` of an insert into `events` takes them. */
function eventRows(events: EventInput[]): string {
  return JSON.stringify(
    events.map((e) => ({
      kind: e.kind,
      group_id: e.groupId ?? null,
      thread_id: e.threadId ?? null,
      actor_id: e.actorId ?? null,
      recipient_id: e.recipientId ?? null,
      subject_id: e.subjectId ?? null,
      data: e.data ?? {},
    })),
  );
}

/**
 * The statement that appends `events`, returning their ids: the order lock is
 * taken (in the join) before any row is produced, so before the first id is
 * drawn. With `after`, the name of a relation of the enclosing statement (a
 * CTE), the lock is taken once for each of its rows, so not at all when it
 * has none: a writer that must lock something else first names it here.
 */
export function insertEvents(events: EventInput[], after?: string): RawBuilder<{ id: string }> {
  const lock = sql`select pg_advisory_xact_lock(${EVENT_ORDER_LOCK})${after ? sql` from ${sql.table(after)}` : sql``}`;
  return sql<{ id: string }>`
    insert into events (kind, group_id, thread_id, actor_id, recipient_id, subject_id, data)
    select e.kind, e.group_id, e.thread_id, e.actor_id, e.recipient_id, e.subject_id, e.data
      from (${lock}) as ordered,
           rows from (jsonb_to_recordset(${eventRows(events)}::jsonb)
             as (kind text, group_id uuid, thread_id uuid, actor_id uuid, recipient_id uuid,
                 subject_id uuid, data jsonb)) with ordinality
             as e(kind, group_id, thread_id, actor_id, recipient_id, subject_id, data, position)
     order by e.position
    returning id`;
}

/** Appends events inside the caller's transaction and returns their ids, in the order given. */
export async function appendEvents(trx: Transaction<DB>, events: EventInput[]): Promise<number[]> {
  if (events.length === 0) return [];
  const { rows: ids } = await insertEvents(events).execute(trx);
  // Ids are drawn in input order; sorted, they line up with `events` whatever order RETURNING uses.
  return ids.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/**
 * Empties the stored text of a deleted comment in its earlier events (created,
 * updated, reactions): replays and anything else reading the log would
 * otherwise hand out words their author took back. Call in the deleting
 * transaction, after the comment row is locked, so an edit or reaction that
 * committed before is redacted too and none can commit after. Walks only the
 * thread's events (by its index), not the whole log.
 */
export async function redactCommentEvents(
  trx: Transaction<DB>,
  comment: { threadId: string; id: string; deletedAt: string },
): Promise<void> {
  await sql`
    update events
       set data = jsonb_set(jsonb_set(data, '{comment,body}', '""'),
                            '{comment,deletedAt}', to_jsonb(${comment.deletedAt}::text))
     where thread_id = ${comment.threadId} and recipient_id is null
       and subject_id = ${comment.id} and jsonb_typeof(data -> 'comment') = 'object'`.execute(trx);
}

/** An event row with its actor's display name, as the stream needs it. */
export type LoggedEvent = EventRow & { actor_name: string | null };

type Handle = Kysely<DB> | Transaction<DB>;

function eventsWithActor(db: Handle) {
  return db
    .selectFrom('events')
    .leftJoin('users', 'users.id', 'events.actor_id')
    .selectAll('events')
    .select('users.name as actor_name');
}

/** Events after `afterId`, oldest first, at most `limit`. */
export function eventsAfter(db: Handle, afterId: number, limit: number): Promise<LoggedEvent[]> {
  return eventsWithActor(db)
    .where('events.id', '>', String(afterId) as never)
    .orderBy('events.id')
    .limit(limit)
    .execute();
}

/** Where a topic's events are: a group's (its threads included), a thread's, or one person's. */
export type TopicFilter = { groupId: string } | { threadId: string } | { recipientId: string };

function whereTopic<Q extends ReturnType<typeof eventsWithActor>>(q: Q, topic: TopicFilter): Q {
  if ('groupId' in topic)
    return q.where('events.group_id', '=', topic.groupId).where('events.recipient_id', 'is', null) as Q;
  if ('threadId' in topic)
    return q.where('events.thread_id', '=', topic.threadId).where('events.recipient_id', 'is', null) as Q;
  return q.where('events.recipient_id', '=', topic.recipientId) as Q;
}

/** A topic's events after `afterId`, oldest first, at most `limit` (the replay after `since`). */
export function topicEventsAfter(
  db: Handle,
  topic: TopicFilter,
  afterId: number,
  limit: number,
): Promise<LoggedEvent[]> {
  return whereTopic(eventsWithActor(db), topic)
    .where('events.id', '>', String(afterId) as never)
    .orderBy('events.id')
    .limit(limit)
    .execute();
}

/** The newest event id of a topic, 0 when it has none. */
export async function topicLatestEventId(db: Handle, topic: TopicFilter): Promise<number> {
  const [column, value] =
    'groupId' in topic
      ? (['group_id', topic.groupId] as const)
      : 'threadId' in topic
        ? (['thread_id', topic.threadId] as const)
        : (['recipient_id', topic.recipientId] as const);
  const recipient = column === 'recipient_id' ? sql`is not null` : sql`is null`;
  // The topic comes in from outside the subquery (`offset 0` keeps it there), so the
  // subquery is planned for any topic and walks that topic's (column, id) index from its
  // newest end. Given the value itself, the planner may expect a busy topic to turn up
  // soon when walking the whole log backwards by id, and a topic whose events are all old
  // then costs a scan of the log (168 ms at 1.3 M events, seen in the bench).
  const { rows } = await sql<{ id: string | number | null }>`
    select (select e.id from events e
             where e.${sql.raw(column)} = topic.value and e.recipient_id ${recipient}
             order by e.${sql.raw(column)} desc, e.id desc limit 1) as id
      from (select ${value}::uuid as value offset 0) topic`.execute(db);
  return Number(rows[0]?.id ?? 0);
}

/** The newest event id, 0 when the log is empty. */
export async function latestEventId(db: Kysely<DB> | Transaction<DB>): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}
