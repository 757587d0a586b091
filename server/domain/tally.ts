/**
 * Tallies for every proposal kind: pure functions from ballots to the `results` object of
 * shared/API.md. Nothing here does I/O, reads the clock or depends on the order ballots arrive in:
 * every result is built from sums and sorts, so shuffling the ballots never changes it.
 *
 * Conventions the API leaves open, fixed here so every client shows the same numbers:
 * - `percent`: the option's `count` as a share of votes cast, 0–100, rounded half up to one decimal.
 *   Percents therefore need not add up to exactly 100 (and add up to more on multi-choice polls).
 * - `count`: ballots that chose the option. For `score`, `dot_vote` and `meeting` that means a score
 *   above 0 (a 0 is "not this one"); for `ranked_choice` it is first preferences.
 * - `score`: `count` for `proposal` and `poll`, the total for `score` and `dot_vote`, 2 per yes and 1
 *   per if-need-be for `meeting`, Borda points for `ranked_choice`.
 * - `mean` (`score` kind): total / votes cast (every ballot scores every option, zeros included),
 *   rounded to two decimals.
 * - `winnerIds`: every option sharing the top result, in option order; empty when no option got
 *   anything above zero (no votes, or only zeros), because an option nobody chose has not won.
 *
 * Tallies trust that ballots passed `validateBallot`, but stay total functions on anything typed
 * `Choice[][]`: choices naming unknown options (say, an option removed after the vote) are ignored,
 * and an option repeated within one ballot counts once, at its first or best-ranked entry.
 */

import type { BallotRules, TallyOption } from '../../shared/ballot';
import type { Choice, OptionResult, Results, RunoffRound } from '../../shared/schemas/proposals';
import { type DecisionThresholds, decideVerdict } from '../../shared/verdict';

// The ballot and result types are defined once, in shared/, and re-exported for the server's
// existing `domain/tally` imports.
export {
  BALLOT_DEFAULTS,
  type BallotRules,
  CONSENT_POSITIONS,
  type ConsentPosition,
  type TallyOption,
} from '../../shared/ballot';
export type {
  Choice,
  OptionResult,
  ProposalKind,
  Results,
  RunoffRound,
} from '../../shared/schemas/proposals';

/**
 * A runoff round as these tallies write it: `exhaustedCount` is always set (the API's `RunoffRound`
 * leaves it optional, for results stored before it existed).
 */
export type TalliedRound = Required<RunoffRound>;

/** `Results` as these tallies return them, every runoff round complete. */
export type TalliedResults = Omit<Results, 'rounds'> & { rounds?: TalliedRound[] };

/** A ranking (option ids, best first) and how many ballots cast it. */
export interface WeightedRanking {
  ranking: string[];
  count: number;
}

/** What an instant-runoff count produced: every round, and the winner (several on a final tie). */
export interface InstantRunoffResult {
  rounds: TalliedRound[];
  winnerIds: string[];
}

/**
 * Tallies ballots of any kind; `eligibleCount` is how many members may vote.
 * With `thresholds`, the results carry their `verdict` (shared/verdict.ts).
 */
export function tallyProposal(
  rules: BallotRules,
  ballots: Choice[][],
  eligibleCount: number,
  thresholds?: DecisionThresholds,
): TalliedResults {
  const results = tallyByKind(rules, ballots, eligibleCount);
  if (!thresholds) return results;
  const { verdict } = decideVerdict(
    { kind: rules.kind, maxScore: rules.maxScore, ...thresholds },
    results,
    ballots.length,
    eligibleCount,
  );
  return { ...results, verdict };
}

function tallyByKind(rules: BallotRules, ballots: Choice[][], eligibleCount: number): TalliedResults {
  switch (rules.kind) {
    case 'proposal':
      return tallyConsent(rules.options, ballots, eligibleCount);
    case 'poll':
      return tallyPoll(rules.options, ballots, eligibleCount);
    case 'score':
      return tallyScore(rules.options, ballots, eligibleCount);
    case 'dot_vote':
      return tallyDotVote(rules.options, ballots, eligibleCount);
    case 'ranked_choice':
      return tallyRankedChoice(rules.options, ballots, eligibleCount);
    case 'meeting':
      return tallyMeeting(rules.options, ballots, eligibleCount);
    default: {
      const unknownKind: never = rules.kind;
      throw new Error(`unknown proposal kind: ${String(unknownKind)}`);
    }
  }
}

/**
 * True for the `block` position of a consent proposal. Matched on id or label, case-insensitively,
 * so it works whether the stored options use the positions as ids or as labels.
 */
export function isBlockPosition(option: TallyOption): boolean {
  return option.id.toLowerCase() === 'block' || option.label.trim().toLowerCase() === 'block';
}

/** Consent proposal: count and percent per position, the most-chosen position(s), any block flagged. */
export function tallyConsent(
  options: TallyOption[],
  ballots: Choice[][],
  eligibleCount: number,
): TalliedResults {
  const counts = countChosenOptions(options, ballots);
  return {
    options: options.map((option, i) => countLine(option, counts[i], ballots.length)),
    winnerIds: topOptionIds(options, counts),
    blocked: options.some((option, i) => counts[i] > 0 && isBlockPosition(option)),
    undecidedCount: undecided(eligibleCount, ballots.length),
  };
}

/** Poll (single or multiple choice): count and percent per option, the most-chosen option(s). */
export function tallyPoll(
  options: TallyOption[],
  ballots: Choice[][],
  eligibleCount: number,
): TalliedResults {
  const counts = countChosenOptions(options, ballots);
  return {
    options: options.map((option, i) => countLine(option, counts[i], ballots.length)),
    winnerIds: topOptionIds(options, counts),
    undecidedCount: undecided(eligibleCount, ballots.length),
  };
}

/** Score vote: total and mean per option; the highest total wins. */
export function tallyScore(
  options: TallyOption[],
  ballots: Choice[][],
  eligibleCount: number,
): TalliedResults {
  const sums = sumScores(options, ballots);
  const cast = ballots.length;
  return {
    options: options.map((option, i) => ({
      optionId: option.id,
      count: sums.chosen[i],
      score: sums.totals[i],
      percent: percentOf(sums.chosen[i], cast),
      mean: cast === 0 ? 0 : Math.round((sums.totals[i] * 100) / cast) / 100,
    })),
    winnerIds: topOptionIds(options, sums.totals),
    undecidedCount: undecided(eligibleCount, cast),
  };
}

/** Dot vote: total dots per option; the most dots wins. */
export function tallyDotVote(
  options: TallyOption[],
  ballots: Choice[][],
  eligibleCount: number,
): TalliedResults {
  const sums = sumScores(options, ballots);
  return {
    options: options.map((option, i) => ({
      optionId: option.id,
      count: sums.chosen[i],
      score: sums.totals[i],
      percent: percentOf(sums.chosen[i], ballots.length),
    })),
    winnerIds: topOptionIds(options, sums.totals),
    undecidedCount: undecided(eligibleCount, ballots.length),
  };
}

/**
 * Meeting poll (2 yes, 1 if need be, 0 no per slot): yes and if-need-be counts per slot, and the
 * best slot: most yes, then most if-need-be, then earliest `startsAt`, then option order. A slot
 * nobody can make (no yes, no if-need-be) is never the best.
 */
export function tallyMeeting(
  options: TallyOption[],
  ballots: Choice[][],
  eligibleCount: number,
): TalliedResults {
  const sums = sumScores(options, ballots);
  const best = bestSlotIndex(options, sums.yes, sums.maybe);
  return {
    options: options.map((option, i) => ({
      optionId: option.id,
      count: sums.chosen[i],
      score: sums.totals[i],
      percent: percentOf(sums.chosen[i], ballots.length),
      yesCount: sums.yes[i],
      maybeCount: sums.maybe[i],
    })),
    winnerIds: best < 0 ? [] : [options[best].id],
    bestSlotId: best < 0 ? null : options[best].id,
    undecidedCount: undecided(eligibleCount, ballots.length),
  };
}

/**
 * Ranked choice: instant-runoff rounds and winner (see `instantRunoff`), Borda points (n−1 for a
 * first place among n options down to 0, unranked 0) and the Schulze winner (`null` on a tie or
 * without votes). `count` is first preferences; `score` is Borda points.
 */
export function tallyRankedChoice(
  options: TallyOption[],
  ballots: Choice[][],
  eligibleCount: number,
): TalliedResults {
  const optionIds = options.map((option) => option.id);
  const n = optionIds.length;
  const groups = groupRankedBallots(options, ballots);
  const runoff = runInstantRunoff(n, groups);
  const firstPreferences = runoff.rounds.length > 0 ? runoff.rounds[0].counts : new Array<number>(n).fill(0);
  const borda = bordaTotals(n, groups);
  const schulze = groups.length === 0 ? [] : schulzeWinnerIndices(strongestPaths(pairwiseCounts(n, groups)));
  return {
    options: options.map((option, i) => ({
      optionId: option.id,
      count: firstPreferences[i],
      score: borda[i],
      percent: percentOf(firstPreferences[i], ballots.length),
    })),
    winnerIds: runoff.winners.map((i) => optionIds[i]),
    rounds: runoff.rounds.map((round) => publicRound(optionIds, round)),
    bordaPoints: toRecord(optionIds, borda),
    condorcetWinnerId: schulze.length === 1 ? optionIds[schulze[0]] : null,
    undecidedCount: undecided(eligibleCount, ballots.length),
  };
}

/**
 * Turns ranked ballots into rankings (option ids, best first), merging identical ones so later
 * passes run once per distinct ranking. Ballots that rank no known option are left out.
 */
export function rankingsFromBallots(options: TallyOption[], ballots: Choice[][]): WeightedRanking[] {
  return groupRankedBallots(options, ballots).map((group) => ({
    ranking: group.ranking.map((i) => options[i].id),
    count: group.count,
  }));
}

/**
 * Instant-runoff count over `optionIds` (their order is the last-resort tie-break). Rules:
 * - Each round a ballot counts for its highest-ranked continuing option; a ballot with none left is
 *   exhausted and sits out every later round.
 * - An option wins when it holds more than half of the continuing (non-exhausted) ballots.
 * - If every continuing option has the same count, the count stops: they are tied winners.
 * - Otherwise the largest group of lowest options whose combined votes are fewer than the next
 *   option's is eliminated at once (Burlington/Vermont batch rule): even pooled they cannot catch
 *   up, so this reaches the same result as one at a time when no tie-break is needed, in fewer
 *   rounds, and options with no votes go in the first round.
 * - If no such group exists, the lowest count is shared. Among the options tied for last, the one
 *   with the fewest votes in the previous round is eliminated, going back round by round (the first
 *   round is first preferences); still tied in every round, the one listed last goes.
 */
export function instantRunoff(optionIds: string[], rankings: WeightedRanking[]): InstantRunoffResult {
  const runoff = runInstantRunoff(optionIds.length, indexRankings(optionIds, rankings));
  return {
    rounds: runoff.rounds.map((round) => publicRound(optionIds, round)),
    winnerIds: runoff.winners.map((i) => optionIds[i]),
  };
}

/** Borda points: n−1 for a first place among n options, down to 0; unranked options get 0. */
export function bordaPoints(optionIds: string[], rankings: WeightedRanking[]): Record<string, number> {
  return toRecord(optionIds, bordaTotals(optionIds.length, indexRankings(optionIds, rankings)));
}

/**
 * Pairwise preferences: `d[i][j]` ballots prefer option i to option j, that is rank i above j, or
 * rank i and leave j unranked. Two unranked options are no preference.
 */
export function pairwisePreferences(optionIds: string[], rankings: WeightedRanking[]): number[][] {
  return pairwiseCounts(optionIds.length, indexRankings(optionIds, rankings));
}

/**
 * Schulze strongest paths from pairwise preferences, with winning votes as link strength: a link
 * i→j is worth d[i][j] when d[i][j] > d[j][i], else nothing; a path is as strong as its weakest link.
 */
export function schulzeStrongestPaths(pairwise: number[][]): number[][] {
  return strongestPaths(pairwise);
}

/** The Schulze order as tie groups, best first: i above j when p[i][j] > p[j][i]. */
export function schulzeRanking(optionIds: string[], rankings: WeightedRanking[]): string[][] {
  const paths = strongestPaths(pairwiseCounts(optionIds.length, indexRankings(optionIds, rankings)));
  let remaining = optionIds.map((_, i) => i);
  const groups: string[][] = [];
  while (remaining.length > 0) {
    const unbeaten = schulzeWinnerIndices(paths, remaining);
    // Schulze's relation is a strict partial order, so some option is always unbeaten; the fallback
    // only guards against looping forever on malformed input (NaN counts).
    const layer = unbeaten.length > 0 ? unbeaten : remaining;
    groups.push(layer.map((i) => optionIds[i]));
    remaining = remaining.filter((i) => !layer.includes(i));
  }
  return groups;
}

/** The single Schulze winner, or `null` when several options tie for first or nobody ranked anything. */
export function schulzeWinner(optionIds: string[], rankings: WeightedRanking[]): string | null {
  const groups = indexRankings(optionIds, rankings);
  if (groups.length === 0) return null;
  const winners = schulzeWinnerIndices(strongestPaths(pairwiseCounts(optionIds.length, groups)));
  return winners.length === 1 ? optionIds[winners[0]] : null;
}

// ---------------------------------------------------------------------------------------------
// Internals work on option indices (position in the proposal's option list), not ids: array
// lookups keep the counts O(ballots × options), and the index doubles as the option order.

interface IndexedRanking {
  ranking: number[];
  count: number;
}

interface IndexedRound {
  counts: number[];
  continuing: number[];
  eliminated: number[];
  exhausted: number;
}

function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part * 1000) / whole) / 10;
}

function undecided(eligibleCount: number, cast: number): number {
  return Math.max(0, eligibleCount - cast);
}

function countLine(option: TallyOption, count: number, cast: number): OptionResult {
  return { optionId: option.id, count, score: count, percent: percentOf(count, cast) };
}

function indexOptions(options: TallyOption[]): Map<string, number> {
  const index = new Map<string, number>();
  options.forEach((option, i) => {
    if (!index.has(option.id)) index.set(option.id, i);
  });
  return index;
}

function topOptionIds(options: TallyOption[], values: number[]): string[] {
  let best = 0;
  for (const value of values) if (value > best) best = value;
  if (best <= 0) return [];
  return options.filter((_, i) => values[i] === best).map((option) => option.id);
}

function toRecord(optionIds: string[], values: number[]): Record<string, number> {
  const record: Record<string, number> = {};
  optionIds.forEach((id, i) => {
    record[id] = values[i];
  });
  return record;
}

function countChosenOptions(options: TallyOption[], ballots: Choice[][]): number[] {
  const index = indexOptions(options);
  const counts = new Array<number>(options.length).fill(0);
  // Stamping with the ballot number avoids allocating a fresh "seen" set per ballot.
  const lastBallot = new Array<number>(options.length).fill(-1);
  ballots.forEach((ballot, b) => {
    for (const choice of ballot) {
      const i = index.get(choice.optionId);
      if (i === undefined || lastBallot[i] === b) continue;
      lastBallot[i] = b;
      counts[i]++;
    }
  });
  return counts;
}

interface ScoreSums {
  totals: number[];
  chosen: number[];
  yes: number[];
  maybe: number[];
}

function sumScores(options: TallyOption[], ballots: Choice[][]): ScoreSums {
  const index = indexOptions(options);
  const n = options.length;
  const sums: ScoreSums = {
    totals: new Array<number>(n).fill(0),
    chosen: new Array<number>(n).fill(0),
    yes: new Array<number>(n).fill(0),
    maybe: new Array<number>(n).fill(0),
  };
  const lastBallot = new Array<number>(n).fill(-1);
  ballots.forEach((ballot, b) => {
    for (const choice of ballot) {
      const i = index.get(choice.optionId);
      const score = choice.score;
      if (i === undefined || lastBallot[i] === b || typeof score !== 'number' || !Number.isFinite(score))
        continue;
      lastBallot[i] = b;
      sums.totals[i] += score;
      if (score > 0) sums.chosen[i]++;
      if (score === 2) sums.yes[i]++;
      else if (score === 1) sums.maybe[i]++;
    }
  });
  return sums;
}

function startTime(option: TallyOption): number {
  const time = option.startsAt ? Date.parse(option.startsAt) : Number.NaN;
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}

function bestSlotIndex(options: TallyOption[], yes: number[], maybe: number[]): number {
  let best = -1;
  for (let i = 0; i < options.length; i++) {
    if (yes[i] + maybe[i] === 0) continue;
    if (
      best < 0 ||
      yes[i] > yes[best] ||
      (yes[i] === yes[best] && maybe[i] > maybe[best]) ||
      (yes[i] === yes[best] && maybe[i] === maybe[best] && startTime(options[i]) < startTime(options[best]))
    ) {
      best = i;
    }
  }
  return best;
}

function rankingOf(ballot: Choice[], index: Map<string, number>): number[] {
  const ranked = ballot.filter(
    (choice) => index.has(choice.optionId) && typeof choice.rank === 'number' && Number.isFinite(choice.rank),
  );
  ranked.sort((a, b) => (a.rank as number) - (b.rank as number));
  const ranking: number[] = [];
  for (const choice of ranked) {
    const i = index.get(choice.optionId) as number;
    if (!ranking.includes(i)) ranking.push(i);
  }
  return ranking;
}

function groupRankedBallots(options: TallyOption[], ballots: Choice[][]): IndexedRanking[] {
  const index = indexOptions(options);
  const groups = new Map<string, IndexedRanking>();
  for (const ballot of ballots) {
    const ranking = rankingOf(ballot, index);
    if (ranking.length === 0) continue;
    const key = ranking.join(',');
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { ranking, count: 1 });
  }
  return [...groups.values()];
}

function indexRankings(optionIds: string[], rankings: WeightedRanking[]): IndexedRanking[] {
  const index = new Map<string, number>();
  optionIds.forEach((id, i) => {
    if (!index.has(id)) index.set(id, i);
  });
  const groups: IndexedRanking[] = [];
  for (const { ranking, count } of rankings) {
    const indices: number[] = [];
    for (const id of ranking) {
      const i = index.get(id);
      if (i !== undefined && !indices.includes(i)) indices.push(i);
    }
    if (indices.length > 0 && count > 0) groups.push({ ranking: indices, count });
  }
  return groups;
}

function publicRound(optionIds: string[], round: IndexedRound): TalliedRound {
  const counts: Record<string, number> = {};
  for (const i of round.continuing) counts[optionIds[i]] = round.counts[i];
  return {
    counts,
    eliminatedIds: round.eliminated.map((i) => optionIds[i]),
    exhaustedCount: round.exhausted,
  };
}

function runInstantRunoff(
  optionCount: number,
  groups: IndexedRanking[],
): { rounds: IndexedRound[]; winners: number[] } {
  const isContinuing = new Array<boolean>(optionCount).fill(true);
  // Each ballot's pointer only moves forward (eliminated options never come back), so all rounds
  // together read each ballot once, plus one step per round.
  const position = new Array<number>(groups.length).fill(0);
  const rounds: IndexedRound[] = [];
  for (;;) {
    const counts = new Array<number>(optionCount).fill(0);
    let exhausted = 0;
    groups.forEach(({ ranking, count }, g) => {
      let p = position[g];
      while (p < ranking.length && !isContinuing[ranking[p]]) p++;
      position[g] = p;
      if (p < ranking.length) counts[ranking[p]] += count;
      else exhausted += count;
    });
    const continuing: number[] = [];
    let active = 0;
    let top = 0;
    let bottom = Number.POSITIVE_INFINITY;
    for (let i = 0; i < optionCount; i++) {
      if (!isContinuing[i]) continue;
      continuing.push(i);
      active += counts[i];
      top = Math.max(top, counts[i]);
      bottom = Math.min(bottom, counts[i]);
    }
    if (active === 0) return { rounds, winners: [] };
    const round: IndexedRound = { counts, continuing, eliminated: [], exhausted };
    rounds.push(round);
    if (top * 2 > active) return { rounds, winners: continuing.filter((i) => counts[i] === top) };
    if (bottom === top) return { rounds, winners: continuing };
    round.eliminated = chooseEliminated(round, rounds);
    for (const i of round.eliminated) isContinuing[i] = false;
  }
}

function chooseEliminated(round: IndexedRound, rounds: IndexedRound[]): number[] {
  const { counts, continuing } = round;
  const byCount = [...continuing].sort((a, b) => counts[a] - counts[b]);
  // A group never splits options with equal counts: the group's sum already reaches the last
  // member's count, so it cannot be below an equal next count. Sort order among ties is irrelevant.
  let pooled = 0;
  let batchSize = 0;
  for (let k = 0; k < byCount.length - 1; k++) {
    pooled += counts[byCount[k]];
    if (pooled < counts[byCount[k + 1]]) batchSize = k + 1;
  }
  if (batchSize > 0) return byCount.slice(0, batchSize).sort((a, b) => a - b);

  const lowest = counts[byCount[0]];
  let tied = continuing.filter((i) => counts[i] === lowest);
  for (let r = rounds.length - 2; r >= 0 && tied.length > 1; r--) {
    const earlier = rounds[r].counts;
    let fewest = Number.POSITIVE_INFINITY;
    for (const i of tied) fewest = Math.min(fewest, earlier[i]);
    tied = tied.filter((i) => earlier[i] === fewest);
  }
  return [tied[tied.length - 1]];
}

function bordaTotals(optionCount: number, groups: IndexedRanking[]): number[] {
  const points = new Array<number>(optionCount).fill(0);
  for (const { ranking, count } of groups) {
    ranking.forEach((option, place) => {
      points[option] += count * (optionCount - 1 - place);
    });
  }
  return points;
}

function pairwiseCounts(optionCount: number, groups: IndexedRanking[]): number[][] {
  const d = Array.from({ length: optionCount }, () => new Array<number>(optionCount).fill(0));
  const isRanked = new Array<boolean>(optionCount).fill(false);
  for (const { ranking, count } of groups) {
    for (const option of ranking) isRanked[option] = true;
    const unranked: number[] = [];
    for (let u = 0; u < optionCount; u++) if (!isRanked[u]) unranked.push(u);
    for (let a = 0; a < ranking.length; a++) {
      const row = d[ranking[a]];
      for (let b = a + 1; b < ranking.length; b++) row[ranking[b]] += count;
      for (const u of unranked) row[u] += count;
    }
    for (const option of ranking) isRanked[option] = false;
  }
  return d;
}

function strongestPaths(d: number[][]): number[][] {
  const n = d.length;
  const p = d.map((row, i) => row.map((value, j) => (i !== j && value > d[j][i] ? value : 0)));
  // Floyd–Warshall on the widest path: O(n³) in options, independent of the number of ballots.
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      if (i === k || p[i][k] === 0) continue;
      const viaK = p[i][k];
      const fromK = p[k];
      const row = p[i];
      for (let j = 0; j < n; j++) {
        if (j === i || j === k) continue;
        const through = Math.min(viaK, fromK[j]);
        if (through > row[j]) row[j] = through;
      }
    }
  }
  return p;
}

function schulzeWinnerIndices(p: number[][], among: number[] = p.map((_, i) => i)): number[] {
  return among.filter((i) => among.every((j) => j === i || p[i][j] >= p[j][i]));
}
