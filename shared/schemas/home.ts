import Type from 'typebox';
import { Timestamp } from './common';
import { Proposal } from './proposals';

/** The most items each list of the home page holds. */
export const HOME_LIST_LIMIT = 50;
/** "Closing soon": open proposals that close within this many hours. */
export const CLOSING_SOON_HOURS = 48;

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

/** `GET /me/home`: what needs the caller across all their groups, each list at most `HOME_LIST_LIMIT` long. */
export const HomeReply = Type.Object({
  /** Open proposals the caller has not voted on themselves (a vote that follows a delegate's counts as not), soonest close first. */
  needsVote: Type.Array(HomeProposal),
  /** Open proposals closing within `CLOSING_SOON_HOURS`, voted on or not, soonest close first. */
  closingSoon: Type.Array(HomeProposal),
  /** Threads with unread comments, most recently active first. */
  recentThreads: Type.Array(HomeThread),
});
export type HomeReply = Type.Static<typeof HomeReply>;
