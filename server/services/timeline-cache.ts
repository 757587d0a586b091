import type { TimelinePages } from './context';
import type { CachedTimelinePage, CommittedEvent, SharedTimelinePage } from './types';

// What `put` takes, for whoever builds pages to cache.
export type { SharedTimelinePage } from './types';

const MAX_PAGES = 500;
const MAX_KNOWN = 200_000;

/**
 * Recently read timeline pages, per process. Every change to anything a
 * timeline shows appends an event to the thread's topic, so a page is served
 * from here only while the thread's newest event id (read from the database
 * with the access check on every request) is the one it was built at:
 * another process's write is seen at once, not when its notification arrives.
 * The one thing a timeline shows that is not a thread event is people's
 * names; a rename evicts here and, through the bus, in every process.
 */
export class TimelineCache implements TimelinePages {
  private readonly pages = new Map<string, CachedTimelinePage>();
  /** Counts evictions by user, so a page read before a rename is not stored after it. */
  private userEpoch = 0;
  // Only with `soleWriter`: what the access check would read, learned from it once and kept
  // current from this process's own commits.
  private readonly threadVersions = new Map<string, number>();
  private readonly threadGroups = new Map<string, string>();
  private readonly members = new Set<string>();
  /** Counts commits, so an access check that a commit overtook is not learned. */
  private commits = 0;

  /**
   * `soleWriter`: this process is the only one writing to the database (the
   * embedded one belongs to one process), so every change passes through
   * `committed` here, and a read needs no query to know that it is current
   * and that the reader may see it.
   */
  constructor(private readonly soleWriter = false) {}

  /**
   * The thread's newest event id if this process knows it and knows that
   * `userId` may read the thread; undefined when it must ask the database.
   */
  knownAccess(threadId: string, userId: string): number | undefined {
    if (!this.soleWriter) return undefined;
    const groupId = this.threadGroups.get(threadId);
    if (groupId === undefined || !this.members.has(`${groupId}:${userId}`)) return undefined;
    return this.threadVersions.get(threadId);
  }

  /** Call before an access check reads the database; hand the answer to `learnAccess`. */
  accessEpoch(): number {
    return this.commits;
  }

  /**
   * What the database answered to an access check that began at `epoch`.
   * If anything committed meanwhile (a comment, someone leaving), the answer
   * may already be old: it is not learned, and the next read asks again.
   */
  learnAccess(threadId: string, groupId: string, userId: string, lastEventId: number, epoch: number): void {
    if (!this.soleWriter || epoch !== this.commits) return;
    if (this.members.size >= MAX_KNOWN) this.members.clear();
    if (this.threadGroups.size >= MAX_KNOWN) {
      this.threadGroups.clear();
      this.threadVersions.clear();
    }
    this.threadGroups.set(threadId, groupId);
    this.members.add(`${groupId}:${userId}`);
    this.threadVersions.set(threadId, lastEventId);
  }

  /** Called after every commit that appended events, before its writer is answered. */
  committed(events: CommittedEvent[]): void {
    if (!this.soleWriter) return;
    this.commits += 1;
    for (const e of events) {
      if (e.threadId && this.threadVersions.has(e.threadId)) {
        this.threadVersions.set(e.threadId, Math.max(this.threadVersions.get(e.threadId)!, e.id));
      }
      if (e.kind === 'member.left' && e.groupId && e.subjectId)
        this.members.delete(`${e.groupId}:${e.subjectId}`);
    }
  }

  /** Call before reading a page from the database; hand the answer to `put`. */
  epoch(): number {
    return this.userEpoch;
  }

  get(key: string, version: number): CachedTimelinePage | undefined {
    const entry = this.pages.get(key);
    if (!entry) return undefined;
    if (entry.version !== version) {
      this.pages.delete(key);
      return undefined;
    }
    // Most recently used goes last, so the first key is the one to evict.
    this.pages.delete(key);
    this.pages.set(key, entry);
    return entry;
  }

  put(key: string, version: number, epoch: number, page: SharedTimelinePage): CachedTimelinePage {
    const userIds = new Set<string>();
    const reactorIds = new Set<string>();
    for (const item of page.items) {
      if (item.comment?.author) userIds.add(item.comment.author.id);
      if (item.outcome?.author) userIds.add(item.outcome.author.id);
      for (const reaction of item.comment?.reactions ?? []) {
        for (const user of reaction.users) {
          userIds.add(user.id);
          reactorIds.add(user.id);
        }
      }
    }
    const entry: CachedTimelinePage = { page, version, userIds, reactorIds, json: null };
    if (epoch !== this.userEpoch) return entry;
    if (this.pages.size >= MAX_PAGES) {
      const oldest = this.pages.keys().next().value;
      if (oldest !== undefined) this.pages.delete(oldest);
    }
    this.pages.set(key, entry);
    return entry;
  }

  /** A user changed (a new name): forget every page that shows them. */
  evictUser(userId: string): void {
    this.userEpoch += 1;
    for (const [key, entry] of this.pages) {
      if (entry.userIds.has(userId)) this.pages.delete(key);
    }
  }
}
