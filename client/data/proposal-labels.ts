/**
 * What proposals, their options and their numbers are called on screen: kind
 * and consent-position labels and hints, meeting answers, option labels,
 * counts, percentages and participation in words. Pure: no DOM, no I/O.
 */
import { CONSENT_POSITIONS, type ConsentPosition } from '../../shared/ballot';
import type { ProposalKind } from './proposals';

/** Every kind, in the order the proposal form offers them. */
export const KINDS: readonly ProposalKind[] = [
  'proposal',
  'poll',
  'score',
  'dot_vote',
  'ranked_choice',
  'meeting',
];

/** What each kind is called. */
export const KIND_LABELS: Record<ProposalKind, string> = {
  proposal: 'Consent proposal',
  poll: 'Poll',
  score: 'Score vote',
  dot_vote: 'Dot vote',
  ranked_choice: 'Ranked choice',
  meeting: 'Meeting time',
};

/** One line on what each kind is for. */
export const KIND_HINTS: Record<ProposalKind, string> = {
  proposal: 'Members agree, abstain, disagree or block. Any block is flagged.',
  poll: 'Members pick one option, or several if you allow it.',
  score: 'Members score every option from 0 up to a maximum.',
  dot_vote: 'Members spread a number of dots over the options they like.',
  ranked_choice: 'Members rank options in order; counted by instant runoff.',
  meeting: 'Members answer yes, if need be, or no for each time slot.',
};

/** The fixed positions of a consent proposal, in the order they are shown. */
export const CONSENT_IDS = CONSENT_POSITIONS;
export type ConsentId = ConsentPosition;

import { resultLabel } from '../../shared/result-text';

/** What each consent position is called: one wording, shared with the server's exports. */
export { CONSENT_LABELS, percentText, plural } from '../../shared/result-text';

/** One line on what each consent position means. */
export const CONSENT_HINTS: Record<ConsentId, string> = {
  agree: 'I support this.',
  abstain: 'I step aside and let the others decide.',
  disagree: 'I have concerns, but will not stop it.',
  block: 'I object on principle: this should not go ahead.',
};

/** Meeting answers as the API scores them. */
export const MEETING_ANSWERS = [
  { score: 2, label: 'Yes' },
  { score: 1, label: 'If need be' },
  { score: 0, label: 'No' },
] as const;

/** The kind's name. */
export function kindLabel(kind: ProposalKind): string {
  return KIND_LABELS[kind] ?? kind;
}

/** An option's label as people read it ("Agree" rather than `agree`). */
export const optionLabel = resultLabel;

/** "12 of 20 members have voted" (or "voted", once closed). */
export function participationText(voterCount: number, eligibleCount: number, closed: boolean): string {
  const members = eligibleCount === 1 ? 'member' : 'members';
  const verb = closed ? 'voted' : voterCount === 1 && eligibleCount === 1 ? 'has voted' : 'have voted';
  return `${voterCount} of ${eligibleCount} ${members} ${verb}`;
}
