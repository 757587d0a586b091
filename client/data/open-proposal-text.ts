/**
 * What a thread page says about its proposals, in the reader's language: an
 * open one's state in one line, the reader's own part, and the line a closed
 * one collapses to. Pure: no DOM, no I/O, no clock.
 */
import { t } from '../i18n';
import { isFollowedVote } from './delegations';
import { participationText } from './proposal-labels';
import type { Proposal } from './proposals';
import { winnerText } from './result-view';
import { countdownText } from './time-text';
import { verdictText } from './verdict-text';

/**
 * An open proposal's state in one line: "3 of 7 members have voted · closes
 * in 5 h", or, `compact`, "3 of 7 voted · closes in 5 h".
 */
export function openProposalState(p: Proposal, now: number, compact = false): string {
  const voted = compact
    ? t('{voted} of {eligible} voted', { voted: p.voterCount, eligible: p.eligibleCount })
    : participationText(p.voterCount, p.eligibleCount, false);
  return `${voted} · ${countdownText(p.closesAt, p.closedAt, now)}`;
}

/**
 * The reader's part in a proposal: "You voted", "Your vote follows Bea’s",
 * or null (not voted, or not known yet).
 */
export function myVoteNote(p: Pick<Proposal, 'myVote'>): string | null {
  const vote = p.myVote;
  if (!vote) return null;
  if (isFollowedVote(vote)) return t('Your vote follows {name}’s', { name: vote.delegatedTo.name });
  return t('You voted');
}

/**
 * The line a closed proposal is summed up by: its verdict when it set a
 * quorum or threshold, else who won ("Winner: Café", "Tied: A / B"), else
 * null (nobody voted).
 */
export function closedProposalLine(p: Proposal): string | null {
  const verdict = verdictText(p);
  if (verdict) return verdict;
  return p.results ? winnerText(p, p.results) || null : null;
}
