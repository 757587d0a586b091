import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DecisionRecord, RecordBallot } from '../../shared/schemas/decision-record';
import type { Choice, Results } from '../../shared/schemas/proposals';
import {
  ballotsForRecord,
  insertRecord,
  lastRecord,
  latestRecordOf,
  lockChain,
  recordsOfGroup,
} from '../db/decision-records';
import { currentOutcomes, optionsOf, proposalRows } from '../db/proposals';
import type { DB } from '../db/schema';
import {
  canonicalJson,
  RECORD_FORMAT,
  RECORD_VERSION,
  sealRecord,
  TALLY_METHODS,
} from '../domain/decision-record';
import { AppError, conflict } from '../errors';
import { presentOutcome } from '../presenters/proposal';
import type { Ctx } from './context';
import { type CountedBallots, countBallots, weightOf } from './counted-ballots';
import { groupAccess } from './groups';
import { proposalAccess } from './proposals/view';

/**
 * Appends the proposal's record to its group's chain, inside the transaction
 * that closed it or stated its outcome: the record is sealed with what that
 * transaction sees, and exists exactly when the change does. Ballot ids are
 * made here at random and the ballots sorted by them, so neither id nor order
 * says who voted or when; on anonymous proposals the voters were unlinked
 * earlier in the same transaction.
 */
export async function appendDecisionRecord(
  trx: Transaction<DB>,
  proposalId: string,
  reason: DecisionRecord['reason'],
): Promise<void> {
  const [row] = await proposalRows(trx, [proposalId]);
  if (!row?.closed_at || !row.final_results) return;
  await lockChain(trx, row.group_id);
  const [options, ballots, outcomes, last] = await Promise.all([
    optionsOf(trx, [proposalId]),
    recordBallots(trx, row, reason),
    currentOutcomes(trx, [proposalId]),
    lastRecord(trx, row.group_id),
  ]);
  const outcome = outcomes[0];
  const record = sealRecord({
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    groupId: row.group_id,
    sequence: (last?.sequence ?? 0) + 1,
    reason,
    recordedAt: new Date().toISOString(),
    method: TALLY_METHODS[row.kind],
    proposal: {
      id: row.id,
      threadId: row.thread_id,
      kind: row.kind,
      title: row.title,
      details: row.details,
      options: options.map((o) => ({
        id: o.id,
        label: o.label,
        startsAt: o.starts_at?.toISOString() ?? null,
      })),
      anonymous: row.anonymous,
      minChoices: row.min_choices,
      maxChoices: row.max_choices,
      maxScore: row.max_score,
      dotsPerVoter: row.dots_per_voter,
      quorumPercent: row.quorum_percent,
      passPercent: row.pass_percent,
      blockVetoes: row.block_vetoes,
      author: row.author_id ? { id: row.author_id, name: row.author_name ?? '' } : null,
      createdAt: row.created_at.toISOString(),
      closesAt: row.closes_at.toISOString(),
      closedAt: row.closed_at.toISOString(),
    },
    eligibleCount: row.eligible_count_at_close ?? 0,
    ballots,
    results: row.final_results as Results,
    outcome: outcome ? presentOutcome(outcome) : null,
    previousHash: last?.hash ?? null,
  });
  await insertRecord(trx, {
    groupId: row.group_id,
    proposalId,
    sequence: record.sequence,
    document: canonicalJson(record),
    hash: record.hash,
  });
}

/**
 * The ballots a record lists, with their weights. At the close they are the
 * ballots as they stand, weighed by the delegations as they stand, the same
 * count the frozen results were made from. A later outcome keeps the ballots
 * of the close's record, ids and weights included: delegations given since
 * must not restate who carried whom.
 */
async function recordBallots(
  trx: Transaction<DB>,
  row: Parameters<typeof countBallots>[1][number],
  reason: DecisionRecord['reason'],
): Promise<RecordBallot[]> {
  if (reason === 'outcome') {
    const previous = await latestRecordOf(trx, row.id);
    if (previous) return (JSON.parse(previous.document) as DecisionRecord).ballots;
  }
  const [votes, counted] = await Promise.all([
    ballotsForRecord(trx, row.id),
    reason === 'closed' ? countBallots(trx, [row]) : new Map<string, CountedBallots>(),
  ]);
  const count = counted.get(row.id);
  return votes
    .map((v) => ({
      ballotId: randomUUID(),
      voter: row.anonymous || !v.voter_id ? null : { id: v.voter_id, name: v.voter_name ?? '' },
      choices: v.choices as Choice[],
      reason: v.reason,
      weight: weightOf(count, row.anonymous ? null : v.voter_id),
    }))
    .sort((a, b) => (a.ballotId < b.ballotId ? -1 : 1));
}

/** The proposal's newest record, as the exact JSON text that was sealed; members only, once closed. */
export async function proposalRecord(ctx: Ctx, proposalId: string, userId: string): Promise<string> {
  const p = await proposalAccess(ctx, proposalId, userId);
  if (!p.closed_at) throw conflict('the record is made when voting closes');
  const found = await latestRecordOf(ctx.db, proposalId);
  if (!found) throw new AppError(404, 'not_found', 'this proposal closed before decision records were kept');
  return found.document;
}

/** The group's whole chain, oldest first, as a page of the sealed texts; members only. */
export async function groupRecord(ctx: Ctx, groupId: string, userId: string): Promise<string> {
  await groupAccess(ctx, groupId, userId);
  const rows = await recordsOfGroup(ctx.db, groupId);
  // Joined as text: each record goes out exactly as it was hashed.
  return `{"items":[${rows.map((r) => r.document).join(',')}],"nextCursor":null}`;
}
