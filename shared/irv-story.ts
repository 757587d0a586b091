/**
 * An instant-runoff count told in words, one sentence per round: who was
 * eliminated and why (fewest votes, a batch that could not catch up even
 * combined, or a tie for last and how it was broken), where their votes went
 * next (options by name, or exhausted: no further preference), and, in the
 * last round, who won (or leads, while voting is open) with how many votes of
 * how many. Read from `results.rounds` alone, so it tells any stored count.
 * Pure: no DOM, no I/O.
 */
import { english, type Translator } from './i18n';
import { listText, type ResultSubject, resultLabel, sentence } from './result-text';
import type { Proposal, Results, RunoffRound } from './schemas/proposals';

/** One round in words. */
export interface IrvStoryLine {
  /** 1-based, as the table's columns are numbered. */
  round: number;
  text: string;
}

type Name = (id: string) => string;

/** The rounds of a ranked-choice result in words; empty without rounds. */
export function irvStory(
  p: ResultSubject & Pick<Proposal, 'closedAt'>,
  results: Results,
  tr: Translator = english,
): IrvStoryLine[] {
  const rounds = results.rounds ?? [];
  const name = (id: string) => resultLabel(p, id, tr);
  return rounds.map((round, i) => {
    const next = rounds[i + 1];
    const text =
      round.eliminatedIds.length === 0 || !next
        ? finalSentence(p, results, round, name, tr)
        : `${whyOut(rounds, i, name, tr)}; ${whereVotesWent(round, next, name, tr)}`;
    return { round: i + 1, text: sentence(text) };
  });
}

/** "Tech Stewards had the fewest votes and was eliminated", or the batch or tie-break wording. */
function whyOut(rounds: RunoffRound[], i: number, name: Name, tr: Translator): string {
  const round = rounds[i]!;
  const out = round.eliminatedIds;
  if (out.length > 1) {
    if (out.every((id) => (round.counts[id] ?? 0) === 0)) {
      return tr.t('{names} had no votes and were eliminated', { names: listText(out.map(name), tr) });
    }
    const each = out.map((id) =>
      tr.t('{name} ({count, plural, one {# vote} other {# votes}})', {
        name: name(id),
        count: round.counts[id] ?? 0,
      }),
    );
    return tr.t(
      '{names} had the fewest votes and were eliminated together, as even combined they could not catch up',
      { names: listText(each, tr) },
    );
  }
  const id = out[0]!;
  const count = round.counts[id] ?? 0;
  const tied = Object.keys(round.counts).filter((other) => round.counts[other] === count);
  if (tied.length < 2) {
    return count === 0
      ? tr.t('{name} had no votes and was eliminated', { name: name(id) })
      : tr.t('{name} had the fewest votes and was eliminated', { name: name(id) });
  }
  // In option order (the order of `counts`), as the proposal lists them.
  const values = { names: listText(tied.map(name), tr), count, name: name(id) };
  const broken = tieBreak(rounds, i, tied, id);
  if (broken.by === 'earlier') {
    return tr.t(
      '{names} tied for the fewest votes ({count} each) and {name}, with fewer in round {round}, was eliminated',
      { ...values, round: broken.round },
    );
  }
  if (broken.by === 'last') {
    return tr.t(
      '{names} tied for the fewest votes ({count} each) and {name}, listed last of them, was eliminated',
      values,
    );
  }
  return tr.t(
    '{names} tied for the fewest votes ({count} each) and {name} lost the tie-break and was eliminated',
    values,
  );
}

/**
 * How the tie was broken, by the rule of server/domain/tally.ts: fewest votes in the latest earlier
 * round that tells them apart (`round`, 1-based), else the option listed last. Said only when the
 * rule gives this result; a count made by another rule just says the option lost the tie-break.
 */
function tieBreak(
  rounds: RunoffRound[],
  i: number,
  tied: string[],
  out: string,
): { by: 'earlier'; round: number } | { by: 'last' } | { by: 'other' } {
  let left = tied;
  for (let r = i - 1; r >= 0 && left.length > 1; r--) {
    const earlier = rounds[r]!.counts;
    const fewest = Math.min(...left.map((id) => earlier[id] ?? 0));
    const remaining = left.filter((id) => (earlier[id] ?? 0) === fewest);
    if (remaining.length === 1 && remaining[0] === out) return { by: 'earlier', round: r + 1 };
    left = remaining;
  }
  if (left.length > 1 && left.includes(out)) return { by: 'last' };
  return { by: 'other' };
}

/**
 * "its 1 vote moved to Commons Circle", "of their 5 votes, 3 moved to A, 1 to B and 1 was exhausted
 * (no further preference)". Worked out from the counts of this round and the next.
 */
function whereVotesWent(round: RunoffRound, next: RunoffRound, name: Name, tr: Translator): string {
  const out = round.eliminatedIds;
  const owners = out.length;
  const moved = out.reduce((sum, id) => sum + (round.counts[id] ?? 0), 0);
  if (moved === 0) {
    return owners === 1 ? tr.t('it had no votes to pass on') : tr.t('they had no votes to pass on');
  }
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
  if (gains.length === 0) {
    return tr.t(
      '{owners, plural, one {its} other {their}} {count, plural, one {# vote} other {# votes}} {exhausted, plural, one {was} other {were}} exhausted (no further preference)',
      { owners, count: moved, exhausted: ran },
    );
  }
  if (gains.length === 1 && ran === 0) {
    return tr.t(
      '{owners, plural, one {its} other {their}} {count, plural, one {# vote} other {# votes}} moved to {name}',
      { owners, count: moved, name: name(gains[0]!.id) },
    );
  }
  const parts = gains.map((g, k) =>
    k === 0
      ? tr.t('{count} moved to {name}', { count: g.gain, name: name(g.id) })
      : tr.t('{count} to {name}', { count: g.gain, name: name(g.id) }),
  );
  if (ran > 0) {
    parts.push(
      tr.t('{count, plural, one {# was} other {# were}} exhausted (no further preference)', { count: ran }),
    );
  }
  return tr.t(
    'of {owners, plural, one {its} other {their}} {count, plural, one {# vote} other {# votes}}, {parts}',
    {
      owners,
      count: moved,
      parts: listText(parts, tr),
    },
  );
}

/** "Commons Circle won with 5 of 8 votes", "A and B are tied with 3 votes each of 6". */
function finalSentence(
  p: Pick<Proposal, 'closedAt'>,
  results: Results,
  round: RunoffRound,
  name: Name,
  tr: Translator,
): string {
  const open = !p.closedAt;
  const inCount = Object.values(round.counts).reduce((sum, n) => sum + n, 0);
  const exhausted = round.exhaustedCount ?? 0;
  const aside =
    exhausted > 0
      ? `; ${tr.t('{count, plural, one {# ballot was} other {# ballots were}} exhausted', { count: exhausted })}`
      : '';
  const winners = results.winnerIds.filter((id) => id in round.counts);
  if (winners.length === 0) return tr.t('No option won');
  const top = round.counts[winners[0]!] ?? 0;
  if (winners.length > 1) {
    const values = { names: listText(winners.map(name), tr), count: top, total: inCount };
    const tied = open
      ? tr.t('{names} are tied with {count, plural, one {# vote} other {# votes}} each of {total}', values)
      : tr.t('{names} tied with {count, plural, one {# vote} other {# votes}} each of {total}', values);
    return tied + aside;
  }
  const values = { name: name(winners[0]!), count: top, total: inCount };
  const won = open
    ? tr.t('{name} leads with {count} of {total, plural, one {# vote} other {# votes}}', values)
    : tr.t('{name} won with {count} of {total, plural, one {# vote} other {# votes}}', values);
  return won + aside;
}
