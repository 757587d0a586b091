/**
 * An instant-runoff count told in words, one sentence per round: who was
 * eliminated and why (fewest votes, a batch that could not catch up even
 * combined, or a tie for last and how it was broken), where their votes went
 * next (options by name, or exhausted: no further preference), and, in the
 * last round, who won (or leads, while voting is open) with how many votes of
 * how many. Read from `results.rounds` alone, so it tells any stored count.
 * Pure: no DOM, no I/O.
 */
import { listText, plural, type ResultSubject, resultLabel, sentence } from './result-text';
import type { Proposal, Results, RunoffRound } from './schemas/proposals';

/** One round in words. */
export interface IrvStoryLine {
  /** 1-based, as the table's columns are numbered. */
  round: number;
  text: string;
}

const votes = (n: number) => plural(n, 'vote');
const was = (n: number) => (n === 1 ? 'was' : 'were');

/** The rounds of a ranked-choice result in words; empty without rounds. */
export function irvStory(p: ResultSubject & Pick<Proposal, 'closedAt'>, results: Results): IrvStoryLine[] {
  const rounds = results.rounds ?? [];
  const name = (id: string) => resultLabel(p, id);
  return rounds.map((round, i) => {
    const next = rounds[i + 1];
    const text =
      round.eliminatedIds.length === 0 || !next
        ? finalSentence(p, results, round, name)
        : `${whyOut(rounds, i, name)}; ${whereVotesWent(round, next, name)}`;
    return { round: i + 1, text: sentence(text) };
  });
}

/** "Tech Stewards had the fewest votes and was eliminated", or the batch or tie-break wording. */
function whyOut(rounds: RunoffRound[], i: number, name: (id: string) => string): string {
  const round = rounds[i]!;
  const out = round.eliminatedIds;
  if (out.length > 1) {
    if (out.every((id) => (round.counts[id] ?? 0) === 0)) {
      return `${listText(out.map(name))} had no votes and were eliminated`;
    }
    const each = out.map((id) => `${name(id)} (${votes(round.counts[id] ?? 0)})`);
    return `${listText(each)} had the fewest votes and were eliminated together, as even combined they could not catch up`;
  }
  const id = out[0]!;
  const count = round.counts[id] ?? 0;
  const tied = Object.keys(round.counts).filter((other) => round.counts[other] === count);
  if (tied.length < 2) {
    return count === 0
      ? `${name(id)} had no votes and was eliminated`
      : `${name(id)} had the fewest votes and was eliminated`;
  }
  // In option order (the order of `counts`), as the proposal lists them.
  const tiedNames = listText(tied.map(name));
  return `${tiedNames} tied for the fewest votes (${count} each) and ${tieBreak(rounds, i, tied, id, name)}`;
}

/**
 * How the tie was broken, by the rule of server/domain/tally.ts: fewest votes in the latest earlier
 * round that tells them apart, else the option listed last. Said only when the rule gives this
 * result; a count made by another rule just says the option lost the tie-break.
 */
function tieBreak(
  rounds: RunoffRound[],
  i: number,
  tied: string[],
  out: string,
  name: (id: string) => string,
): string {
  let left = tied;
  for (let r = i - 1; r >= 0 && left.length > 1; r--) {
    const earlier = rounds[r]!.counts;
    const fewest = Math.min(...left.map((id) => earlier[id] ?? 0));
    const remaining = left.filter((id) => (earlier[id] ?? 0) === fewest);
    if (remaining.length === 1 && remaining[0] === out) {
      return `${name(out)}, with fewer in round ${r + 1}, was eliminated`;
    }
    left = remaining;
  }
  if (left.length > 1 && left.includes(out)) {
    return `${name(out)}, listed last of them, was eliminated`;
  }
  return `${name(out)} lost the tie-break and was eliminated`;
}

/**
 * "its 1 vote moved to Commons Circle", "their 5 votes: 3 moved to A, 1 to B and 1 was exhausted
 * (no further preference)". Worked out from the counts of this round and the next.
 */
function whereVotesWent(round: RunoffRound, next: RunoffRound, name: (id: string) => string): string {
  const out = round.eliminatedIds;
  const whose = out.length === 1 ? 'its' : 'their';
  const moved = out.reduce((sum, id) => sum + (round.counts[id] ?? 0), 0);
  if (moved === 0) return out.length === 1 ? 'it had no votes to pass on' : 'they had no votes to pass on';
  const gains = Object.keys(next.counts)
    .map((id, order) => ({ id, order, gain: (next.counts[id] ?? 0) - (round.counts[id] ?? 0) }))
    .filter((g) => g.gain > 0)
    .sort((a, b) => b.gain - a.gain || a.order - b.order);
  const received = gains.reduce((sum, g) => sum + g.gain, 0);
  // Older stored rounds lack exhaustedCount: whatever did not arrive anywhere ran out of preferences.
  const exhausted =
    round.exhaustedCount !== undefined && next.exhaustedCount !== undefined
      ? next.exhaustedCount - round.exhaustedCount
      : moved - received;
  const ran = Math.max(0, exhausted);
  const exhaustedText = `${was(ran)} exhausted (no further preference)`;
  if (gains.length === 0) return `${whose} ${votes(moved)} ${exhaustedText}`;
  if (gains.length === 1 && ran === 0) return `${whose} ${votes(moved)} moved to ${name(gains[0]!.id)}`;
  const parts = gains.map((g, k) =>
    k === 0 ? `${g.gain} moved to ${name(g.id)}` : `${g.gain} to ${name(g.id)}`,
  );
  if (ran > 0) parts.push(`${ran} ${exhaustedText}`);
  return `of ${whose} ${votes(moved)}, ${listText(parts)}`;
}

/** "Commons Circle won with 5 of 8 votes", "A and B are tied with 3 votes each of 6". */
function finalSentence(
  p: Pick<Proposal, 'closedAt'>,
  results: Results,
  round: RunoffRound,
  name: (id: string) => string,
): string {
  const open = !p.closedAt;
  const inCount = Object.values(round.counts).reduce((sum, n) => sum + n, 0);
  const exhausted = round.exhaustedCount ?? 0;
  const aside = exhausted > 0 ? `; ${plural(exhausted, 'ballot')} ${was(exhausted)} exhausted` : '';
  const winners = results.winnerIds.filter((id) => id in round.counts);
  if (winners.length === 0) return 'No option won';
  const top = round.counts[winners[0]!] ?? 0;
  if (winners.length > 1) {
    return `${listText(winners.map(name))} ${open ? 'are tied' : 'tied'} with ${top} ${top === 1 ? 'vote' : 'votes'} each of ${inCount}${aside}`;
  }
  const verb = open ? 'leads' : 'won';
  return `${name(winners[0]!)} ${verb} with ${top} of ${votes(inCount)}${aside}`;
}
