import { validateBallot } from '../../../shared/ballot';
import type { Vote, VoteBody } from '../../../shared/schemas/proposals';
import * as repo from '../../db/proposals';
import type { UserRow } from '../../db/schema';
import { deleteVote, insertVoteHistory } from '../../db/votes';
import { AppError, invalid, notFound } from '../../errors';
import { ballotRules, proposalClosed, requireVoterKey, voteSummary } from '../ballots';
import { type Ctx, writeTransaction } from '../context';
import { VoteBatcher } from '../vote-batcher';
import { proposalAccess } from './view';

type BallotContext = {
  p: Omit<Awaited<ReturnType<typeof proposalAccess>>, 'role'>;
  options: Awaited<ReturnType<typeof repo.optionsOf>>;
};
const BALLOT_CONTEXT_TTL_MS = 2_000;
const MEMBERSHIP_TTL_MS = 10_000;
const caches = new WeakMap<
  Ctx,
  { proposals: Map<string, { value: BallotContext; expires: number }>; members: Map<string, number> }
>();

/**
 * The proposal and options a ballot is checked against, and the voter's
 * membership, remembered for a few seconds: a thousand members voting at
 * once cost one proposal lookup, not a thousand. Only what lets a vote
 * through is remembered (a member who just joined is never turned away, a
 * cached "closed" is never trusted), and the vote's own transaction checks
 * membership, the close and the options again under a lock.
 */
async function ballotContext(ctx: Ctx, proposalId: string, userId: string): Promise<BallotContext> {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = { proposals: new Map(), members: new Map() };
    caches.set(ctx, cache);
  }
  const now = Date.now();
  const hit = cache.proposals.get(proposalId);
  const open = hit && hit.expires > now && !hit.value.p.closed_at && hit.value.p.closes_at.getTime() > now;
  const memberUntil = hit ? (cache.members.get(`${hit.value.p.group_id}:${userId}`) ?? 0) : 0;
  if (open && memberUntil > now) return hit.value;
  const { role: _role, ...p } = await proposalAccess(ctx, proposalId, userId);
  const value = open ? hit.value : { p, options: await repo.optionsOf(ctx.db, [proposalId]) };
  if (cache.proposals.size > 10_000) cache.proposals.clear();
  if (cache.members.size > 100_000) cache.members.clear();
  if (!open) cache.proposals.set(proposalId, { value, expires: now + BALLOT_CONTEXT_TTL_MS });
  cache.members.set(`${p.group_id}:${userId}`, now + MEMBERSHIP_TTL_MS);
  return value;
}

// One batcher per running app: votes arriving together share a transaction.
const batchers = new WeakMap<Ctx, VoteBatcher>();
function batcherFor(ctx: Ctx): VoteBatcher {
  let batcher = batchers.get(ctx);
  if (!batcher) {
    batcher = new VoteBatcher(ctx);
    batchers.set(ctx, batcher);
  }
  return batcher;
}

/** Casts or replaces the caller's vote. */
export async function castVote(ctx: Ctx, proposalId: string, user: UserRow, body: VoteBody): Promise<Vote> {
  const { p, options } = await ballotContext(ctx, proposalId, user.id);
  if (p.closed_at || p.closes_at.getTime() <= Date.now()) throw proposalClosed();
  const reason = body.reason?.trim() ? body.reason : null;
  if (p.reason_required && !reason) throw invalid('/reason', 'is required on this proposal');
  const checked = validateBallot(ballotRules(p, options), body.choices);
  if (!checked.ok) {
    const first = checked.details[0]!;
    throw new AppError(400, 'validation_failed', `${first.path.slice(1)} ${first.message}`, checked.details);
  }
  return batcherFor(ctx).submit({
    proposalId,
    voterKey: requireVoterKey(ctx.config.sessionSecret, p, user.id),
    userId: user.id,
    userName: user.name,
    choices: checked.choices,
    reason,
  });
}

/** Retracts the caller's vote. */
export async function retractVote(ctx: Ctx, proposalId: string, user: UserRow): Promise<void> {
  await proposalAccess(ctx, proposalId, user.id);
  await writeTransaction(ctx, async (trx, emit) => {
    const [p] = await repo.lockProposalsForVoting(trx, [proposalId], [user.id]).execute();
    if (!p) throw notFound('proposal');
    if (p.closed_at || p.past_closing) throw proposalClosed();
    const removed = await deleteVote(trx, proposalId, requireVoterKey(ctx.config.sessionSecret, p, user.id));
    if (!removed) throw notFound('vote');
    // A ballot left behind when its voter went, taken back now they are here again.
    if (removed.departed) await repo.countDeparted(trx, proposalId, -1);
    if (!p.anonymous) {
      await insertVoteHistory(trx, {
        proposalId,
        voterId: user.id,
        choices: removed.choices,
        reason: removed.reason,
      });
    }
    const eligible = Number(p.eligible_count) - (removed.departed ? 1 : 0);
    const summary = await voteSummary(trx, p, eligible);
    emit({
      kind: 'vote.retracted',
      groupId: p.group_id,
      threadId: p.thread_id,
      actorId: p.anonymous ? null : user.id,
      subjectId: proposalId,
      data: { proposalId, voter: p.anonymous ? null : { id: user.id, name: user.name }, ...summary },
    });
  });
}
