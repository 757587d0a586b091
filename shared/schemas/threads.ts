import Type from 'typebox';
import { EventId, Limit, LongText, MAX_EVENT_ID, Name, Timestamp } from './common';
import { Outcome, Proposal } from './proposals';

/** Who wrote something. `handle` lets a client offer `@handle` when replying. */
export const Author = Type.Object({ id: Type.String(), name: Type.String(), handle: Type.String() });
export type Author = Type.Static<typeof Author>;

/**
 * What the caller may do to a thread, by their role and authorship
 * (server/domain/permissions.ts). Whether the thread's state allows it too is
 * the thread's own business: `close` is offered only while `closedAt` is null,
 * `reopen` only once it is set.
 */
export const ThreadPermissions = Type.Object({
  /** Change the title and context. */
  edit: Type.Boolean(),
  pin: Type.Boolean(),
  close: Type.Boolean(),
  reopen: Type.Boolean(),
});
export type ThreadPermissions = Type.Static<typeof ThreadPermissions>;

/** A discussion in a group (API.md `Thread`, plus `lastReadEventId` and the author's `handle`). */
export const Thread = Type.Object({
  id: Type.String(),
  groupId: Type.String(),
  title: Type.String(),
  body: Type.String(),
  /** Null once the author's account is gone. */
  author: Type.Union([Author, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  pinned: Type.Boolean(),
  closedAt: Type.Union([Timestamp, Type.Null()]),
  /** Comments not deleted. */
  commentCount: Type.Integer(),
  /**
   * Per reader: comments after their read marker, not their own, not deleted.
   * Left out of `thread.updated` stream events, which every subscriber shares.
   */
  unreadCount: Type.Integer(),
  lastActivityAt: Timestamp,
  openProposalCount: Type.Integer(),
  /**
   * Per reader: the `lastEventId` they last marked read (null: never), for the
   * "new since your last visit" divider. Left out of `thread.updated` events.
   */
  lastReadEventId: Type.Union([Type.Integer(), Type.Null()]),
  /** Per reader, in every HTTP answer; left out of stream events. */
  permissions: Type.Optional(ThreadPermissions),
});
export type Thread = Type.Static<typeof Thread>;
/** A thread as `thread.updated` events carry it: the same for every subscriber, so without the per-reader fields. */
export type SharedThread = Omit<Thread, 'unreadCount' | 'lastReadEventId' | 'permissions'>;

/** `{thread}`: what thread endpoints answer. */
export const ThreadReply = Type.Object({ thread: Thread });

/** `POST /groups/:id/threads`: the title is 1–200 characters once trimmed (checked by the server). */
export const CreateThreadBody = Type.Object({
  title: Name,
  body: Type.Optional(LongText),
});
export type CreateThreadBody = Type.Static<typeof CreateThreadBody>;

/** `PATCH /threads/:id`: only the fields given change; each needs its own right. */
export const PatchThreadBody = Type.Object({
  title: Type.Optional(Name),
  body: Type.Optional(LongText),
  pinned: Type.Optional(Type.Boolean()),
  closed: Type.Optional(Type.Boolean()),
});
export type PatchThreadBody = Type.Static<typeof PatchThreadBody>;

/** `GET /groups/:id/threads`: no `status` lists both open and closed threads. */
export const ThreadListQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String()),
});
export type ThreadListQuery = Type.Static<typeof ThreadListQuery>;

/** `POST /threads/:id/read`: the newest event id the reader has seen. */
export const ReadBody = Type.Object({ lastEventId: EventId });
export type ReadBody = Type.Static<typeof ReadBody>;

/** One emoji on a comment. `users` (who reacted, for a hover card) is an extension of the contract. */
export const Reaction = Type.Object({
  emoji: Type.String(),
  count: Type.Integer(),
  mine: Type.Boolean(),
  users: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
});
export type Reaction = Type.Static<typeof Reaction>;

/** A comment in a thread (API.md `Comment`; reactions also name who reacted). */
export const Comment = Type.Object({
  id: Type.String(),
  threadId: Type.String(),
  /** The top-level comment this replies to; replies are one level deep. */
  parentId: Type.Union([Type.String(), Type.Null()]),
  author: Type.Union([Author, Type.Null()]),
  /** "" once deleted. */
  body: Type.String(),
  createdAt: Timestamp,
  editedAt: Type.Union([Timestamp, Type.Null()]),
  deletedAt: Type.Union([Timestamp, Type.Null()]),
  reactions: Type.Array(Reaction),
});
export type Comment = Type.Static<typeof Comment>;

/** `{comment}`: what comment endpoints answer. */
export const CommentReply = Type.Object({ comment: Comment });

/** `POST /threads/:id/comments`: `parentId` names the comment replied to. */
export const CreateCommentBody = Type.Object({
  body: LongText,
  parentId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type CreateCommentBody = Type.Static<typeof CreateCommentBody>;

/** `PATCH /comments/:id`: the new text. */
export const PatchCommentBody = Type.Object({ body: LongText });
export type PatchCommentBody = Type.Static<typeof PatchCommentBody>;

/** An earlier text of an edited comment: what it said from `createdAt` until the next edit. */
export const CommentVersion = Type.Object({ body: Type.String(), createdAt: Timestamp });
export type CommentVersion = Type.Static<typeof CommentVersion>;

/** `/comments/:id/reactions/:emoji`, the emoji URL-encoded. */
export const ReactionParams = Type.Object({ id: Type.String(), emoji: Type.String() });

/** What a timeline entry is. */
export const TimelineKind = Type.Union([
  Type.Literal('thread'),
  Type.Literal('comment'),
  Type.Literal('proposal'),
  Type.Literal('outcome'),
]);
export type TimelineKind = Type.Static<typeof TimelineKind>;

/**
 * One entry of a thread's timeline, placed by the id of the event that created
 * it. `comment` on comment items; `proposal` on proposal and outcome items;
 * `outcome` (an extension) on outcome items: the statement made at that point,
 * which a later outcome may have replaced in `proposal.outcome`.
 */
export const TimelineItem = Type.Object({
  eventId: Type.Integer(),
  kind: TimelineKind,
  at: Timestamp,
  comment: Type.Optional(Comment),
  proposal: Type.Optional(Proposal),
  outcome: Type.Optional(Outcome),
});
export type TimelineItem = Type.Static<typeof TimelineItem>;

/** `GET /threads/:id/timeline`: at most one of `after` (or `cursor`), `before` and `latest=true`. */
export const TimelineQuery = Type.Object({
  /** `0`: from the start. */
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EVENT_ID })),
  before: Type.Optional(EventId),
  latest: Type.Optional(Type.Boolean()),
  /** The same as `after`: the contract's generic name, so `nextCursor` can be passed either way. */
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Optional(Limit),
});
export type TimelineQuery = Type.Static<typeof TimelineQuery>;

/**
 * A page of the timeline, oldest first. `nextCursor`: pass as `after` for the
 * newer page (null when none is newer); `prevCursor`: pass as `before` for the
 * older page (null when none is older). `lastEventId`: the newest event of the
 * thread's stream topic when the page was read; subscribe with it as `since`
 * and nothing between this page and the live stream is lost.
 */
export const TimelinePage = Type.Object({
  items: Type.Array(TimelineItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  prevCursor: Type.Union([Type.String(), Type.Null()]),
  lastEventId: Type.Integer(),
});
export type TimelinePage = Type.Static<typeof TimelinePage>;

/** The contract's notification kinds. */
export const NotificationKind = Type.Union([
  Type.Literal('mentioned'),
  Type.Literal('replied'),
  Type.Literal('proposal_created'),
  Type.Literal('proposal_closing_soon'),
  Type.Literal('proposal_closed'),
  Type.Literal('outcome_created'),
  Type.Literal('invited'),
  Type.Literal('role_changed'),
]);

/** Something that happened that concerns one person (API.md `Notification`). */
export const Notification = Type.Object({
  id: Type.String(),
  kind: NotificationKind,
  at: Timestamp,
  readAt: Type.Union([Timestamp, Type.Null()]),
  actor: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  groupId: Type.Union([Type.String(), Type.Null()]),
  threadId: Type.Union([Type.String(), Type.Null()]),
  commentId: Type.Union([Type.String(), Type.Null()]),
  proposalId: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
});
export type Notification = Type.Static<typeof Notification>;

/** `GET /notifications`: `unread=true` lists only the unread. */
export const NotificationQuery = Type.Object({
  unread: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String()),
});
export type NotificationQuery = Type.Static<typeof NotificationQuery>;

/** A page of notifications, with the caller's unread count beside it. */
export const NotificationPage = Type.Object({
  items: Type.Array(Notification),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  /** All of the caller's unread notifications, not only this page's. */
  unreadCount: Type.Integer(),
});

/** `POST /notifications/read`: without `ids`, everything is marked read. */
export const MarkReadBody = Type.Object({ ids: Type.Optional(Type.Array(Type.String(), { maxItems: 500 })) });
export type MarkReadBody = Type.Static<typeof MarkReadBody>;

/** `GET /search`: `q` in web search syntax; `groupId` narrows to one of the caller's groups. */
export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 500 }),
  groupId: Type.Optional(Type.String()),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String()),
});
export type SearchQuery = Type.Static<typeof SearchQuery>;

/**
 * A search hit. `snippet` is safe HTML: the text's own markup is escaped and
 * the only tags are the `<mark>`s around matched words. `title` is the
 * thread's title (also for comment hits), as plain text.
 */
export const SearchHit = Type.Object({
  type: Type.Union([Type.Literal('thread'), Type.Literal('comment')]),
  id: Type.String(),
  threadId: Type.String(),
  groupId: Type.String(),
  title: Type.String(),
  snippet: Type.String(),
});
export type SearchHit = Type.Static<typeof SearchHit>;
