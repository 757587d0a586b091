import type { CreateThreadBody } from '../../shared/schemas/threads';
import { ApiError } from './api';
import { Coalesced } from './coalesced';
import { Store } from './store';
import type { StreamEvent } from './stream';
import * as threads from './threads';
import { compareThreads, type Thread } from './threads';

/** One list of a group's threads (open or closed) and how far it is loaded. */
export interface ThreadListPart {
  items: Thread[];
  nextCursor: string | null;
}

/** What a group page's thread list shows. */
export interface ThreadListState {
  status: 'loading' | 'ready' | 'error';
  open: ThreadListPart;
  closed: ThreadListPart;
  /** The last failure; with status `ready` it is a failed refresh over data still shown. */
  error: ApiError | null;
}

/** Event kinds of `group:<id>` that change a thread row: titles, counts, badges, order. */
const LIST_KINDS = new Set([
  'thread.created',
  'thread.updated',
  'comment.created',
  'comment.deleted',
  'proposal.created',
  'proposal.closed',
  'proposal.reopened',
]);

const EMPTY_PART: ThreadListPart = { items: [], nextCursor: null };

/**
 * A group's threads, open and closed. Absorbs the group topic's thread
 * events by refetching over HTTP, which also brings the reader's own unread
 * counts (events carry none); refetches are coalesced, so a burst of events
 * costs at most one extra round.
 */
export class ThreadListStore extends Store<ThreadListState> {
  readonly #loads = new Coalesced(() => this.#fetch());
  /** How many of each list to fetch on refresh: as many as the person has paged through. */
  #openLimit = 50;
  #closedLimit = 20;

  constructor(readonly groupId: string) {
    super({ status: 'loading', open: EMPTY_PART, closed: EMPTY_PART, error: null });
  }

  /** Loads both lists; concurrent calls share one fetch (plus one more if asked meanwhile). */
  refresh(): Promise<void> {
    return this.#loads.run();
  }

  /** Takes in one event of `group:<id>`. */
  absorb(event: StreamEvent): void {
    if (LIST_KINDS.has(event.kind)) void this.refresh();
  }

  /** Loads the next page of the open or the closed threads. */
  async loadMore(which: 'open' | 'closed'): Promise<void> {
    const part = this.value[which];
    if (!part.nextCursor) return;
    const page = await threads.listThreads(this.groupId, {
      status: which,
      cursor: part.nextCursor,
      limit: which === 'open' ? 50 : 20,
    });
    const known = new Set(part.items.map((t) => t.id));
    const items = [...part.items, ...page.items.filter((t) => !known.has(t.id))];
    if (which === 'open') this.#openLimit = Math.min(200, items.length);
    else this.#closedLimit = Math.min(200, items.length);
    this.set({ ...this.value, [which]: { items, nextCursor: page.nextCursor } });
  }

  /** Starts a thread and puts it in the list at once. */
  async create(body: CreateThreadBody): Promise<Thread> {
    const thread = await threads.createThread(this.groupId, body);
    const open = this.value.open;
    if (!open.items.some((t) => t.id === thread.id)) {
      this.set({ ...this.value, open: { ...open, items: [...open.items, thread].sort(compareThreads) } });
    }
    return thread;
  }

  async #fetch(): Promise<void> {
    try {
      const [open, closed] = await Promise.all([
        threads.listThreads(this.groupId, { status: 'open', limit: this.#openLimit }),
        threads.listThreads(this.groupId, { status: 'closed', limit: this.#closedLimit }),
      ]);
      this.set({ status: 'ready', open, closed, error: null });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
      if (this.value.status !== 'ready') this.set({ ...this.value, status: 'error', error });
      else this.set({ ...this.value, error });
    }
  }
}

const stores = new Map<string, ThreadListStore>();

/**
 * The thread list of one group as one person sees it (unread counts are
 * theirs), shared by every element that shows it.
 */
export function threadListStore(groupId: string, viewerId: string | null): ThreadListStore {
  const key = `${viewerId ?? ''}|${groupId}`;
  let store = stores.get(key);
  if (!store) {
    store = new ThreadListStore(groupId);
    stores.set(key, store);
  }
  return store;
}
