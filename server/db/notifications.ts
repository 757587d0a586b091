import { type Kysely, sql, type Transaction } from 'kysely';
import { exactTime } from './cursors';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** A notification to store, before it has an id. */
export interface NewNotification {
  userId: string;
  kind: string;
  actorId: string | null;
  groupId: string | null;
  threadId: string | null;
  commentId: string | null;
  proposalId: string | null;
  text: string;
}

const NOTIFICATION_COLUMNS = [
  'id',
  'user_id',
  'kind',
  'actor_id',
  'group_id',
  'thread_id',
  'comment_id',
  'proposal_id',
  'text',
  'created_at',
  'read_at',
] as const;

/** A stored notification with its actor's name. */
export interface NotificationRow {
  id: string;
  user_id: string;
  kind: string;
  actor_id: string | null;
  actor_name: string | null;
  group_id: string | null;
  thread_id: string | null;
  comment_id: string | null;
  proposal_id: string | null;
  text: string;
  created_at: Date;
  read_at: Date | null;
}

/** Stores notifications in one statement and returns them with their actors' names, in input order. */
export async function insertNotifications(
  trx: Transaction<DB>,
  inputs: NewNotification[],
): Promise<NotificationRow[]> {
  if (inputs.length === 0) return [];
  const rows = await trx
    .insertInto('notifications')
    .values(
      inputs.map((n) => ({
        user_id: n.userId,
        kind: n.kind,
        actor_id: n.actorId,
        group_id: n.groupId,
        thread_id: n.threadId,
        comment_id: n.commentId,
        proposal_id: n.proposalId,
        text: n.text,
      })),
    )
    .returning(NOTIFICATION_COLUMNS)
    .execute();
  const actorIds = [...new Set(rows.flatMap((r) => (r.actor_id ? [r.actor_id] : [])))];
  const names = new Map<string, string>();
  if (actorIds.length > 0) {
    const actors = await trx.selectFrom('users').select(['id', 'name']).where('id', 'in', actorIds).execute();
    for (const a of actors) names.set(a.id, a.name);
  }
  return rows.map((r) => ({ ...r, actor_name: r.actor_id ? (names.get(r.actor_id) ?? null) : null }));
}

/** Where the previous page of notifications stopped. */
export interface NotificationCursor {
  createdAt: string;
  id: string;
}

/** A page of someone's notifications, newest first, keyed by (created_at, id) descending. */
export function notificationsPage(
  db: Handle,
  userId: string,
  options: { unreadOnly: boolean; after: NotificationCursor | null; limit: number },
) {
  let q = db
    .selectFrom('notifications')
    .leftJoin('users as actor', 'actor.id', 'notifications.actor_id')
    .select(NOTIFICATION_COLUMNS.map((c) => `notifications.${c}` as const))
    .select('actor.name as actor_name')
    .select(exactTime('notifications.created_at').as('cursor_time'))
    .where('notifications.user_id', '=', userId);
  if (options.unreadOnly) q = q.where('notifications.read_at', 'is', null);
  if (options.after) {
    q = q.where(
      sql<boolean>`(notifications.created_at, notifications.id) < (${options.after.createdAt}::timestamptz, ${options.after.id}::uuid)`,
    );
  }
  return q
    .orderBy('notifications.created_at', 'desc')
    .orderBy('notifications.id', 'desc')
    .limit(options.limit)
    .execute();
}

/** How many of someone's notifications are unread. */
export async function unreadNotificationCount(db: Handle, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks someone's unread notifications read: those in `ids`, or all when `ids` is null. Others' are untouched. */
export async function markNotificationsRead(db: Handle, userId: string, ids: string[] | null): Promise<void> {
  if (ids !== null && ids.length === 0) return;
  let q = db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);
  if (ids !== null) q = q.where('id', 'in', ids);
  await q.execute();
}

/**
 * Of `userIds`, those already notified about this comment (or, with
 * `commentId` null, the thread's own text) as mentioned or replied to: an
 * edit, or a reply that also mentions, must not notify anyone twice.
 */
export async function alreadyNotified(
  db: Handle,
  where: { threadId: string; commentId: string | null },
  userIds: string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  let q = db
    .selectFrom('notifications')
    .select('user_id')
    .where('user_id', 'in', userIds)
    .where('kind', 'in', ['mentioned', 'replied'])
    .where('thread_id', '=', where.threadId);
  q =
    where.commentId === null
      ? q.where('comment_id', 'is', null)
      : q.where('comment_id', '=', where.commentId);
  const rows = await q.execute();
  return new Set(rows.map((r) => r.user_id));
}
