import { type Kysely, sql, type Transaction } from 'kysely';
import { exactTime } from './cursors';
import type { DB, Role } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** Every thread column but the `search` vector, which nothing outside search needs. */
const THREAD_COLUMNS = [
  'threads.id',
  'threads.group_id',
  'threads.author_id',
  'threads.title',
  'threads.body',
  'threads.pinned',
  'threads.closed_at',
  'threads.created_at',
  'threads.updated_at',
  'threads.last_activity_at',
  'threads.comment_count',
  'threads.event_id',
] as const;

function threadsWithAuthor(db: Handle) {
  return db
    .selectFrom('threads')
    .leftJoin('users as author', 'author.id', 'threads.author_id')
    .select(THREAD_COLUMNS)
    .select(['author.name as author_name', 'author.handle as author_handle']);
}

/** A thread row with its author's name and handle (null once the account is gone). */
export type ThreadWithAuthor = Awaited<ReturnType<typeof threadWithAuthor>>;

/** One thread with its author; throws when there is none (callers checked access first). */
export function threadWithAuthor(db: Handle, threadId: string) {
  return threadsWithAuthor(db).where('threads.id', '=', threadId).executeTakeFirstOrThrow();
}

/**
 * A thread with its author, the caller's role in its group and the group's
 * settings, or undefined when it does not exist or the caller is not a member.
 */
export async function threadForMember(db: Handle, threadId: string, userId: string) {
  const row = await threadsWithAuthor(db)
    .innerJoin('groups', 'groups.id', 'threads.group_id')
    .innerJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'threads.group_id').on('memberships.user_id', '=', userId),
    )
    .select([
      'memberships.role',
      'groups.members_can_start_threads',
      'groups.members_can_create_proposals',
      'groups.members_can_invite',
      'groups.delegation',
    ])
    .where('threads.id', '=', threadId)
    .executeTakeFirst();
  if (!row) return undefined;
  const {
    role,
    members_can_start_threads,
    members_can_create_proposals,
    members_can_invite,
    delegation,
    ...thread
  } = row;
  return {
    thread,
    role: role as Role,
    settings: {
      membersCanStartThreads: members_can_start_threads,
      membersCanCreateProposals: members_can_create_proposals,
      membersCanInvite: members_can_invite,
      delegation,
    },
  };
}

/**
 * Locks a thread row until the transaction ends, so closing it, commenting in
 * it and counting its comments happen one at a time, and returns it.
 */
export function lockThread(trx: Transaction<DB>, threadId: string) {
  return trx
    .selectFrom('threads')
    .select(['id', 'group_id', 'author_id', 'title', 'body', 'pinned', 'closed_at'])
    .where('id', '=', threadId)
    .forUpdate()
    .executeTakeFirst();
}

/** Stores a new thread; counters and times take their defaults. */
export function insertThread(
  trx: Transaction<DB>,
  input: { groupId: string; authorId: string; title: string; body: string },
) {
  return trx
    .insertInto('threads')
    .values({ group_id: input.groupId, author_id: input.authorId, title: input.title, body: input.body })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Applies the given fields; `updated_at` moves only when the title or body changes. */
export async function updateThread(
  trx: Transaction<DB>,
  threadId: string,
  patch: { title?: string; body?: string; pinned?: boolean; closed?: boolean },
): Promise<void> {
  await trx
    .updateTable('threads')
    .set((eb) => ({
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.body !== undefined ? { body: patch.body } : {}),
      ...(patch.title !== undefined || patch.body !== undefined ? { updated_at: sql<Date>`now()` } : {}),
      ...(patch.pinned !== undefined ? { pinned: patch.pinned } : {}),
      // Closing an already closed thread keeps the moment it was first closed.
      ...(patch.closed !== undefined
        ? { closed_at: patch.closed ? eb.fn.coalesce('closed_at', sql<Date>`now()`) : null }
        : {}),
    }))
    .where('id', '=', threadId)
    .execute();
}

/**
 * Keeps the counters on the thread row in step with its comments, in the
 * writer's transaction: lists then read them instead of counting.
 */
export async function adjustCommentCount(
  trx: Transaction<DB>,
  threadId: string,
  delta: number,
  touchActivity: boolean,
): Promise<void> {
  await trx
    .updateTable('threads')
    .set((eb) => ({
      comment_count: eb('comment_count', '+', delta),
      ...(touchActivity ? { last_activity_at: sql<Date>`now()` } : {}),
    }))
    .where('id', '=', threadId)
    .execute();
}

/** Where the previous page of a thread list stopped. */
export interface ThreadCursor {
  pinned: boolean;
  lastActivityAt: string;
  id: string;
}

/**
 * A page of a group's threads, pinned first, then by last activity, newest
 * first; ties broken by id.
 */
export function threadsPage(
  db: Handle,
  groupId: string,
  options: { status?: 'open' | 'closed'; after: ThreadCursor | null; limit: number },
) {
  let q = threadsWithAuthor(db)
    .select(exactTime('threads.last_activity_at').as('cursor_time'))
    .where('threads.group_id', '=', groupId);
  if (options.status === 'open') q = q.where('threads.closed_at', 'is', null);
  if (options.status === 'closed') q = q.where('threads.closed_at', 'is not', null);
  const after = options.after;
  if (after) {
    // Every sort key descends, so "after" is one row comparison the index answers.
    q = q.where(
      sql<boolean>`(threads.pinned, threads.last_activity_at, threads.id) < (${after.pinned}, ${after.lastActivityAt}::timestamptz, ${after.id}::uuid)`,
    );
  }
  return q
    .orderBy('threads.pinned', 'desc')
    .orderBy('threads.last_activity_at', 'desc')
    .orderBy('threads.id', 'desc')
    .limit(options.limit)
    .execute();
}

/** The caller's read markers for some threads. */
export async function readMarkers(
  db: Handle,
  userId: string,
  threadIds: string[],
): Promise<Map<string, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('thread_reads')
    .select(['thread_id', 'last_event_id'])
    .where('user_id', '=', userId)
    .where('thread_id', 'in', threadIds)
    .execute();
  return new Map(rows.map((r) => [r.thread_id, Number(r.last_event_id)]));
}

/**
 * Unread comments per thread for one reader, for a whole page in one query:
 * comments created after the reader's marker (all of them when there is
 * none), written by someone else, and not deleted. Threads with none are left out.
 */
export async function unreadCounts(
  db: Handle,
  userId: string,
  threadIds: string[],
): Promise<Map<string, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('comments')
    .leftJoin('thread_reads', (j) =>
      j.onRef('thread_reads.thread_id', '=', 'comments.thread_id').on('thread_reads.user_id', '=', userId),
    )
    .select('comments.thread_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('comments.thread_id', 'in', threadIds)
    .where('comments.deleted_at', 'is', null)
    .where(sql<boolean>`comments.author_id is distinct from ${userId}::uuid`)
    .where(sql<boolean>`comments.event_id > coalesce(thread_reads.last_event_id, 0)`)
    .groupBy('comments.thread_id')
    .execute();
  return new Map(rows.map((r) => [r.thread_id, Number(r.n)]));
}

/** Proposals still open, per thread, for a page in one query. Threads with none are left out. */
export async function openProposalCounts(db: Handle, threadIds: string[]): Promise<Map<string, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('proposals')
    .select('thread_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('thread_id', 'in', threadIds)
    .where('closed_at', 'is', null)
    .groupBy('thread_id')
    .execute();
  return new Map(rows.map((r) => [r.thread_id, Number(r.n)]));
}

/** Moves a reader's marker forward to `eventId`; never back. */
export async function advanceReadMarker(
  db: Handle,
  threadId: string,
  userId: string,
  eventId: number,
): Promise<void> {
  await db
    .insertInto('thread_reads')
    .values({ thread_id: threadId, user_id: userId, last_event_id: String(eventId) })
    .onConflict((oc) =>
      oc.columns(['thread_id', 'user_id']).doUpdateSet({
        last_event_id: sql`greatest(thread_reads.last_event_id, excluded.last_event_id)`,
        read_at: sql`case when excluded.last_event_id > thread_reads.last_event_id then now() else thread_reads.read_at end`,
      }),
    )
    .execute();
}

/** Group members among `handles` (lower-case), for mentions. */
export function membersByHandle(db: Handle, groupId: string, handles: string[]) {
  if (handles.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.handle'])
    .where('memberships.group_id', '=', groupId)
    .where('users.handle', 'in', handles)
    .execute();
}
