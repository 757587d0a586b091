/**
 * The ballot rules, shared by the server (which enforces them on `PUT /proposals/:id/vote`) and the
 * web client (which checks a ballot with them before sending it), so both refuse the same ballots
 * with the same words. Pure: no I/O, no Node or DOM APIs, and only type imports, so the client
 * bundle takes just these functions.
 *
 * `validateBallot` checks a vote's `choices` against the proposal's kind, options and settings, and
 * returns them normalised for storage, or every problem found, each with a JSON pointer into the
 * request body (`/choices/2/rank`) and a sentence a voter can act on.
 *
 * `choices` is taken as `unknown` so the rules hold whatever the transport layer let through.
 * Fields a kind does not use (a `rank` on a poll choice, say) are dropped, as the API ignores
 * fields it does not name; a field the kind needs must have the right JSON type (`"3"` is not 3).
 */

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

/** What `/reason` gets when a proposal asks for a reason and the vote gives none. */
export const REASON_REQUIRED = 'is required on this proposal';

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
): BallotValidation {
  const reasonMissing = proposal.reasonRequired && givenReason(body.reason) === null;
  const checked = validateBallot(proposal, body.choices);
  if (!reasonMissing) return checked;
  const details = [{ path: '/reason', message: REASON_REQUIRED }];
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
export function validateBallot(proposal: BallotRules, choices: unknown): BallotValidation {
  if (!Array.isArray(choices)) return refuse([{ path: ROOT, message: 'choices must be a list' }]);

  const details: ValidationDetail[] = [];
  const optionIndex = new Map(proposal.options.map((option, i) => [option.id, i] as const));
  const field = VALUE_FIELD[proposal.kind];
  const entries: Entry[] = [];
  const firstEntryOf = new Map<number, number>();

  choices.forEach((raw: unknown, at) => {
    const path = `${ROOT}/${at}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      details.push({ path, message: 'each choice must be an object with an optionId' });
      return;
    }
    const choice = raw as Record<string, unknown>;
    const option = readOptionId(choice.optionId, path, optionIndex, details);
    const value = field ? readValue(proposal, field, choice[field], `${path}/${field}`, details) : undefined;
    if (option === undefined) return;
    if (firstEntryOf.has(option)) {
      const label = proposal.options[option].label;
      details.push({ path: `${path}/optionId`, message: `option ${quote(label)} is listed more than once` });
      return;
    }
    firstEntryOf.set(option, at);
    entries.push({ at, option, value });
  });

  checkChoiceCount(proposal, choices.length, entries, details);
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

function listLabels(labels: string[]): string {
  const shown = labels.slice(0, 3).map(quote);
  if (labels.length > 3) return `${shown.join(', ')} and ${labels.length - 3} more`;
  if (shown.length === 1) return shown[0];
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function readOptionId(
  optionId: unknown,
  path: string,
  optionIndex: Map<string, number>,
  details: ValidationDetail[],
): number | undefined {
  if (optionId === undefined) {
    details.push({ path: `${path}/optionId`, message: 'optionId is required' });
    return undefined;
  }
  if (typeof optionId !== 'string') {
    details.push({ path: `${path}/optionId`, message: 'optionId must be a string' });
    return undefined;
  }
  const option = optionIndex.get(optionId);
  if (option === undefined) {
    details.push({
      path: `${path}/optionId`,
      message: `${quote(optionId)} is not an option of this proposal`,
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
): number | undefined {
  if (value === undefined) {
    details.push({ path, message: `${field} is required` });
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    details.push({ path, message: `${field} must be a number` });
    return undefined;
  }
  if (!Number.isInteger(value)) {
    details.push({ path, message: `${field} must be a whole number` });
    return undefined;
  }
  const problem = rangeProblem(proposal, value);
  if (problem) {
    details.push({ path, message: problem });
    return undefined;
  }
  // JSON has -0; storing it would print as 0 anyway, but keep equality checks simple.
  return value === 0 ? 0 : value;
}

function rangeProblem(proposal: BallotRules, value: number): string | null {
  switch (proposal.kind) {
    case 'score':
      return value < 0 || value > proposal.maxScore
        ? `score must be between 0 and ${proposal.maxScore}`
        : null;
    case 'dot_vote':
      return value < 0 ? 'score must be 0 or more (it is a number of dots)' : null;
    case 'meeting':
      return value === 0 || value === 1 || value === 2
        ? null
        : 'score must be 2 (yes), 1 (if need be) or 0 (no)';
    case 'ranked_choice':
      if (value < 1) return 'rank must be 1 or more';
      return value > proposal.options.length
        ? `rank must be at most ${proposal.options.length}, the number of options`
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
): void {
  switch (proposal.kind) {
    case 'proposal':
      if (listed === 0) details.push({ path: ROOT, message: 'choose one position' });
      else if (listed > 1) details.push({ path: ROOT, message: `choose only one position, not ${listed}` });
      return;
    case 'poll':
      checkPollCount(proposal, listed, details);
      return;
    case 'score':
      checkEveryOption(proposal.options, entries, 'every option needs a score', details);
      return;
    case 'meeting':
      checkEveryOption(proposal.options, entries, 'every time slot needs an answer', details);
      return;
    case 'dot_vote':
      checkDots(proposal, listed, entries, details);
      return;
    case 'ranked_choice':
      checkRanks(listed, entries, details);
      return;
  }
}

function checkPollCount(proposal: BallotRules, listed: number, details: ValidationDetail[]): void {
  const { minChoices, maxChoices } = proposal;
  let message: string | null = null;
  if (minChoices === maxChoices && listed !== minChoices) {
    message = `choose exactly ${minChoices === 1 ? 'one option' : plural(minChoices, 'option')}, not ${listed}`;
  } else if (listed < minChoices) {
    message = `choose at least ${plural(minChoices, 'option')}, not ${listed}`;
  } else if (listed > maxChoices) {
    message = `choose at most ${plural(maxChoices, 'option')}, not ${listed}`;
  }
  if (message) details.push({ path: ROOT, message });
}

function checkEveryOption(
  options: TallyOption[],
  entries: Entry[],
  rule: string,
  details: ValidationDetail[],
): void {
  const present = new Set(entries.map((entry) => entry.option));
  const missing = options.filter((_, i) => !present.has(i)).map((option) => option.label);
  if (missing.length > 0)
    details.push({ path: ROOT, message: `${rule}: missing for ${listLabels(missing)}` });
}

function checkDots(
  proposal: BallotRules,
  listed: number,
  entries: Entry[],
  details: ValidationDetail[],
): void {
  if (listed === 0) {
    details.push({ path: ROOT, message: 'place your dots on at least one option' });
    return;
  }
  // Only meaningful once every score is a valid count; otherwise the per-choice errors say enough.
  if (entries.some((entry) => entry.value === undefined)) return;
  const used = entries.reduce((sum, entry) => sum + (entry.value as number), 0);
  if (used > proposal.dotsPerVoter) {
    details.push({
      path: ROOT,
      message: `these dots add up to ${used}, but each voter has only ${proposal.dotsPerVoter}`,
    });
  }
}

function checkRanks(listed: number, entries: Entry[], details: ValidationDetail[]): void {
  if (listed === 0) {
    details.push({ path: ROOT, message: 'rank at least one option' });
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
    const times = positions.length === 2 ? 'twice' : `${positions.length} times`;
    details.push({ path: `${ROOT}/${positions[1]}/rank`, message: `rank ${rank} is used ${times}` });
  }
  const highest = ranks.length > 0 ? ranks[ranks.length - 1] : 0;
  const missing: number[] = [];
  for (let rank = 1; rank < highest; rank++) if (!positionsByRank.has(rank)) missing.push(rank);
  if (missing.length > 0) {
    const which =
      missing.length === 1
        ? `rank ${missing[0]} is missing`
        : `ranks ${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]} are missing`;
    details.push({ path: ROOT, message: `${which}: ranks must count up from 1 without gaps` });
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
