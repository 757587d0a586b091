/**
 * The verdict line of a proposal card, in words: "Passed: 71% agree, quorum
 * reached (18 of 24 represented)", "No quorum: 9 of 24 voted, 12 needed".
 * The verdict itself is the server's (`results.verdict`); the figures beside
 * it come from the same rule (shared/verdict.ts). Pure: no DOM, no I/O.
 */
import { decideVerdict, type VerdictFacts } from '../../shared/verdict';
import { optionLabel, percentText } from './proposal-labels';
import type { Proposal } from './proposals';

/** The line to show, or null when the proposal sets no threshold or its results are hidden. */
export function verdictText(p: Proposal): string | null {
  const results = p.results;
  if (!results?.verdict) return null;
  const facts = decideVerdict(p, results, p.representedCount, p.eligibleCount);
  const open = !p.closedAt;
  const quorum = quorumText(facts, p.eligibleCount);
  if (results.verdict === 'no_quorum') {
    const voted = `${facts.represented} of ${p.eligibleCount} ${p.representedCount === p.voterCount ? 'voted' : 'represented'}`;
    return `${open ? 'No quorum yet' : 'No quorum'}: ${voted}, ${facts.needed} needed`;
  }
  const passed = results.verdict === 'passed';
  const head = open ? (passed ? 'Passing so far' : 'Not passing so far') : passed ? 'Passed' : 'Failed';
  const why = [shareText(p, facts, passed), quorum].filter(Boolean).join(', ');
  return why ? `${head}: ${why}` : head;
}

function quorumText(facts: VerdictFacts, eligibleCount: number): string | null {
  if (facts.needed === null) return null;
  return `quorum reached (${facts.represented} of ${eligibleCount} represented)`;
}

function shareText(p: Proposal, facts: VerdictFacts, passed: boolean): string | null {
  if (facts.blocked) return 'blocked';
  const short = !passed && p.passPercent !== null ? ` (${percentText(p.passPercent)} needed)` : '';
  const leader = p.results?.winnerIds.length === 1 ? optionLabel(p, p.results.winnerIds[0]!) : null;
  if (facts.share === null) {
    if (p.kind === 'proposal') return 'no agree or disagree yet';
    return leader || passed ? null : 'no option leads';
  }
  if (facts.shareOf === 'agree') return `${percentText(facts.share)} agree${short}`;
  if (!leader) return 'no option leads';
  if (facts.shareOf === 'leading_votes')
    return `${leader} has ${percentText(facts.share)} of the votes${short}`;
  if (facts.shareOf === 'leading_score')
    return `${leader} averages ${percentText(facts.share)} of the top score${short}`;
  return null;
}
