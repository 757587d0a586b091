import { describe, expect, test } from 'vitest';
import {
  CONSENT_LABELS as SCREEN_CONSENT_LABELS,
  percentText as screenPercent,
} from '../../client/data/proposal-labels';
import { resultRows } from '../../client/data/result-view';
import { type BallotRules, tallyProposal } from '../../server/domain/tally';
import {
  CONSENT_LABELS,
  labelled,
  optionFigures,
  percentText,
  resultsSummary,
  sentence,
  winnerText,
} from '../../shared/result-text';
import type { Choice, ProposalKind, ProposalOption } from '../../shared/schemas/proposals';

const CLOSED = '2026-03-02T12:00:00.000Z';

/** Real results: `ballots` counted by the server's tally for a proposal of `kind` over `labels`. */
function counted(kind: ProposalKind, labels: string[], ballots: Choice[][]) {
  const options: ProposalOption[] =
    kind === 'proposal'
      ? ['agree', 'abstain', 'disagree', 'block'].map((id) => ({ id, label: id }))
      : labels.map((label, i) => ({ id: `o${i + 1}`, label }));
  const rules: BallotRules = { kind, options, minChoices: 1, maxChoices: 3, maxScore: 5, dotsPerVoter: 10 };
  return { p: { kind, options, closedAt: null }, results: tallyProposal(rules, ballots, ballots.length + 2) };
}

const pick = (...ids: string[]) => ids.map((optionId) => ({ optionId }));
const rank = (...ids: string[]) => ids.map((optionId, i) => ({ optionId, rank: i + 1 }));
const dots = (spread: Record<string, number>) =>
  Object.entries(spread).map(([optionId, score]) => ({ optionId, score }));

describe('figures with their units', () => {
  test('a ranked-choice tally reads as first preferences, with Borda points labelled in the summary', () => {
    const { p, results } = counted(
      'ranked_choice',
      ['Commons Circle', 'Tech Stewards'],
      [rank('o1', 'o2'), rank('o1'), rank('o2', 'o1')],
    );
    expect(optionFigures(p, results, 'o1')).toBe('2 first preferences · 66.7%');
    expect(optionFigures(p, results, 'o2')).toBe('1 first preference · 33.3%');
    expect(resultsSummary(p, results)).toBe(
      'Commons Circle: 2 first preferences · 66.7% · 2 Borda points; Tech Stewards: 1 first preference · 33.3% · 1 Borda point',
    );
    // The bars read the same figures as the summary (and the export).
    expect(resultRows(p, results).map((row) => row.text)).toEqual([
      '2 first preferences · 66.7%',
      '1 first preference · 33.3%',
    ]);
  });

  test("a dot vote shows each option's share of all dots, not of voters", () => {
    const { p, results } = counted(
      'dot_vote',
      ['Garden', 'Library', 'Kitchen'],
      [dots({ o1: 7, o2: 3 }), dots({ o1: 5, o2: 4, o3: 1 })],
    );
    expect(resultRows(p, results).map((row) => row.text)).toEqual([
      '12 dots · 60% of dots',
      '7 dots · 35% of dots',
      '1 dot · 5% of dots',
    ]);
  });

  test('consent positions are named as on screen, with only the positions somebody took', () => {
    const { p, results } = counted(
      'proposal',
      [],
      [pick('agree'), pick('agree'), pick('agree'), pick('block')],
    );
    expect(resultsSummary(p, results)).toBe('Agree: 3 votes · 75%; Block: 1 vote · 25%');
    expect(CONSENT_LABELS).toEqual(SCREEN_CONSENT_LABELS);
  });

  test('score and meeting figures keep their own units', () => {
    const score = counted('score', ['Tea', 'Coffee'], [dots({ o1: 5, o2: 2 }), dots({ o1: 3, o2: 0 })]);
    expect(resultsSummary(score.p, score.results)).toBe(
      'Tea: Total 8 · mean 4.0; Coffee: Total 2 · mean 1.0',
    );
    const meeting = counted('meeting', ['Mon', 'Tue'], [dots({ o1: 2, o2: 1 }), dots({ o1: 2, o2: 0 })]);
    expect(resultsSummary(meeting.p, meeting.results)).toBe(
      'Mon: 2 yes · 0 if need be; Tue: 0 yes · 1 if need be',
    );
  });

  test('percentages read the same as on the screen', () => {
    for (const n of [0, 5, 33.333, 66.66, 99.95, 100, 12.25]) expect(percentText(n)).toBe(screenPercent(n));
  });
});

describe('who is ahead', () => {
  const { p, results } = counted('poll', ['Library', 'Café'], [pick('o1'), pick('o1'), pick('o2')]);

  test('"Leading" while voting is open, "Winner" only once it has closed', () => {
    expect(winnerText(p, results)).toBe('Leading: Library');
    expect(winnerText({ ...p, closedAt: CLOSED }, results)).toBe('Winner: Library');
  });

  test('a tie is said as such, open or closed', () => {
    const tie = counted('poll', ['Library', 'Café'], [pick('o1'), pick('o2')]);
    expect(winnerText(tie.p, tie.results)).toBe('Tied: Library / Café');
    expect(winnerText({ ...tie.p, closedAt: CLOSED }, tie.results)).toBe('Tied: Library / Café');
  });

  test('a meeting poll names its best slot', () => {
    const m = counted('meeting', ['Mon', 'Tue'], [dots({ o1: 1, o2: 2 })]);
    expect(winnerText(m.p, m.results)).toBe('Best so far: Tue');
    expect(winnerText({ ...m.p, closedAt: CLOSED }, m.results)).toBe('Best slot: Tue');
  });
});

describe('labels that end in punctuation', () => {
  test('gain no colon and no full stop', () => {
    expect(labelled('Yes!', '2 votes')).toBe('Yes! 2 votes');
    expect(labelled('Tea', '2 votes')).toBe('Tea: 2 votes');
    expect(labelled('Why not?', '2 votes')).toBe('Why not? 2 votes');
    expect(labelled('Say "Go!"', '2 votes')).toBe('Say "Go!" 2 votes');
    expect(labelled('Tea (hot)', '2 votes')).toBe('Tea (hot): 2 votes');
    expect(sentence('It moved to Yes!')).toBe('It moved to Yes!');
    expect(sentence('It moved to Etc.')).toBe('It moved to Etc.');
    expect(sentence('It moved to Tea (hot)')).toBe('It moved to Tea (hot).');
  });

  test('in a whole summary', () => {
    const { p, results } = counted('poll', ['Yes!', 'No.', 'Maybe'], [pick('o1'), pick('o2'), pick('o3')]);
    const summary = resultsSummary(p, results);
    expect(summary).toBe('Yes! 1 vote · 33.3%; No. 1 vote · 33.3%; Maybe: 1 vote · 33.3%');
    expect(summary).not.toMatch(/[!.][:.]/);
  });
});
