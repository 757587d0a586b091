/**
 * The verdict line of a proposal card, in words: "Passed: 71% agree, quorum
 * reached (18 of 24 represented)", "No quorum: 9 of 24 voted, 12 needed".
 * The verdict itself is the server's (`results.verdict`); the figures beside
 * it come from the same rule (shared/verdict.ts). In the reader's language.
 * Pure: no DOM, no I/O.
 */
import { decideVerdict, type VerdictFacts } from '../../shared/verdict';
import { t } from '../i18n';
import { optionLabel, percentText } from './proposal-labels';
import type { Proposal } from './proposals';

/** The line to show, or null when the proposal sets no threshold or its results are hidden. */
export function verdictText(p: Proposal): string | null {
  const results = p.results;
  if (!results?.verdict) return null;
  const facts = decideVerdict(p, results, p.representedCount, p.eligibleCount);
  const open = !p.closedAt;
  if (results.verdict === 'no_quorum') {
    const values = { count: facts.represented, eligible: p.eligibleCount, needed: facts.needed };
    if (p.representedCount === p.voterCount) {
      return open
        ? t('No quorum yet: {count} of {eligible} voted, {needed} needed', values)
        : t('No quorum: {count} of {eligible} voted, {needed} needed', values);
    }
    return open
      ? t('No quorum yet: {count} of {eligible} represented, {needed} needed', values)
      : t('No quorum: {count} of {eligible} represented, {needed} needed', values);
  }
  const passed = results.verdict === 'passed';
  const reasons = [shareText(p, facts, passed), quorumText(facts, p.eligibleCount)]
    .filter(Boolean)
    .join(', ');
  if (open) {
    if (passed) return reasons ? t('Passing so far: {reasons}', { reasons }) : t('Passing so far');
    return reasons ? t('Not passing so far: {reasons}', { reasons }) : t('Not passing so far');
  }
  if (passed) return reasons ? t('Passed: {reasons}', { reasons }) : t('Passed');
  return reasons ? t('Failed: {reasons}', { reasons }) : t('Failed');
}

function quorumText(facts: VerdictFacts, eligibleCount: number): string | null {
  if (facts.needed === null) return null;
  return t('quorum reached ({count} of {eligible} represented)', {
    count: facts.represented,
    eligible: eligibleCount,
  });
}

function shareText(p: Proposal, facts: VerdictFacts, passed: boolean): string | null {
  if (facts.blocked) return t('blocked');
  const needed = !passed && p.passPercent !== null ? percentText(p.passPercent) : null;
  const leader = p.results?.winnerIds.length === 1 ? optionLabel(p, p.results.winnerIds[0]!) : null;
  if (facts.share === null) {
    if (p.kind === 'proposal') return t('no agree or disagree yet');
    return leader || passed ? null : t('no option leads');
  }
  const percent = percentText(facts.share);
  if (facts.shareOf === 'agree') {
    return needed
      ? t('{percent} agree ({needed} needed)', { percent, needed })
      : t('{percent} agree', { percent });
  }
  if (!leader) return t('no option leads');
  if (facts.shareOf === 'leading_votes') {
    return needed
      ? t('{leader} has {percent} of the votes ({needed} needed)', { leader, percent, needed })
      : t('{leader} has {percent} of the votes', { leader, percent });
  }
  if (facts.shareOf === 'leading_score') {
    return needed
      ? t('{leader} averages {percent} of the top score ({needed} needed)', { leader, percent, needed })
      : t('{leader} averages {percent} of the top score', { leader, percent });
  }
  return null;
}
