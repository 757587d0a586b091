import type { Kysely, Transaction } from 'kysely';
import type { Comment, CreateCommentBody } from '../../shared/schemas/threads';
import type { CommentWithAuthor } from '../db/comments';
import * as comments from '../db/comments';
import { redactCommentEvents } from '../db/events';
import type { DB } from '../db/schema';
import { adjustCommentCount, lockThread, threadForMember } from '../db/threads';
import { commentPermissions } from '../domain/permissions';
import { AppError, forbidden, invalid, notFound } from '../errors';
import { type Ctx, writeTransaction } from './context';
import { notifyMentions } from './mentions';
import { addNotifications } from './notifications';
import { isUuid } from './text';
import type { SharedComment, SharedReaction } from './types';

type Handle = Kysely<DB> | Transaction<DB>;

/** The contract's 409 for writing into a closed thread. */
export const threadClosed = () =>
  new AppError(409, 'thread_closed', 'this thread is closed; it takes no new comments');

const RI = '\\p{Regional_Indicator}';
const MODIFIED = '\\p{Emoji_Modifier_Base}\\p{Emoji_Modifier}';
// The first element of a sequence: an emoji-presentation character (not a lone
// regional indicator), a pictograph made emoji by VS16, or a base with a skin tone.
const FIRST = `(?:${MODIFIED}|(?!${RI})\\p{Emoji_Presentation}\\uFE0F?|\\p{Extended_Pictographic}\\uFE0F)`;
// After a zero-width joiner, text-default pictographs may go without VS16 (👨‍⚕).
const JOINED = `(?:${MODIFIED}|(?!${RI})(?:\\p{Extended_Pictographic}|\\p{Emoji_Presentation})\\uFE0F?)`;
const SINGLE_EMOJI = new RegExp(
  `^(?:${[
    `${RI}{2}`, // a flag
    '[0-9#*]\\uFE0F?\\u20E3', // a keycap
    '\\u{1F3F4}[\\u{E0020}-\\u{E007E}]+\\u{E007F}', // a subdivision flag (a tag sequence)
    `${FIRST}(?:\\u200D${JOINED})*`, // one emoji, or a ZWJ sequence of them
  ].join('|')})$`,
  'u',
);

/**
 * True when `text` is exactly one emoji: a single pictograph (with an optional
 * skin tone or VS16), a ZWJ sequence, a flag, a keycap or a subdivision flag.
 * "abc", "👍👍" and a lone "©" are not.
 */
export function isSingleEmoji(text: string): boolean {
  return text.length <= 64 && SINGLE_EMOJI.test(text);
}

/** One spelling per emoji: a VS16 after a character that is shown as emoji anyway changes nothing, so it goes. */
export function normaliseEmoji(emoji: string): string {
  return emoji.replace(/(\p{Emoji_Presentation})\uFE0F/gu, '$1');
}

/** Adds each viewer's own `mine` to a shared comment. */
export function commentForViewer(comment: SharedComment, viewerId: string): Comment {
  return {
    ...comment,
    reactions: comment.reactions.map((r) => ({ ...r, mine: r.users.some((u) => u.id === viewerId) })),
  };
}

function presentShared(
  row: CommentWithAuthor,
  reactions: Awaited<ReturnType<typeof comments.reactionsOf>>,
): SharedComment {
  // Grouped in the order each emoji was first given.
  const byEmoji = new Map<string, SharedReaction>();
  for (const r of reactions) {
    let entry = byEmoji.get(r.emoji);
    if (!entry) {
      entry = { emoji: r.emoji, count: 0, users: [] };
      byEmoji.set(r.emoji, entry);
    }
    entry.count += 1;
    entry.users.push({ id: r.user_id, name: r.user_name });
  }
  return {
    id: row.id,
    threadId: row.thread_id,
    parentId: row.parent_id,
    author: row.author_id
      ? { id: row.author_id, name: row.author_name ?? '', handle: row.author_handle ?? '' }
      : null,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at ? row.edited_at.toISOString() : null,
    deletedAt: row.deleted_at ? row.deleted_at.toISOString() : null,
    reactions: [...byEmoji.values()],
  };
}

/** Comments by id as everyone sees them (no `mine`), with reactions, in two queries. */
export async function loadSharedComments(db: Handle, ids: string[]): Promise<Map<string, SharedComment>> {
  const [rows, reactions] = await Promise.all([
    comments.commentsByIds(db, ids),
    comments.reactionsOf(db, ids),
  ]);
  return new Map(
    rows.map((row) => [
      row.id,
      presentShared(
        row,
        reactions.filter((r) => r.comment_id === row.id),
      ),
    ]),
  );
}

async function loadSharedComment(db: Handle, id: string): Promise<SharedComment> {
  const comment = (await loadSharedComments(db, [id])).get(id);
  if (!comment) throw notFound('comment');
  return comment;
}

/** The comment, its thread's title and the caller's role; 404 for a malformed id, a stranger or nothing. */
async function commentAccess(ctx: Ctx, commentId: string, userId: string) {
  const found = isUuid(commentId) ? await comments.commentForMember(ctx.db, commentId, userId) : undefined;
  if (!found) throw notFound('comment');
  return found;
}

function nonEmptyBody(body: string): string {
  // Stored as written (Markdown), but a comment of only whitespace says nothing.
  if (body.trim() === '') throw invalid('/body', 'must not be empty');
  return body;
}

const parentNotFound = () =>
  new AppError(404, 'not_found', 'the comment replied to is not in this thread', [
    { path: '/parentId', message: 'not found in this thread' },
  ]);

/**
 * Posts a comment, or a reply. Replies are one level deep: replying to a
 * reply attaches to its top-level comment. Replying to a deleted comment is
 * `404` (its words are gone); a reply to a live reply whose top-level comment
 * was deleted still joins that conversation. Notifies the author replied to
 * (and the top-level author) with `replied`, and `@`-mentioned members.
 */
export async function createComment(
  ctx: Ctx,
  threadId: string,
  user: { id: string; name: string },
  input: CreateCommentBody,
  /** Runs in the comment's own transaction once it is stored (an emailed reply records its Message-ID). */
  options: { withComment?: (trx: Transaction<DB>, commentId: string) => Promise<void> } = {},
): Promise<Comment> {
  const access = isUuid(threadId) ? await threadForMember(ctx.db, threadId, user.id) : undefined;
  if (!access) throw notFound('thread');
  const body = nonEmptyBody(input.body);
  const parentId = input.parentId ?? null;
  if (parentId !== null && !isUuid(parentId)) throw parentNotFound();
  if (access.thread.closed_at) throw threadClosed();

  const shared = await writeTransaction(ctx, async (trx, emit) => {
    // Under the thread's lock a close that committed a moment ago is seen, and the counter is exact.
    const thread = await lockThread(trx, threadId);
    if (!thread) throw notFound('thread');
    if (thread.closed_at) throw threadClosed();

    let topLevelId: string | null = null;
    const repliedTo = new Set<string>();
    if (parentId !== null) {
      const parent = await comments.commentInThread(trx, threadId, parentId);
      if (!parent || parent.deleted_at) throw parentNotFound();
      topLevelId = parent.parent_id ?? parent.id;
      if (parent.author_id) repliedTo.add(parent.author_id);
      if (parent.parent_id) {
        const top = await comments.commentInThread(trx, threadId, parent.parent_id);
        if (top?.author_id && !top.deleted_at) repliedTo.add(top.author_id);
      }
    }
    repliedTo.delete(user.id);

    const { id } = await comments.insertComment(trx, {
      threadId,
      groupId: thread.group_id,
      authorId: user.id,
      parentId: topLevelId,
      body,
    });
    await adjustCommentCount(trx, threadId, +1, true);
    await options.withComment?.(trx, id);
    const comment = await loadSharedComment(trx, id);
    emit({
      kind: 'comment.created',
      groupId: thread.group_id,
      threadId,
      actorId: user.id,
      subjectId: id,
      data: { comment },
      recordIdIn: { table: 'comments', id },
    });
    await addNotifications(
      trx,
      emit,
      [...repliedTo].map((userId) => ({
        userId,
        kind: 'replied' as const,
        actorId: user.id,
        groupId: thread.group_id,
        threadId,
        commentId: id,
        text: `${user.name} replied to your comment in “${thread.title}”`,
      })),
    );
    // After the `replied` ones: someone replied to and mentioned in one comment is told once.
    await notifyMentions(trx, emit, {
      groupId: thread.group_id,
      threadId,
      threadTitle: thread.title,
      commentId: id,
      actor: user,
      text: body,
    });
    return comment;
  });
  return commentForViewer(shared, user.id);
}

/** One comment as the caller sees it (an extension of the contract). */
export async function getComment(ctx: Ctx, commentId: string, userId: string): Promise<Comment> {
  await commentAccess(ctx, commentId, userId);
  return commentForViewer(await loadSharedComment(ctx.db, commentId), userId);
}

/**
 * The author edits their comment; the text it replaces is kept as a version.
 * Facilitators may delete others' comments but never put words in their
 * mouths, so they may not edit them. A deleted comment cannot be edited
 * (`404`). Editing stays possible in a closed thread, which only refuses new
 * comments. Members newly `@`-mentioned by the edit are notified; nobody twice.
 */
export async function editComment(
  ctx: Ctx,
  commentId: string,
  user: { id: string; name: string },
  input: { body: string },
): Promise<Comment> {
  const access = await commentAccess(ctx, commentId, user.id);
  if (
    !commentPermissions({ viewerId: user.id, role: access.role, authorId: access.comment.author_id }).edit
  ) {
    throw forbidden('only its author may edit a comment');
  }
  if (access.comment.deleted_at) throw notFound('comment');
  const body = nonEmptyBody(input.body);
  const shared = await writeTransaction(ctx, async (trx, emit) => {
    const current = await comments.lockComment(trx, commentId);
    if (!current || current.deleted_at) throw notFound('comment');
    if (current.body === body) return loadSharedComment(trx, commentId);
    await comments.replaceBody(trx, current, body);
    const comment = await loadSharedComment(trx, commentId);
    emit({
      kind: 'comment.updated',
      groupId: current.group_id,
      threadId: current.thread_id,
      actorId: user.id,
      subjectId: commentId,
      data: { comment },
    });
    await notifyMentions(trx, emit, {
      groupId: current.group_id,
      threadId: current.thread_id,
      threadTitle: access.threadTitle,
      commentId,
      actor: user,
      text: body,
    });
    return comment;
  });
  return commentForViewer(shared, user.id);
}

/**
 * Deletes a comment (its author or a facilitator): it stays in the timeline
 * with an empty body and `deletedAt`; its earlier versions and reactions go,
 * its earlier events keep only an empty body, and it no longer counts in
 * `commentCount` or as unread. Deleting it again is `404`.
 */
export async function deleteComment(ctx: Ctx, commentId: string, user: { id: string }): Promise<void> {
  const access = await commentAccess(ctx, commentId, user.id);
  if (
    !commentPermissions({ viewerId: user.id, role: access.role, authorId: access.comment.author_id }).delete
  ) {
    throw forbidden('only its author or a facilitator may delete a comment');
  }
  if (access.comment.deleted_at) throw notFound('comment');
  await writeTransaction(ctx, async (trx, emit) => {
    // Thread before comment, the one order every writer here uses, so no two wait on each other in a circle.
    await lockThread(trx, access.comment.thread_id);
    const current = await comments.lockComment(trx, commentId);
    if (!current || current.deleted_at) throw notFound('comment');
    await comments.eraseComment(trx, commentId);
    await adjustCommentCount(trx, current.thread_id, -1, false);
    const comment = await loadSharedComment(trx, commentId);
    // Its earlier events go the same way, so a replay with `since` cannot bring the words back.
    await redactCommentEvents(trx, {
      threadId: current.thread_id,
      id: commentId,
      deletedAt: comment.deletedAt!,
    });
    emit({
      kind: 'comment.deleted',
      groupId: current.group_id,
      threadId: current.thread_id,
      actorId: user.id,
      subjectId: commentId,
      data: { comment },
    });
  });
}

/**
 * Adds (`add`) or removes the caller's reaction. Idempotent: repeating it
 * changes nothing and emits nothing. `emoji` must be exactly one emoji (400).
 * Deleted comments take no reactions (`404`); closed threads still do.
 */
export async function setReaction(
  ctx: Ctx,
  commentId: string,
  user: { id: string },
  rawEmoji: string,
  add: boolean,
): Promise<Comment> {
  const access = await commentAccess(ctx, commentId, user.id);
  if (!isSingleEmoji(rawEmoji)) throw invalid('/emoji', 'must be exactly one emoji');
  if (access.comment.deleted_at) throw notFound('comment');
  const emoji = normaliseEmoji(rawEmoji);
  const shared = await writeTransaction(ctx, async (trx, emit) => {
    const current = await comments.lockComment(trx, commentId);
    if (!current || current.deleted_at) throw notFound('comment');
    const changed = add
      ? await comments.addReaction(trx, commentId, user.id, emoji)
      : await comments.removeReaction(trx, commentId, user.id, emoji);
    const comment = await loadSharedComment(trx, commentId);
    if (changed) {
      emit({
        kind: 'reaction.changed',
        groupId: current.group_id,
        threadId: current.thread_id,
        actorId: user.id,
        subjectId: commentId,
        data: { comment, emoji, added: add },
      });
    }
    return comment;
  });
  return commentForViewer(shared, user.id);
}

/** Earlier texts of a comment, oldest first (members). A deleted comment has none left. */
export async function listVersions(ctx: Ctx, commentId: string, userId: string) {
  await commentAccess(ctx, commentId, userId);
  const rows = await comments.versionsOf(ctx.db, commentId);
  return {
    items: rows.map((r) => ({ body: r.body, createdAt: r.created_at.toISOString() })),
    nextCursor: null,
  };
}
