/**
 * What proposals, their options and their numbers are called on screen: kind
 * and consent-position labels and hints, meeting answers, option labels,
 * counts, percentages and participation in words, in the reader's language.
 * Pure: no DOM, no I/O.
 *
 * The tables hold English messages (`m()`): show them through `t()`
 * (`t(KIND_LABELS[kind])`), or through the functions below, which do.
 */
import { CONSENT_POSITIONS, type ConsentPosition } from '../../shared/ballot';
import {
  CONSENT_LABELS,
  type ResultSubject,
  resultLabel,
  percentText as sharedPercentText,
} from '../../shared/result-text';
import { m, t, translator } from '../i18n';

export { listText } from '../i18n';

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

/** What each kind is called (English messages: show with `t()` or {@link kindLabel}). */
export const KIND_LABELS: Record<ProposalKind, string> = {
  proposal: m('Consent proposal'),
  poll: m('Poll'),
  score: m('Score vote'),
  dot_vote: m('Dot vote'),
  ranked_choice: m('Ranked choice'),
  meeting: m('Meeting time'),
};

/** One line on what each kind is for (English messages: show with `t()` or {@link kindHint}). */
export const KIND_HINTS: Record<ProposalKind, string> = {
  proposal: m('Members agree, abstain, disagree or block. Any block is flagged.'),
  poll: m('Members pick one option, or several if you allow it.'),
  score: m('Members score every option from 0 up to a maximum.'),
  dot_vote: m('Members spread a number of dots over the options they like.'),
  ranked_choice: m('Members rank options in order; counted by instant runoff.'),
  meeting: m('Members answer yes, if need be, or no for each time slot.'),
};

/** The fixed positions of a consent proposal, in the order they are shown. */
export const CONSENT_IDS = CONSENT_POSITIONS;
export type ConsentId = ConsentPosition;

/**
 * What each consent position is called: one wording, shared with the server's exports (English
 * messages: show with `t()` or {@link consentLabel}).
 */
export { CONSENT_LABELS };

/** One line on what each consent position means (English messages: show with `t()` or {@link consentHint}). */
export const CONSENT_HINTS: Record<ConsentId, string> = {
  agree: m('I support this.'),
  abstain: m('I step aside and let the others decide.'),
  disagree: m('I have concerns, but will not stop it.'),
  block: m('I object on principle: this should not go ahead.'),
};

/** Meeting answers as the API scores them (labels are English messages: show with `t()` or {@link meetingAnswerLabel}). */
export const MEETING_ANSWERS = [
  { score: 2, label: m('Yes') },
  { score: 1, label: m('If need be') },
  { score: 0, label: m('No') },
] as const;

/** The kind's name, in the reader's language. */
export function kindLabel(kind: ProposalKind): string {
  const label = KIND_LABELS[kind];
  return label ? t(label) : kind;
}

/** One line on what the kind is for, in the reader's language. */
export function kindHint(kind: ProposalKind): string {
  const hint = KIND_HINTS[kind];
  return hint ? t(hint) : '';
}

/** A consent position's name ("Agree"), in the reader's language. */
export function consentLabel(id: ConsentId): string {
  return t(CONSENT_LABELS[id]);
}

/** What a consent position means, in the reader's language. */
export function consentHint(id: ConsentId): string {
  return t(CONSENT_HINTS[id]);
}

/** A meeting answer ("Yes", "If need be", "No") by its score, in the reader's language; "?" for another score. */
export function meetingAnswerLabel(score: number | null | undefined): string {
  const answer = MEETING_ANSWERS.find((a) => a.score === score);
  return answer ? t(answer.label) : '?';
}

/** An option's label as people read it ("Agree" rather than `agree`), in the reader's language. */
export function optionLabel(p: ResultSubject, optionId: string): string {
  return resultLabel(p, optionId, translator());
}

/** "60%", "33.3%" ("33,3 %"): a percentage (0–100), at most one decimal. */
export function percentText(percent: number): string {
  return sharedPercentText(percent, translator());
}

/** "12 of 20 members have voted" (or "voted", once closed). */
export function participationText(voterCount: number, eligibleCount: number, closed: boolean): string {
  const values = { voted: voterCount, eligible: eligibleCount };
  return closed
    ? t('{voted} of {eligible, plural, one {# member} other {# members}} voted', values)
    : t(
        '{voted} of {eligible, plural, one {# member {voted, plural, one {has voted} other {have voted}}} other {# members have voted}}',
        values,
      );
}
