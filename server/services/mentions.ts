import type { Transaction } from 'kysely';
import { alreadyNotified } from '../db/notifications';
import type { DB } from '../db/schema';
import { membersByHandle } from '../db/threads';
import type { Emit } from './context';
import { addNotifications } from './notifications';

/** More distinct handles than this in one text are ignored: one comment must not page a whole city. */
export const MAX_MENTIONS = 50;

// Code is quoted, not addressed: `@handle` inside fences or backticks mentions nobody.
const CODE = /```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]*`/g;
// Not after a letter, digit, dot, slash or another `@`: `ada@example.org` and
// `https://host/@ada` are not mentions. Handles are `a-z0-9_-`, 2–30 long.
const MENTION = /(?<![\p{L}\p{N}_@./-])@([a-z0-9_-]{2,30})(?![a-z0-9_-])/giu;

/** The distinct handles `@`-mentioned in a Markdown text, lower-cased, in order of first mention. */
export function mentionedHandles(markdown: string): string[] {
  const prose = markdown.replace(CODE, ' ');
  const handles = new Set<string>();
  for (const match of prose.matchAll(MENTION)) {
    handles.add(match[1]!.toLowerCase());
    if (handles.size >= MAX_MENTIONS) break;
  }
  return [...handles];
}

/**
 * Notifies the group members `@`-mentioned in `text` (a thread's text when
 * `commentId` is null, else a comment's): never the actor, and never anyone
 * already notified about this thread text or comment (mentioned before an
 * edit, or told of it as a reply), so an edit only reaches people newly
 * mentioned. Returns who was notified.
 */
export async function notifyMentions(
  trx: Transaction<DB>,
  emit: Emit,
  input: {
    groupId: string;
    threadId: string;
    threadTitle: string;
    commentId: string | null;
    actor: { id: string; name: string };
    text: string;
  },
): Promise<Set<string>> {
  const members = await membersByHandle(trx, input.groupId, mentionedHandles(input.text));
  const candidates = members.map((m) => m.id).filter((id) => id !== input.actor.id);
  const done = await alreadyNotified(
    trx,
    { threadId: input.threadId, commentId: input.commentId },
    candidates,
  );
  const recipients = candidates.filter((id) => !done.has(id));
  const where = input.commentId === null ? 'the thread' : 'a comment in';
  await addNotifications(
    trx,
    emit,
    recipients.map((userId) => ({
      userId,
      kind: 'mentioned' as const,
      actorId: input.actor.id,
      groupId: input.groupId,
      threadId: input.threadId,
      commentId: input.commentId,
      text: `${input.actor.name} mentioned you in ${where} “${input.threadTitle}”`,
    })),
  );
  return new Set(recipients);
}
