import type { Comment, CommentVersion, Reaction } from '../../shared/schemas/threads';
import { listText, m, t } from '../i18n';
import { api } from './api';
import type { Page } from './threads';

export type { Comment, CommentVersion, Reaction } from '../../shared/schemas/threads';

const enc = encodeURIComponent;

/** Posts a comment, or a reply when `parentId` is given (a reply to a reply joins its top-level comment). */
export async function createComment(
  threadId: string,
  body: string,
  parentId?: string | null,
): Promise<Comment> {
  const payload = parentId ? { body, parentId } : { body };
  return (await api<{ comment: Comment }>('POST', `/threads/${enc(threadId)}/comments`, { body: payload }))
    .comment;
}

/** Replaces the text of one's own comment; the earlier text is kept as a version. */
export async function editComment(commentId: string, body: string): Promise<Comment> {
  return (await api<{ comment: Comment }>('PATCH', `/comments/${enc(commentId)}`, { body: { body } }))
    .comment;
}

/** Deletes a comment (its author, facilitators); it stays in the timeline as deleted. */
export async function deleteComment(commentId: string): Promise<void> {
  await api<void>('DELETE', `/comments/${enc(commentId)}`);
}

/** Adds (`on`) or removes the caller's reaction; idempotent either way. */
export async function setReaction(commentId: string, emoji: string, on: boolean): Promise<Comment> {
  const path = `/comments/${enc(commentId)}/reactions/${enc(emoji)}`;
  return (await api<{ comment: Comment }>(on ? 'PUT' : 'DELETE', path)).comment;
}

/** Earlier texts of an edited comment, oldest first. */
export async function listVersions(commentId: string, signal?: AbortSignal): Promise<CommentVersion[]> {
  return (await api<Page<CommentVersion>>('GET', `/comments/${enc(commentId)}/versions`, { signal })).items;
}

/**
 * A comment as the stream carries it (the same for every subscriber, so its
 * reactions have `users` but no `mine`), finished for one viewer.
 */
export function commentForViewer(comment: Comment, viewerId: string | null | undefined): Comment {
  return {
    ...comment,
    reactions: (comment.reactions ?? []).map(
      (r): Reaction => ({
        ...r,
        users: r.users ?? [],
        mine: r.users ? r.users.some((u) => u.id === viewerId) : Boolean(r.mine),
      }),
    ),
  };
}

/** Whether two spellings are one emoji: the server drops the VS16 selector after emoji-presentation characters. */
export function sameEmoji(a: string, b: string): boolean {
  return a.replace(/\uFE0F/g, '') === b.replace(/\uFE0F/g, '');
}

/** The reactions with the viewer's `emoji` added or removed: what the server will answer, shown before it does. */
export function applyToggle(reactions: readonly Reaction[], emoji: string, on: boolean): Reaction[] {
  const index = reactions.findIndex((r) => sameEmoji(r.emoji, emoji));
  if (index < 0) return on ? [...reactions, { emoji, count: 1, mine: true, users: [] }] : [...reactions];
  const current = reactions[index]!;
  if (current.mine === on) return [...reactions];
  const count = current.count + (on ? 1 : -1);
  const next = [...reactions];
  if (count <= 0) next.splice(index, 1);
  else next[index] = { ...current, count, mine: on };
  return next;
}

/** The emoji offered by the reaction picker, with names for screen readers (messages: show them with `t(name)`). */
export const REACTION_CHOICES: readonly { emoji: string; name: string }[] = [
  { emoji: '👍', name: m('thumbs up') },
  { emoji: '❤️', name: m('heart') },
  { emoji: '🎉', name: m('celebrate') },
  { emoji: '😄', name: m('smile') },
  { emoji: '🤔', name: m('thinking') },
  { emoji: '👀', name: m('eyes') },
  { emoji: '🙏', name: m('thanks') },
  { emoji: '✅', name: m('done') },
];

/**
 * Who reacted, for a button's title: "Ada Okafor, Bea Lindqvist and 3 others
 * reacted with 👍". Names only (the stream shares them with every member).
 */
export function reactionSummary(reaction: Reaction, maxNames = 8): string {
  const names = (reaction.users ?? []).map((u) => u.name);
  const emoji = reaction.emoji;
  if (names.length === 0) {
    return t('{count, plural, one {# reacted with {emoji}} other {# reacted with {emoji}}}', {
      count: reaction.count,
      emoji,
    });
  }
  const shown = names.slice(0, maxNames);
  const rest = reaction.count - shown.length;
  if (rest > 0) {
    return t('{names} and {rest, plural, one {# other} other {# others}} reacted with {emoji}', {
      names: shown.join(', '),
      rest,
      emoji,
    });
  }
  return t('{count, plural, one {{names} reacted with {emoji}} other {{names} reacted with {emoji}}}', {
    count: shown.length,
    names: listText(shown),
    emoji,
  });
}

/** The `@` word being typed at the caret, for the mention picker. */
export interface MentionQuery {
  /** Index of the `@`. */
  start: number;
  /** What follows the `@` up to the caret (may be empty). */
  query: string;
}

/**
 * The mention being typed just before `caret`, or null: an `@` at the start
 * or after whitespace or an opening bracket, followed by handle characters
 * only (`a-z0-9_-`) up to the caret. `name@example.org` is not a mention.
 */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const match = /(^|[\s([{>])@([a-z0-9_-]{0,30})$/i.exec(before);
  if (!match) return null;
  const start = before.length - match[2]!.length - 1;
  return { start, query: match[2]! };
}

/** Replaces the `@query` at `mention` with `@handle ` and gives the caret position after the space. */
export function insertMention(
  text: string,
  caret: number,
  mention: MentionQuery,
  handle: string,
): { text: string; caret: number } {
  const after = text.slice(caret);
  const insert = `@${handle}${after.startsWith(' ') ? '' : ' '}`;
  const next = text.slice(0, mention.start) + insert + after;
  // Past the space, whether it was added or already there.
  return { text: next, caret: mention.start + handle.length + 2 };
}

/** Someone who can be mentioned. */
export interface Mentionable {
  id: string;
  name: string;
  handle: string;
}

/**
 * Members matching what was typed after `@`: handles or names starting with
 * it first, then containing it; at most `limit`.
 */
export function matchMentions(people: readonly Mentionable[], query: string, limit = 6): Mentionable[] {
  const q = query.toLowerCase();
  if (!q) return people.slice(0, limit);
  const scored: { p: Mentionable; score: number }[] = [];
  for (const p of people) {
    const handle = p.handle.toLowerCase();
    const name = p.name.toLowerCase();
    const words = name.split(/\s+/);
    let score = -1;
    if (handle.startsWith(q)) score = 0;
    else if (words.some((w) => w.startsWith(q))) score = 1;
    else if (handle.includes(q) || name.includes(q)) score = 2;
    if (score >= 0) scored.push({ p, score });
  }
  scored.sort((a, b) => a.score - b.score || a.p.name.localeCompare(b.p.name));
  return scored.slice(0, limit).map((s) => s.p);
}

/** Where unsent text is kept between visits: localStorage, or a stand-in in tests. */
export type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The storage key of a thread's draft (a reply's draft is its own). */
export function draftKey(threadId: string, parentId?: string | null): string {
  return parentId ? `plenary:draft:${threadId}:reply:${parentId}` : `plenary:draft:${threadId}`;
}

function defaultStorage(): DraftStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage blocked (privacy settings): drafts just are not kept
  }
}

/** The saved draft, or "". */
export function loadDraft(key: string, storage: DraftStorage | null = defaultStorage()): string {
  try {
    return storage?.getItem(key) ?? '';
  } catch {
    return '';
  }
}

/** Keeps the draft (an empty one is removed). Failing to store (quota) is not worth interrupting anyone. */
export function saveDraft(key: string, text: string, storage: DraftStorage | null = defaultStorage()): void {
  try {
    if (text.trim()) storage?.setItem(key, text);
    else storage?.removeItem(key);
  } catch {
    // ignore
  }
}

/** Forgets the draft (after posting). */
export function clearDraft(key: string, storage: DraftStorage | null = defaultStorage()): void {
  try {
    storage?.removeItem(key);
  } catch {
    // ignore
  }
}
