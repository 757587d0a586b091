import type { Notification } from '../../shared/schemas/threads';
import { activeLocale } from '../i18n';
import { ApiError, api } from './api';
import { Store } from './store';
import type { StreamEvent } from './stream';

export type { Notification } from '../../shared/schemas/threads';

/** A page of notifications, newest first, with the caller's unread count across all pages. */
export interface NotificationPage {
  items: Notification[];
  nextCursor: string | null;
  unreadCount: number;
}

/** One page of the caller's notifications, newest first. */
export function listNotifications(
  options: { unread?: boolean; limit?: number; cursor?: string | null; signal?: AbortSignal } = {},
): Promise<NotificationPage> {
  const query = new URLSearchParams({ limit: String(options.limit ?? 20) });
  if (options.unread) query.set('unread', 'true');
  if (options.cursor) query.set('cursor', options.cursor);
  return api<NotificationPage>('GET', `/notifications?${query}`, { signal: options.signal });
}

/** Marks the given notifications read, or all of them when `ids` is left out. */
export async function markNotificationsRead(ids?: string[]): Promise<void> {
  await api<void>('POST', '/notifications/read', { body: ids ? { ids } : {} });
}

/** Where a notification leads: its comment, its thread, or its group. */
export function notificationHref(n: Notification): string | null {
  if (n.threadId) {
    const base = `/threads/${encodeURIComponent(n.threadId)}`;
    return n.commentId ? `${base}#comment-${encodeURIComponent(n.commentId)}` : base;
  }
  if (n.groupId) return `/groups/${encodeURIComponent(n.groupId)}`;
  return null;
}

/** The bell's state: the newest notifications and how many are unread in all. */
export interface NotificationState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  items: Notification[];
  unreadCount: number;
  nextCursor: string | null;
  error: ApiError | null;
}

const EMPTY: NotificationState = { status: 'idle', items: [], unreadCount: 0, nextCursor: null, error: null };

/**
 * The signed-in person's notifications. Absorbs `notification.created` from
 * the `me` topic (newest first, each once), and keeps the unread count in
 * step with marking read here.
 */
export class NotificationStore extends Store<NotificationState> {
  #inflight: Promise<void> | null = null;
  #generation = 0;
  /** Bumped by every local change, so a page fetched before it cannot undo it. */
  #changes = 0;

  constructor() {
    super(EMPTY);
  }

  /** Loads the newest page (again). */
  refresh(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const generation = this.#generation;
    const changes = this.#changes;
    this.#inflight = (async () => {
      if (this.value.status === 'idle') this.set({ ...this.value, status: 'loading' });
      try {
        const page = await listNotifications({ limit: 20 });
        // Signed out meanwhile, or marked read here after the page was asked for: the page is stale.
        if (generation !== this.#generation || changes !== this.#changes) return;
        // Anything streamed in meanwhile that the page does not have yet stays on top.
        const known = new Set(page.items.map((n) => n.id));
        const newer = this.value.items.filter((n) => !known.has(n.id) && n.at > (page.items[0]?.at ?? ''));
        this.set({
          status: 'ready',
          items: [...newer, ...page.items],
          unreadCount: page.unreadCount + newer.filter((n) => !n.readAt).length,
          nextCursor: page.nextCursor,
          error: null,
        });
      } catch (err) {
        if (generation !== this.#generation) return;
        const error = err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
        this.set({ ...this.value, status: this.value.items.length ? 'ready' : 'error', error });
      } finally {
        this.#inflight = null;
      }
    })();
    return this.#inflight;
  }

  /** Loads the next (older) page. */
  async loadMore(): Promise<void> {
    const cursor = this.value.nextCursor;
    if (!cursor) return;
    const page = await listNotifications({ limit: 20, cursor });
    const known = new Set(this.value.items.map((n) => n.id));
    this.set({
      ...this.value,
      items: [...this.value.items, ...page.items.filter((n) => !known.has(n.id))],
      nextCursor: page.nextCursor,
      unreadCount: page.unreadCount,
    });
  }

  /** Takes in one event of the `me` topic. */
  absorb(event: StreamEvent): void {
    if (event.kind !== 'notification.created') return;
    const n = (event.data as { notification?: Notification } | null)?.notification;
    if (!n || this.value.items.some((x) => x.id === n.id)) return;
    this.set({
      ...this.value,
      items: [n, ...this.value.items],
      unreadCount: this.value.unreadCount + (n.readAt ? 0 : 1),
    });
    // The stream carries the text in English, as stored; the server says it again in the reader's language.
    if (activeLocale() !== 'en') void this.refresh();
  }

  /** Marks some (or, without ids, all) read: shown at once, then told to the server. */
  async markRead(ids?: string[]): Promise<void> {
    const now = new Date().toISOString();
    const targets = ids ? new Set(ids) : null;
    const before = this.value;
    const newlyRead = before.items.filter((n) => !n.readAt && (!targets || targets.has(n.id))).length;
    this.#changes += 1;
    this.set({
      ...before,
      items: before.items.map((n) =>
        !n.readAt && (!targets || targets.has(n.id)) ? { ...n, readAt: now } : n,
      ),
      unreadCount: targets ? Math.max(0, before.unreadCount - newlyRead) : 0,
    });
    try {
      await markNotificationsRead(ids);
    } catch (err) {
      void this.refresh();
      throw err;
    }
  }

  /** Forgets everything (signing out). */
  clear(): void {
    this.#generation += 1;
    this.set(EMPTY);
  }
}
