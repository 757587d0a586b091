import { describe, expect, test } from 'vitest';
import type { Results } from '../../client/data/proposals';
import {
  consentRows,
  irvStory,
  irvTable,
  pieSlices,
  resultRows,
  resultsSummary,
  winnerText,
} from '../../client/data/result-view';
import { consent, proposal, results } from './proposal-fixtures';

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
    expect(resultsSummary(consent(), r)).toBe('Agree: 3 votes · 75%; Block: 1 vote · 25%');
    expect(
      resultsSummary(proposal(), results({ options: [{ optionId: 'a', count: 1, score: 1, percent: 100 }] })),
    ).toBe('Library: 1 vote · 100%; Café: 0 votes · 0%; Park: 0 votes · 0%');
  });
  test('winner text: leading while open, winner once closed, tie, none', () => {
    const p = proposal();
    expect(winnerText(p, results({ winnerIds: ['b'] }))).toBe('Leading: Café');
    expect(winnerText({ ...p, closedAt: 'x' }, results({ winnerIds: ['b'] }))).toBe('Winner: Café');
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
  test('the rounds in words, from the counts alone (a tie-break by another rule is not explained)', () => {
    expect(irvStory(p, r)).toEqual([
      {
        round: 1,
        text: 'Park had the fewest votes and was eliminated; of its 2 votes, 1 moved to Café and 1 was exhausted (no further preference).',
      },
      {
        round: 2,
        text: 'Library and Café tied for the fewest votes (4 each) and Library lost the tie-break and was eliminated; of its 4 votes, 2 moved to Café and 2 were exhausted (no further preference).',
      },
      { round: 3, text: 'Café leads with 6 of 6 votes; 3 ballots were exhausted.' },
    ]);
  });
});
