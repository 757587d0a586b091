import type { Outcome } from '../../shared/schemas/proposals';
import type { Comment, Reaction, TimelineItem } from '../../shared/schemas/threads';
import type { UserRow } from '../db/schema';

// Shapes that several services, the caches in `Ctx` and the stream pass between them. They live
// here, importing no service, so that neither the caches nor `context.ts` depend on the services
// that use them.

/** Who is making a request, and how they proved it. */
export interface Principal {
  user: UserRow;
  via: 'cookie' | 'token';
  sessionId: string | null;
}

/** A reaction as every viewer sees it alike: `mine` is added per viewer. */
export type SharedReaction = Omit<Reaction, 'mine'>;
/** A comment as stream events store it, the same for every subscriber; `commentForViewer` finishes it. */
export type SharedComment = Omit<Comment, 'reactions'> & { reactions: SharedReaction[] };

/** A timeline item as every member sees it alike: comments without `mine`, proposals not yet loaded. */
export interface SharedTimelineItem {
  eventId: number;
  kind: TimelineItem['kind'];
  at: string;
  comment?: SharedComment;
  /** Proposals carry the reader's own vote, so they are loaded per request. */
  proposalId?: string;
  outcome?: Outcome;
}

/** A timeline page before anything reader-specific is added. */
export interface SharedTimelinePage {
  items: SharedTimelineItem[];
  nextCursor: string | null;
  prevCursor: string | null;
  lastEventId: number;
}

/** A timeline page as the cache keeps it. */
export interface CachedTimelinePage {
  page: SharedTimelinePage;
  /** The thread's newest event when the page was read: the page is current while it still is. */
  version: number;
  /** Everyone whose name the page shows (authors, reactors): a rename makes it stale. */
  userIds: Set<string>;
  /** Who reacted to anything on the page: they see `mine: true` somewhere, so they get a page of their own. */
  reactorIds: Set<string>;
  /** The page as JSON for everyone else, once someone needed it. */
  json: string | null;
}

/** What `writeTransaction` tells the caches about each event it committed. */
export interface CommittedEvent {
  id: number;
  kind: string;
  groupId?: string | null;
  threadId?: string | null;
  subjectId?: string | null;
}
