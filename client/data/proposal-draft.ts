/**
 * The new-proposal form's data: the draft as typed, and its check (the
 * server's rules, the server's field keys) into a request body, its messages
 * in the reader's language. Pure: no DOM, no I/O, no clock (callers pass `now`).
 */
import { PASS_PERCENT_KINDS } from '../../shared/verdict';
import { t } from '../i18n';
import type { FieldErrors } from './api';
import type { CreateProposalBody, ProposalKind } from './proposals';
import { defaultClosingInput, fromLocalInput } from './time-text';

/** What the proposal form holds, as typed (numbers as the inputs give them). */
export interface ProposalDraft {
  kind: ProposalKind;
  title: string;
  details: string;
  /** `startsAt` is a datetime-local value, used by meeting slots only. */
  options: { label: string; startsAt: string }[];
  /** datetime-local value. */
  closesAt: string;
  anonymous: boolean;
  resultsHiddenUntilClosed: boolean;
  reasonRequired: boolean;
  minChoices: string;
  maxChoices: string;
  maxScore: string;
  dotsPerVoter: string;
  /** Empty: no quorum. */
  quorumPercent: string;
  /** Empty: no pass threshold (the kind's simple rule). */
  passPercent: string;
  blockVetoes: boolean;
}

/** A fresh form: a consent proposal closing in a week. */
export function emptyProposalDraft(now: number): ProposalDraft {
  return {
    kind: 'proposal',
    title: '',
    details: '',
    options: [
      { label: '', startsAt: '' },
      { label: '', startsAt: '' },
    ],
    closesAt: defaultClosingInput(now),
    anonymous: false,
    resultsHiddenUntilClosed: false,
    reasonRequired: false,
    minChoices: '1',
    maxChoices: '1',
    maxScore: '5',
    dotsPerVoter: '10',
    quorumPercent: '',
    passPercent: '',
    blockVetoes: true,
  };
}

function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/**
 * Checks the proposal form as the server will and builds the request body.
 * Error keys follow the server's pointers (`options.1.label`, `closesAt`), so
 * its answer lands on the same fields.
 */
export function buildProposal(
  draft: ProposalDraft,
  now: number,
): { body: CreateProposalBody; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const title = draft.title.trim();
  if (!title) errors.title = t('Give the proposal a title.');
  else if (title.length > 200) errors.title = t('Keep the title to 200 characters.');
  const closesAt = fromLocalInput(draft.closesAt);
  if (!closesAt) errors.closesAt = t('Choose when voting closes.');
  else if (Date.parse(closesAt) <= now) errors.closesAt = t('Choose a closing time in the future.');
  const body: CreateProposalBody = {
    kind: draft.kind,
    title,
    details: draft.details,
    closesAt: closesAt ?? '',
    anonymous: draft.anonymous,
    resultsHiddenUntilClosed: draft.resultsHiddenUntilClosed,
    reasonRequired: draft.reasonRequired,
  };
  if (draft.kind !== 'proposal') {
    const meeting = draft.kind === 'meeting';
    const min = meeting ? 1 : 2;
    const options: { label: string; startsAt?: string }[] = [];
    const seen = new Map<string, number>();
    draft.options.forEach((o, i) => {
      const label = o.label.trim();
      if (!label)
        errors[`options.${i}.label`] = meeting
          ? t('Name this slot (e.g. "Tuesday evening").')
          : t('Fill in this option or remove it.');
      else if (label.length > 200) errors[`options.${i}.label`] = t('Keep options to 200 characters.');
      let startsAt: string | undefined;
      if (meeting) {
        startsAt = fromLocalInput(o.startsAt) ?? undefined;
        if (!startsAt) errors[`options.${i}.startsAt`] = t('Choose the date and time of this slot.');
      }
      const key = `${label.toLowerCase()}|${startsAt ?? ''}`;
      if (label && seen.has(key)) errors[`options.${i}.label`] = t('"{label}" is listed twice.', { label });
      seen.set(key, i);
      options.push(meeting ? { label, startsAt } : { label });
    });
    if (options.length < min) {
      errors.options = meeting
        ? t('Give at least {count, plural, one {# time slot} other {# time slots}}.', { count: min })
        : t('Give at least {count, plural, one {# option} other {# options}}.', { count: min });
    }
    if (options.length > 50) errors.options = t('Give at most {count} options.', { count: 50 });
    body.options = options;
  }
  if (draft.kind === 'poll') {
    const n = draft.options.length;
    const minC = wholeNumber(draft.minChoices, 1, 50);
    const maxC = wholeNumber(draft.maxChoices, 1, 50);
    if (minC === null) errors.minChoices = t('Use a whole number, 1 or more.');
    if (maxC === null) errors.maxChoices = t('Use a whole number, 1 or more.');
    else if (maxC > n)
      errors.maxChoices = t('Must not be more than the number of options ({count}).', { count: n });
    if (minC !== null && maxC !== null && minC > maxC)
      errors.minChoices = t('Must not be more than the maximum.');
    if (minC !== null) body.minChoices = minC;
    if (maxC !== null) body.maxChoices = maxC;
  }
  if (draft.kind === 'score') {
    const n = wholeNumber(draft.maxScore, 1, 100);
    if (n === null) errors.maxScore = t('Use a whole number from {min} to {max}.', { min: 1, max: 100 });
    else body.maxScore = n;
  }
  if (draft.kind === 'dot_vote') {
    const n = wholeNumber(draft.dotsPerVoter, 1, 10_000);
    if (n === null)
      errors.dotsPerVoter = t('Use a whole number from {min} to {max}.', { min: 1, max: 10_000 });
    else body.dotsPerVoter = n;
  }
  checkDecisionRules(draft, body, errors);
  return { body, errors };
}

/** Quorum and thresholds: each optional, each only where the kind has a use for it. */
function checkDecisionRules(draft: ProposalDraft, body: CreateProposalBody, errors: FieldErrors): void {
  const percent = (text: string, field: 'quorumPercent' | 'passPercent') => {
    if (!text.trim()) return;
    const n = wholeNumber(text, 1, 100);
    if (n === null)
      errors[field] = t('Use a whole number from {min} to {max}, or leave it empty.', { min: 1, max: 100 });
    else body[field] = n;
  };
  percent(draft.quorumPercent, 'quorumPercent');
  if (PASS_PERCENT_KINDS.includes(draft.kind)) percent(draft.passPercent, 'passPercent');
  if (draft.kind === 'proposal') body.blockVetoes = draft.blockVetoes;
}

/** The storage key of a thread's unsent proposal. */
export function proposalDraftKey(threadId: string): string {
  return `plenary:proposal-draft:${threadId}`;
}

/**
 * A stored draft read back: only what still has the draft's shape is taken,
 * over a fresh draft, so a draft kept by an older version of the form (or
 * edited by hand) cannot break it. Null when there is nothing worth restoring.
 */
export function restoreProposalDraft(stored: string, now: number): ProposalDraft | null {
  if (!stored) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const fresh = emptyProposalDraft(now);
  const draft: Record<string, unknown> = { ...fresh };
  for (const [key, value] of Object.entries(parsed)) {
    const expected = fresh[key as keyof ProposalDraft];
    if (expected === undefined) continue;
    if (key === 'options') {
      if (!Array.isArray(value)) continue;
      draft.options = value
        .filter((o) => typeof o === 'object' && o !== null)
        .map((o) => ({ label: String(o.label ?? ''), startsAt: String(o.startsAt ?? '') }));
    } else if (typeof value === typeof expected) draft[key] = value;
  }
  const restored = draft as unknown as ProposalDraft;
  return isUntouched(restored, fresh) ? null : restored;
}

/** Whether a draft holds nothing typed: not worth keeping or restoring. */
export function isUntouched(draft: ProposalDraft, fresh: ProposalDraft): boolean {
  return (
    !draft.title.trim() &&
    !draft.details.trim() &&
    draft.options.every((o) => !o.label.trim() && !o.startsAt) &&
    draft.kind === fresh.kind
  );
}
