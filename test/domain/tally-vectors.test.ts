import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bordaPoints,
  instantRunoff,
  pairwisePreferences,
  schulzeRanking,
  schulzeStrongestPaths,
  schulzeWinner,
  tallyProposal,
  type WeightedRanking,
} from '../../server/domain/tally';
import { type BallotRules, validateBallot } from '../../shared/ballot';
import type { Choice, ProposalKind, Results } from '../../shared/schemas/proposals';

/**
 * Reproduces test/data/tally-vectors.json (cases from abiftool, icelect, Loomio, CitizenOS and
 * published worked examples). Every field of `expected` is either checked against Plenary's result
 * or named in NOT_IN_PLENARY with the reason, so a new field in the file cannot pass unnoticed.
 */

interface VectorBallot {
  count: number;
  ranking?: (string | string[])[];
  scores?: Record<string, number>;
  choices?: string[];
}

interface VectorRound {
  counts: Record<string, number>;
  eliminated?: string[];
  elected?: string;
  tied?: string[];
}

interface Vector {
  name: string;
  kind: ProposalKind;
  options: string[];
  ballots: VectorBallot[];
  settings?: Record<string, number>;
  expected: Record<string, unknown>;
  requires?: string[];
  notes: string;
}

const file = JSON.parse(readFileSync(new URL('../data/tally-vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

const supported = file.vectors.filter((vector) => (vector.requires ?? []).length === 0);
const unsupported = file.vectors.filter((vector) => (vector.requires ?? []).length > 0);

/** Expected fields Plenary does not compute, and why they are left unchecked. */
const NOT_IN_PLENARY: Record<string, string> = {
  coombsWinner: "Coombs' method is not one of Plenary's results",
  starWinner: 'STAR voting is not a Plenary kind; score proposals are decided by total',
  starRunoff: 'STAR voting is not a Plenary kind',
  starTiedWinners: 'STAR voting is not a Plenary kind',
};

const CHECKED = new Set([
  'irvWinner',
  'irvTiedCandidates',
  'irvRounds',
  'condorcetWinner',
  'condorcetRanking',
  'pairwise',
  'schulzeWinner',
  'schulzeTiedWinners',
  'schulzeRanking',
  'strongestPaths',
  'bordaPoints',
  'bordaPointsZeroBased',
  'bordaWinner',
  'pluralityWinner',
  'copelandWins',
  'totals',
  'means',
  'voterCounts',
  'nonzeroVoterCounts',
  'scoreWinner',
  'scoreTiedWinners',
  'winner',
]);

function rulesFor(vector: Vector): BallotRules {
  const settings = vector.settings ?? {};
  const highestScore = Math.max(5, ...vector.ballots.flatMap((ballot) => Object.values(ballot.scores ?? {})));
  return {
    kind: vector.kind,
    options: vector.options.map((name) => ({ id: name, label: name })),
    minChoices: settings.minChoices ?? 1,
    // Approval-style polls in the file set no limit: any number of options may be chosen.
    maxChoices: settings.maxChoices ?? settings.maximumStanceChoices ?? vector.options.length,
    maxScore: highestScore,
    dotsPerVoter: settings.dotsPerPerson ?? 10,
  };
}

function choicesOf(ballot: VectorBallot): Choice[] {
  if (ballot.ranking) {
    return ballot.ranking.map((entry, i) => {
      if (Array.isArray(entry)) throw new Error('tied ranks are not Plenary ballots');
      return { optionId: entry, rank: i + 1 };
    });
  }
  if (ballot.scores) return Object.entries(ballot.scores).map(([optionId, score]) => ({ optionId, score }));
  return (ballot.choices ?? []).map((optionId) => ({ optionId }));
}

function expand(vector: Vector): Choice[][] {
  return vector.ballots.flatMap((ballot) => Array.from({ length: ballot.count }, () => choicesOf(ballot)));
}

function rankingsOf(vector: Vector): WeightedRanking[] {
  return vector.ballots.map((ballot) => ({ ranking: ballot.ranking as string[], count: ballot.count }));
}

function sorted(ids: string[]): string[] {
  return [...ids].sort();
}

function optionLine(results: Results, id: string) {
  const line = results.options.find((option) => option.optionId === id);
  if (!line) throw new Error(`no result line for ${id}`);
  return line;
}

function pairwiseOf(vector: Vector): (a: string, b: string) => number {
  const d = pairwisePreferences(vector.options, rankingsOf(vector));
  return (a, b) => d[vector.options.indexOf(a)][vector.options.indexOf(b)];
}

function checkRankedVector(vector: Vector, results: Results): void {
  const expected = vector.expected;
  const rankings = rankingsOf(vector);
  const prefer = pairwiseOf(vector);
  const ballotCount = vector.ballots.reduce((sum, ballot) => sum + ballot.count, 0);

  // The standalone functions and the dispatcher must agree.
  expect(instantRunoff(vector.options, rankings)).toEqual({
    rounds: results.rounds,
    winnerIds: results.winnerIds,
  });
  expect(bordaPoints(vector.options, rankings)).toEqual(results.bordaPoints);
  expect(schulzeWinner(vector.options, rankings)).toBe(results.condorcetWinnerId);

  if ('irvWinner' in expected) {
    if (expected.irvWinner === null) expect(results.winnerIds.length).not.toBe(1);
    else expect(results.winnerIds).toEqual([expected.irvWinner]);
  }
  if ('irvTiedCandidates' in expected) {
    expect(sorted(results.winnerIds)).toEqual(sorted(expected.irvTiedCandidates as string[]));
  }
  if ('irvRounds' in expected) {
    const rounds = expected.irvRounds as VectorRound[];
    const ours = results.rounds ?? [];
    expect(ours).toHaveLength(rounds.length);
    rounds.forEach((round, r) => {
      expect(ours[r].counts).toEqual(round.counts);
      // Batch eliminations are listed in no particular order in the sources.
      expect(sorted(ours[r].eliminatedIds)).toEqual(sorted(round.eliminated ?? []));
      if (round.elected) expect(results.winnerIds).toEqual([round.elected]);
      // Plenary has no separate "tied" marker: a final round with no elimination and several
      // winnerIds is the tie.
      if (round.tied) expect(sorted(results.winnerIds)).toEqual(sorted(round.tied));
    });
  }
  if ('pairwise' in expected) {
    for (const [pair, count] of Object.entries(expected.pairwise as Record<string, number>)) {
      const [a, b] = pair.split('>');
      expect(prefer(a, b), pair).toBe(count);
    }
  }
  if ('condorcetWinner' in expected) {
    const winner = expected.condorcetWinner as string;
    for (const other of vector.options) {
      if (other !== winner) expect(prefer(winner, other)).toBeGreaterThan(prefer(other, winner));
    }
    expect(results.condorcetWinnerId).toBe(winner);
  }
  if ('condorcetRanking' in expected) {
    const order = expected.condorcetRanking as string[];
    order.forEach((above, i) => {
      for (const below of order.slice(i + 1))
        expect(prefer(above, below)).toBeGreaterThan(prefer(below, above));
    });
  }
  if ('schulzeWinner' in expected) {
    expect(results.condorcetWinnerId).toBe(expected.schulzeWinner);
  }
  if ('schulzeTiedWinners' in expected) {
    expect(sorted(schulzeRanking(vector.options, rankings)[0])).toEqual(
      sorted(expected.schulzeTiedWinners as string[]),
    );
  }
  if ('schulzeRanking' in expected) {
    const groups = (expected.schulzeRanking as (string | string[])[]).map((entry) =>
      sorted(Array.isArray(entry) ? entry : [entry]),
    );
    expect(schulzeRanking(vector.options, rankings).map(sorted)).toEqual(groups);
  }
  if ('strongestPaths' in expected) {
    const paths = schulzeStrongestPaths(pairwisePreferences(vector.options, rankings));
    for (const [pair, strength] of Object.entries(expected.strongestPaths as Record<string, number>)) {
      const [a, b] = pair.split('>');
      expect(paths[vector.options.indexOf(a)][vector.options.indexOf(b)], pair).toBe(strength);
    }
  }
  if ('bordaPointsZeroBased' in expected) {
    // Ours: n−1 points for a first place down to 0 for the last (shared/API.md), as Wikipedia.
    expect(results.bordaPoints).toEqual(expected.bordaPointsZeroBased);
  }
  if ('bordaPoints' in expected) {
    // The source's Loomio convention gives n..1 points, one more per ranked option per ballot.
    // Plenary deliberately uses n−1..0 (shared/API.md); on complete ballots the two differ by
    // exactly the ballot count for every option.
    for (const [id, points] of Object.entries(expected.bordaPoints as Record<string, number>)) {
      expect(results.bordaPoints?.[id]).toBe(points - ballotCount);
    }
  }
  if ('bordaWinner' in expected) {
    const borda = results.bordaPoints ?? {};
    const top = Math.max(...Object.values(borda));
    expect(vector.options.filter((id) => borda[id] === top)).toEqual([expected.bordaWinner]);
  }
  if ('pluralityWinner' in expected) {
    const top = Math.max(...results.options.map((line) => line.count));
    const leaders = results.options.filter((line) => line.count === top).map((line) => line.optionId);
    expect(leaders).toEqual([expected.pluralityWinner]);
  }
  if ('copelandWins' in expected) {
    for (const [id, wins] of Object.entries(expected.copelandWins as Record<string, number>)) {
      const beaten = vector.options.filter((other) => other !== id && prefer(id, other) > prefer(other, id));
      expect(beaten).toHaveLength(wins);
    }
  }
}

function checkScoredVector(vector: Vector, results: Results, cast: number): void {
  const expected = vector.expected;
  if ('totals' in expected) {
    for (const [id, total] of Object.entries(expected.totals as Record<string, number>)) {
      expect(optionLine(results, id).score, id).toBe(total);
    }
  }
  if ('means' in expected) {
    for (const [id, mean] of Object.entries(expected.means as Record<string, number>)) {
      const line = optionLine(results, id);
      // Ours is the API's "score per vote cast", to two decimals; the sources agree wherever every
      // ballot scores every option. score-tennessee-missing-scores divides by the voters who scored
      // the option instead (Memphis 16800/42 = 400; ours 16800/100 = 168). Plenary ballots score
      // every option, so the two conventions only part on ballots Plenary refuses anyway.
      expect(line.mean).toBe(Math.round((line.score * 100) / cast) / 100);
      if (vector.name === 'score-tennessee-missing-scores') expect(line.mean).not.toBeCloseTo(mean, 2);
      else expect(line.mean).toBeCloseTo(mean, 2);
    }
  }
  // Plenary's `count` for a score is the ballots giving the option more than 0, which is both
  // abiftool's "from N voters" and, for unscored options, "did not score it".
  for (const key of ['voterCounts', 'nonzeroVoterCounts']) {
    if (!(key in expected)) continue;
    for (const [id, voters] of Object.entries(expected[key] as Record<string, number>)) {
      expect(optionLine(results, id).count, id).toBe(voters);
    }
  }
  if ('scoreWinner' in expected) expect(results.winnerIds).toEqual([expected.scoreWinner]);
  if ('scoreTiedWinners' in expected) {
    expect(sorted(results.winnerIds)).toEqual(sorted(expected.scoreTiedWinners as string[]));
  }
}

function checkPollVector(vector: Vector, results: Results): void {
  const expected = vector.expected;
  if ('totals' in expected) {
    for (const [id, total] of Object.entries(expected.totals as Record<string, number>)) {
      expect(optionLine(results, id).count, id).toBe(total);
      expect(optionLine(results, id).score, id).toBe(total);
    }
  }
  if ('winner' in expected) expect(results.winnerIds).toEqual([expected.winner]);
}

describe('tally vectors', () => {
  it('filters out exactly the vectors that need features Plenary ballots do not have', () => {
    // Tied ranks (overvotes), superseded ballots and delegation cannot be expressed as Plenary
    // ballots: ranks are distinct, a second vote replaces the first before tallying, and there is
    // no delegation. Burlington is still counted below, as the nearest Plenary ballots.
    expect(unsupported.map((vector) => [vector.name, vector.requires])).toEqual([
      ['burlington-2009-mayor', ['tiedRanks']],
      ['loomio-dot-vote-only-latest-stance-counts', ['supersededBallots']],
      ['citizenos-delegation-single-choice', ['delegation']],
      ['citizenos-delegation-multiple-choice-override', ['delegation']],
    ]);
    expect(supported.length).toBeGreaterThan(0);
    expect(supported).toHaveLength(16);
  });

  it('checks or explicitly sets aside every expected field', () => {
    for (const vector of supported) {
      for (const key of Object.keys(vector.expected)) {
        expect(CHECKED.has(key) || key in NOT_IN_PLENARY, `${vector.name}: ${key}`).toBe(true);
      }
    }
  });

  for (const vector of supported) {
    it(`reproduces ${vector.name}`, () => {
      const rules = rulesFor(vector);
      const ballots = expand(vector);
      const results = tallyProposal(rules, ballots, ballots.length + 3);
      expect(results.undecidedCount).toBe(3);
      if (vector.kind === 'ranked_choice') checkRankedVector(vector, results);
      else if (vector.kind === 'score') checkScoredVector(vector, results, ballots.length);
      else checkPollVector(vector, results);
    });

    it(`accepts the ballots of ${vector.name} as valid Plenary votes`, () => {
      const rules = rulesFor(vector);
      const verdicts = vector.ballots.map((ballot) => validateBallot(rules, choicesOf(ballot)));
      if (vector.name === 'score-tennessee-missing-scores') {
        // A Plenary score ballot must score every option, so these are refused; the tally is
        // still defined for them (an unscored option adds nothing) and is checked above.
        expect(verdicts.every((verdict) => !verdict.ok)).toBe(true);
      } else {
        expect(verdicts.filter((verdict) => !verdict.ok)).toEqual([]);
      }
    });
  }
});

describe('Burlington 2009 mayoral election, as Plenary ballots', () => {
  // The vector needs tied ranks: 6 of the 8,980 ballots (6 lines) rank two candidates equal. Plenary
  // cannot store those, so here each is cut off before its overvote, which is what the official
  // rule does to it as soon as that rank is reached. The one exception: Montroll > Smith >
  // {Wright, Simpson} > Kiss counted for Wright in the final round, Simpson being out by then;
  // truncated, it is exhausted. So only that round differs, by that one ballot, and every pairwise
  // count may differ from the official one by at most 6.
  const vector = file.vectors.find((candidate) => candidate.name === 'burlington-2009-mayor') as Vector;
  const overvoted = vector.ballots.filter((ballot) => ballot.ranking?.some(Array.isArray));
  const truncated = vector.ballots.map((ballot) => {
    const ranking = ballot.ranking ?? [];
    const overvote = ranking.findIndex(Array.isArray);
    return {
      count: ballot.count,
      ranking: (overvote < 0 ? ranking : ranking.slice(0, overvote)) as string[],
    };
  });
  const rules: BallotRules = { ...rulesFor(vector), kind: 'ranked_choice' };
  const ballots = truncated.flatMap((ballot) =>
    Array.from({ length: ballot.count }, () =>
      ballot.ranking.map((optionId, i) => ({ optionId, rank: i + 1 })),
    ),
  );
  const official = vector.expected.irvRounds as VectorRound[];

  it('has 8,980 ballots of which 6 carry an overvote', () => {
    expect(ballots).toHaveLength(8980);
    expect(overvoted.reduce((sum, ballot) => sum + ballot.count, 0)).toBe(6);
  });

  it('reproduces the official rounds, batch elimination included, and elects Kiss', () => {
    const results = tallyProposal(rules, ballots, 8980);
    const rounds = results.rounds ?? [];
    expect(rounds).toHaveLength(3);
    expect(rounds[0].counts).toEqual(official[0].counts);
    expect(sorted(rounds[0].eliminatedIds)).toEqual(['Simpson', 'Smith', 'Write-in']);
    expect(rounds[1].counts).toEqual(official[1].counts);
    expect(rounds[1].eliminatedIds).toEqual(['Montroll']);
    expect(rounds[2].counts).toEqual({ Kiss: 4313, Wright: 4060 });
    expect(official[2].counts).toEqual({ Kiss: 4313, Wright: 4061 });
    const continuing = rounds[2].counts.Kiss + rounds[2].counts.Wright;
    expect(continuing).toBe((vector.expected.irvFinalRoundContinuing as number) - 1);
    // The 4 ballots overvoted at rank 1 rank nothing once truncated, so they never enter the count.
    expect(continuing + rounds[2].exhaustedCount + 4).toBe(8980);
    expect(results.winnerIds).toEqual(['Kiss']);
    expect(results.undecidedCount).toBe(0);
  });

  it('finds Montroll as the Condorcet (Schulze) winner, pairwise counts within the 6 overvotes', () => {
    const results = tallyProposal(rules, ballots, 8980);
    expect(results.condorcetWinnerId).toBe('Montroll');
    const d = pairwisePreferences(vector.options, truncated);
    for (const [pair, count] of Object.entries(vector.expected.pairwise as Record<string, number>)) {
      const [a, b] = pair.split('>');
      const ours = d[vector.options.indexOf(a)][vector.options.indexOf(b)];
      expect(Math.abs(ours - count), pair).toBeLessThanOrEqual(6);
    }
  });
});
