import type {
  CreateThreadBody,
  PatchThreadBody,
  SharedThread,
  Thread,
  ThreadPermissions,
  TimelinePage,
} from '../../shared/schemas/threads';
import { api } from './api';

export type {
  Author,
  SharedThread,
  Thread,
  ThreadPermissions,
  TimelineItem,
  TimelinePage,
} from '../../shared/schemas/threads';

/** Until the server has said what the viewer may do (a thread from an event): nothing. */
export const NO_THREAD_PERMISSIONS: ThreadPermissions = {
  edit: false,
  pin: false,
  close: false,
  reopen: false,
};

/** A page of a list: `{ items, nextCursor }`. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const enc = encodeURIComponent;

/** One page of a group's threads: pinned first, then by last activity. No `status`: open and closed. */
export function listThreads(
  groupId: string,
  options: { status?: 'open' | 'closed'; limit?: number; cursor?: string | null; signal?: AbortSignal } = {},
): Promise<Page<Thread>> {
  const query = new URLSearchParams({ limit: String(options.limit ?? 50) });
  if (options.status) query.set('status', options.status);
  if (options.cursor) query.set('cursor', options.cursor);
  return api<Page<Thread>>('GET', `/groups/${enc(groupId)}/threads?${query}`, { signal: options.signal });
}

/** Starts a thread (members when the group allows it, else facilitators). */
export async function createThread(groupId: string, body: CreateThreadBody): Promise<Thread> {
  return (await api<{ thread: Thread }>('POST', `/groups/${enc(groupId)}/threads`, { body })).thread;
}

/** One thread, with the caller's unread count and read marker. */
export async function getThread(threadId: string, signal?: AbortSignal): Promise<Thread> {
  return (await api<{ thread: Thread }>('GET', `/threads/${enc(threadId)}`, { signal })).thread;
}

/** Edits the title or body (author, facilitators), pins (facilitators) or closes (facilitators, author). */
export async function updateThread(threadId: string, body: PatchThreadBody): Promise<Thread> {
  return (await api<{ thread: Thread }>('PATCH', `/threads/${enc(threadId)}`, { body })).thread;
}

/** Which page of a timeline to read: the newest, the one before an event, or the one after it. */
export type TimelineWindow = { latest: true } | { before: number } | { after: number };

/** One page of a thread's timeline, oldest first (see TimelinePage for the cursors). */
export function getTimeline(
  threadId: string,
  window: TimelineWindow,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<TimelinePage> {
  const query = new URLSearchParams({ limit: String(options.limit ?? 50) });
  if ('latest' in window) query.set('latest', 'true');
  else if ('before' in window) query.set('before', String(window.before));
  else query.set('after', String(window.after));
  return api<TimelinePage>('GET', `/threads/${enc(threadId)}/timeline?${query}`, { signal: options.signal });
}

/** Moves the caller's read marker forward to `lastEventId` (never back). */
export async function markThreadRead(threadId: string, lastEventId: number): Promise<void> {
  await api<void>('POST', `/threads/${enc(threadId)}/read`, { body: { lastEventId } });
}

/** What `thread.updated` carries, merged into a thread without losing the reader's own fields. */
export function mergeSharedThread(current: Thread, shared: Partial<SharedThread>): Thread {
  return {
    ...current,
    ...shared,
    unreadCount: current.unreadCount,
    lastReadEventId: current.lastReadEventId,
  };
}

/** The list order of the contract: pinned first, then the most recently active, ties by id. */
export function compareThreads(a: Thread, b: Thread): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (a.lastActivityAt !== b.lastActivityAt) return a.lastActivityAt < b.lastActivityAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
