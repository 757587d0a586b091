import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { OutcomeBody, Proposal } from '../../../shared/schemas/proposals';
import * as repo from '../../db/proposals';
import type { DB, UserRow } from '../../db/schema';
import { eraseVoterLinks, hasVotes } from '../../db/votes';
import { tallyProposal } from '../../domain/tally';
import { conflict, forbidden, invalid } from '../../errors';
import { ballotKey, ballotRules, proposalClosed, thresholdsOf } from '../ballots';
import { type Ctx, type Emit, writeTransaction } from '../context';
import { countBallots } from '../counted-ballots';
import { appendDecisionRecord } from '../decision-records';
import { notifyGroup } from './audience';
import { futureDate } from './rules';
import { loadOne, permissionsOn, proposalAccess } from './view';

/**
 * Freezes who could vote and the results, inside the closing transaction; on
 * anonymous proposals, then erases every link between ballots and voters.
 */
async function finalize(trx: Transaction<DB>, proposalId: string) {
  const [row] = await repo.proposalRows(trx, [proposalId]);
  const [options, counted, counts] = await Promise.all([
    repo.optionsOf(trx, [proposalId]),
    countBallots(trx, [row!]),
    repo.memberCounts(trx, [row!.group_id]),
  ]);
  const { ballots, representedCount } = counted.get(proposalId)!;
  const eligible = (counts.get(row!.group_id) ?? 0) + row!.departed_ballots;
  const results = tallyProposal(ballotRules(row!, options), ballots, eligible, thresholdsOf(row!));
  await repo.freezeResults(trx, proposalId, eligible, representedCount, results);
  if (row!.anonymous) await eraseVoterLinks(trx, row!);
  return row!;
}

async function writeOutcome(
  trx: Transaction<DB>,
  emit: Emit,
  p: { id: string; group_id: string; thread_id: string; title: string },
  author: UserRow,
  body: OutcomeBody,
) {
  if (!body.statement.trim()) throw invalid('/statement', 'must not be empty');
  await repo.supersedeOutcome(trx, p.id);
  const outcome = await repo.insertOutcome(trx, {
    proposalId: p.id,
    authorId: author.id,
    statement: body.statement,
    reviewOn: body.reviewOn ?? null,
  });
  emit({
    kind: 'outcome.created',
    groupId: p.group_id,
    threadId: p.thread_id,
    actorId: author.id,
    subjectId: p.id,
    data: { proposal: await loadOne(trx, null, p.id) },
    recordIdIn: { table: 'outcomes', id: outcome.id },
  });
  await notifyGroup(trx, emit, p.group_id, author.id, (m) => ({
    userId: m.id,
    kind: 'outcome_created',
    actorId: author.id,
    groupId: p.group_id,
    threadId: p.thread_id,
    proposalId: p.id,
    text: `Outcome of "${p.title}": ${body.statement.slice(0, 140)}`,
  }));
}

/** Closes a proposal now, optionally stating its outcome in the same change. */
export async function closeProposal(
  ctx: Ctx,
  proposalId: string,
  user: UserRow,
  outcome: OutcomeBody | undefined,
): Promise<Proposal> {
  const p = await proposalAccess(ctx, proposalId, user.id);
  if (!permissionsOn(p, user.id).close)
    throw forbidden('only facilitators and the author may close this proposal');
  if (p.closed_at) throw proposalClosed();
  await writeTransaction(ctx, async (trx, emit) => {
    if (!(await repo.markClosed(trx, proposalId))) throw proposalClosed();
    await announceClosed(trx, emit, proposalId, user.id);
    if (outcome) await writeOutcome(trx, emit, p, user, outcome);
    await appendDecisionRecord(trx, proposalId, 'closed');
  });
  return loadOne(ctx, user.id, proposalId);
}

/** Freezes the results and tells everyone: shared by closing by hand and by the clock. */
export async function announceClosed(
  trx: Transaction<DB>,
  emit: Emit,
  proposalId: string,
  actorId: string | null,
): Promise<void> {
  const row = await finalize(trx, proposalId);
  emit({
    kind: 'proposal.closed',
    groupId: row.group_id,
    threadId: row.thread_id,
    actorId,
    subjectId: proposalId,
    data: { proposal: await loadOne(trx, null, proposalId) },
  });
  await notifyGroup(trx, emit, row.group_id, actorId, (m) => ({
    userId: m.id,
    kind: 'proposal_closed',
    actorId,
    groupId: row.group_id,
    threadId: row.thread_id,
    proposalId,
    text: `Voting has closed on "${row.title}"`,
  }));
}

/** States (or restates) the outcome of a closed proposal; earlier outcomes stay in history. */
export async function setOutcome(
  ctx: Ctx,
  proposalId: string,
  user: UserRow,
  body: OutcomeBody,
): Promise<Proposal> {
  const p = await proposalAccess(ctx, proposalId, user.id);
  if (!permissionsOn(p, user.id).stateOutcome)
    throw forbidden('only facilitators and the author may state the outcome');
  await writeTransaction(ctx, async (trx, emit) => {
    const locked = await repo.lockProposal(trx, proposalId);
    if (!locked?.closed_at) throw conflict('close the proposal before stating its outcome');
    await writeOutcome(trx, emit, p, user, body);
    // A restated outcome extends the chain; the record of the close stays as it was.
    await appendDecisionRecord(trx, proposalId, 'outcome');
  });
  return loadOne(ctx, user.id, proposalId);
}

/** Opens a closed proposal again with a new closing time. */
export async function reopenProposal(
  ctx: Ctx,
  proposalId: string,
  user: UserRow,
  closesAtRaw: string,
): Promise<Proposal> {
  const p = await proposalAccess(ctx, proposalId, user.id);
  if (!permissionsOn(p, user.id).reopen) throw forbidden('only facilitators may reopen a proposal');
  const closesAt = futureDate(closesAtRaw, '/closesAt');
  await writeTransaction(ctx, async (trx, emit) => {
    const locked = await repo.lockProposal(trx, proposalId);
    if (!locked?.closed_at) throw conflict('this proposal is open already');
    // Its ballots no longer know their voters: reopened, a voter could not replace theirs and would vote twice.
    if (locked.anonymous && (await hasVotes(trx, proposalId))) {
      throw conflict(
        'an anonymous proposal that has votes cannot be reopened: its ballots were unlinked from their voters at the close; put a new proposal instead',
      );
    }
    await repo.reopenProposal(
      trx,
      proposalId,
      closesAt,
      locked.anonymous
        ? { ballot_salt: randomUUID(), ballot_key_id: ballotKey(ctx.config.sessionSecret).id }
        : null,
    );
    await repo.supersedeOutcome(trx, proposalId);
    emit({
      kind: 'proposal.reopened',
      groupId: p.group_id,
      threadId: p.thread_id,
      actorId: user.id,
      subjectId: proposalId,
      data: { proposal: await loadOne(trx, null, proposalId) },
    });
  });
  return loadOne(ctx, user.id, proposalId);
}
