import Type from 'typebox';
import { HOME_FIRST_LIMIT, HOME_LIST_LIMIT } from '../limits';
import { Timestamp } from './common';
import { Proposal } from './proposals';

export { CLOSING_SOON_HOURS, HOME_FIRST_LIMIT, HOME_LIST_LIMIT } from '../limits';

const GroupRef = Type.Object({ id: Type.String(), name: Type.String() });
const ThreadRef = Type.Object({ id: Type.String(), title: Type.String() });

/** A proposal on the home page, presented as everywhere else, with the names of its group and thread. */
export const HomeProposal = Type.Object({
  proposal: Proposal,
  group: GroupRef,
  thread: ThreadRef,
});
export type HomeProposal = Type.Static<typeof HomeProposal>;

/** A thread with comments the caller has not read (the thread list's `unreadCount`), in one of their groups. */
export const HomeThread = Type.Object({
  id: Type.String(),
  title: Type.String(),
  group: GroupRef,
  lastActivityAt: Timestamp,
  commentCount: Type.Integer(),
  /** Comments after the caller's read marker, not their own, not deleted: at least 1. */
  unreadCount: Type.Integer({ minimum: 1 }),
});
export type HomeThread = Type.Static<typeof HomeThread>;

/** `GET /me/home?limit=`: how many proposals each list holds at most. */
export const HomeQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HOME_LIST_LIMIT, default: HOME_FIRST_LIMIT })),
});
export type HomeQuery = Type.Static<typeof HomeQuery>;

/** `GET /me/home`: what needs the caller across all their groups, each proposal list at most `limit` long (`HOME_FIRST_LIMIT` unless asked), threads at most `HOME_LIST_LIMIT`. */
export const HomeReply = Type.Object({
  /** Open proposals the caller has not voted on themselves (a vote that follows a delegate's counts as not), soonest close first. */
  needsVote: Type.Array(HomeProposal),
  /** How many proposals need the caller's vote, up to `HOME_LIST_LIMIT`: more than `needsVote` holds when `limit` cut it. */
  needsVoteCount: Type.Integer({ minimum: 0 }),
  /** Open proposals closing within `CLOSING_SOON_HOURS`, voted on or not, soonest close first. */
  closingSoon: Type.Array(HomeProposal),
  /** How many proposals close soon, up to `HOME_LIST_LIMIT`: more than `closingSoon` holds when `limit` cut it. */
  closingSoonCount: Type.Integer({ minimum: 0 }),
  /** Threads with unread comments, most recently active first. */
  recentThreads: Type.Array(HomeThread),
});
export type HomeReply = Type.Static<typeof HomeReply>;
