import { describe, expect, test } from 'vitest';
import {
  ballotErrors,
  buildBallot,
  buildProposal,
  consentRows,
  countdownText,
  defaultClosingInput,
  describeChoices,
  dotsLeftText,
  draftFromVote,
  emptyProposalDraft,
  formatDateTime,
  fromLocalInput,
  irvNarrative,
  irvTable,
  moveRanked,
  optionKey,
  optionLabel,
  ordinal,
  participationText,
  percentText,
  pieSlices,
  resultRows,
  resultsSummary,
  toggleRanked,
  toLocalInput,
  winnerText,
} from '../../client/data/proposal-view';
import type { Proposal, Results } from '../../client/data/proposals';

const NOW = Date.parse('2026-03-02T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function proposal(over: Partial<Proposal> = {}): Proposal {
  return {
    id: 'p1',
    threadId: 't1',
    groupId: 'g1',
    kind: 'poll',
    title: 'Where shall we meet?',
    details: '',
    options: [
      { id: 'a', label: 'Library' },
      { id: 'b', label: 'Café' },
      { id: 'c', label: 'Park' },
    ],
    closesAt: new Date(NOW + DAY).toISOString(),
    closedAt: null,
    anonymous: false,
    resultsHiddenUntilClosed: false,
    reasonRequired: false,
    minChoices: 1,
    maxChoices: 1,
    maxScore: 5,
    dotsPerVoter: 10,
    author: { id: 'u1', name: 'Ada' },
    createdAt: new Date(NOW - DAY).toISOString(),
    voterCount: 0,
    eligibleCount: 5,
    results: null,
    outcome: null,
    ...over,
  };
}

const consent = (over: Partial<Proposal> = {}) =>
  proposal({
    kind: 'proposal',
    options: ['agree', 'abstain', 'disagree', 'block'].map((id) => ({ id, label: id })),
    ...over,
  });

function results(over: Partial<Results> = {}): Results {
  return { options: [], winnerIds: [], undecidedCount: 0, ...over };
}

describe('countdownText', () => {
  const at = (ms: number) => new Date(NOW + ms).toISOString();
  test('days and hours', () => {
    expect(countdownText(at(2 * DAY + 3 * HOUR + 5 * 60_000), null, NOW)).toBe('closes in 2 days 3 h');
    expect(countdownText(at(DAY), null, NOW)).toBe('closes in 1 day');
  });
  test('hours and minutes, minutes, seconds', () => {
    expect(countdownText(at(4 * HOUR + 10 * 60_000), null, NOW)).toBe('closes in 4 h 10 min');
    expect(countdownText(at(HOUR), null, NOW)).toBe('closes in 1 h');
    expect(countdownText(at(5 * 60_000 + 30_000), null, NOW)).toBe('closes in 5 min');
    expect(countdownText(at(20_000), null, NOW)).toBe('closes in less than a minute');
  });
  test('past the closing time, and closed', () => {
    expect(countdownText(at(-1000), null, NOW)).toBe('closing now');
    expect(countdownText(at(DAY), at(-HOUR), NOW)).toBe('closed');
  });
});

describe('labels and numbers', () => {
  test('participation', () => {
    expect(participationText(12, 20, false)).toBe('12 of 20 members have voted');
    expect(participationText(1, 1, false)).toBe('1 of 1 member has voted');
    expect(participationText(0, 3, true)).toBe('0 of 3 members voted');
  });
  test('percent', () => {
    expect(percentText(60)).toBe('60%');
    expect(percentText(33.333)).toBe('33.3%');
    expect(percentText(0)).toBe('0%');
  });
  test('option labels: consent positions are capitalised, unknown ids named', () => {
    expect(optionLabel(consent(), 'block')).toBe('Block');
    expect(optionLabel(proposal(), 'b')).toBe('Café');
    expect(optionLabel(proposal(), 'zzz')).toBe('Removed option');
  });
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
  test('dates in a given zone', () => {
    const text = formatDateTime('2026-03-04T14:00:00.000Z', {
      locale: 'en-GB',
      timeZone: 'Europe/London',
      now: NOW,
    });
    expect(text).toContain('14:00');
    expect(text).toMatch(/Wed/);
    expect(text).not.toContain('2026');
    expect(
      formatDateTime('2027-03-04T14:00:00.000Z', { locale: 'en-GB', timeZone: 'UTC', now: NOW }),
    ).toContain('2027');
  });
});

describe('datetime-local values', () => {
  test('round trip in local time', () => {
    const date = new Date(2026, 2, 4, 14, 30);
    expect(toLocalInput(date)).toBe('2026-03-04T14:30');
    expect(fromLocalInput('2026-03-04T14:30')).toBe(date.toISOString());
  });
  test('empty or malformed is null', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });
  test('the default closing time is about a week ahead, on the hour', () => {
    const iso = fromLocalInput(defaultClosingInput(NOW))!;
    const ahead = Date.parse(iso) - NOW;
    expect(ahead).toBeGreaterThan(7 * DAY);
    expect(ahead).toBeLessThanOrEqual(7 * DAY + HOUR);
    expect(new Date(iso).getMinutes()).toBe(0);
  });
});

describe('pieSlices', () => {
  test('wedges start at 12 o’clock and go clockwise, zeros get none', () => {
    const slices = pieSlices(
      [
        { id: 'agree', value: 3 },
        { id: 'abstain', value: 0 },
        { id: 'block', value: 1 },
      ],
      50,
    );
    expect(slices.map((s) => s.id)).toEqual(['agree', 'block']);
    expect(slices[0]!.fraction).toBeCloseTo(0.75);
    // Three quarters clockwise from the top ends at 9 o'clock, with the large-arc flag set.
    expect(slices[0]!.path).toBe('M 50 50 L 50 0 A 50 50 0 1 1 0 50 Z');
    expect(slices[1]!.path).toBe('M 50 50 L 0 50 A 50 50 0 0 1 50 0 Z');
    // The label of the first slice sits in the lower right... of a wedge spanning top → right → bottom → left: at the bottom right.
    expect(slices[0]!.labelX).toBeGreaterThan(50);
    expect(slices[0]!.labelY).toBeGreaterThan(50);
  });
  test('one option with every vote is a full circle', () => {
    const [slice] = pieSlices([{ id: 'agree', value: 4 }], 10, 10, 10);
    expect(slice!.fraction).toBe(1);
    expect(slice!.path).toBe('M 10 0 A 10 10 0 1 1 10 20 A 10 10 0 1 1 10 0 Z');
  });
  test('no votes, no slices', () => {
    expect(pieSlices([{ id: 'agree', value: 0 }], 10)).toEqual([]);
  });
});

describe('result rows', () => {
  test('consent rows keep the fixed order and fill in missing positions', () => {
    const rows = consentRows(
      results({
        options: [
          { optionId: 'block', count: 1, score: 1, percent: 25 },
          { optionId: 'agree', count: 3, score: 3, percent: 75 },
        ],
      }),
    );
    expect(rows.map((r) => `${r.label} ${r.count} ${r.percent}`)).toEqual([
      'Agree 3 75',
      'Abstain 0 0',
      'Disagree 0 0',
      'Block 1 25',
    ]);
  });
  test('poll bars are scaled to the longest and carry counts and percents', () => {
    const p = proposal();
    const rows = resultRows(
      p,
      results({
        options: [
          { optionId: 'a', count: 2, score: 2, percent: 50 },
          { optionId: 'b', count: 1, score: 1, percent: 25 },
          { optionId: 'c', count: 1, score: 1, percent: 25 },
        ],
        winnerIds: ['a'],
      }),
    );
    expect(rows.map((r) => [r.label, r.share, r.text, r.winner])).toEqual([
      ['Library', 1, '2 votes · 50%', true],
      ['Café', 0.5, '1 vote · 25%', false],
      ['Park', 0.5, '1 vote · 25%', false],
    ]);
  });
  test('score bars show total and mean', () => {
    const p = proposal({ kind: 'score' });
    const rows = resultRows(
      p,
      results({ options: [{ optionId: 'a', count: 2, score: 8, percent: 100, mean: 4 }] }),
    );
    expect(rows[0]!.text).toBe('Total 8 · mean 4.0');
    expect(rows[1]!.text).toBe('Total 0 · mean 0.0');
  });
  test('meeting bars stack yes and if-need-be and mark the best slot', () => {
    const p = proposal({ kind: 'meeting' });
    const r = results({
      options: [
        { optionId: 'a', count: 2, score: 5, percent: 100, yesCount: 2, maybeCount: 1 },
        { optionId: 'b', count: 3, score: 3, percent: 100, yesCount: 0, maybeCount: 3 },
      ],
      winnerIds: ['a'],
      bestSlotId: 'a',
    });
    const rows = resultRows(p, r);
    expect(rows[0]).toMatchObject({
      share: 2 / 3,
      maybeShare: 1 / 3,
      text: '2 yes · 1 if need be',
      winner: true,
    });
    expect(rows[1]).toMatchObject({ share: 0, maybeShare: 1, winner: false });
    expect(winnerText(p, r)).toBe('Best so far: Library');
  });
  test('results in one line', () => {
    const r = results({
      options: [
        { optionId: 'agree', count: 3, score: 3, percent: 75 },
        { optionId: 'block', count: 1, score: 1, percent: 25 },
      ],
    });
    expect(resultsSummary(consent(), r)).toBe('Agree 3 (75%) · Block 1 (25%)');
    expect(
      resultsSummary(proposal(), results({ options: [{ optionId: 'a', count: 1, score: 1, percent: 100 }] })),
    ).toBe('Library: 1 vote · 100%; Café: 0 votes · 0%; Park: 0 votes · 0%');
  });
  test('winner text: leading, result, tie, none', () => {
    const p = proposal();
    expect(winnerText(p, results({ winnerIds: ['b'] }))).toBe('Leading: Café');
    expect(winnerText({ ...p, closedAt: 'x' }, results({ winnerIds: ['b'] }))).toBe('Result: Café');
    expect(winnerText(p, results({ winnerIds: ['a', 'c'] }))).toBe('Tied: Library / Park');
    expect(winnerText(p, results())).toBe('');
  });
});

describe('instant-runoff table', () => {
  const p = proposal({ kind: 'ranked_choice' });
  const r = results({
    rounds: [
      { counts: { a: 4, b: 3, c: 2 }, eliminatedIds: ['c'], exhaustedCount: 0 },
      { counts: { a: 4, b: 4 }, eliminatedIds: ['a'], exhaustedCount: 1 },
      { counts: { b: 6 }, eliminatedIds: [], exhaustedCount: 3 },
    ] as Results['rounds'],
    winnerIds: ['b'],
    bordaPoints: { a: 10, b: 11, c: 6 },
    condorcetWinnerId: 'b',
  });
  test('winner first, then by how long each lasted; blank once out', () => {
    const table = irvTable(p, r);
    expect(table.rounds).toBe(3);
    expect(table.rows.map((row) => [row.label, row.counts, row.eliminatedIn, row.winner, row.borda])).toEqual(
      [
        ['Café', [3, 4, 6], null, true, 11],
        ['Library', [4, 4, null], 1, false, 10],
        ['Park', [2, null, null], 0, false, 6],
      ],
    );
    expect(table.exhausted).toEqual([0, 1, 3]);
  });
  test('the rounds in words', () => {
    expect(irvNarrative(p, r)).toEqual([
      'Round 1: Park eliminated.',
      'Round 2: Library eliminated.',
      'Round 3: Café wins.',
    ]);
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

describe('the proposal form', () => {
  const future = toLocalInput(new Date(NOW + 2 * DAY));
  test('a consent proposal needs a title and a future closing time, and no options', () => {
    const draft = { ...emptyProposalDraft(NOW), title: '  Adopt the budget  ', closesAt: future };
    const { body, errors } = buildProposal(draft, NOW);
    expect(errors).toEqual({});
    expect(body).toMatchObject({ kind: 'proposal', title: 'Adopt the budget', anonymous: false });
    expect(body.options).toBeUndefined();
    expect(Date.parse(body.closesAt)).toBe(Date.parse(fromLocalInput(future)!));
    const past = buildProposal({ ...draft, title: '', closesAt: toLocalInput(new Date(NOW - HOUR)) }, NOW);
    expect(past.errors).toEqual({
      title: 'Give the proposal a title.',
      closesAt: 'Choose a closing time in the future.',
    });
  });
  test('options: filled in, distinct, at least two', () => {
    const draft = {
      ...emptyProposalDraft(NOW),
      kind: 'poll' as const,
      title: 'Pick',
      closesAt: future,
      options: [
        { label: 'Tea', startsAt: '' },
        { label: ' tea ', startsAt: '' },
        { label: '', startsAt: '' },
      ],
    };
    expect(buildProposal(draft, NOW).errors).toEqual({
      'options.1.label': '"tea" is listed twice.',
      'options.2.label': 'Fill in this option or remove it.',
    });
    const one = buildProposal({ ...draft, options: [{ label: 'Tea', startsAt: '' }] }, NOW);
    expect(one.errors.options).toBe('Give at least 2 options.');
  });
  test('poll settings are checked against each other and the options', () => {
    const draft = {
      ...emptyProposalDraft(NOW),
      kind: 'poll' as const,
      title: 'Pick',
      closesAt: future,
      options: [
        { label: 'Tea', startsAt: '' },
        { label: 'Coffee', startsAt: '' },
      ],
    };
    expect(buildProposal({ ...draft, minChoices: '2', maxChoices: '1' }, NOW).errors.minChoices).toMatch(
      /maximum/,
    );
    expect(buildProposal({ ...draft, maxChoices: '3' }, NOW).errors.maxChoices).toMatch(
      /number of options \(2\)/,
    );
    expect(buildProposal({ ...draft, minChoices: '1', maxChoices: '2' }, NOW).body).toMatchObject({
      minChoices: 1,
      maxChoices: 2,
      options: [{ label: 'Tea' }, { label: 'Coffee' }],
    });
  });
  test('meeting slots need a start time; score and dot settings are whole numbers in range', () => {
    const base = { ...emptyProposalDraft(NOW), title: 'Meet', closesAt: future };
    const meeting = buildProposal(
      {
        ...base,
        kind: 'meeting',
        options: [
          { label: 'Tuesday', startsAt: '2026-03-10T18:00' },
          { label: 'Wednesday', startsAt: '' },
        ],
      },
      NOW,
    );
    expect(meeting.errors).toEqual({ 'options.1.startsAt': 'Choose the date and time of this slot.' });
    expect(meeting.body.options![0]).toEqual({
      label: 'Tuesday',
      startsAt: fromLocalInput('2026-03-10T18:00'),
    });
    const opts = [
      { label: 'A', startsAt: '' },
      { label: 'B', startsAt: '' },
    ];
    expect(
      buildProposal({ ...base, kind: 'score', options: opts, maxScore: '0' }, NOW).errors.maxScore,
    ).toBeDefined();
    expect(buildProposal({ ...base, kind: 'score', options: opts, maxScore: '10' }, NOW).body.maxScore).toBe(
      10,
    );
    expect(
      buildProposal({ ...base, kind: 'dot_vote', options: opts, dotsPerVoter: 'x' }, NOW).errors.dotsPerVoter,
    ).toBeDefined();
  });
});
