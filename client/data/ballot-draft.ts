/**
 * The vote form's data: a ballot draft (what the voter has filled in), its
 * request body checked by the server's own rules (shared/ballot.ts), the
 * server's errors placed beside the fields, ranking moves, and a vote in
 * words, in the reader's language. Pure: no DOM, no I/O.
 */
import { validateVote } from '../../shared/ballot';
import { labelled } from '../../shared/result-text';
import { t, translator } from '../i18n';
import type { ErrorDetail, FieldErrors } from './api';
import { meetingAnswerLabel, optionLabel } from './proposal-labels';
import type { Choice, Proposal, Vote, VoteBody } from './proposals';

/**
 * What a voter has filled in so far, whatever the kind: `selected` for
 * consent and poll, `values` (option id → score, dots or meeting answer) for
 * score, dot vote and meeting, `order` (ranked option ids, best first) for
 * ranked choice. Options absent from `order` are left unranked.
 */
export interface BallotDraft {
  selected: string[];
  values: Record<string, number | null>;
  order: string[];
  reason: string;
}

/** A draft holding the caller's current vote, or an empty one. */
export function draftFromVote(
  p: Pick<Proposal, 'kind' | 'options'>,
  vote: Vote | null | undefined,
): BallotDraft {
  const draft: BallotDraft = { selected: [], values: {}, order: [], reason: vote?.reason ?? '' };
  const choices = vote?.choices ?? [];
  switch (p.kind) {
    case 'proposal':
    case 'poll':
      draft.selected = choices.map((c) => c.optionId);
      break;
    case 'ranked_choice':
      draft.order = [...choices].sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0)).map((c) => c.optionId);
      break;
    case 'dot_vote':
      for (const o of p.options) draft.values[o.id] = 0;
      for (const c of choices) draft.values[c.optionId] = c.score ?? 0;
      break;
    default:
      for (const o of p.options) draft.values[o.id] = null;
      for (const c of choices) draft.values[c.optionId] = c.score ?? null;
  }
  return draft;
}

/** The field key of one option's control in a ballot's errors. */
export const optionKey = (optionId: string) => `option.${optionId}`;

/** Dots placed so far in a dot-vote draft. */
export function dotsUsed(draft: Pick<BallotDraft, 'values'>): number {
  return Object.values(draft.values).reduce<number>(
    (sum, v) => sum + (typeof v === 'number' && v > 0 ? v : 0),
    0,
  );
}

/** "3 of 10 dots left". */
export function dotsLeftText(used: number, total: number): string {
  const left = total - used;
  if (left < 0) {
    return t('{count, plural, one {# dot} other {# dots}} too many (you have {total})', {
      count: -left,
      total,
    });
  }
  return t('{left} of {total, plural, one {# dot} other {# dots}} left', { left, total });
}

/** What the poll asks for: "Choose one option.", "Choose 1 to 3 options." */
export function pollInstruction(min: number, max: number): string {
  if (min === max) {
    return min === 1 ? t('Choose one option.') : t('Choose exactly {count} options.', { count: min });
  }
  return t('Choose {min} to {max} options.', { min, max });
}

/** What checking a ballot needs to know of its proposal. */
export type BallotProposal = Pick<
  Proposal,
  'kind' | 'options' | 'minChoices' | 'maxChoices' | 'maxScore' | 'dotsPerVoter' | 'reasonRequired'
>;

/**
 * The server's own check of a vote body (`validateVote`, shared/ballot.ts): the problems as the
 * API's 400 `details` would list them, with the same paths and words (in the reader's language);
 * empty when the server would take the ballot. The vote form runs it (through {@link buildBallot})
 * before sending anything.
 */
export function checkBallot(p: BallotProposal, body: VoteBody): ErrorDetail[] {
  const checked = validateVote(p, body, translator());
  return checked.ok ? [] : checked.details;
}

/**
 * Turns a draft into the request body and checks it with the server's rules ({@link checkBallot}),
 * so slips are shown beside the field before any request, in the words the server would use.
 * `errors` is keyed `choices` (the ballot as a whole), `reason`, or {@link optionKey}; `warning`
 * flags a block without a reason (allowed, but a block should say why).
 */
export function buildBallot(
  p: BallotProposal,
  draft: BallotDraft,
): { body: VoteBody; errors: FieldErrors; warning: string | null } {
  const ids = new Set(p.options.map((o) => o.id));
  // Whatever the voter entered goes into the body, out-of-range numbers included: the check
  // then names each slip exactly as the server would.
  const answered = p.options.flatMap((o) => {
    const v = draft.values[o.id];
    return v === null || v === undefined || Number.isNaN(v) ? [] : [{ optionId: o.id, score: v }];
  });
  let choices: Choice[];
  switch (p.kind) {
    case 'proposal':
      choices = draft.selected.filter((id) => ids.has(id)).map((optionId) => ({ optionId }));
      break;
    case 'poll':
      choices = p.options.filter((o) => draft.selected.includes(o.id)).map((o) => ({ optionId: o.id }));
      break;
    case 'ranked_choice':
      choices = draft.order
        .filter((id, i) => ids.has(id) && draft.order.indexOf(id) === i)
        .map((optionId, i) => ({ optionId, rank: i + 1 }));
      break;
    case 'dot_vote':
      // An empty dot field is no dots, and an option with no dots is left out of the ballot.
      choices = answered.filter((c) => c.score !== 0);
      break;
    case 'score':
    case 'meeting':
      // An empty field is no answer: the check names the options still missing one.
      choices = answered;
      break;
  }
  const reason = draft.reason.trim();
  const body: VoteBody = { choices, reason: reason ? draft.reason : null };
  const errors = ballotErrors(checkBallot(p, body), choices);
  // On score and meeting ballots the only whole-ballot problem is an option left without an answer:
  // show it beside each empty field, where the voter has to act.
  const unanswered = p.options.filter((o) => !answered.some((c) => c.optionId === o.id));
  if ((p.kind === 'score' || p.kind === 'meeting') && errors.choices && unanswered.length > 0) {
    for (const o of unanswered) errors[optionKey(o.id)] = errors.choices;
    delete errors.choices;
  }
  const warning =
    p.kind === 'proposal' && draft.selected.includes('block') && !reason
      ? t('A block stops the proposal. Please say why, so the group can address it.')
      : null;
  return { body, errors, warning };
}

/**
 * Places the server's `details` beside the ballot's fields: `/reason` →
 * `reason`, `/choices/3/score` → the option the 4th choice named, anything
 * else on `choices`.
 */
export function ballotErrors(details: ErrorDetail[], sent: Choice[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const d of details) {
    const message = sentence(d.message);
    if (d.path === '/reason') errors.reason ??= message;
    else {
      const m = /^\/choices\/(\d+)/.exec(d.path);
      const choice = m ? sent[Number(m[1])] : undefined;
      const key = choice ? optionKey(choice.optionId) : 'choices';
      errors[key] = errors[key] ? `${errors[key]} ${message}` : message;
    }
  }
  return errors;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  return trimmed[0]!.toUpperCase() + trimmed.slice(1) + (/[.!?]$/.test(trimmed) ? '' : '.');
}

/** Moves `id` by `delta` places in a ranking (clamped); returns a new array. */
export function moveRanked(order: string[], id: string, delta: number): string[] {
  const from = order.indexOf(id);
  if (from < 0) return order;
  const to = Math.max(0, Math.min(order.length - 1, from + delta));
  if (to === from) return order;
  const next = [...order];
  next.splice(from, 1);
  next.splice(to, 0, id);
  return next;
}

/** Adds `id` to the end of a ranking, or takes it out. */
export function toggleRanked(order: string[], id: string): string[] {
  return order.includes(id) ? order.filter((x) => x !== id) : [...order, id];
}

/** "1st", "2nd", "3rd", "11th", "22nd" ("1.º" in Spanish). */
export function ordinal(n: number): string {
  return t('{n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}', { n });
}

/** A vote in words: "Agree", "Option A, Option C", "1. Pears 2. Apples", "Apples 4, Pears 2". */
export function describeChoices(p: Pick<Proposal, 'kind' | 'options'>, choices: Choice[]): string {
  const label = (id: string) => optionLabel(p, id);
  switch (p.kind) {
    case 'ranked_choice':
      return [...choices]
        .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0))
        .map((c) => `${c.rank}. ${label(c.optionId)}`)
        .join('  ');
    case 'score':
      return choices.map((c) => labelled(label(c.optionId), String(c.score))).join(', ');
    case 'dot_vote':
      return choices
        .filter((c) => (c.score ?? 0) > 0)
        .map((c) =>
          labelled(
            label(c.optionId),
            t('{count, plural, one {# dot} other {# dots}}', { count: c.score ?? 0 }),
          ),
        )
        .join(', ');
    case 'meeting':
      return choices.map((c) => labelled(label(c.optionId), meetingAnswerLabel(c.score))).join(', ');
    default:
      return choices.map((c) => label(c.optionId)).join(', ');
  }
}
