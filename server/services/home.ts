import {
  CLOSING_SOON_HOURS,
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
  threadsWithUnread,
  unvotedProposals,
} from '../db/home';
import { unreadCounts } from '../db/threads';
import { voterKey } from './ballots';
import type { Ctx } from './context';
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

const homeCaches = new WeakMap<Ctx, Map<string, { version: string; until: number; json: string }>>();

/**
 * The member's home page, served again from this process's memory while
 * `homeVersion` (their groups' newest events, their groups, their read
 * markers) is unchanged and it is under 30 s old: a member who comes back to
 * it, or several tabs, cost one small read instead of the lists and the
 * proposals. Every process checks the version in the database, so a change
 * made through another process is seen at once. Kept as the JSON text the
 * route sends (`serialize`: the route's own serializer), so a page served
 * again is not serialized again either.
 */
export async function homePage(
  ctx: Ctx,
  userId: string,
  serialize: (reply: HomeReply) => string,
): Promise<string> {
  let cache = homeCaches.get(ctx);
  if (!cache) {
    cache = new Map();
    homeCaches.set(ctx, cache);
  }
  const version = await homeVersion(ctx.db, userId);
  const hit = cache.get(userId);
  if (hit && hit.version === version && hit.until > Date.now()) return hit.json;
  const json = serialize(await homeFor(ctx, userId));
  if (cache.size >= HOME_CACHE_SIZE) cache.clear();
  cache.set(userId, { version, until: Date.now() + HOME_CACHE_MS, json });
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
export async function homeFor(ctx: Ctx, userId: string, now = new Date()): Promise<HomeReply> {
  const until = new Date(now.getTime() + CLOSING_SOON_HOURS * 3_600_000);
  const [unvoted, closing, threads] = await Promise.all([
    unvotedRows(ctx, userId, now),
    proposalsClosingBy(ctx.db, userId, { now, until, limit: HOME_LIST_LIMIT }),
    recentThreads(ctx, userId),
  ]);
  const ids = [...new Set([...unvoted, ...closing].map((r) => r.id))];
  const presented = await loadProposalsForViewer(ctx, userId, ids);
  const present = (rows: OpenProposalRow[], keep: (p: Proposal) => boolean): HomeProposal[] =>
    rows.flatMap((row) => {
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
  return {
    needsVote: present(unvoted, (p) => !isOwnVote(p.myVote)),
    closingSoon: present(closing, () => true),
    recentThreads: threads,
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
async function recentThreads(ctx: Ctx, userId: string): Promise<HomeThread[]> {
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
        id: row.id,
        title: row.title,
        group: { id: row.group_id, name: row.group_name },
        lastActivityAt: row.last_activity_at.toISOString(),
        commentCount: row.comment_count,
        unreadCount,
      },
    ];
  });
}

/** The member's own vote, as opposed to none or a delegate's their vote follows. */
function isOwnVote(vote: Proposal['myVote']): boolean {
  return Boolean(vote && !('delegatedTo' in vote));
}
