/**
 * The ballot rules, shared by the server (which enforces them on `PUT /proposals/:id/vote`) and the
 * web client (which checks a ballot with them before sending it), so both refuse the same ballots
 * with the same words. Pure: no I/O, no Node or DOM APIs, and only the translator besides type
 * imports, so the client bundle takes just these functions.
 *
 * `validateBallot` checks a vote's `choices` against the proposal's kind, options and settings, and
 * returns them normalised for storage, or every problem found, each with a JSON pointer into the
 * request body (`/choices/2/rank`) and a sentence a voter can act on, in the language of the
 * translator passed last (English, the API's, by default).
 *
 * `choices` is taken as `unknown` so the rules hold whatever the transport layer let through.
 * Fields a kind does not use (a `rank` on a poll choice, say) are dropped, as the API ignores
 * fields it does not name; a field the kind needs must have the right JSON type (`"3"` is not 3).
 */

import { english, m, SOURCE_LOCALE, type Translator } from './i18n';
import type { Choice, ProposalKind, ProposalOption } from './schemas/proposals';

/** The fixed positions of a consent `proposal`, in the order they are shown. */
export const CONSENT_POSITIONS = ['agree', 'abstain', 'disagree', 'block'] as const;

/** One of the fixed positions of a consent `proposal`. */
export type ConsentPosition = (typeof CONSENT_POSITIONS)[number];

/** The API's defaults for the ballot settings a proposal may leave out. */
export const BALLOT_DEFAULTS = { minChoices: 1, maxChoices: 1, maxScore: 5, dotsPerVoter: 10 } as const;

/** An option as ballots and tallies need it; `startsAt` (ISO 8601) only matters for `meeting` slots. */
export type TallyOption = ProposalOption;

/** What a ballot is checked against and tallied by: the proposal's kind, options and settings. */
export interface BallotRules {
  kind: ProposalKind;
  options: TallyOption[];
  minChoices: number;
  maxChoices: number;
  maxScore: number;
  dotsPerVoter: number;
}

/** The rules of a proposal as the contract shows it (an API answer, an archive, a decision record). */
export function ballotRulesOf(p: {
  kind: ProposalKind;
  options: readonly ProposalOption[];
  minChoices: number;
  maxChoices: number;
  maxScore: number;
  dotsPerVoter: number;
}): BallotRules {
  return {
    kind: p.kind,
    options: p.options.map((o) => ({ id: o.id, label: o.label, startsAt: o.startsAt ?? null })),
    minChoices: p.minChoices,
    maxChoices: p.maxChoices,
    maxScore: p.maxScore,
    dotsPerVoter: p.dotsPerVoter,
  };
}

/** One problem with a ballot: where in the request body, and what is wrong there. */
export interface ValidationDetail {
  path: string;
  message: string;
}

/** Either the choices as they should be stored, or why they were refused. */
export type BallotValidation = { ok: true; choices: Choice[] } | { ok: false; details: ValidationDetail[] };

/** What `/reason` gets when a proposal asks for a reason and the vote gives none (in English: `tr.t(REASON_REQUIRED)`). */
export const REASON_REQUIRED = m('is required on this proposal');

/**
 * Whether a vote's reason counts as given: blank or whitespace-only is no reason. Returns the
 * reason to store (as sent) or null.
 */
export function givenReason(reason: string | null | undefined): string | null {
  return reason?.trim() ? reason : null;
}

/**
 * Checks a whole vote body: the reason a proposal may require (at `/reason`), then the choices
 * (`validateBallot`). Every problem is reported, not just the first.
 */
export function validateVote(
  proposal: BallotRules & { reasonRequired: boolean },
  body: { choices: unknown; reason?: string | null },
  tr: Translator = english,
): BallotValidation {
  const reasonMissing = proposal.reasonRequired && givenReason(body.reason) === null;
  const checked = validateBallot(proposal, body.choices, tr);
  if (!reasonMissing) return checked;
  const details = [{ path: '/reason', message: tr.t(REASON_REQUIRED) }];
  return refuse(checked.ok ? details : [...details, ...checked.details]);
}

const ROOT = '/choices';

/** The numeric field each kind reads from a choice, if any. */
const VALUE_FIELD: Record<ProposalKind, 'score' | 'rank' | null> = {
  proposal: null,
  poll: null,
  score: 'score',
  dot_vote: 'score',
  ranked_choice: 'rank',
  meeting: 'score',
};

interface Entry {
  at: number;
  option: number;
  value: number | undefined;
}

/**
 * Validates a ballot's `choices` for `proposal` (its kind, options and ballot settings). On success
 * the choices come back with only the fields the kind uses, in option order (by rank for
 * `ranked_choice`).
 */
export function validateBallot(
  proposal: BallotRules,
  choices: unknown,
  tr: Translator = english,
): BallotValidation {
  if (!Array.isArray(choices)) return refuse([{ path: ROOT, message: tr.t('choices must be a list') }]);

  const details: ValidationDetail[] = [];
  const optionIndex = new Map(proposal.options.map((option, i) => [option.id, i] as const));
  const field = VALUE_FIELD[proposal.kind];
  const entries: Entry[] = [];
  const firstEntryOf = new Map<number, number>();

  choices.forEach((raw: unknown, at) => {
    const path = `${ROOT}/${at}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      details.push({ path, message: tr.t('each choice must be an object with an optionId') });
      return;
    }
    const choice = raw as Record<string, unknown>;
    const option = readOptionId(choice.optionId, path, optionIndex, details, tr);
    const value = field
      ? readValue(proposal, field, choice[field], `${path}/${field}`, details, tr)
      : undefined;
    if (option === undefined) return;
    if (firstEntryOf.has(option)) {
      const label = quote(proposal.options[option].label);
      details.push({
        path: `${path}/optionId`,
        message: tr.t('option {label} is listed more than once', { label }),
      });
      return;
    }
    firstEntryOf.set(option, at);
    entries.push({ at, option, value });
  });

  checkChoiceCount(proposal, choices.length, entries, details, tr);
  if (details.length > 0) return refuse(details);
  return { ok: true, choices: normalise(proposal, entries) };
}

function refuse(details: ValidationDetail[]): BallotValidation {
  return { ok: false, details };
}

/** Quotes user text in a message, cut short so a 100 KB id cannot become a 100 KB error. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** "A", "A and B", "A, B and C" ("A, B y C"): English keeps its own style, no comma before "and". */
function listText(items: string[], tr: Translator): string {
  if (tr.locale !== SOURCE_LOCALE) return tr.list(items);
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function listLabels(labels: string[], tr: Translator): string {
  const shown = labels.slice(0, 3).map(quote);
  if (labels.length > 3) {
    return tr.t('{labels} and {count} more', { labels: shown.join(', '), count: labels.length - 3 });
  }
  return listText(shown, tr);
}

function readOptionId(
  optionId: unknown,
  path: string,
  optionIndex: Map<string, number>,
  details: ValidationDetail[],
  tr: Translator,
): number | undefined {
  if (optionId === undefined) {
    details.push({ path: `${path}/optionId`, message: tr.t('optionId is required') });
    return undefined;
  }
  if (typeof optionId !== 'string') {
    details.push({ path: `${path}/optionId`, message: tr.t('optionId must be a string') });
    return undefined;
  }
  const option = optionIndex.get(optionId);
  if (option === undefined) {
    details.push({
      path: `${path}/optionId`,
      message: tr.t('{id} is not an option of this proposal', { id: quote(optionId) }),
    });
  }
  return option;
}

function readValue(
  proposal: BallotRules,
  field: 'score' | 'rank',
  value: unknown,
  path: string,
  details: ValidationDetail[],
  tr: Translator,
): number | undefined {
  const score = field === 'score';
  if (value === undefined) {
    details.push({ path, message: score ? tr.t('score is required') : tr.t('rank is required') });
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    details.push({ path, message: score ? tr.t('score must be a number') : tr.t('rank must be a number') });
    return undefined;
  }
  if (!Number.isInteger(value)) {
    details.push({
      path,
      message: score ? tr.t('score must be a whole number') : tr.t('rank must be a whole number'),
    });
    return undefined;
  }
  const problem = rangeProblem(proposal, value, tr);
  if (problem) {
    details.push({ path, message: problem });
    return undefined;
  }
  // JSON has -0; storing it would print as 0 anyway, but keep equality checks simple.
  return value === 0 ? 0 : value;
}

function rangeProblem(proposal: BallotRules, value: number, tr: Translator): string | null {
  switch (proposal.kind) {
    case 'score':
      return value < 0 || value > proposal.maxScore
        ? tr.t('score must be between 0 and {max}', { max: proposal.maxScore })
        : null;
    case 'dot_vote':
      return value < 0 ? tr.t('score must be 0 or more (it is a number of dots)') : null;
    case 'meeting':
      return value === 0 || value === 1 || value === 2
        ? null
        : tr.t('score must be 2 (yes), 1 (if need be) or 0 (no)');
    case 'ranked_choice':
      if (value < 1) return tr.t('rank must be 1 or more');
      return value > proposal.options.length
        ? tr.t('rank must be at most {max}, the number of options', { max: proposal.options.length })
        : null;
    default:
      return null;
  }
}

function checkChoiceCount(
  proposal: BallotRules,
  listed: number,
  entries: Entry[],
  details: ValidationDetail[],
  tr: Translator,
): void {
  switch (proposal.kind) {
    case 'proposal':
      if (listed === 0) details.push({ path: ROOT, message: tr.t('choose one position') });
      else if (listed > 1) {
        details.push({
          path: ROOT,
          message: tr.t('choose only one position, not {count}', { count: listed }),
        });
      }
      return;
    case 'poll':
      checkPollCount(proposal, listed, details, tr);
      return;
    case 'score':
    case 'meeting': {
      const missing = missingLabels(proposal.options, entries);
      if (missing.length === 0) return;
      const labels = listLabels(missing, tr);
      const message =
        proposal.kind === 'score'
          ? tr.t('every option needs a score: missing for {labels}', { labels })
          : tr.t('every time slot needs an answer: missing for {labels}', { labels });
      details.push({ path: ROOT, message });
      return;
    }
    case 'dot_vote':
      checkDots(proposal, listed, entries, details, tr);
      return;
    case 'ranked_choice':
      checkRanks(listed, entries, details, tr);
      return;
  }
}

function checkPollCount(
  proposal: BallotRules,
  listed: number,
  details: ValidationDetail[],
  tr: Translator,
): void {
  const { minChoices, maxChoices } = proposal;
  let message: string | null = null;
  if (minChoices === maxChoices && listed !== minChoices) {
    message = tr.t('choose exactly {count, plural, one {one option} other {# options}}, not {listed}', {
      count: minChoices,
      listed,
    });
  } else if (listed < minChoices) {
    message = tr.t('choose at least {count, plural, one {# option} other {# options}}, not {listed}', {
      count: minChoices,
      listed,
    });
  } else if (listed > maxChoices) {
    message = tr.t('choose at most {count, plural, one {# option} other {# options}}, not {listed}', {
      count: maxChoices,
      listed,
    });
  }
  if (message) details.push({ path: ROOT, message });
}

/** The labels of the options no entry answers, in option order. */
function missingLabels(options: TallyOption[], entries: Entry[]): string[] {
  const present = new Set(entries.map((entry) => entry.option));
  return options.filter((_, i) => !present.has(i)).map((option) => option.label);
}

function checkDots(
  proposal: BallotRules,
  listed: number,
  entries: Entry[],
  details: ValidationDetail[],
  tr: Translator,
): void {
  if (listed === 0) {
    details.push({ path: ROOT, message: tr.t('place your dots on at least one option') });
    return;
  }
  // Only meaningful once every score is a valid count; otherwise the per-choice errors say enough.
  if (entries.some((entry) => entry.value === undefined)) return;
  const used = entries.reduce((sum, entry) => sum + (entry.value as number), 0);
  if (used > proposal.dotsPerVoter) {
    details.push({
      path: ROOT,
      message: tr.t('these dots add up to {used}, but each voter has only {total}', {
        used,
        total: proposal.dotsPerVoter,
      }),
    });
  }
}

function checkRanks(listed: number, entries: Entry[], details: ValidationDetail[], tr: Translator): void {
  if (listed === 0) {
    details.push({ path: ROOT, message: tr.t('rank at least one option') });
    return;
  }
  const positionsByRank = new Map<number, number[]>();
  for (const entry of entries) {
    if (entry.value === undefined) continue;
    const positions = positionsByRank.get(entry.value) ?? [];
    positions.push(entry.at);
    positionsByRank.set(entry.value, positions);
  }
  const ranks = [...positionsByRank.keys()].sort((a, b) => a - b);
  for (const rank of ranks) {
    const positions = positionsByRank.get(rank) as number[];
    if (positions.length < 2) continue;
    details.push({
      path: `${ROOT}/${positions[1]}/rank`,
      message: tr.t('{count, plural, =2 {rank {rank} is used twice} other {rank {rank} is used # times}}', {
        count: positions.length,
        rank,
      }),
    });
  }
  const highest = ranks.length > 0 ? ranks[ranks.length - 1] : 0;
  const missing: number[] = [];
  for (let rank = 1; rank < highest; rank++) if (!positionsByRank.has(rank)) missing.push(rank);
  if (missing.length > 0) {
    const message =
      missing.length === 1
        ? tr.t('rank {rank} is missing: ranks must count up from 1 without gaps', { rank: missing[0] })
        : tr.t('ranks {ranks} are missing: ranks must count up from 1 without gaps', {
            ranks: listText(missing.map(String), tr),
          });
    details.push({ path: ROOT, message });
  }
}

function normalise(proposal: BallotRules, entries: Entry[]): Choice[] {
  const optionId = (entry: Entry) => proposal.options[entry.option].id;
  switch (VALUE_FIELD[proposal.kind]) {
    case 'rank':
      return [...entries]
        .sort((a, b) => (a.value as number) - (b.value as number))
        .map((entry) => ({ optionId: optionId(entry), rank: entry.value as number }));
    case 'score':
      return [...entries]
        .sort((a, b) => a.option - b.option)
        .map((entry) => ({ optionId: optionId(entry), score: entry.value as number }));
    default:
      return [...entries].sort((a, b) => a.option - b.option).map((entry) => ({ optionId: optionId(entry) }));
  }
}
