import { describe, expect, test } from 'vitest';
import {
  ballotErrors,
  buildBallot,
  describeChoices,
  dotsLeftText,
  draftFromVote,
  moveRanked,
  optionKey,
  ordinal,
  toggleRanked,
} from '../../client/data/ballot-draft';
import { consent, proposal } from './proposal-fixtures';

describe('ballot words', () => {
  test('ordinal', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
  });
  test('dots left', () => {
    expect(dotsLeftText(3, 10)).toBe('7 of 10 dots left');
    expect(dotsLeftText(10, 10)).toBe('0 of 10 dots left');
    expect(dotsLeftText(12, 10)).toBe('2 dots too many (you have 10)');
  });
});

describe('ballots', () => {
  test('consent: exactly one position; a block without a reason is warned about, not refused', () => {
    const p = consent();
    const empty = buildBallot(p, draftFromVote(p, null));
    expect(empty.errors).toEqual({ choices: 'Choose one position.' });
    const block = buildBallot(p, { ...draftFromVote(p, null), selected: ['block'] });
    expect(block.errors).toEqual({});
    expect(block.warning).toMatch(/block stops the proposal/);
    expect(block.body).toEqual({ choices: [{ optionId: 'block' }], reason: null });
    const withReason = buildBallot(p, { ...draftFromVote(p, null), selected: ['block'], reason: 'Unsafe' });
    expect(withReason.warning).toBeNull();
    expect(withReason.body.reason).toBe('Unsafe');
  });
  test('a required reason', () => {
    const p = consent({ reasonRequired: true });
    const out = buildBallot(p, { ...draftFromVote(p, null), selected: ['agree'], reason: '   ' });
    expect(out.errors.reason).toBe('Is required on this proposal.');
  });
  test('poll: minChoices..maxChoices, in option order', () => {
    const p = proposal({ minChoices: 1, maxChoices: 2 });
    const draft = draftFromVote(p, null);
    expect(buildBallot(p, draft).errors.choices).toBe('Choose at least 1 option, not 0.');
    expect(buildBallot(p, { ...draft, selected: ['a', 'b', 'c'] }).errors.choices).toBe(
      'Choose at most 2 options, not 3.',
    );
    const ok = buildBallot(p, { ...draft, selected: ['c', 'a'] });
    expect(ok.errors).toEqual({});
    expect(ok.body.choices).toEqual([{ optionId: 'a' }, { optionId: 'c' }]);
    const exact = proposal({ minChoices: 2, maxChoices: 2 });
    expect(buildBallot(exact, { ...draft, selected: ['a'] }).errors.choices).toBe(
      'Choose exactly 2 options, not 1.',
    );
  });
  test('score: every option, 0..maxScore', () => {
    const p = proposal({ kind: 'score', maxScore: 3 });
    const draft = draftFromVote(p, null);
    const out = buildBallot(p, { ...draft, values: { a: 3, b: 4, c: null } });
    expect(out.errors).toEqual({
      [optionKey('b')]: 'Score must be between 0 and 3.',
      [optionKey('c')]: 'Every option needs a score: missing for "Park".',
    });
    const ok = buildBallot(p, { ...draft, values: { a: 3, b: 0, c: 1 } });
    expect(ok.body.choices).toEqual([
      { optionId: 'a', score: 3 },
      { optionId: 'b', score: 0 },
      { optionId: 'c', score: 1 },
    ]);
  });
  test('dot vote: at most dotsPerVoter, at least one; zeros are left out', () => {
    const p = proposal({ kind: 'dot_vote', dotsPerVoter: 5 });
    const draft = draftFromVote(p, null);
    expect(draft.values).toEqual({ a: 0, b: 0, c: 0 });
    expect(buildBallot(p, draft).errors.choices).toBe('Place your dots on at least one option.');
    expect(buildBallot(p, { ...draft, values: { a: 4, b: 2, c: 0 } }).errors.choices).toBe(
      'These dots add up to 6, but each voter has only 5.',
    );
    expect(buildBallot(p, { ...draft, values: { a: 1.5, b: 0, c: 0 } }).errors[optionKey('a')]).toMatch(
      /whole number/,
    );
    const ok = buildBallot(p, { ...draft, values: { a: 0, b: 2, c: 3 } });
    expect(ok.body.choices).toEqual([
      { optionId: 'b', score: 2 },
      { optionId: 'c', score: 3 },
    ]);
  });
  test('ranked choice: ranks 1..k from the order, unranked options left out', () => {
    const p = proposal({ kind: 'ranked_choice' });
    const draft = draftFromVote(p, null);
    expect(buildBallot(p, draft).errors.choices).toBe('Rank at least one option.');
    const ok = buildBallot(p, { ...draft, order: ['c', 'a'] });
    expect(ok.errors).toEqual({});
    expect(ok.body.choices).toEqual([
      { optionId: 'c', rank: 1 },
      { optionId: 'a', rank: 2 },
    ]);
  });
  test('meeting: every slot needs yes, if need be or no', () => {
    const p = proposal({ kind: 'meeting' });
    const draft = draftFromVote(p, null);
    const out = buildBallot(p, { ...draft, values: { a: 2, b: 1, c: null } });
    expect(Object.keys(out.errors)).toEqual([optionKey('c')]);
    const ok = buildBallot(p, { ...draft, values: { a: 2, b: 1, c: 0 } });
    expect(ok.body.choices.map((c) => c.score)).toEqual([2, 1, 0]);
  });
  test('a draft starts from the caller’s vote', () => {
    const p = proposal({ kind: 'ranked_choice' });
    const vote = {
      proposalId: 'p1',
      voter: null,
      choices: [
        { optionId: 'b', rank: 2 },
        { optionId: 'c', rank: 1 },
      ],
      reason: 'why not',
      createdAt: '',
      updatedAt: '',
      weight: 1,
    };
    expect(draftFromVote(p, vote)).toMatchObject({ order: ['c', 'b'], reason: 'why not' });
    expect(describeChoices(p, vote.choices)).toBe('1. Park  2. Café');
  });
  test('server errors land beside the option the choice named', () => {
    const sent = [
      { optionId: 'c', rank: 1 },
      { optionId: 'a', rank: 1 },
    ];
    const errors = ballotErrors(
      [
        { path: '/choices/1/rank', message: 'rank 1 is used twice' },
        { path: '/choices', message: 'ranks must count up from 1' },
        { path: '/reason', message: 'is required on this proposal' },
      ],
      sent,
    );
    expect(errors).toEqual({
      [optionKey('a')]: 'Rank 1 is used twice.',
      choices: 'Ranks must count up from 1.',
      reason: 'Is required on this proposal.',
    });
  });
  test('reordering a ranking', () => {
    expect(moveRanked(['a', 'b', 'c'], 'c', -1)).toEqual(['a', 'c', 'b']);
    expect(moveRanked(['a', 'b', 'c'], 'a', -1)).toEqual(['a', 'b', 'c']);
    expect(moveRanked(['a', 'b', 'c'], 'a', 5)).toEqual(['b', 'c', 'a']);
    expect(toggleRanked(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggleRanked(['a', 'b'], 'a')).toEqual(['b']);
  });
});

describe('a vote in words', () => {
  test('a label that ends in punctuation gains no colon', () => {
    const p = {
      kind: 'dot_vote' as const,
      options: [
        { id: 'y', label: 'Yes!' },
        { id: 'n', label: 'Not now' },
      ],
    };
    expect(
      describeChoices(p, [
        { optionId: 'y', score: 1 },
        { optionId: 'n', score: 3 },
      ]),
    ).toBe('Yes! 1 dot, Not now: 3 dots');
  });
});
