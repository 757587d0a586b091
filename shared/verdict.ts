import type { ProposalKind, Results, Verdict } from './schemas/proposals';

/**
 * Quorum and thresholds: when a proposal's result counts as a decision. One
 * rule for the server, which puts `results.verdict` in every answer (live
 * while voting, frozen at the close), and for the client, which words it.
 *
 * - Quorum: at least `quorumPercent` of the members who may vote are
 *   represented (have voted, or are carried by a delegate's vote), counted up:
 *   30 % of 24 needs 8.
 * - `passPercent`: for a consent `proposal`, agree as a share of agree and
 *   disagree (abstentions count towards quorum, not towards the share); for
 *   a `poll`, the leading option's share of the ballots; for `score`, the
 *   leading option's mean as a share of the highest score. The share must
 *   reach it: 60 % passes at 60 %.
 * - Without `passPercent`, a consent proposal needs more agree than disagree,
 *   and every other kind needs one option ahead of all others: a tie decides
 *   nothing.
 * - `blockVetoes` (consent only, on by default): one block fails the proposal;
 *   off, a block counts as a disagree.
 * - No quorum and no pass threshold: no verdict (`null`), as before 1.1.
 */
export interface DecisionThresholds {
  quorumPercent: number | null;
  passPercent: number | null;
  blockVetoes: boolean;
}

/** The kinds a `passPercent` applies to; quorum applies to every kind. */
export const PASS_PERCENT_KINDS: readonly ProposalKind[] = ['proposal', 'poll', 'score'];

export const NO_THRESHOLDS: DecisionThresholds = {
  quorumPercent: null,
  passPercent: null,
  blockVetoes: true,
};

/** Members who must be represented for `quorumPercent` of `eligibleCount`. */
export function quorumNeeded(quorumPercent: number, eligibleCount: number): number {
  // Whole numbers throughout (percent × members, then a ceiling division): no rounding error.
  return Math.floor((quorumPercent * eligibleCount + 99) / 100);
}

export interface VerdictFacts {
  verdict: Verdict | null;
  /** Members represented, and how many quorum needs (null: no quorum set). */
  represented: number;
  needed: number | null;
  /** The share the pass rule reads, 0–100 to one decimal; null where none applies (no votes yet). */
  share: number | null;
  /** What `share` measures, for wording: agree, the leading option's votes, or its mean score. */
  shareOf: 'agree' | 'leading_votes' | 'leading_score' | null;
  blocked: boolean;
}

/** The verdict and the figures it rests on, from the tally and the proposal's settings. */
export function decideVerdict(
  proposal: { kind: ProposalKind; maxScore: number } & DecisionThresholds,
  results: Pick<Results, 'options' | 'winnerIds' | 'blocked' | 'bestSlotId'>,
  representedCount: number,
  eligibleCount: number,
): VerdictFacts {
  const needed = proposal.quorumPercent === null ? null : quorumNeeded(proposal.quorumPercent, eligibleCount);
  const blocked = proposal.kind === 'proposal' && proposal.blockVetoes && results.blocked === true;
  const { share, shareOf } = shareFor(proposal, results);
  const facts = { represented: representedCount, needed, share, shareOf, blocked };
  if (proposal.quorumPercent === null && proposal.passPercent === null) return { verdict: null, ...facts };
  if (needed !== null && representedCount < needed) return { verdict: 'no_quorum', ...facts };
  return { verdict: passes(proposal, results, share, blocked) ? 'passed' : 'failed', ...facts };
}

function passes(
  proposal: { kind: ProposalKind; passPercent: number | null; blockVetoes: boolean },
  results: Pick<Results, 'options' | 'winnerIds' | 'bestSlotId'>,
  share: number | null,
  blocked: boolean,
): boolean {
  if (blocked) return false;
  if (proposal.kind === 'proposal') {
    const { agree, against } = consentCounts(results.options, proposal.blockVetoes);
    if (proposal.passPercent === null) return agree > against;
    return share !== null && share >= proposal.passPercent;
  }
  const single = proposal.kind === 'meeting' ? Boolean(results.bestSlotId) : results.winnerIds.length === 1;
  if (!single) return false;
  if (proposal.passPercent === null || !PASS_PERCENT_KINDS.includes(proposal.kind)) return true;
  return share !== null && share >= proposal.passPercent;
}

function consentCounts(options: Results['options'], blockVetoes: boolean) {
  const count = (id: string) => options.find((o) => o.optionId === id)?.count ?? 0;
  // With vetoes off a block is the strongest disagree, not nothing.
  return { agree: count('agree'), against: count('disagree') + (blockVetoes ? 0 : count('block')) };
}

function shareFor(
  proposal: { kind: ProposalKind; maxScore: number; blockVetoes: boolean },
  results: Pick<Results, 'options' | 'winnerIds'>,
): Pick<VerdictFacts, 'share' | 'shareOf'> {
  if (proposal.kind === 'proposal') {
    const { agree, against } = consentCounts(results.options, proposal.blockVetoes);
    return {
      share: agree + against > 0 ? oneDecimal((agree * 100) / (agree + against)) : null,
      shareOf: 'agree',
    };
  }
  const leading = results.options.find((o) => o.optionId === results.winnerIds[0]);
  if (proposal.kind === 'poll') return { share: leading ? leading.percent : null, shareOf: 'leading_votes' };
  if (proposal.kind === 'score') {
    return {
      share: leading?.mean !== undefined ? oneDecimal((leading.mean * 100) / proposal.maxScore) : null,
      shareOf: 'leading_score',
    };
  }
  return { share: null, shareOf: null };
}

function oneDecimal(value: number): number {
  return Math.round(value * 10 + 1e-9) / 10;
}
