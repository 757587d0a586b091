import { describe, expect, it } from 'vitest';
import {
  bordaPoints,
  instantRunoff,
  pairwisePreferences,
  rankingsFromBallots,
  schulzeRanking,
  schulzeStrongestPaths,
  schulzeWinner,
  tallyConsent,
  tallyDotVote,
  tallyMeeting,
  tallyPoll,
  tallyProposal,
  tallyRankedChoice,
  tallyScore,
} from '../../server/domain/tally';
import { BALLOT_DEFAULTS, type BallotRules, CONSENT_POSITIONS, type TallyOption } from '../../shared/ballot';
import type { Choice, ProposalKind } from '../../shared/schemas/proposals';

function options(...ids: string[]): TallyOption[] {
  return ids.map((id) => ({ id, label: id.toUpperCase() }));
}

function rules(kind: ProposalKind, opts: TallyOption[], overrides: Partial<BallotRules> = {}): BallotRules {
  return { kind, options: opts, ...BALLOT_DEFAULTS, ...overrides };
}

/** `times(3, ballot)`: three voters casting the same ballot. */
function times(count: number, ballot: Choice[]): Choice[][] {
  return Array.from({ length: count }, () => ballot);
}

function ranked(...ids: string[]): Choice[] {
  return ids.map((optionId, i) => ({ optionId, rank: i + 1 }));
}

function picked(...ids: string[]): Choice[] {
  return ids.map((optionId) => ({ optionId }));
}

function scored(scores: Record<string, number>): Choice[] {
  return Object.entries(scores).map(([optionId, score]) => ({ optionId, score }));
}

const consent: TallyOption[] = CONSENT_POSITIONS.map((position) => ({ id: position, label: position }));

describe('tallyConsent', () => {
  it('counts each position, as a percent of votes cast to one decimal', () => {
    const ballots = [
      ...times(3, picked('agree')),
      ...times(2, picked('abstain')),
      ...times(1, picked('disagree')),
    ];
    const results = tallyConsent(consent, ballots, 10);
    expect(results).toEqual({
      options: [
        { optionId: 'agree', count: 3, score: 3, percent: 50 },
        { optionId: 'abstain', count: 2, score: 2, percent: 33.3 },
        { optionId: 'disagree', count: 1, score: 1, percent: 16.7 },
        { optionId: 'block', count: 0, score: 0, percent: 0 },
      ],
      winnerIds: ['agree'],
      blocked: false,
      undecidedCount: 4,
    });
  });

  it('flags a single block even when agreement wins', () => {
    const results = tallyConsent(consent, [...times(9, picked('agree')), picked('block')], 10);
    expect(results.blocked).toBe(true);
    expect(results.winnerIds).toEqual(['agree']);
  });

  it('recognises the block position by label when option ids are opaque', () => {
    const stored = CONSENT_POSITIONS.map((position, i) => ({ id: `opt_${i}`, label: position }));
    expect(tallyConsent(stored, [picked('opt_3')], 1).blocked).toBe(true);
    expect(tallyConsent(stored, [picked('opt_2')], 1).blocked).toBe(false);
    const capitalised = CONSENT_POSITIONS.map((position, i) => ({
      id: `opt_${i}`,
      label: `${position[0].toUpperCase()}${position.slice(1)}`,
    }));
    expect(tallyConsent(capitalised, [picked('opt_3')], 1).blocked).toBe(true);
  });

  it('lists every position on a tie and none without votes', () => {
    expect(tallyConsent(consent, [picked('agree'), picked('disagree')], 2).winnerIds).toEqual([
      'agree',
      'disagree',
    ]);
    const empty = tallyConsent(consent, [], 7);
    expect(empty.winnerIds).toEqual([]);
    expect(empty.blocked).toBe(false);
    expect(empty.undecidedCount).toBe(7);
    expect(empty.options.every((line) => line.count === 0 && line.percent === 0)).toBe(true);
  });
});

describe('tallyPoll', () => {
  const fruit = options('apple', 'pear', 'plum');

  it('counts multiple choices, each as a share of votes cast (so percents may exceed 100 in total)', () => {
    const results = tallyPoll(fruit, [picked('apple', 'pear'), picked('apple'), picked('plum', 'apple')], 3);
    expect(results.options.map((line) => [line.optionId, line.count, line.percent])).toEqual([
      ['apple', 3, 100],
      ['pear', 1, 33.3],
      ['plum', 1, 33.3],
    ]);
    expect(results.winnerIds).toEqual(['apple']);
    expect(results.undecidedCount).toBe(0);
  });

  it('rounds percents half up to one decimal', () => {
    const percentOf = (chosen: number, cast: number) =>
      tallyPoll(fruit, [...times(chosen, picked('apple')), ...times(cast - chosen, picked('pear'))], cast)
        .options[0].percent;
    expect(percentOf(1, 8)).toBe(12.5);
    expect(percentOf(1, 6)).toBe(16.7);
    expect(percentOf(2, 3)).toBe(66.7);
    expect(percentOf(1, 200)).toBe(0.5);
    expect(percentOf(1, 2001)).toBe(0);
    expect(percentOf(7, 7)).toBe(100);
  });

  it('ignores unknown options and counts an option once per ballot', () => {
    const results = tallyPoll(fruit, [picked('apple', 'apple', 'durian')], 1);
    expect(results.options[0].count).toBe(1);
    expect(results.options.reduce((sum, line) => sum + line.count, 0)).toBe(1);
  });

  it('never reports a negative undecided count', () => {
    expect(tallyPoll(fruit, times(5, picked('pear')), 3).undecidedCount).toBe(0);
  });
});

describe('tallyScore', () => {
  const dishes = options('soup', 'stew', 'salad');

  it('totals scores, with the mean per vote cast to two decimals and count as scores above 0', () => {
    const ballots = [
      scored({ soup: 5, stew: 0, salad: 2 }),
      scored({ soup: 4, stew: 1, salad: 2 }),
      scored({ soup: 4, stew: 0, salad: 3 }),
    ];
    const results = tallyScore(dishes, ballots, 4);
    expect(results.options).toEqual([
      { optionId: 'soup', count: 3, score: 13, percent: 100, mean: 4.33 },
      { optionId: 'stew', count: 1, score: 1, percent: 33.3, mean: 0.33 },
      { optionId: 'salad', count: 3, score: 7, percent: 100, mean: 2.33 },
    ]);
    expect(results.winnerIds).toEqual(['soup']);
    expect(results.undecidedCount).toBe(1);
  });

  it('declares a tie rather than breaking it, and no winner when everything scored 0', () => {
    const tie = [scored({ soup: 5, stew: 4, salad: 0 }), scored({ soup: 4, stew: 5, salad: 0 })];
    expect(tallyScore(dishes, tie, 2).winnerIds).toEqual(['soup', 'stew']);
    expect(tallyScore(dishes, [scored({ soup: 0, stew: 0, salad: 0 })], 1).winnerIds).toEqual([]);
    expect(tallyScore(dishes, [], 1).options[0]).toEqual({
      optionId: 'soup',
      count: 0,
      score: 0,
      percent: 0,
      mean: 0,
    });
  });
});

describe('tallyDotVote', () => {
  it('totals dots; count is the voters who put at least one dot on the option', () => {
    const ideas = options('garden', 'library', 'mural');
    const ballots = [
      scored({ garden: 7, library: 3 }),
      scored({ garden: 0, mural: 10 }),
      scored({ library: 2 }),
    ];
    const results = tallyDotVote(ideas, ballots, 3);
    expect(results.options).toEqual([
      { optionId: 'garden', count: 1, score: 7, percent: 33.3 },
      { optionId: 'library', count: 2, score: 5, percent: 66.7 },
      { optionId: 'mural', count: 1, score: 10, percent: 33.3 },
    ]);
    expect(results.winnerIds).toEqual(['mural']);
    expect(tallyDotVote(ideas, [scored({ garden: 0 })], 3).winnerIds).toEqual([]);
  });
});

describe('tallyMeeting', () => {
  const slot = (id: string, startsAt: string | null): TallyOption => ({ id, label: id, startsAt });
  const yes = 2;
  const maybe = 1;
  const no = 0;

  it('counts yes and if-need-be per slot and picks the slot with most yes', () => {
    const slots = [slot('mon', '2030-01-07T10:00:00.000Z'), slot('tue', '2030-01-08T10:00:00.000Z')];
    const ballots = [
      scored({ mon: yes, tue: maybe }),
      scored({ mon: no, tue: yes }),
      scored({ mon: yes, tue: yes }),
    ];
    const results = tallyMeeting(slots, ballots, 5);
    expect(results.options).toEqual([
      { optionId: 'mon', count: 2, score: 4, percent: 66.7, yesCount: 2, maybeCount: 0 },
      { optionId: 'tue', count: 3, score: 5, percent: 100, yesCount: 2, maybeCount: 1 },
    ]);
    // Equal yes (2 each): tue wins on if-need-be.
    expect(results.bestSlotId).toBe('tue');
    expect(results.winnerIds).toEqual(['tue']);
    expect(results.undecidedCount).toBe(2);
  });

  it('breaks a full tie by the earliest start, whatever the option order, slots without a time last', () => {
    const slots = [
      slot('undated', null),
      slot('late', '2030-01-09T18:00:00.000Z'),
      slot('early', '2030-01-09T08:00:00.000Z'),
    ];
    const ballots = [scored({ undated: yes, late: yes, early: yes })];
    expect(tallyMeeting(slots, ballots, 1).bestSlotId).toBe('early');
    expect(tallyMeeting(slots.slice(0, 2), [scored({ undated: yes, late: yes })], 1).bestSlotId).toBe('late');
  });

  it('prefers more yes over more if-need-be', () => {
    const slots = [slot('a', '2030-01-01T00:00:00.000Z'), slot('b', '2030-01-02T00:00:00.000Z')];
    const ballots = [scored({ a: maybe, b: yes }), scored({ a: maybe, b: no }), scored({ a: maybe, b: no })];
    expect(tallyMeeting(slots, ballots, 3).bestSlotId).toBe('b');
  });

  it('has no best slot without votes, or when nobody can make any slot', () => {
    const slots = [slot('only', '2030-01-01T00:00:00.000Z')];
    expect(tallyMeeting(slots, [], 3)).toMatchObject({ bestSlotId: null, winnerIds: [], undecidedCount: 3 });
    expect(tallyMeeting(slots, [scored({ only: no })], 3)).toMatchObject({ bestSlotId: null, winnerIds: [] });
    expect(tallyMeeting(slots, [scored({ only: maybe })], 3).bestSlotId).toBe('only');
  });
});

describe('tallyRankedChoice', () => {
  const cities = [
    { id: 'memphis', label: 'Memphis' },
    { id: 'nashville', label: 'Nashville' },
    { id: 'chattanooga', label: 'Chattanooga' },
    { id: 'knoxville', label: 'Knoxville' },
  ];
  // Wikipedia's Tennessee capital example, as 100 voters.
  const tennessee = [
    ...times(42, ranked('memphis', 'nashville', 'chattanooga', 'knoxville')),
    ...times(26, ranked('nashville', 'chattanooga', 'knoxville', 'memphis')),
    ...times(15, ranked('chattanooga', 'knoxville', 'nashville', 'memphis')),
    ...times(17, ranked('knoxville', 'chattanooga', 'nashville', 'memphis')),
  ];

  it('elects Knoxville by instant runoff in the Tennessee example, while Nashville is the Schulze winner', () => {
    const results = tallyRankedChoice(cities, tennessee, 100);
    expect(results.rounds).toEqual([
      {
        counts: { memphis: 42, nashville: 26, chattanooga: 15, knoxville: 17 },
        eliminatedIds: ['chattanooga'],
        exhaustedCount: 0,
      },
      {
        counts: { memphis: 42, nashville: 26, knoxville: 32 },
        eliminatedIds: ['nashville'],
        exhaustedCount: 0,
      },
      { counts: { memphis: 42, knoxville: 58 }, eliminatedIds: [], exhaustedCount: 0 },
    ]);
    expect(results.winnerIds).toEqual(['knoxville']);
    expect(results.condorcetWinnerId).toBe('nashville');
    expect(results.bordaPoints).toEqual({ memphis: 126, nashville: 194, chattanooga: 173, knoxville: 107 });
    expect(results.options[0]).toEqual({ optionId: 'memphis', count: 42, score: 126, percent: 42 });
    expect(
      schulzeRanking(
        cities.map((city) => city.id),
        rankingsFromBallots(cities, tennessee),
      ),
    ).toEqual([['nashville'], ['chattanooga'], ['knoxville'], ['memphis']]);
  });

  it('stops in the first round when an option has a majority', () => {
    const results = tallyRankedChoice(
      options('a', 'b', 'c'),
      [...times(3, ranked('a')), ranked('b', 'a'), ranked('c')],
      5,
    );
    expect(results.rounds).toHaveLength(1);
    expect(results.rounds?.[0].eliminatedIds).toEqual([]);
    expect(results.winnerIds).toEqual(['a']);
  });

  it('needs a majority of continuing ballots only, once truncated ballots are exhausted', () => {
    const ballots = [...times(4, ranked('a')), ...times(3, ranked('b')), ...times(2, ranked('c'))];
    const results = tallyRankedChoice(options('a', 'b', 'c'), ballots, 9);
    expect(results.rounds).toEqual([
      { counts: { a: 4, b: 3, c: 2 }, eliminatedIds: ['c'], exhaustedCount: 0 },
      // 4 of 9 ballots is no majority of all, but it is of the 7 still continuing.
      { counts: { a: 4, b: 3 }, eliminatedIds: [], exhaustedCount: 2 },
    ]);
    expect(results.winnerIds).toEqual(['a']);
  });

  it('eliminates at once every low option that could not catch up even pooled, zero-vote options included', () => {
    const ballots = [
      ...times(10, ranked('a')),
      ...times(9, ranked('b')),
      ...times(3, ranked('c', 'b')),
      ...times(2, ranked('d', 'b')),
      ranked('e', 'a'),
    ];
    const results = tallyRankedChoice(options('a', 'b', 'c', 'd', 'e', 'f'), ballots, 25);
    expect(results.rounds?.[0].eliminatedIds).toEqual(['c', 'd', 'e', 'f']);
    expect(results.rounds?.[1]).toEqual({ counts: { a: 11, b: 14 }, eliminatedIds: [], exhaustedCount: 0 });
    expect(results.winnerIds).toEqual(['b']);
  });

  it('breaks a tie for last by the earlier round, even against option order', () => {
    const ballots = [
      ...times(10, ranked('a')),
      ...times(5, ranked('b', 'c')),
      ...times(7, ranked('c')),
      ...times(2, ranked('d', 'b')),
    ];
    const results = tallyRankedChoice(options('a', 'b', 'c', 'd'), ballots, 24);
    expect(results.rounds).toEqual([
      { counts: { a: 10, b: 5, c: 7, d: 2 }, eliminatedIds: ['d'], exhaustedCount: 0 },
      // b and c tie at 7; b had fewer votes in round 1, so b goes although c is listed later.
      { counts: { a: 10, b: 7, c: 7 }, eliminatedIds: ['b'], exhaustedCount: 0 },
      { counts: { a: 10, c: 12 }, eliminatedIds: [], exhaustedCount: 2 },
    ]);
    expect(results.winnerIds).toEqual(['c']);
  });

  it('looks back as many rounds as needed before falling back to option order', () => {
    const ballots = [
      ...times(20, ranked('a')),
      ...times(6, ranked('b')),
      ...times(8, ranked('c')),
      ...times(2, ranked('y')),
      ...times(3, ranked('x')),
      ...times(2, ranked('z', 'c')),
      ...times(1, ranked('e', 'y')),
    ];
    const results = tallyRankedChoice(options('a', 'b', 'c', 'y', 'x', 'z', 'e'), ballots, 42);
    expect(results.rounds).toEqual([
      { counts: { a: 20, b: 6, c: 8, y: 2, x: 3, z: 2, e: 1 }, eliminatedIds: ['e'], exhaustedCount: 0 },
      { counts: { a: 20, b: 6, c: 8, y: 3, x: 3, z: 2 }, eliminatedIds: ['z'], exhaustedCount: 0 },
      // x and y tie now and in round 2; in round 1 y had fewer, so y goes, though x is listed later.
      { counts: { a: 20, b: 6, c: 10, y: 3, x: 3 }, eliminatedIds: ['y'], exhaustedCount: 0 },
      { counts: { a: 20, b: 6, c: 10, x: 3 }, eliminatedIds: [], exhaustedCount: 3 },
    ]);
    expect(results.winnerIds).toEqual(['a']);
  });

  it('falls back to eliminating the option listed last when tied in every round', () => {
    const ballots = [...times(4, ranked('a')), ...times(3, ranked('b', 'a')), ...times(3, ranked('c', 'a'))];
    expect(tallyRankedChoice(options('a', 'b', 'c'), ballots, 10).rounds?.[0].eliminatedIds).toEqual(['c']);
    expect(tallyRankedChoice(options('a', 'c', 'b'), ballots, 10).rounds?.[0].eliminatedIds).toEqual(['b']);
  });

  it('declares a tie when every continuing option has the same count', () => {
    const twoWay = tallyRankedChoice(
      options('a', 'b'),
      [...times(2, ranked('a', 'b')), ...times(2, ranked('b'))],
      4,
    );
    expect(twoWay.winnerIds).toEqual(['a', 'b']);
    expect(twoWay.rounds).toEqual([{ counts: { a: 2, b: 2 }, eliminatedIds: [], exhaustedCount: 0 }]);
    // A Condorcet cycle: every method sees a three-way tie.
    const cycle = [ranked('a', 'b', 'c'), ranked('b', 'c', 'a'), ranked('c', 'a', 'b')];
    const results = tallyRankedChoice(options('a', 'b', 'c'), cycle, 3);
    expect(results.winnerIds).toEqual(['a', 'b', 'c']);
    expect(results.condorcetWinnerId).toBeNull();
    expect(results.bordaPoints).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('reports nothing decided without votes', () => {
    const results = tallyRankedChoice(options('a', 'b'), [], 6);
    expect(results).toEqual({
      options: [
        { optionId: 'a', count: 0, score: 0, percent: 0 },
        { optionId: 'b', count: 0, score: 0, percent: 0 },
      ],
      winnerIds: [],
      rounds: [],
      bordaPoints: { a: 0, b: 0 },
      condorcetWinnerId: null,
      undecidedCount: 6,
    });
  });

  it('gives Borda points by place among all options, 0 when unranked', () => {
    const opts = options('a', 'b', 'c', 'd');
    const results = tallyRankedChoice(opts, [ranked('b'), ranked('c', 'a')], 2);
    expect(results.bordaPoints).toEqual({ a: 2, b: 3, c: 3, d: 0 });
    expect(results.options.map((line) => line.score)).toEqual([2, 3, 3, 0]);
  });

  it('prefers a ranked option to an unranked one, and two unranked options to neither', () => {
    const ids = ['a', 'b', 'c'];
    expect(pairwisePreferences(ids, [{ ranking: ['b'], count: 2 }])).toEqual([
      [0, 0, 0],
      [2, 0, 2],
      [0, 0, 0],
    ]);
  });

  it('treats a pairwise tie as no Schulze link in either direction', () => {
    expect(
      schulzeStrongestPaths([
        [0, 5],
        [5, 0],
      ]),
    ).toEqual([
      [0, 0],
      [0, 0],
    ]);
    // a–b tie 1–1; c beats both. With ties as links, b would reach a at strength 1 and a would
    // reach b at strength 1: no change here, but the strengths must stay 0.
    const d = [
      [0, 1, 0],
      [1, 0, 0],
      [2, 2, 0],
    ];
    expect(schulzeStrongestPaths(d)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [2, 2, 0],
    ]);
  });

  it('ignores choices for unknown options and keeps an option at its best rank', () => {
    const opts = options('a', 'b', 'c');
    const messy: Choice[] = [
      { optionId: 'gone', rank: 1 },
      { optionId: 'c', rank: 3 },
      { optionId: 'b', rank: 2 },
      { optionId: 'c', rank: 4 },
    ];
    expect(rankingsFromBallots(opts, [messy, ranked('b', 'c')])).toEqual([{ ranking: ['b', 'c'], count: 2 }]);
    const results = tallyRankedChoice(opts, [messy, [{ optionId: 'gone', rank: 1 }]], 2);
    expect(results.options.map((line) => line.count)).toEqual([0, 1, 0]);
    // The second ballot named no current option: it was cast (it counts for percent) but ranks nothing.
    expect(results.options[1].percent).toBe(50);
    expect(results.rounds?.[0].exhaustedCount).toBe(0);
  });

  it('exposes the same count through the standalone functions', () => {
    const ids = cities.map((city) => city.id);
    const rankings = rankingsFromBallots(cities, tennessee);
    expect(rankings).toHaveLength(4);
    expect(instantRunoff(ids, rankings).winnerIds).toEqual(['knoxville']);
    expect(schulzeWinner(ids, rankings)).toBe('nashville');
    expect(schulzeWinner(ids, [])).toBeNull();
    expect(bordaPoints(ids, rankings).nashville).toBe(194);
  });
});

describe('tallyProposal', () => {
  const opts = options('x', 'y');

  it('dispatches on kind and returns only the fields of that kind', () => {
    const shape = (kind: ProposalKind, ballots: Choice[][]) =>
      Object.keys(tallyProposal(rules(kind, kind === 'proposal' ? consent : opts), ballots, 3)).sort();
    expect(shape('proposal', [picked('agree')])).toEqual([
      'blocked',
      'options',
      'undecidedCount',
      'winnerIds',
    ]);
    expect(shape('poll', [picked('x')])).toEqual(['options', 'undecidedCount', 'winnerIds']);
    expect(shape('score', [scored({ x: 1, y: 2 })])).toEqual(['options', 'undecidedCount', 'winnerIds']);
    expect(shape('dot_vote', [scored({ x: 1 })])).toEqual(['options', 'undecidedCount', 'winnerIds']);
    expect(shape('ranked_choice', [ranked('x')])).toEqual([
      'bordaPoints',
      'condorcetWinnerId',
      'options',
      'rounds',
      'undecidedCount',
      'winnerIds',
    ]);
    expect(shape('meeting', [scored({ x: 2, y: 0 })])).toEqual([
      'bestSlotId',
      'options',
      'undecidedCount',
      'winnerIds',
    ]);
  });

  it('gives the same results as the per-kind function', () => {
    const ballots = [scored({ x: 3, y: 5 }), scored({ x: 4, y: 1 })];
    expect(tallyProposal(rules('score', opts), ballots, 4)).toEqual(tallyScore(opts, ballots, 4));
    expect(tallyProposal(rules('dot_vote', opts), ballots, 4)).toEqual(tallyDotVote(opts, ballots, 4));
  });

  it('rejects a kind it does not know', () => {
    expect(() => tallyProposal(rules('straw' as ProposalKind, opts), [], 0)).toThrow(
      'unknown proposal kind: straw',
    );
  });
});
