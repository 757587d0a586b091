import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  pairwisePreferences,
  rankingsFromBallots,
  schulzeRanking,
  tallyProposal,
  tallyRankedChoice,
} from '../../server/domain/tally';
import {
  BALLOT_DEFAULTS,
  type BallotRules,
  CONSENT_POSITIONS,
  type TallyOption,
  validateBallot,
} from '../../shared/ballot';
import type { Choice } from '../../shared/schemas/proposals';

const RUNS = { numRuns: 300 };

function optionsOf(count: number): TallyOption[] {
  return Array.from({ length: count }, (_, i) => ({ id: `o${i}`, label: `Option ${i}` }));
}

function ranked(ids: string[]): Choice[] {
  return ids.map((optionId, i) => ({ optionId, rank: i + 1 }));
}

/** A ballot list and a reordering of it. */
function withShuffle<T>(items: T[]): fc.Arbitrary<[T[], T[]]> {
  return fc
    .shuffledSubarray(items, { minLength: items.length, maxLength: items.length })
    .map((shuffled) => [items, shuffled]);
}

const optionCount = fc.integer({ min: 2, max: 7 });

/** Rules of any kind together with ballots that are valid for them. */
const validElection: fc.Arbitrary<{ rules: BallotRules; ballots: Choice[][] }> = fc.oneof(
  fc.array(fc.constantFrom(...CONSENT_POSITIONS), { maxLength: 30 }).map((positions) => ({
    rules: {
      kind: 'proposal' as const,
      options: CONSENT_POSITIONS.map((position) => ({ id: position, label: position })),
      ...BALLOT_DEFAULTS,
    },
    ballots: positions.map((position) => [{ optionId: position }]),
  })),
  optionCount
    .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n })))
    .chain(([n, minChoices]) =>
      fc.tuple(fc.constant(n), fc.constant(minChoices), fc.integer({ min: minChoices, max: n })),
    )
    .chain(([n, minChoices, maxChoices]) => {
      const options = optionsOf(n);
      const ids = options.map((option) => option.id);
      const ballot = fc.shuffledSubarray(ids, { minLength: minChoices, maxLength: maxChoices });
      return fc.array(ballot, { maxLength: 30 }).map((picks) => ({
        rules: { kind: 'poll' as const, options, ...BALLOT_DEFAULTS, minChoices, maxChoices },
        ballots: picks.map((pick) => pick.map((optionId) => ({ optionId }))),
      }));
    }),
  fc.tuple(optionCount, fc.integer({ min: 1, max: 10 })).chain(([n, maxScore]) => {
    const options = optionsOf(n);
    const ballot = fc.array(fc.integer({ min: 0, max: maxScore }), { minLength: n, maxLength: n });
    return fc.array(ballot, { maxLength: 30 }).map((scoreLists) => ({
      rules: { kind: 'score' as const, options, ...BALLOT_DEFAULTS, maxScore },
      ballots: scoreLists.map((scores) => scores.map((score, i) => ({ optionId: options[i].id, score }))),
    }));
  }),
  fc.tuple(optionCount, fc.integer({ min: 0, max: 15 })).chain(([n, dotsPerVoter]) => {
    const options = optionsOf(n);
    const ballot = fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: dotsPerVoter }).map((placed) => {
      const dots = new Array<number>(n).fill(0);
      for (const i of placed) dots[i]++;
      const choices = options.flatMap((option, i) =>
        dots[i] > 0 ? [{ optionId: option.id, score: dots[i] }] : [],
      );
      return choices.length > 0 ? choices : [{ optionId: options[0].id, score: 0 }];
    });
    return fc.array(ballot, { maxLength: 30 }).map((ballots) => ({
      rules: { kind: 'dot_vote' as const, options, ...BALLOT_DEFAULTS, dotsPerVoter },
      ballots,
    }));
  }),
  optionCount.chain((n) => {
    const options = optionsOf(n);
    const ids = options.map((option) => option.id);
    return fc
      .array(fc.shuffledSubarray(ids, { minLength: 1, maxLength: n }), { maxLength: 40 })
      .map((rankings) => ({
        rules: { kind: 'ranked_choice' as const, options, ...BALLOT_DEFAULTS },
        ballots: rankings.map(ranked),
      }));
  }),
  fc.integer({ min: 1, max: 6 }).chain((n) => {
    const startsAt = fc.constantFrom(
      null,
      '2030-03-01T09:00:00.000Z',
      '2030-03-01T14:00:00.000Z',
      '2030-03-02T09:00:00.000Z',
    );
    return fc
      .tuple(
        fc.array(startsAt, { minLength: n, maxLength: n }),
        fc.array(fc.array(fc.constantFrom(0, 1, 2), { minLength: n, maxLength: n }), { maxLength: 30 }),
      )
      .map(([times, answers]) => {
        const options = times.map((time, i) => ({ id: `s${i}`, label: `Slot ${i}`, startsAt: time }));
        return {
          rules: { kind: 'meeting' as const, options, ...BALLOT_DEFAULTS },
          ballots: answers.map((row) => row.map((score, i) => ({ optionId: options[i].id, score }))),
        };
      });
  }),
);

/** Ranked elections built from a few voting blocs, so ties, cycles and exhaustion are common. */
const rankedElection = optionCount.chain((n) => {
  const options = optionsOf(n);
  const ids = options.map((option) => option.id);
  const bloc = fc.record({
    ranking: fc.shuffledSubarray(ids, { minLength: 0, maxLength: n }),
    count: fc.integer({ min: 1, max: 12 }),
  });
  return fc.array(bloc, { minLength: 0, maxLength: 6 }).map((blocs) => ({
    options,
    ballots: blocs.flatMap((b) => Array.from({ length: b.count }, () => ranked(b.ranking))),
  }));
});

function naivePairwise(ids: string[], ballots: Choice[][]): number[][] {
  const d = ids.map(() => ids.map(() => 0));
  for (const ballot of ballots) {
    const rankOf = new Map(ballot.map((choice) => [choice.optionId, choice.rank as number]));
    ids.forEach((a, i) => {
      ids.forEach((b, j) => {
        const ra = rankOf.get(a);
        const rb = rankOf.get(b);
        if (i !== j && ra !== undefined && (rb === undefined || ra < rb)) d[i][j]++;
      });
    });
  }
  return d;
}

interface ReferenceRound {
  counts: Record<string, number>;
  eliminatedIds: string[];
  exhaustedCount: number;
}

/**
 * The documented IRV rules written out as plainly as possible, one ballot at a time and with the
 * batch rule stated as "the lowest options up to some count", to check the optimised count against.
 */
function referenceInstantRunoff(
  ids: string[],
  ballots: Choice[][],
): { rounds: ReferenceRound[]; winnerIds: string[] } {
  const preferences = ballots
    .map((ballot) =>
      [...ballot].sort((a, b) => (a.rank as number) - (b.rank as number)).map((choice) => choice.optionId),
    )
    .filter((ranking) => ranking.length > 0);
  let continuing = [...ids];
  const rounds: ReferenceRound[] = [];
  const history: Record<string, number>[] = [];
  while (preferences.length > 0) {
    const counts: Record<string, number> = Object.fromEntries(continuing.map((id) => [id, 0]));
    let exhaustedCount = 0;
    for (const ranking of preferences) {
      const choice = ranking.find((id) => continuing.includes(id));
      if (choice === undefined) exhaustedCount++;
      else counts[choice]++;
    }
    history.push(counts);
    const values = continuing.map((id) => counts[id]);
    const active = values.reduce((a, b) => a + b, 0);
    const top = Math.max(...values);
    const round: ReferenceRound = { counts, eliminatedIds: [], exhaustedCount };
    rounds.push(round);
    const majority = continuing.filter((id) => counts[id] > active / 2);
    if (majority.length > 0) return { rounds, winnerIds: majority };
    if (Math.min(...values) === top) return { rounds, winnerIds: continuing };
    let batch: string[] = [];
    for (const threshold of [...new Set(values)].sort((a, b) => a - b)) {
      const low = continuing.filter((id) => counts[id] <= threshold);
      const rest = continuing.filter((id) => counts[id] > threshold);
      const pooled = low.reduce((sum, id) => sum + counts[id], 0);
      if (rest.length > 0 && pooled < Math.min(...rest.map((id) => counts[id]))) batch = low;
    }
    if (batch.length === 0) {
      let tied = continuing.filter((id) => counts[id] === Math.min(...values));
      for (let r = history.length - 2; r >= 0 && tied.length > 1; r--) {
        const fewest = Math.min(...tied.map((id) => history[r][id]));
        tied = tied.filter((id) => history[r][id] === fewest);
      }
      batch = [tied.sort((a, b) => ids.indexOf(a) - ids.indexOf(b))[tied.length - 1]];
    }
    round.eliminatedIds = ids.filter((id) => batch.includes(id));
    continuing = continuing.filter((id) => !batch.includes(id));
  }
  return { rounds, winnerIds: [] };
}

describe('tally properties', () => {
  it('does not depend on the order ballots arrive in, for every kind', () => {
    fc.assert(
      fc.property(
        validElection.chain(({ rules, ballots }) => fc.tuple(fc.constant(rules), withShuffle(ballots))),
        fc.integer({ min: 0, max: 50 }),
        ([rules, [ballots, shuffled]], eligibleCount) => {
          expect(tallyProposal(rules, shuffled, eligibleCount)).toEqual(
            tallyProposal(rules, ballots, eligibleCount),
          );
        },
      ),
      RUNS,
    );
  });

  it('accepts every generated ballot, and tallies the normalised ballots the same', () => {
    fc.assert(
      fc.property(validElection, ({ rules, ballots }) => {
        const normalised = ballots.map((ballot) => {
          const verdict = validateBallot(rules, ballot);
          if (!verdict.ok) throw new Error(JSON.stringify(verdict.details));
          return verdict.choices;
        });
        expect(tallyProposal(rules, normalised, 0)).toEqual(tallyProposal(rules, ballots, 0));
      }),
      RUNS,
    );
  });

  it('keeps counts, percents and undecided consistent with the votes cast', () => {
    fc.assert(
      fc.property(validElection, fc.integer({ min: 0, max: 50 }), ({ rules, ballots }, eligibleCount) => {
        const results = tallyProposal(rules, ballots, eligibleCount);
        expect(results.undecidedCount).toBe(Math.max(0, eligibleCount - ballots.length));
        expect(results.options.map((line) => line.optionId)).toEqual(
          rules.options.map((option) => option.id),
        );
        for (const line of results.options) {
          expect(line.count).toBeLessThanOrEqual(ballots.length);
          expect(line.percent).toBeGreaterThanOrEqual(0);
          expect(line.percent).toBeLessThanOrEqual(100);
          expect(
            Math.abs(line.percent - (ballots.length ? (100 * line.count) / ballots.length : 0)),
          ).toBeLessThanOrEqual(0.05);
        }
        const singleChoice = rules.kind === 'proposal' || (rules.kind === 'poll' && rules.maxChoices === 1);
        if (singleChoice)
          expect(results.options.reduce((sum, line) => sum + line.count, 0)).toBe(ballots.length);
        if (ballots.length === 0) expect(results.winnerIds).toEqual([]);
      }),
      RUNS,
    );
  });

  it('counts every non-empty ranked ballot once in each round, as continuing or exhausted', () => {
    fc.assert(
      fc.property(rankedElection, ({ options, ballots }) => {
        const results = tallyRankedChoice(options, ballots, ballots.length);
        const nonEmpty = ballots.filter((ballot) => ballot.length > 0).length;
        const rounds = results.rounds ?? [];
        if (nonEmpty === 0) expect(rounds).toEqual([]);
        else expect(rounds[0].exhaustedCount).toBe(0);
        for (const round of rounds) {
          const continuing = Object.values(round.counts).reduce((a, b) => a + b, 0);
          expect(continuing + round.exhaustedCount).toBe(nonEmpty);
        }
        expect(results.options.reduce((sum, line) => sum + line.count, 0)).toBe(nonEmpty);
      }),
      RUNS,
    );
  });

  it('matches a plain restatement of the instant-runoff rules, round by round', () => {
    fc.assert(
      fc.property(rankedElection, ({ options, ballots }) => {
        const ids = options.map((option) => option.id);
        const results = tallyRankedChoice(options, ballots, 0);
        expect({ rounds: results.rounds, winnerIds: results.winnerIds }).toEqual(
          referenceInstantRunoff(ids, ballots),
        );
      }),
      RUNS,
    );
  });

  it('elects an IRV winner only with a majority of the ballots continuing in the last round', () => {
    fc.assert(
      fc.property(rankedElection, ({ options, ballots }) => {
        const results = tallyRankedChoice(options, ballots, 0);
        const last = results.rounds?.at(-1);
        if (!last) return;
        const continuing = Object.values(last.counts).reduce((a, b) => a + b, 0);
        expect(last.eliminatedIds).toEqual([]);
        if (results.winnerIds.length === 1) {
          expect(last.counts[results.winnerIds[0]] * 2).toBeGreaterThan(continuing);
        } else {
          // A tie: every continuing option, with equal counts.
          expect(results.winnerIds.sort()).toEqual(Object.keys(last.counts).sort());
          expect(new Set(Object.values(last.counts)).size).toBe(1);
        }
        const firstRound = results.rounds?.[0].counts ?? {};
        const cast = Object.values(firstRound).reduce((a, b) => a + b, 0);
        const majority = Object.keys(firstRound).find((id) => firstRound[id] * 2 > cast);
        if (majority) expect(results.winnerIds).toEqual([majority]);
      }),
      RUNS,
    );
  });

  it('computes pairwise preferences as ranked-above or ranked-versus-unranked', () => {
    fc.assert(
      fc.property(rankedElection, ({ options, ballots }) => {
        const ids = options.map((option) => option.id);
        expect(pairwisePreferences(ids, rankingsFromBallots(options, ballots))).toEqual(
          naivePairwise(ids, ballots),
        );
      }),
      RUNS,
    );
  });

  it('makes a Condorcet winner, whenever there is one, the Schulze winner', () => {
    let withCondorcetWinner = 0;
    fc.assert(
      fc.property(rankedElection, ({ options, ballots }) => {
        const ids = options.map((option) => option.id);
        const d = naivePairwise(ids, ballots);
        const condorcet = ids.findIndex((_, i) => ids.every((__, j) => i === j || d[i][j] > d[j][i]));
        const results = tallyRankedChoice(options, ballots, 0);
        if (condorcet >= 0) {
          withCondorcetWinner++;
          expect(results.condorcetWinnerId).toBe(ids[condorcet]);
          expect(schulzeRanking(ids, rankingsFromBallots(options, ballots))[0]).toEqual([ids[condorcet]]);
        }
        if (results.condorcetWinnerId !== null) {
          // A Schulze winner is never beaten head-to-head by a majority of every other option at once.
          const w = ids.indexOf(results.condorcetWinnerId as string);
          expect(
            ids.some(
              (_, j) => j !== w && d[j][w] > d[w][j] && ids.every((__, k) => k === j || d[j][k] > d[k][j]),
            ),
          ).toBe(false);
        }
      }),
      RUNS,
    );
    expect(withCondorcetWinner).toBeGreaterThan(20);
  });

  it('matches a plain Schulze count: strict pairwise wins as links, widest paths to a fixpoint', () => {
    fc.assert(
      fc.property(rankedElection, ({ options, ballots }) => {
        const ids = options.map((option) => option.id);
        const d = naivePairwise(ids, ballots);
        const p = d.map((row, i) => row.map((votes, j) => (votes > d[j][i] ? votes : 0)));
        for (let changed = true; changed; ) {
          changed = false;
          for (const i of ids.keys())
            for (const j of ids.keys())
              for (const k of ids.keys()) {
                const through = Math.min(p[i][k], p[k][j]);
                if (i !== j && through > p[i][j]) {
                  p[i][j] = through;
                  changed = true;
                }
              }
        }
        const winners = ids.filter((_, i) => ids.every((__, j) => i === j || p[i][j] >= p[j][i]));
        const results = tallyRankedChoice(options, ballots, 0);
        const anyRanked = ballots.some((ballot) => ballot.length > 0);
        expect(results.condorcetWinnerId).toBe(anyRanked && winners.length === 1 ? winners[0] : null);
        expect(schulzeRanking(ids, rankingsFromBallots(options, ballots))[0]).toEqual(winners);
      }),
      RUNS,
    );
  });

  it('gives Borda points n−rank per ranked option, summing to k·n − k(k+1)/2 per ballot', () => {
    fc.assert(
      fc.property(rankedElection, ({ options, ballots }) => {
        const n = options.length;
        const results = tallyRankedChoice(options, ballots, 0);
        const expected: Record<string, number> = Object.fromEntries(options.map((option) => [option.id, 0]));
        for (const ballot of ballots)
          for (const choice of ballot) expected[choice.optionId] += n - (choice.rank as number);
        expect(results.bordaPoints).toEqual(expected);
        const total = Object.values(results.bordaPoints ?? {}).reduce((a, b) => a + b, 0);
        const formula = ballots.reduce(
          (sum, ballot) => sum + (ballot.length * n - (ballot.length * (ballot.length + 1)) / 2),
          0,
        );
        expect(total).toBe(formula);
      }),
      RUNS,
    );
  });
});
