import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB, Role } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** Every comment column but the `search` vector. */
const COMMENT_COLUMNS = [
  'comments.id',
  'comments.thread_id',
  'comments.group_id',
  'comments.author_id',
  'comments.parent_id',
  'comments.body',
  'comments.created_at',
  'comments.edited_at',
  'comments.deleted_at',
  'comments.event_id',
] as const;

function commentsWithAuthor(db: Handle) {
  return db
    .selectFrom('comments')
    .leftJoin('users as author', 'author.id', 'comments.author_id')
    .select(COMMENT_COLUMNS)
    .select(['author.name as author_name', 'author.handle as author_handle']);
}

/** A comment row with its author's name and handle (null once the account is gone). */
export type CommentWithAuthor = Awaited<ReturnType<typeof commentsByIds>>[number];

/** Comments by id with their authors, in no particular order. */
export function commentsByIds(db: Handle, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return commentsWithAuthor(db).where('comments.id', 'in', ids).execute();
}

/**
 * A comment with its author, its thread (title, closed or not), and the
 * caller's role in the group, or undefined when it does not exist or the
 * caller is not a member.
 */
export async function commentForMember(db: Handle, commentId: string, userId: string) {
  const row = await commentsWithAuthor(db)
    .innerJoin('threads', 'threads.id', 'comments.thread_id')
    .innerJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'comments.group_id').on('memberships.user_id', '=', userId),
    )
    .select(['memberships.role', 'threads.title as thread_title'])
    .where('comments.id', '=', commentId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { role, thread_title, ...comment } = row;
  return { comment, role: role as Role, threadTitle: thread_title };
}

/**
 * Locks a comment row until the transaction ends, so that edits, deletion and
 * reactions on one comment happen one at a time and each event carries the
 * state its change left. Returns the row as it is once locked.
 */
export function lockComment(trx: Transaction<DB>, commentId: string) {
  return trx
    .selectFrom('comments')
    .select([
      'id',
      'thread_id',
      'group_id',
      'author_id',
      'parent_id',
      'body',
      'created_at',
      'edited_at',
      'deleted_at',
    ])
    .where('id', '=', commentId)
    .forUpdate()
    .executeTakeFirst();
}

/** A comment of `threadId`, for replying to; undefined when it is in another thread or absent. */
export function commentInThread(db: Handle, threadId: string, commentId: string) {
  return db
    .selectFrom('comments')
    .select(['id', 'parent_id', 'author_id', 'deleted_at'])
    .where('id', '=', commentId)
    .where('thread_id', '=', threadId)
    .executeTakeFirst();
}

/** Stores a new comment (the caller keeps the thread's counters in step). */
export function insertComment(
  trx: Transaction<DB>,
  input: { threadId: string; groupId: string; authorId: string; parentId: string | null; body: string },
) {
  return trx
    .insertInto('comments')
    .values({
      thread_id: input.threadId,
      group_id: input.groupId,
      author_id: input.authorId,
      parent_id: input.parentId,
      body: input.body,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Keeps the text being replaced as a version dated from when it was written, then stores the new one. */
export async function replaceBody(
  trx: Transaction<DB>,
  comment: { id: string; body: string; created_at: Date; edited_at: Date | null },
  body: string,
): Promise<void> {
  await trx
    .insertInto('comment_versions')
    .values({
      comment_id: comment.id,
      body: comment.body,
      created_at: comment.edited_at ?? comment.created_at,
    })
    .execute();
  await trx
    .updateTable('comments')
    .set({ body, edited_at: sql<Date>`now()` })
    .where('id', '=', comment.id)
    .execute();
}

/** Earlier texts of a comment, oldest first. */
export function versionsOf(db: Handle, commentId: string) {
  return db
    .selectFrom('comment_versions')
    .select(['body', 'created_at'])
    .where('comment_id', '=', commentId)
    .orderBy('id')
    .execute();
}

/**
 * Deletes a comment's words but keeps its place: the row stays for the
 * timeline and for its replies, with an empty body; its earlier versions and
 * its reactions go.
 */
export async function eraseComment(trx: Transaction<DB>, commentId: string): Promise<void> {
  await trx.deleteFrom('comment_versions').where('comment_id', '=', commentId).execute();
  await trx.deleteFrom('reactions').where('comment_id', '=', commentId).execute();
  await trx
    .updateTable('comments')
    .set({ body: '', deleted_at: sql<Date>`now()` })
    .where('id', '=', commentId)
    .execute();
}

/** Reactions with the reacting user's name, for some comments, in the order they were given. */
export function reactionsOf(db: Handle, commentIds: string[]) {
  if (commentIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('reactions')
    .innerJoin('users', 'users.id', 'reactions.user_id')
    .select(['reactions.comment_id', 'reactions.emoji', 'reactions.user_id', 'users.name as user_name'])
    .where('reactions.comment_id', 'in', commentIds)
    .orderBy('reactions.created_at')
    .orderBy('reactions.user_id')
    .execute();
}

/** Adds a reaction; true when it was not there yet. */
export async function addReaction(trx: Transaction<DB>, commentId: string, userId: string, emoji: string) {
  const rows = await trx
    .insertInto('reactions')
    .values({ comment_id: commentId, user_id: userId, emoji })
    .onConflict((oc) => oc.columns(['comment_id', 'user_id', 'emoji']).doNothing())
    .returning('emoji')
    .execute();
  return rows.length > 0;
}

/** Removes a reaction; true when it was there. */
export async function removeReaction(trx: Transaction<DB>, commentId: string, userId: string, emoji: string) {
  const result = await trx
    .deleteFrom('reactions')
    .where('comment_id', '=', commentId)
    .where('user_id', '=', userId)
    .where('emoji', '=', emoji)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
