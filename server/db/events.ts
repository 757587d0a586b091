import { type Kysely, sql, type Transaction } from 'kysely';
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
}

/** Appends events inside the caller's transaction and returns them with their ids. */
export async function appendEvents(trx: Transaction<DB>, events: EventInput[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  await sql`select pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`.execute(trx);
  return trx
    .insertInto('events')
    .values(
      events.map((e) => ({
        kind: e.kind,
        group_id: e.groupId ?? null,
        thread_id: e.threadId ?? null,
        actor_id: e.actorId ?? null,
        recipient_id: e.recipientId ?? null,
        subject_id: e.subjectId ?? null,
        data: JSON.stringify(e.data ?? {}),
      })),
    )
    .returningAll()
    .execute();
}

/** Events after `afterId`, oldest first, at most `limit`. */
export function eventsAfter(db: Kysely<DB> | Transaction<DB>, afterId: number, limit: number): Promise<EventRow[]> {
  return db.selectFrom('events').selectAll().where('id', '>', String(afterId) as never).orderBy('id').limit(limit).execute();
}

/** The newest event id, 0 when the log is empty. */
export async function latestEventId(db: Kysely<DB> | Transaction<DB>): Promise<number> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
  return Number(row?.max ?? 0);
}
