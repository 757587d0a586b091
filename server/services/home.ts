import {
  CLOSING_SOON_HOURS,
  HOME_FIRST_LIMIT,
  HOME_LIST_LIMIT,
  type HomeProposal,
  type HomeReply,
  type HomeThread,
} from '../../shared/schemas/home';
import type { Proposal } from '../../shared/schemas/proposals';
import {
  type ClosingCursor,
  homeVersion,
  type OpenProposalRow,
  proposalsClosingBy,
  proposalsVotedWith,
  sumOfMarkers,
  threadsWithUnread,
  unvotedProposals,
} from '../db/home';
import { unreadCounts } from '../db/threads';
import { voterKey } from './ballots';
import type { Ctx } from './context';
import { memberHomes } from './home-cache';
import { loadProposalsForViewer } from './proposals/view';

/** Candidates read per round while looking for unvoted proposals; anonymous ones already voted on are dropped after. */
const CANDIDATE_PAGE = HOME_LIST_LIMIT + 10;
/**
 * How long a home page is served again while nothing it depends on changed:
 * what only time changes (a proposal entering the closing-soon window) may lag
 * this much; the page's own clock moves its countdowns meanwhile.
 */
const HOME_CACHE_MS = 30_000;
/** Members whose home page a process keeps at most. */
const HOME_CACHE_SIZE = 5_000;

/** A member's page as kept: its JSON, and what it was built at. */
interface CachedHome {
  /** The events and memberships part of `homeVersion`, read before the page was built. */
  groups: string;
  /** The read markers of the threads it lists as unread, as the page's own reads saw them. */
  markers: string;
  threadIds: string[];
  /** `commitsSeen` when it was last known current (0: not counted). */
  commits: number;
  until: number;
  json: string;
}

/**
 * How many commits this process has told its caches about, where it is the
 * database's only writer (the embedded one); null where other processes
 * write too, or nothing has been committed yet. Every event is appended by a
 * commit that goes through `eventsCommitted`, which counts it
 * (`TimelineCache.committed`): while the count is unchanged, no event has
 * been appended anywhere, so the events and memberships part of
 * `homeVersion` is unchanged too and needs no query.
 */
function commitsSeen(ctx: Ctx): number | null {
  if (ctx.config.databaseUrl !== null) return null;
  // Stays 0 where the timeline cache does not count (not the sole writer).
  const commits = ctx.timelines.accessEpoch();
  return commits > 0 ? commits : null;
}

/**
 * The member's home page, served again from this process's memory while
 * `homeVersion` (their groups' newest events, their groups, their read
 * markers on the threads it lists) is unchanged and it is under 30 s old: a
 * member who comes back to it, or several tabs, cost one small read instead
 * of the lists and the proposals. Every process checks the version in the
 * database, so a change made through another process is seen at once. On the
 * embedded database every write passes through this process: no commit since
 * the page was last found current stands for the events part, and a read
 * marker moves only through `markThreadRead` here, which drops the member's
 * pages (`forgetHomeOf`), so a page served again costs no query at all.
 * Kept as the JSON text the route sends (`serialize`: the route's own
 * serializer), so a page served again is not serialized again either.
 */
export async function homePage(
  ctx: Ctx,
  userId: string,
  limit: number,
  serialize: (reply: HomeReply) => string,
): Promise<string> {
  // Read before anything else: a commit or a dropped page from here on makes the next request look again.
  const commits = commitsSeen(ctx);
  const member = memberHomes<CachedHome>(ctx, userId, HOME_CACHE_SIZE);
  const generation = member.generation;
  const cached = member.pages.get(limit);
  const hit = cached && cached.until > Date.now() ? cached : undefined;
  if (hit && commits !== null && hit.commits === commits) return hit.json;
  const version = await homeVersion(ctx.db, userId, hit?.threadIds ?? []);
  if (hit && hit.groups === version.groups && hit.markers === version.markers) {
    hit.commits = commits ?? 0;
    return hit.json;
  }
  const { reply, markers } = await buildHome(ctx, userId, { limit });
  const json = serialize(reply);
  // Not kept if the member's pages were dropped meanwhile: it may show a read marker from before.
  if (member.generation !== generation) return json;
  member.pages.set(limit, {
    groups: version.groups,
    markers: sumOfMarkers(markers),
    threadIds: reply.recentThreads.map((t) => t.id),
    commits: commits ?? 0,
    until: Date.now() + HOME_CACHE_MS,
    json,
  });
  return json;
}

/** A member who voted on thousands of anonymous proposals still gets an answer in bounded time. */
const MAX_CANDIDATE_ROUNDS = 5;

/**
 * The home page of `userId`: open proposals awaiting their vote, those
 * closing soon, and threads with unread comments, across all their groups.
 * The proposals are presented as every other endpoint presents them (with
 * `myVote`, `myDelegate` and permissions); the whole answer costs a fixed
 * number of queries however many groups the member is in.
 */
export async function homeFor(ctx: Ctx, userId: string, options: HomeOptions = {}): Promise<HomeReply> {
  return (await buildHome(ctx, userId, options)).reply;
}

export interface HomeOptions {
  /** The most proposals each list presents (`HOME_FIRST_LIMIT` unless given); both are counted up to `HOME_LIST_LIMIT`. */
  limit?: number;
  now?: Date;
}

/** `homeFor`, with the read markers of the threads listed as its reads saw them (in the same order). */
async function buildHome(
  ctx: Ctx,
  userId: string,
  { limit = HOME_FIRST_LIMIT, now = new Date() }: HomeOptions,
): Promise<{ reply: HomeReply; markers: string[] }> {
  const until = new Date(now.getTime() + CLOSING_SOON_HOURS * 3_600_000);
  const [unvoted, closing, threads] = await Promise.all([
    unvotedRows(ctx, userId, now),
    proposalsClosingBy(ctx.db, userId, { now, until, limit: HOME_LIST_LIMIT }),
    recentThreads(ctx, userId),
  ]);
  // Both lists are found whole (up to HOME_LIST_LIMIT), to be counted; only the first `limit` of each are presented.
  const ids = [...new Set([...unvoted.slice(0, limit), ...closing.slice(0, limit)].map((r) => r.id))];
  const presented = await loadProposalsForViewer(ctx, userId, ids);
  const present = (rows: OpenProposalRow[], keep: (p: Proposal) => boolean): HomeProposal[] =>
    rows.slice(0, limit).flatMap((row) => {
      const proposal = presented.get(row.id);
      // Closed, or voted on, between the queries: the presented form is the newer.
      if (!proposal || proposal.closedAt || !keep(proposal)) return [];
      return [
        {
          proposal,
          group: { id: row.group_id, name: row.group_name },
          thread: { id: row.thread_id, title: row.thread_title },
        },
      ];
    });
  const needsVote = present(unvoted, (p) => !isOwnVote(p.myVote));
  const closingSoon = present(closing, () => true);
  return {
    reply: {
      needsVote,
      // Those presented that turned out closed or voted on meanwhile are not counted either.
      needsVoteCount: unvoted.length - (Math.min(limit, unvoted.length) - needsVote.length),
      closingSoon,
      closingSoonCount: closing.length - (Math.min(limit, closing.length) - closingSoon.length),
      recentThreads: threads.map((t) => t.thread),
    },
    markers: threads.map((t) => t.marker),
  };
}

/**
 * Up to `HOME_LIST_LIMIT` open proposals the member has not voted on
 * themselves, soonest close first. The database drops those with a vote
 * under the member's id; anonymous ones are checked here, by the keys
 * `voterKey` makes, in one query per round. An anonymous proposal no voter
 * can be keyed on any more takes no votes, so it is left out.
 */
async function unvotedRows(ctx: Ctx, userId: string, now: Date): Promise<OpenProposalRow[]> {
  const found: OpenProposalRow[] = [];
  let after: ClosingCursor | null = null;
  for (let round = 0; round < MAX_CANDIDATE_ROUNDS && found.length < HOME_LIST_LIMIT; round++) {
    const page = await unvotedProposals(ctx.db, userId, { now, after, limit: CANDIDATE_PAGE });
    const keys = new Map<string, string | null>();
    for (const row of page) {
      if (row.anonymous) keys.set(row.id, voterKey(ctx.config.sessionSecret, row, userId));
    }
    const voted = await proposalsVotedWith(
      ctx.db,
      [...keys].flatMap(([proposalId, key]) => (key === null ? [] : [{ proposalId, voterKey: key }])),
    );
    for (const row of page) {
      if (!row.anonymous || (keys.get(row.id) !== null && !voted.has(row.id))) found.push(row);
    }
    if (page.length < CANDIDATE_PAGE) break;
    const last = page[page.length - 1]!;
    after = { closesAt: last.closes_at, id: last.id };
  }
  return found.slice(0, HOME_LIST_LIMIT);
}

/** Threads with unread comments, newest activity first, with the same unread counts as the thread list. */
async function recentThreads(ctx: Ctx, userId: string): Promise<{ thread: HomeThread; marker: string }[]> {
  const rows = await threadsWithUnread(ctx.db, userId, HOME_LIST_LIMIT);
  const unread = await unreadCounts(
    ctx.db,
    userId,
    rows.map((r) => r.id),
  );
  return rows.flatMap((row) => {
    const unreadCount = unread.get(row.id) ?? 0;
    // Read in another tab between the two queries.
    if (unreadCount === 0) return [];
    return [
      {
        thread: {
          id: row.id,
          title: row.title,
          group: { id: row.group_id, name: row.group_name },
          lastActivityAt: row.last_activity_at.toISOString(),
          commentCount: row.comment_count,
          unreadCount,
        },
        marker: row.read_marker,
      },
    ];
  });
}

/** The member's own vote, as opposed to none or a delegate's their vote follows. */
function isOwnVote(vote: Proposal['myVote']): boolean {
  return Boolean(vote && !('delegatedTo' in vote));
}
