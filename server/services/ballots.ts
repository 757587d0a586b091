import { createHash, createHmac } from 'node:crypto';
import type { Vote } from '../../shared/schemas/proposals';
import type { DecisionThresholds } from '../../shared/verdict';
import * as repo from '../db/proposals';
import type { ProposalKind } from '../db/schema';
import { type BallotRules, type Choice, tallyProposal } from '../domain/tally';
import { AppError, conflict } from '../errors';
import { type CountedBallots, countBallots, type DelegableProposal } from './counted-ballots';

// What both the proposal use cases and the vote batcher need to know about
// ballots: their keys, their rules, how a vote is shown and what its event says.

export const proposalClosed = () =>
  new AppError(409, 'proposal_closed', 'this proposal is closed; its votes and options can no longer change');

const derived = new Map<string, { key: Buffer; id: string }>();

/**
 * The key anonymous ballots are keyed with, derived from the server secret
 * (so never in the database), and a short public name for it that proposals
 * store: a changed secret is then noticed rather than letting everyone vote again.
 */
export function ballotKey(secret: string): { key: Buffer; id: string } {
  let found = derived.get(secret);
  if (!found) {
    const key = createHmac('sha256', secret).update('plenary anonymous ballot keys').digest();
    found = { key, id: createHmac('sha256', key).update('key id').digest('base64url').slice(0, 16) };
    derived.set(secret, found);
  }
  return found;
}

/** What `voterKey` needs of a proposal. */
export interface KeyedProposal {
  anonymous: boolean;
  ballot_salt: string | null;
  ballot_key_id: string | null;
}

/**
 * The key a vote is stored under: the voter's id, or on anonymous proposals
 * an HMAC of salt and voter under the server's ballot key, which nobody
 * holding only the database can recompute. Null when no voter can be keyed
 * any more: the proposal closed and its keys were erased, or the server
 * secret changed since it opened. Proposals from before migration 0007 keep
 * their sha256(salt:voter) keys until they close.
 */
export function voterKey(secret: string, p: KeyedProposal, userId: string): string | null {
  if (!p.anonymous) return userId;
  if (p.ballot_salt === null) return null;
  if (p.ballot_key_id === null)
    return createHash('sha256').update(`${p.ballot_salt}:${userId}`).digest('base64url');
  const { key, id } = ballotKey(secret);
  if (p.ballot_key_id !== id) return null;
  return createHmac('sha256', key).update(`${p.ballot_salt}:${userId}`).digest('base64url');
}

/** `voterKey` for a vote or a retraction: a proposal nobody can be keyed on takes none. */
export function requireVoterKey(
  secret: string,
  p: KeyedProposal & { closed_at: Date | null },
  userId: string,
): string {
  const key = voterKey(secret, p, userId);
  if (key !== null) return key;
  if (p.closed_at || p.ballot_salt === null) throw proposalClosed();
  throw conflict('the server secret changed since this anonymous proposal opened: it can take no more votes');
}

/** The rules a ballot is checked against and tallied by. */
export function ballotRules(
  p: {
    kind: ProposalKind;
    min_choices: number;
    max_choices: number;
    max_score: number;
    dots_per_voter: number;
  },
  options: { id: string; label: string; starts_at: Date | null }[],
): BallotRules {
  return {
    kind: p.kind,
    options: options.map((o) => ({ id: o.id, label: o.label, startsAt: o.starts_at?.toISOString() ?? null })),
    minChoices: p.min_choices,
    maxChoices: p.max_choices,
    maxScore: p.max_score,
    dotsPerVoter: p.dots_per_voter,
  };
}

export function presentVote(
  row: {
    proposal_id: string;
    voter_id: string | null;
    voter_name?: string | null;
    choices: unknown;
    reason: string | null;
    created_at: Date | null;
    updated_at: Date | null;
  },
  anonymous: boolean,
  weight = 1,
): Vote {
  // Anonymous votes have no voter and no time: a time would line a ballot up with whoever voted then.
  return {
    proposalId: row.proposal_id,
    voter: anonymous || !row.voter_id ? null : { id: row.voter_id, name: row.voter_name ?? '' },
    choices: row.choices as Choice[],
    reason: row.reason,
    createdAt: anonymous ? null : (row.created_at?.toISOString() ?? null),
    updatedAt: anonymous ? null : (row.updated_at?.toISOString() ?? null),
    weight,
  };
}

/** A proposal row's quorum and thresholds, as the tally takes them. */
export function thresholdsOf(p: ThresholdColumns): DecisionThresholds {
  return { quorumPercent: p.quorum_percent, passPercent: p.pass_percent, blockVetoes: p.block_vetoes };
}

export interface ThresholdColumns {
  quorum_percent: number | null;
  pass_percent: number | null;
  block_vetoes: boolean;
}

export type SummaryRules = Parameters<typeof ballotRules>[0] &
  ThresholdColumns & { results_hidden_until_closed: boolean };

/** Vote counts and current results (null while hidden), as vote events carry them. */
export function summariseBallots(
  p: SummaryRules,
  options: Parameters<typeof ballotRules>[1],
  counted: Pick<CountedBallots, 'ballots' | 'voterCount' | 'representedCount'>,
  eligibleCount: number,
) {
  return {
    voterCount: counted.voterCount,
    representedCount: counted.representedCount,
    eligibleCount,
    results: p.results_hidden_until_closed
      ? null
      : tallyProposal(ballotRules(p, options), counted.ballots, eligibleCount, thresholdsOf(p)),
  };
}

/** Ballots counted as they are, one each: no delegation bears on them. */
export function unweighted(ballots: Choice[][]) {
  return { ballots, voterCount: ballots.length, representedCount: ballots.length };
}

/** `summariseBallots` of the proposal's current ballots, delegations weighed, read inside the caller's transaction. */
export async function voteSummary(
  trx: Parameters<typeof repo.ballotsOf>[0],
  p: SummaryRules & DelegableProposal,
  eligibleCount: number,
) {
  const [counted, options] = await Promise.all([countBallots(trx, [p]), repo.optionsOf(trx, [p.id])]);
  return summariseBallots(p, options, counted.get(p.id)!, eligibleCount);
}
