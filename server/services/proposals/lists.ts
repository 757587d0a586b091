import type { DecisionRecord } from '../../../shared/schemas/decision-record';
import type { Proposal, UndecidedPage, Vote } from '../../../shared/schemas/proposals';
import { latestRecordOf } from '../../db/decision-records';
import { groupAllowsDelegation } from '../../db/delegations';
import { type ProposalCursor, proposalsPage } from '../../db/proposals';
import { type VoteCursor, votesPage } from '../../db/votes';
import { invalid } from '../../errors';
import { presentVote, voterKey } from '../ballots';
import type { Ctx } from '../context';
import { countBallots } from '../counted-ballots';
import { groupAccess } from '../groups';
import { decodeCursor, encodeCursor, isExactTime, pageLimit } from '../pagination';
import { isUuid } from '../text';
import { nonVoters } from './audience';
import { loadOne, loadProposalsForViewer, proposalAccess } from './view';

/** One proposal as the caller sees it; 404 for outsiders. */
export async function getProposal(ctx: Ctx, proposalId: string, userId: string): Promise<Proposal> {
  await proposalAccess(ctx, proposalId, userId);
  return loadOne(ctx, userId, proposalId);
}

function isProposalCursor(v: unknown): v is ProposalCursor {
  const c = v as { createdAt?: unknown; id?: unknown };
  return isExactTime(c?.createdAt) && typeof c.id === 'string' && isUuid(c.id);
}

/** A group's proposals, newest first; 404 for outsiders. */
export async function listGroupProposals(
  ctx: Ctx,
  groupId: string,
  userId: string,
  query: { status?: 'open' | 'closed'; limit?: number; cursor?: string; threadId?: string },
): Promise<{ items: Proposal[]; nextCursor: string | null }> {
  await groupAccess(ctx, groupId, userId);
  if (query.threadId !== undefined && !isUuid(query.threadId))
    throw invalid('/threadId', 'is not a thread id');
  const page = await proposalsPage(ctx.db, groupId, {
    status: query.status,
    threadId: query.threadId,
    after: decodeCursor(query.cursor, isProposalCursor),
    limit: pageLimit(query.limit),
  });
  const loaded = await loadProposalsForViewer(
    ctx,
    userId,
    page.items.map((r) => r.id),
  );
  return {
    items: page.items.map((r) => loaded.get(r.id)!).filter(Boolean),
    nextCursor: page.next ? encodeCursor(page.next) : null,
  };
}

/**
 * The votes of a proposal; hidden results show only your own. Anonymous ones
 * carry no voter and no time, and come in the order of their keys, which
 * says nothing of when they were cast (a vote replaced keeps its place).
 */
export async function listVotes(
  ctx: Ctx,
  proposalId: string,
  userId: string,
  query: { limit?: number; cursor?: string },
): Promise<{ items: Vote[]; nextCursor: string | null }> {
  const p = await proposalAccess(ctx, proposalId, userId);
  const after = decodeCursor(query.cursor, (v): v is VoteCursor => {
    const c = v as { updatedAt?: unknown; key?: unknown };
    return typeof c?.key === 'string' && (p.anonymous || isExactTime(c.updatedAt));
  });
  let onlyKey: string | null = null;
  if (p.results_hidden_until_closed && !p.closed_at) {
    onlyKey = voterKey(ctx.config.sessionSecret, p, userId);
    if (onlyKey === null) return { items: [], nextCursor: null };
  }
  const page = await votesPage(ctx.db, proposalId, {
    anonymous: p.anonymous,
    onlyKey,
    after,
    limit: pageLimit(query.limit),
  });
  const weights = await voteWeights(ctx, p);
  return {
    items: page.items.map((r) => presentVote(r, p.anonymous, (r.voter_id && weights.get(r.voter_id)) || 1)),
    nextCursor: page.next ? encodeCursor(page.next) : null,
  };
}

/**
 * What each named vote weighs: while open, by the delegations as they stand;
 * once closed, as the close's decision record froze them (delegations given
 * since must not restate who carried whom).
 */
async function voteWeights(
  ctx: Ctx,
  p: { id: string; group_id: string; anonymous: boolean; closed_at: Date | null },
): Promise<Map<string, number>> {
  if (p.anonymous) return new Map();
  if (p.closed_at) {
    const record = await latestRecordOf(ctx.db, p.id);
    if (!record) return new Map();
    const { ballots } = JSON.parse(record.document) as DecisionRecord;
    return new Map(ballots.flatMap((b) => (b.voter ? [[b.voter.id, b.weight] as const] : [])));
  }
  const group_delegation = await groupAllowsDelegation(ctx.db, p.group_id);
  const counted = (await countBallots(ctx.db, [{ ...p, group_delegation }])).get(p.id);
  return counted?.delegation?.resolution.weights ?? new Map();
}

/**
 * Members who have not voted yet ("12 of 20 have voted" and who is missing).
 * On anonymous proposals only how many: read after each vote, the names would
 * say who cast the ballot that just arrived.
 */
export async function listUndecided(ctx: Ctx, proposalId: string, userId: string): Promise<UndecidedPage> {
  const p = await proposalAccess(ctx, proposalId, userId);
  if (p.anonymous) {
    const proposal = await loadOne(ctx.db, null, proposalId);
    return { items: [], nextCursor: null, count: Math.max(0, proposal.eligibleCount - proposal.voterCount) };
  }
  const items = await nonVoters(ctx.db, ctx.config.sessionSecret, p);
  return { items, nextCursor: null, count: items.length };
}
