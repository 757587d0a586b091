import type {
  Choice,
  FollowedVote,
  MyDelegate,
  Outcome,
  Proposal,
  ProposalPermissions,
  Results,
} from '../../shared/schemas/proposals';
import type { OptionRow, OutcomeRow, ProposalWithAuthor } from '../db/proposals';
import { tallyProposal } from '../domain/tally';
import { ballotRules, presentVote, thresholdsOf } from '../services/ballots';

/** Everything presenting one proposal takes; `loadProposalsForViewer` reads it for a batch at once. */
export interface ProposalParts {
  row: ProposalWithAuthor;
  options: OptionRow[];
  /** The ballots the tally counts (each as many times as it weighs), and who voted and is represented. */
  counted: { ballots: Choice[][]; voterCount: number; representedCount: number };
  outcome: OutcomeRow | undefined;
  /** The group's members now (the count frozen at the close is on the row). */
  memberCount: number;
  /**
   * The viewer's own vote, or null when they have none; left out when the
   * proposal is presented for every stream subscriber at once, who get no `myVote`.
   */
  myVote?: { vote: Parameters<typeof presentVote>[0]; weight: number } | FollowedVote | null;
  /** Whom the viewer delegates to here; left out with `myVote`. */
  myDelegate?: MyDelegate | null;
  /** The viewer's permissions; left out with `myVote`. */
  permissions?: ProposalPermissions;
}

/**
 * The one JSON form of a proposal: options, outcome, counts, the viewer's
 * own vote, and results (null while hidden; frozen at the close).
 */
export function presentProposal(parts: ProposalParts): Proposal {
  const { row, options, outcome, myVote } = parts;
  const { ballots, voterCount } = parts.counted;
  const eligibleCount = row.closed_at
    ? (row.eligible_count_at_close ?? 0)
    : parts.memberCount + row.departed_ballots;
  return {
    ...presentCore(row, options),
    voterCount,
    representedCount: row.closed_at
      ? (row.represented_count_at_close ?? parts.counted.representedCount)
      : parts.counted.representedCount,
    eligibleCount,
    quorumPercent: row.quorum_percent,
    passPercent: row.pass_percent,
    blockVetoes: row.block_vetoes,
    delegation: row.group_delegation && !row.anonymous,
    ...(myVote !== undefined ? { myVote: presentMyVote(myVote, row.anonymous) } : {}),
    ...(parts.myDelegate !== undefined ? { myDelegate: parts.myDelegate } : {}),
    ...(parts.permissions ? { permissions: parts.permissions } : {}),
    results: resultsFor(row, options, ballots, eligibleCount),
    outcome: outcome ? presentOutcome(outcome) : null,
  };
}

function presentMyVote(mine: NonNullable<ProposalParts['myVote']> | null, anonymous: boolean) {
  if (!mine) return null;
  if ('delegatedTo' in mine) return mine;
  return presentVote(mine.vote, anonymous, mine.weight);
}

/** The one JSON form of an outcome. */
export function presentOutcome(outcome: OutcomeRow): Outcome {
  return {
    statement: outcome.statement,
    author: outcome.author_id ? { id: outcome.author_id, name: outcome.author_name ?? '' } : null,
    createdAt: outcome.created_at.toISOString(),
    reviewOn: outcome.review_on_text,
  };
}

function resultsFor(
  row: ProposalWithAuthor,
  options: OptionRow[],
  ballots: Choice[][],
  eligibleCount: number,
): Results | null {
  if (row.closed_at)
    return (
      (row.final_results as Results | null) ??
      tallyProposal(ballotRules(row, options), ballots, eligibleCount, thresholdsOf(row))
    );
  if (row.results_hidden_until_closed) return null;
  return tallyProposal(ballotRules(row, options), ballots, eligibleCount, thresholdsOf(row));
}

function presentCore(row: ProposalWithAuthor, options: OptionRow[]) {
  return {
    id: row.id,
    threadId: row.thread_id,
    groupId: row.group_id,
    kind: row.kind,
    title: row.title,
    details: row.details,
    options: options.map((o) => ({
      id: o.id,
      label: o.label,
      ...(row.kind === 'meeting' ? { startsAt: o.starts_at?.toISOString() ?? null } : {}),
    })),
    closesAt: row.closes_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    anonymous: row.anonymous,
    resultsHiddenUntilClosed: row.results_hidden_until_closed,
    reasonRequired: row.reason_required,
    minChoices: row.min_choices,
    maxChoices: row.max_choices,
    maxScore: row.max_score,
    dotsPerVoter: row.dots_per_voter,
    author: row.author_id ? { id: row.author_id, name: row.author_name ?? '' } : null,
    createdAt: row.created_at.toISOString(),
  };
}
