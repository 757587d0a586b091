import type { Proposal } from '../../shared/schemas/proposals';
import type { PatchThreadBody } from '../../shared/schemas/threads';
import { ApiError } from './api';
import { Coalesced } from './coalesced';
import * as comments from './comments';
import { type Comment, commentForViewer } from './comments';
import { Store } from './store';
import type { StreamEvent } from './stream';
import * as threads from './threads';
import {
  mergeSharedThread,
  type SharedThread,
  type Thread,
  type TimelineItem,
  type TimelinePage,
} from './threads';

/** How many timeline items one page holds. */
export const TIMELINE_PAGE_SIZE = 50;

/**
 * The event id given to a comment this tab has posted while its
 * `comment.created` event is still on its way: after everything else, until
 * the event brings the real id.
 */
export const PENDING_EVENT_ID = Number.MAX_SAFE_INTEGER;

/** What a thread page shows: the thread, the loaded stretch of its timeline, and how loading went. */
export interface ThreadState {
  status: 'loading' | 'ready' | 'error';
  thread: Thread | null;
  /** Oldest first; one entry per event id (and per comment). The newest page at first, older ones as asked. */
  items: TimelineItem[];
  /** Pass as `before` for the page older than what is loaded; null once the start is loaded. */
  olderCursor: number | null;
  loadingOlder: boolean;
  /** The last failure to load older items. */
  olderError: ApiError | null;
  /** The last failure; with status `ready` it is a failed refresh over data still shown. */
  error: ApiError | null;
  /** The newest event of `thread:<id>` reflected here; older or equal ids from the stream are duplicates. */
  lastEventId: number;
  /** The person's read marker when they opened the thread (null: never read), for the "new since" divider. */
  arrivedReadMarker: number | null;
  /** The newest event when they opened it: items after it arrived live, while they were looking. */
  arrivedLastEventId: number;
}

const INITIAL: ThreadState = {
  status: 'loading',
  thread: null,
  items: [],
  olderCursor: null,
  loadingOlder: false,
  olderError: null,
  error: null,
  lastEventId: 0,
  arrivedReadMarker: null,
  arrivedLastEventId: 0,
};

const COMMENT_CHANGES = new Set(['comment.updated', 'comment.deleted', 'reaction.changed']);
const PROPOSAL_CHANGES = new Set(['proposal.closed', 'proposal.reopened', 'proposal.updated']);
const VOTE_CHANGES = new Set(['vote.cast', 'vote.retracted', 'proposal.recounted']);

function asError(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError(0, 'unknown', err instanceof Error ? err.message : String(err));
}

function cursorNumber(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const n = Number(cursor);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * One thread and its timeline. Loads the newest page first and older pages on
 * request; absorbs the `thread:<id>` topic's events in place (comments,
 * edits, deletions, reactions, thread changes, proposals, votes, outcomes),
 * ignoring any event at or below the id it already reflects, and holding back
 * events that arrive while a page is loading until the page is in.
 */
export class ThreadStore extends Store<ThreadState> {
  /** Whose `mine` reactions to mark; set by the page from the session. */
  viewerId: string | null = null;

  readonly #loads = new Coalesced(
    () => this.#load(),
    () => this.#releaseHeld(),
  );
  /** Events that arrived while a load was in flight. */
  #held: StreamEvent[] = [];
  /** Whether this visit's first page is in (which fixes the divider's place). */
  #arrived = false;
  #markedRead = 0;
  #olderFetch: Promise<void> | null = null;

  constructor(readonly threadId: string) {
    super(INITIAL);
  }

  /** The stream topic of this thread. */
  get topic(): string {
    return `thread:${this.threadId}`;
  }

  /**
   * Starts a visit: forgets what was shown (and where the divider was), then
   * loads afresh. The page calls it whenever it starts showing this thread.
   */
  beginVisit(): Promise<void> {
    this.#arrived = false;
    this.#markedRead = 0;
    this.#held = [];
    if (!this.#loads.running) this.set(INITIAL);
    return this.refresh();
  }

  /**
   * Loads the thread and the newest page of its timeline, replacing what is
   * shown (older pages loaded before are dropped: after a `reset` they may be
   * stale). Concurrent calls share one load, plus one more if asked meanwhile.
   */
  refresh(): Promise<void> {
    return this.#loads.run();
  }

  /**
   * Asks the server again what the viewer may do to the thread (after their
   * role changed). Only `permissions` is taken from the answer: events absorbed
   * meanwhile may be newer than the rest of it.
   */
  async refreshPermissions(): Promise<void> {
    try {
      const { permissions } = await threads.getThread(this.threadId);
      const thread = this.value.thread;
      if (thread) this.#patch({ thread: { ...thread, permissions } });
    } catch (err) {
      this.#patch({ error: asError(err) });
    }
  }

  /** Loads the page just before the oldest item shown. Resolves when it is in (or failed: see `olderError`). */
  loadOlder(): Promise<void> {
    if (this.#olderFetch) return this.#olderFetch;
    const before = this.value.olderCursor;
    if (before === null || this.value.status !== 'ready') return Promise.resolve();
    this.#patch({ loadingOlder: true, olderError: null });
    this.#olderFetch = (async () => {
      try {
        const page = await threads.getTimeline(this.threadId, { before }, { limit: TIMELINE_PAGE_SIZE });
        if (this.value.olderCursor !== before) return; // a refresh replaced everything meanwhile
        const known = new Set(this.value.items.map((i) => i.eventId));
        const older = page.items.filter((i) => !known.has(i.eventId)).map((i) => this.#forViewer(i));
        this.#patch({
          items: [...older, ...this.value.items].sort(byEventId),
          olderCursor: cursorNumber(page.prevCursor),
          loadingOlder: false,
        });
      } catch (err) {
        this.#patch({ loadingOlder: false, olderError: asError(err) });
      } finally {
        this.#olderFetch = null;
      }
    })();
    return this.#olderFetch;
  }

  /** Takes in one event of `thread:<id>`. */
  absorb(event: StreamEvent): void {
    if (this.#loads.running || this.value.status === 'loading') {
      this.#held.push(event);
      return;
    }
    this.#apply(event);
  }

  /**
   * Shows a comment this tab has just posted, at the end, until its
   * `comment.created` event arrives and puts it in its place (once: the event
   * finds it by id). Harmless when the event came first.
   */
  showPosted(comment: Comment): void {
    this.applyComment(comment, { eventId: PENDING_EVENT_ID, at: comment.createdAt });
  }

  /** Shows a proposal this tab has just created, like {@link showPosted}: its event later puts it in place. */
  showProposal(proposal: Proposal): void {
    if (this.value.items.some((i) => i.kind === 'proposal' && i.proposal?.id === proposal.id)) return;
    const item: TimelineItem = {
      eventId: PENDING_EVENT_ID,
      kind: 'proposal',
      at: proposal.createdAt,
      proposal,
    };
    this.#patch({ items: [...this.value.items, item] });
    this.#bumpProposals(+1, proposal.createdAt);
  }

  /** Replaces the text of one's own comment and shows the server's answer at once. */
  async editComment(commentId: string, body: string): Promise<Comment> {
    const comment = await comments.editComment(commentId, body);
    this.applyComment(comment);
    return comment;
  }

  /** Deletes a comment and shows it deleted at once. */
  async deleteComment(commentId: string): Promise<void> {
    await comments.deleteComment(commentId);
    const item = this.value.items.find((i) => i.comment?.id === commentId);
    if (item?.comment && !item.comment.deletedAt) {
      this.applyComment({ ...item.comment, body: '', deletedAt: new Date().toISOString(), reactions: [] });
    }
  }

  /** Changes the thread (title, body, pinned, closed) and shows the server's answer. */
  async updateThread(patch: PatchThreadBody): Promise<Thread> {
    const thread = await threads.updateThread(this.threadId, patch);
    this.#patch({ thread });
    return thread;
  }

  /**
   * Shows a newer state of a comment (an answer from the API). A comment not
   * in the timeline yet is added when `placement` says where; otherwise left out.
   */
  applyComment(comment: Comment, placement?: { eventId: number; at: string }): void {
    const c = commentForViewer(comment, this.viewerId);
    const items = this.value.items;
    const index = items.findIndex((i) => i.kind === 'comment' && i.comment?.id === c.id);
    if (index >= 0) {
      const next = [...items];
      const current = next[index]!;
      const eventId =
        placement && current.eventId === PENDING_EVENT_ID && placement.eventId !== PENDING_EVENT_ID
          ? placement.eventId
          : current.eventId;
      next[index] = { ...current, eventId, comment: c };
      this.#patch({ items: eventId === current.eventId ? next : next.sort(byEventId) });
      return;
    }
    if (!placement) return;
    const item: TimelineItem = { eventId: placement.eventId, kind: 'comment', at: placement.at, comment: c };
    const thread = this.value.thread;
    this.#patch({
      items: [...items, item].sort(byEventId),
      thread:
        thread && !c.deletedAt
          ? {
              ...thread,
              commentCount: thread.commentCount + 1,
              lastActivityAt: maxIso(thread.lastActivityAt, placement.at),
            }
          : thread,
    });
  }

  /**
   * Tells the server the person has seen everything up to the newest event
   * shown (once per new event; never backwards). Resolves quietly on failure:
   * the next call tries again.
   */
  async markRead(): Promise<void> {
    const upTo = this.newestEventId();
    if (upTo <= 0 || upTo <= this.#markedRead) return;
    const marker = this.value.thread?.lastReadEventId ?? 0;
    if (upTo <= marker && (this.value.thread?.unreadCount ?? 0) === 0) {
      this.#markedRead = upTo;
      return;
    }
    this.#markedRead = upTo;
    try {
      await threads.markThreadRead(this.threadId, upTo);
      const thread = this.value.thread;
      if (thread)
        this.#patch({ thread: { ...thread, unreadCount: 0, lastReadEventId: Math.max(marker, upTo) } });
    } catch {
      this.#markedRead = 0;
    }
  }

  /** The newest event id known: of the topic, or of an item (never a pending one). */
  newestEventId(): number {
    let newest = this.value.lastEventId;
    for (const item of this.value.items)
      if (item.eventId !== PENDING_EVENT_ID) newest = Math.max(newest, item.eventId);
    return newest;
  }

  async #load(): Promise<void> {
    try {
      const [thread, page] = await Promise.all([
        threads.getThread(this.threadId),
        threads.getTimeline(this.threadId, { latest: true }, { limit: TIMELINE_PAGE_SIZE }),
      ]);
      this.#replace(thread, page);
    } catch (err) {
      const error = asError(err);
      const gone = error.status === 404 || error.status === 401;
      if (gone || !this.value.thread) this.set({ ...INITIAL, status: 'error', error });
      else this.#patch({ error });
    }
  }

  #replace(thread: Thread, page: TimelinePage): void {
    const lastEventId = Math.max(page.lastEventId ?? 0, ...page.items.map((i) => i.eventId));
    // Comments this tab posted whose event the page predates stay until their event arrives.
    const pending = this.value.items.filter(
      (i) =>
        i.eventId === PENDING_EVENT_ID &&
        !page.items.some(
          (p) =>
            (p.comment && p.comment.id === i.comment?.id) ||
            (p.kind === 'proposal' && i.kind === 'proposal' && p.proposal?.id === i.proposal?.id),
        ),
    );
    const first = !this.#arrived;
    this.#arrived = true;
    this.set({
      status: 'ready',
      thread,
      items: [...page.items.map((i) => this.#forViewer(i)), ...pending].sort(byEventId),
      olderCursor: cursorNumber(page.prevCursor),
      loadingOlder: false,
      olderError: null,
      error: null,
      lastEventId,
      arrivedReadMarker: first ? thread.lastReadEventId : this.value.arrivedReadMarker,
      arrivedLastEventId: first ? lastEventId : this.value.arrivedLastEventId,
    });
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    if (this.value.status !== 'ready') return;
    for (const event of held) this.#apply(event);
  }

  #apply(event: StreamEvent): void {
    if (event.id <= this.value.lastEventId) return; // the page already had it, or it came twice
    const data = (event.data ?? {}) as Record<string, unknown>;
    this.#patch({ lastEventId: event.id });
    if (event.kind === 'comment.created') {
      const comment = data.comment as Comment | undefined;
      if (comment) this.applyComment(comment, { eventId: event.id, at: event.at });
    } else if (COMMENT_CHANGES.has(event.kind)) {
      const comment = data.comment as Comment | undefined;
      if (!comment) return;
      const wasLive = this.value.items.find((i) => i.comment?.id === comment.id)?.comment?.deletedAt === null;
      this.applyComment(comment);
      const thread = this.value.thread;
      if (event.kind === 'comment.deleted' && thread && wasLive) {
        this.#patch({ thread: { ...thread, commentCount: Math.max(0, thread.commentCount - 1) } });
      }
    } else if (event.kind === 'thread.updated') {
      const shared = (data.thread ?? data) as Partial<SharedThread>;
      const thread = this.value.thread;
      if (thread && shared && shared.id === thread.id)
        this.#patch({ thread: mergeSharedThread(thread, shared) });
    } else if (event.kind === 'proposal.created') {
      const proposal = data.proposal as Proposal | undefined;
      if (!proposal) return;
      const shown = this.value.items.findIndex(
        (i) => i.kind === 'proposal' && i.proposal?.id === proposal.id,
      );
      if (shown >= 0) {
        // Shown already by this tab (showProposal): its event gives it its place.
        const items = [...this.value.items];
        const current = items[shown]!;
        if (current.eventId === PENDING_EVENT_ID)
          items[shown] = { ...current, eventId: event.id, at: event.at };
        this.#patch({ items: items.sort(byEventId) });
        return;
      }
      const item: TimelineItem = { eventId: event.id, kind: 'proposal', at: event.at, proposal };
      this.#patch({ items: [...this.value.items, item].sort(byEventId) });
      this.#bumpProposals(+1, event.at);
    } else if (event.kind === 'outcome.created') {
      const proposal = data.proposal as Proposal | undefined;
      if (!proposal) return;
      this.#updateProposal(proposal.id, () => proposal);
      const item: TimelineItem = {
        eventId: event.id,
        kind: 'outcome',
        at: event.at,
        proposal,
        ...(proposal.outcome ? { outcome: proposal.outcome } : {}),
      };
      this.#patch({ items: [...this.value.items, item].sort(byEventId) });
    } else if (PROPOSAL_CHANGES.has(event.kind)) {
      const proposal = data.proposal as Proposal | undefined;
      if (!proposal) return;
      const wasOpen =
        this.value.items.find((i) => i.proposal?.id === proposal.id)?.proposal?.closedAt === null;
      this.#updateProposal(proposal.id, (current) => ({ ...proposal, myVote: current.myVote }));
      if (event.kind === 'proposal.closed' && wasOpen) this.#bumpProposals(-1);
      if (event.kind === 'proposal.reopened' && !wasOpen) this.#bumpProposals(+1);
    } else if (VOTE_CHANGES.has(event.kind)) {
      const proposalId = data.proposalId as string | undefined;
      if (!proposalId) return;
      const summary: Partial<Proposal> = {};
      if (typeof data.voterCount === 'number') summary.voterCount = data.voterCount;
      if (typeof data.representedCount === 'number') summary.representedCount = data.representedCount;
      if (typeof data.eligibleCount === 'number') summary.eligibleCount = data.eligibleCount;
      if ('results' in data) summary.results = data.results as Proposal['results'];
      this.#updateProposal(proposalId, (current) => ({ ...current, ...summary }));
    }
  }

  #updateProposal(proposalId: string, change: (current: Proposal) => Proposal): void {
    let changed = false;
    const items = this.value.items.map((i) => {
      if (!i.proposal || i.proposal.id !== proposalId) return i;
      changed = true;
      return { ...i, proposal: change(i.proposal) };
    });
    if (changed) this.#patch({ items });
  }

  #bumpProposals(delta: number, at?: string): void {
    const thread = this.value.thread;
    if (!thread) return;
    this.#patch({
      thread: {
        ...thread,
        openProposalCount: Math.max(0, thread.openProposalCount + delta),
        lastActivityAt: at ? maxIso(thread.lastActivityAt, at) : thread.lastActivityAt,
      },
    });
  }

  #forViewer(item: TimelineItem): TimelineItem {
    return item.comment ? { ...item, comment: commentForViewer(item.comment, this.viewerId) } : item;
  }

  #patch(patch: Partial<ThreadState>): void {
    this.set({ ...this.value, ...patch });
  }
}

function byEventId(a: TimelineItem, b: TimelineItem): number {
  return a.eventId - b.eventId;
}

function maxIso(a: string, b: string): string {
  return a >= b ? a : b;
}

/** A comment and where it sits in the timeline. */
export interface CommentEntry {
  item: TimelineItem;
  comment: Comment;
  /** Arrived since the person's last visit (and not theirs). */
  isNew: boolean;
}

/** One row of a thread page's timeline, as {@link buildTimeline} lays it out. */
export type TimelineRow =
  | {
      type: 'comment';
      key: string;
      entry: CommentEntry;
      replies: CommentEntry[];
      /** A reply whose top-level comment is in a page not loaded (or gone): shown on its own. */
      orphan: boolean;
    }
  | { type: 'proposal' | 'outcome' | 'thread'; key: string; item: TimelineItem; isNew: boolean }
  | { type: 'divider'; key: string; count: number };

/** What {@link buildTimeline} needs to place the "new since your last visit" divider. */
export interface DividerInput {
  /** The person's read marker on arrival; null (never read) shows no divider. */
  readMarker: number | null;
  /** The newest event on arrival: later items came in live and are not "since your last visit". */
  arrivedUpTo: number;
  viewerId: string | null;
  /** Older items exist that are not loaded: a new first row still gets the divider above it. */
  olderHidden?: boolean;
}

/**
 * Lays a timeline out for display (pure): top-level comments in order with
 * their replies (one level) under them, proposals and outcomes in their
 * place, replies whose parent is not loaded on their own, and a divider
 * before the first new top-level row when there is something older above it.
 */
export function buildTimeline(items: readonly TimelineItem[], divider: DividerInput): TimelineRow[] {
  const isNew = (item: TimelineItem, authorId: string | null | undefined) =>
    divider.readMarker !== null &&
    item.eventId > divider.readMarker &&
    item.eventId <= divider.arrivedUpTo &&
    (!authorId || authorId !== divider.viewerId);

  const topLevel = new Map<string, Extract<TimelineRow, { type: 'comment' }>>();
  const rows: TimelineRow[] = [];
  for (const item of items) {
    if (item.kind === 'comment' && item.comment) {
      const comment = item.comment;
      const entry: CommentEntry = { item, comment, isNew: isNew(item, comment.author?.id) };
      const parent = comment.parentId ? topLevel.get(comment.parentId) : undefined;
      if (parent) {
        parent.replies.push(entry);
        continue;
      }
      const row = {
        type: 'comment' as const,
        key: `c-${comment.id}`,
        entry,
        replies: [],
        orphan: comment.parentId !== null,
      };
      if (!comment.parentId) topLevel.set(comment.id, row);
      rows.push(row);
    } else if (item.kind === 'proposal' || item.kind === 'outcome' || item.kind === 'thread') {
      const authorId =
        item.kind === 'proposal'
          ? item.proposal?.author?.id
          : item.kind === 'outcome'
            ? item.outcome?.author?.id
            : null;
      rows.push({ type: item.kind, key: `${item.kind}-${item.eventId}`, item, isNew: isNew(item, authorId) });
    }
  }

  const rowIsNew = (row: TimelineRow) =>
    row.type === 'comment' ? row.entry.isNew : row.type !== 'divider' && row.type !== 'thread' && row.isNew;
  const firstNew = rows.findIndex(rowIsNew);
  if (firstNew > 0 || (firstNew === 0 && divider.olderHidden)) {
    let count = 0;
    for (const row of rows) {
      if (row.type === 'comment')
        count += (row.entry.isNew ? 1 : 0) + row.replies.filter((r) => r.isNew).length;
      else if (rowIsNew(row)) count += 1;
    }
    rows.splice(firstNew, 0, { type: 'divider', key: 'divider', count });
  }
  return rows;
}

const stores = new Map<string, ThreadStore>();
/** Threads kept in memory at most; an element holds on to its own store, so dropping one from here is safe. */
const MAX_STORES = 8;

/** The store of one thread as one person sees it, shared by every element that shows it. */
export function threadStore(threadId: string, viewerId: string | null): ThreadStore {
  const key = `${viewerId ?? ''}|${threadId}`;
  let store = stores.get(key);
  if (store) {
    stores.delete(key); // re-inserted below: the map's order is the order of use
  } else {
    store = new ThreadStore(threadId);
    store.viewerId = viewerId;
  }
  stores.set(key, store);
  while (stores.size > MAX_STORES) stores.delete(stores.keys().next().value!);
  return store;
}
