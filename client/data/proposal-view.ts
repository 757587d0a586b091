/**
 * Pure helpers for showing proposals and building ballots: labels, the
 * countdown, pie geometry, result rows, the instant-runoff table, ballot
 * drafts and their check by the server's own rules (shared/ballot.ts). No DOM, no I/O,
 * no clock (callers pass `now`): unit-tested in test/client/proposal-view.test.ts.
 */
import { CONSENT_POSITIONS, type ConsentPosition, validateVote } from '../../shared/ballot';
import type { ErrorDetail, FieldErrors } from './api';
import type {
  Choice,
  CreateProposalBody,
  OptionResult,
  Proposal,
  ProposalKind,
  Results,
  Vote,
  VoteBody,
} from './proposals';

// ---------------------------------------------------------------- labels

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

export const CONSENT_LABELS: Record<ConsentId, string> = {
  agree: 'Agree',
  abstain: 'Abstain',
  disagree: 'Disagree',
  block: 'Block',
};

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
export function optionLabel(p: Pick<Proposal, 'kind' | 'options'>, optionId: string): string {
  if (p.kind === 'proposal' && optionId in CONSENT_LABELS) return CONSENT_LABELS[optionId as ConsentId];
  return p.options.find((o) => o.id === optionId)?.label ?? 'Removed option';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "60%", "33.3%": at most one decimal, no trailing zero. */
export function percentText(percent: number): string {
  const rounded = Math.round(percent * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}

// ---------------------------------------------------------------- time

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long until voting closes, as a person says it: "closes in 2 days 3 h",
 * "closes in 4 h 10 min", "closes in 5 min", "closes in less than a minute",
 * "closing now" (past `closesAt`, about to close by itself), or "closed".
 */
export function countdownText(closesAt: string, closedAt: string | null, now: number): string {
  if (closedAt) return 'closed';
  const ms = Date.parse(closesAt) - now;
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return 'closing now';
  if (ms < MINUTE) return 'closes in less than a minute';
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (days > 0) return `closes in ${plural(days, 'day')}${hours > 0 ? ` ${hours} h` : ''}`;
  if (hours > 0) return `closes in ${hours} h${minutes > 0 ? ` ${minutes} min` : ''}`;
  return `closes in ${minutes} min`;
}

/** How soon the countdown text may change: re-render after this many ms. */
export function countdownTick(closesAt: string, now: number): number {
  const ms = Date.parse(closesAt) - now;
  if (Number.isNaN(ms) || ms > DAY) return 5 * MINUTE;
  if (ms > HOUR) return MINUTE;
  return 10_000;
}

/** "12 of 20 members have voted" (or "voted", once closed). */
export function participationText(voterCount: number, eligibleCount: number, closed: boolean): string {
  const members = eligibleCount === 1 ? 'member' : 'members';
  const verb = closed ? 'voted' : voterCount === 1 && eligibleCount === 1 ? 'has voted' : 'have voted';
  return `${voterCount} of ${eligibleCount} ${members} ${verb}`;
}

/** A date-time in the reader's zone: "Tue 4 Mar, 14:00", with the year when it is not this one. */
export function formatDateTime(
  iso: string,
  options: { locale?: string; timeZone?: string; now?: number } = {},
): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameYear = date.getUTCFullYear() === new Date(options.now ?? Date.now()).getUTCFullYear();
  return new Intl.DateTimeFormat(options.locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: sameYear ? undefined : 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: options.timeZone,
  }).format(date);
}

/** A `YYYY-MM-DD` date (an outcome's review date) as "4 March 2026". */
export function formatDay(day: string, locale?: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(date);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A Date as an `<input type="datetime-local">` value in local time (`2026-03-04T14:00`). */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** An `<input type="datetime-local">` value (local time) as an ISO timestamp, or null when empty or malformed. */
export function fromLocalInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const date = new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The default closing time of a new proposal: a week from now, on the hour. */
export function defaultClosingInput(now: number): string {
  const date = new Date(now + 7 * DAY);
  date.setMinutes(0, 0, 0);
  date.setHours(date.getHours() + 1);
  return toLocalInput(date);
}

// ---------------------------------------------------------------- pie

/** One slice of a pie chart. */
export interface PieSlice {
  id: string;
  value: number;
  /** Share of the total, 0–1. */
  fraction: number;
  /** SVG path `d`: a wedge, or a full circle for a slice that is the whole pie. */
  path: string;
  /** Where a label inside the slice would sit. */
  labelX: number;
  labelY: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Wedges for `items` on a circle of radius `r` centred at (`cx`, `cy`),
 * starting at 12 o'clock and going clockwise. Items worth 0 get no slice; no
 * slices at all when everything is 0.
 */
export function pieSlices(items: { id: string; value: number }[], r: number, cx = r, cy = r): PieSlice[] {
  const total = items.reduce((sum, item) => sum + Math.max(0, item.value), 0);
  if (total <= 0) return [];
  const point = (angle: number, radius = r) =>
    [round3(cx + radius * Math.sin(angle)), round3(cy - radius * Math.cos(angle))] as const;
  const slices: PieSlice[] = [];
  let start = 0;
  for (const item of items) {
    if (item.value <= 0) continue;
    const fraction = item.value / total;
    const end = start + fraction * 2 * Math.PI;
    const [lx, ly] = point((start + end) / 2, r * 0.62);
    let path: string;
    if (fraction >= 1 - 1e-9) {
      // An arc cannot start and end at the same point: two half circles.
      path = `M ${cx} ${cy - r} A ${r} ${r} 0 1 1 ${cx} ${cy + r} A ${r} ${r} 0 1 1 ${cx} ${cy - r} Z`;
    } else {
      const [x0, y0] = point(start);
      const [x1, y1] = point(end);
      const large = end - start > Math.PI ? 1 : 0;
      path = `M ${cx} ${cy} L ${x0} ${y0} A ${r} ${r} 0 ${large} 1 ${x1} ${y1} Z`;
    }
    slices.push({ id: item.id, value: item.value, fraction, path, labelX: lx, labelY: ly });
    start = end;
  }
  return slices;
}

// ---------------------------------------------------------------- results

/** One bar of a result: what it stands for and the words that go with it. */
export interface ResultRow {
  optionId: string;
  label: string;
  /** The bar's length, 0–1 of the longest. */
  share: number;
  /** The meeting kind's if-need-be part, 0–1 of the longest, drawn after `share`. */
  maybeShare?: number;
  /** "7 votes · 35%", "Total 23 · mean 3.8", "9 dots", "4 yes · 2 if need be". */
  text: string;
  winner: boolean;
}

/** Rows for the bar chart of any kind but consent, in option order. */
export function resultRows(p: Pick<Proposal, 'kind' | 'options'>, results: Results): ResultRow[] {
  const byId = new Map(results.options.map((o) => [o.optionId, o]));
  const ids = p.options.map((o) => o.id);
  const of = (id: string): OptionResult => byId.get(id) ?? { optionId: id, count: 0, score: 0, percent: 0 };
  const winners = new Set(
    p.kind === 'meeting' && results.bestSlotId ? [results.bestSlotId] : results.winnerIds,
  );
  const value = (r: OptionResult) => {
    if (p.kind === 'meeting') return (r.yesCount ?? 0) + (r.maybeCount ?? 0);
    if (p.kind === 'score' || p.kind === 'dot_vote') return r.score;
    return r.count;
  };
  const max = Math.max(0, ...ids.map((id) => value(of(id))));
  return ids.map((id) => {
    const r = of(id);
    const base = { optionId: id, label: optionLabel(p, id), winner: winners.has(id) };
    switch (p.kind) {
      case 'score':
        return {
          ...base,
          share: max > 0 ? r.score / max : 0,
          text: `Total ${r.score} · mean ${(r.mean ?? 0).toFixed(1)}`,
        };
      case 'dot_vote':
        return { ...base, share: max > 0 ? r.score / max : 0, text: plural(r.score, 'dot') };
      case 'meeting': {
        const yes = r.yesCount ?? 0;
        const maybe = r.maybeCount ?? 0;
        return {
          ...base,
          share: max > 0 ? yes / max : 0,
          maybeShare: max > 0 ? maybe / max : 0,
          text: `${yes} yes · ${maybe} if need be`,
        };
      }
      default:
        return {
          ...base,
          share: max > 0 ? r.count / max : 0,
          text: `${plural(r.count, 'vote')} · ${percentText(r.percent)}`,
        };
    }
  });
}

/** Consent results as pie items and legend lines, in the fixed order. */
export function consentRows(
  results: Results,
): { id: ConsentId; label: string; count: number; percent: number }[] {
  return CONSENT_IDS.map((id) => {
    const r = results.options.find((o) => o.optionId === id);
    return { id, label: CONSENT_LABELS[id], count: r?.count ?? 0, percent: r?.percent ?? 0 };
  });
}

/** The results in one line, labels not colours: "Agree 3 (75%) · Block 1 (25%)", "Tea: 2 votes · 50% · …". */
export function resultsSummary(p: Pick<Proposal, 'kind' | 'options'>, results: Results): string {
  if (p.kind === 'proposal') {
    return consentRows(results)
      .filter((r) => r.count > 0)
      .map((r) => `${r.label} ${r.count} (${percentText(r.percent)})`)
      .join(' · ');
  }
  return resultRows(p, results)
    .map((r) => `${r.label}: ${r.text}`)
    .join('; ');
}

/** "Leading: Agree", "Winner: Option B", "Tied: A / B", or "" with no votes. */
export function winnerText(p: Pick<Proposal, 'kind' | 'options' | 'closedAt'>, results: Results): string {
  const ids = p.kind === 'meeting' && results.bestSlotId ? [results.bestSlotId] : results.winnerIds;
  if (ids.length === 0) return '';
  const names = ids.map((id) => optionLabel(p, id)).join(' / ');
  if (ids.length > 1) return `Tied: ${names}`;
  if (p.kind === 'meeting') return `${p.closedAt ? 'Best slot' : 'Best so far'}: ${names}`;
  return `${p.closedAt ? 'Result' : 'Leading'}: ${names}`;
}

/** The instant-runoff table: one row per option, one cell per round. */
export interface IrvTable {
  rounds: number;
  rows: {
    optionId: string;
    label: string;
    /** Votes in each round; null once the option is out. */
    counts: (number | null)[];
    /** The round (0-based) at whose end it was eliminated; null if it never was. */
    eliminatedIn: number | null;
    winner: boolean;
    borda: number;
  }[];
  /** Ballots with no continuing option left, per round. */
  exhausted: number[];
}

/**
 * Lays out `results.rounds` as a table: winners first, then the options that
 * lasted longest, each with its count per round (blank after elimination).
 */
export function irvTable(p: Pick<Proposal, 'kind' | 'options'>, results: Results): IrvTable {
  const rounds = results.rounds ?? [];
  const winners = new Set(results.winnerIds);
  const rows = p.options.map((o, index) => {
    const counts = rounds.map((round) => (o.id in round.counts ? round.counts[o.id]! : null));
    const eliminated = rounds.findIndex((round) => round.eliminatedIds.includes(o.id));
    return {
      optionId: o.id,
      label: optionLabel(p, o.id),
      counts,
      eliminatedIn: eliminated >= 0 ? eliminated : null,
      winner: winners.has(o.id),
      borda: results.bordaPoints?.[o.id] ?? 0,
      index,
    };
  });
  const lasted = (r: (typeof rows)[number]) => (r.eliminatedIn === null ? rounds.length : r.eliminatedIn);
  const lastCount = (r: (typeof rows)[number]) => {
    for (let i = r.counts.length - 1; i >= 0; i--) if (r.counts[i] !== null) return r.counts[i]!;
    return 0;
  };
  rows.sort(
    (a, b) =>
      Number(b.winner) - Number(a.winner) ||
      lasted(b) - lasted(a) ||
      lastCount(b) - lastCount(a) ||
      a.index - b.index,
  );
  return {
    rounds: rounds.length,
    rows: rows.map(({ index: _index, ...row }) => row),
    exhausted: rounds.map((round) => (round as { exhaustedCount?: number }).exhaustedCount ?? 0),
  };
}

/** "Round 2: Pears eliminated (3 votes)." for each round, for reading aloud. */
export function irvNarrative(p: Pick<Proposal, 'kind' | 'options'>, results: Results): string[] {
  const rounds = results.rounds ?? [];
  return rounds.map((round, i) => {
    const names = round.eliminatedIds.map((id) => optionLabel(p, id));
    if (names.length > 0) return `Round ${i + 1}: ${names.join(', ')} eliminated.`;
    const winners = results.winnerIds.map((id) => optionLabel(p, id));
    return `Round ${i + 1}: ${winners.length > 1 ? `tie between ${winners.join(' and ')}` : winners.length === 1 ? `${winners[0]} wins` : 'no winner'}.`;
  });
}

// ---------------------------------------------------------------- ballots

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
  if (left < 0) return `${plural(-left, 'dot')} too many (you have ${total})`;
  return `${left} of ${plural(total, 'dot')} left`;
}

/** What the poll asks for: "Choose one option.", "Choose 1 to 3 options." */
export function pollInstruction(min: number, max: number): string {
  if (min === max) return min === 1 ? 'Choose one option.' : `Choose exactly ${min} options.`;
  return `Choose ${min} to ${max} options.`;
}

/** What checking a ballot needs to know of its proposal. */
export type BallotProposal = Pick<
  Proposal,
  'kind' | 'options' | 'minChoices' | 'maxChoices' | 'maxScore' | 'dotsPerVoter' | 'reasonRequired'
>;

/**
 * The server's own check of a vote body (`validateVote`, shared/ballot.ts): the problems as the
 * API's 400 `details` would list them, with the same paths and words; empty when the server would
 * take the ballot. The vote form runs it (through {@link buildBallot}) before sending anything.
 */
export function checkBallot(p: BallotProposal, body: VoteBody): ErrorDetail[] {
  const checked = validateVote(p, body);
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
      ? 'A block stops the proposal. Please say why, so the group can address it.'
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
  const t = text.trim();
  if (!t) return t;
  return t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
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

/** "1st", "2nd", "3rd", "11th", "22nd". */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  return `${n}${({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'}`;
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
      return choices.map((c) => `${label(c.optionId)}: ${c.score}`).join(', ');
    case 'dot_vote':
      return choices
        .filter((c) => (c.score ?? 0) > 0)
        .map((c) => `${label(c.optionId)}: ${plural(c.score ?? 0, 'dot')}`)
        .join(', ');
    case 'meeting':
      return choices
        .map((c) => `${label(c.optionId)}: ${MEETING_ANSWERS.find((a) => a.score === c.score)?.label ?? '?'}`)
        .join(', ');
    default:
      return choices.map((c) => label(c.optionId)).join(', ');
  }
}

// ---------------------------------------------------------------- the proposal form

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
  if (!title) errors.title = 'Give the proposal a title.';
  else if (title.length > 200) errors.title = 'Keep the title to 200 characters.';
  const closesAt = fromLocalInput(draft.closesAt);
  if (!closesAt) errors.closesAt = 'Choose when voting closes.';
  else if (Date.parse(closesAt) <= now) errors.closesAt = 'Choose a closing time in the future.';
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
          ? 'Name this slot (e.g. "Tuesday evening").'
          : 'Fill in this option or remove it.';
      else if (label.length > 200) errors[`options.${i}.label`] = 'Keep options to 200 characters.';
      let startsAt: string | undefined;
      if (meeting) {
        startsAt = fromLocalInput(o.startsAt) ?? undefined;
        if (!startsAt) errors[`options.${i}.startsAt`] = 'Choose the date and time of this slot.';
      }
      const key = `${label.toLowerCase()}|${startsAt ?? ''}`;
      if (label && seen.has(key)) errors[`options.${i}.label`] = `"${label}" is listed twice.`;
      seen.set(key, i);
      options.push(meeting ? { label, startsAt } : { label });
    });
    if (options.length < min) errors.options = `Give at least ${min} ${meeting ? 'time slot' : 'options'}.`;
    if (options.length > 50) errors.options = 'Give at most 50 options.';
    body.options = options;
  }
  if (draft.kind === 'poll') {
    const n = draft.options.length;
    const minC = wholeNumber(draft.minChoices, 1, 50);
    const maxC = wholeNumber(draft.maxChoices, 1, 50);
    if (minC === null) errors.minChoices = 'Use a whole number, 1 or more.';
    if (maxC === null) errors.maxChoices = 'Use a whole number, 1 or more.';
    else if (maxC > n) errors.maxChoices = `Must not be more than the number of options (${n}).`;
    if (minC !== null && maxC !== null && minC > maxC)
      errors.minChoices = 'Must not be more than the maximum.';
    if (minC !== null) body.minChoices = minC;
    if (maxC !== null) body.maxChoices = maxC;
  }
  if (draft.kind === 'score') {
    const n = wholeNumber(draft.maxScore, 1, 100);
    if (n === null) errors.maxScore = 'Use a whole number from 1 to 100.';
    else body.maxScore = n;
  }
  if (draft.kind === 'dot_vote') {
    const n = wholeNumber(draft.dotsPerVoter, 1, 10_000);
    if (n === null) errors.dotsPerVoter = 'Use a whole number from 1 to 10,000.';
    else body.dotsPerVoter = n;
  }
  return { body, errors };
}
