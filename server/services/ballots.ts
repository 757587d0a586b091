import { createHash } from 'node:crypto';
import type { Vote } from '../../shared/schemas/proposals';
import { type BallotRules, type Choice, tallyProposal } from '../domain/tally';
import type { ProposalKind } from '../db/schema';
import { AppError } from '../errors';

// What both the proposal use cases and the vote batcher need to know about
// ballots: their keys, their rules, how a vote is shown and what its event says.

export const proposalClosed = () =>
  new AppError(409, 'proposal_closed', 'this proposal is closed; its votes and options can no longer change');

/** The key a vote is stored under: the voter's id, or on anonymous proposals a salted hash of it. */
export function voterKey(p: { anonymous: boolean; ballot_salt: string }, userId: string): string {
  return p.anonymous ? createHash('sha256').update(`${p.ballot_salt}:${userId}`).digest('base64url') : userId;
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
    created_at: Date;
    updated_at: Date;
  },
  anonymous: boolean,
): Vote {
  return {
    proposalId: row.proposal_id,
    voter: anonymous || !row.voter_id ? null : { id: row.voter_id, name: row.voter_name ?? '' },
    choices: row.choices as Choice[],
    reason: row.reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type SummaryRules = Parameters<typeof ballotRules>[0] & { results_hidden_until_closed: boolean };

/** Vote count and current results (null while hidden), as vote events carry them. */
export function summariseBallots(
  p: SummaryRules,
  options: Parameters<typeof ballotRules>[1],
  ballots: Choice[][],
  eligibleCount: number,
) {
  return {
    voterCount: ballots.length,
    eligibleCount,
    results: p.results_hidden_until_closed
      ? null
      : tallyProposal(ballotRules(p, options), ballots, eligibleCount),
  };
}
