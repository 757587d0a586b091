import { describe, expect, it } from 'vitest';
import { BALLOT_DEFAULTS, type BallotRules, CONSENT_POSITIONS, validateBallot } from '../../shared/ballot';
import type { ProposalKind } from '../../shared/schemas/proposals';

function rules(kind: ProposalKind, labels: string[], overrides: Partial<BallotRules> = {}): BallotRules {
  return {
    kind,
    options: labels.map((label, i) => ({ id: `o${i + 1}`, label, startsAt: null })),
    ...BALLOT_DEFAULTS,
    ...overrides,
  };
}

const consent: BallotRules = {
  ...rules('proposal', []),
  options: CONSENT_POSITIONS.map((position) => ({ id: position, label: position })),
};
const poll = rules('poll', ['Tea', 'Coffee', 'Juice', 'Water']);
const score = rules('score', ['Tea', 'Coffee', 'Juice']);
const dots = rules('dot_vote', ['Tea', 'Coffee', 'Juice']);
const rankedChoice = rules('ranked_choice', ['Tea', 'Coffee', 'Juice', 'Water']);
const meeting = rules('meeting', ['Mon 10:00', 'Tue 14:00']);

describe('validateBallot: any kind', () => {
  it('wants a list of objects with a string optionId naming an option', () => {
    expect(validateBallot(poll, 'o1')).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choices must be a list' }],
    });
    expect(validateBallot(poll, null)).toMatchObject({ ok: false });
    expect(validateBallot(poll, ['o1'])).toEqual({
      ok: false,
      details: [{ path: '/choices/0', message: 'each choice must be an object with an optionId' }],
    });
    expect(validateBallot(poll, [{}])).toEqual({
      ok: false,
      details: [{ path: '/choices/0/optionId', message: 'optionId is required' }],
    });
    expect(validateBallot(poll, [{ optionId: 1 }])).toEqual({
      ok: false,
      details: [{ path: '/choices/0/optionId', message: 'optionId must be a string' }],
    });
    expect(validateBallot(poll, [{ optionId: 'o9' }])).toEqual({
      ok: false,
      details: [{ path: '/choices/0/optionId', message: '"o9" is not an option of this proposal' }],
    });
  });

  it('keeps error messages short whatever the caller sends', () => {
    const verdict = validateBallot(poll, [{ optionId: 'x'.repeat(100_000) }]);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.details[0].message.length).toBeLessThan(120);
  });

  it('reports every problem at once', () => {
    const verdict = validateBallot(score, [
      { optionId: 'o1', score: 9 },
      { optionId: 'o1', score: 1 },
      { optionId: 'zz', score: 1 },
    ]);
    expect(verdict).toEqual({
      ok: false,
      details: [
        { path: '/choices/0/score', message: 'score must be between 0 and 5' },
        { path: '/choices/1/optionId', message: 'option "Tea" is listed more than once' },
        { path: '/choices/2/optionId', message: '"zz" is not an option of this proposal' },
        { path: '/choices', message: 'every option needs a score: missing for "Coffee" and "Juice"' },
      ],
    });
  });
});

describe('validateBallot: proposal (consent)', () => {
  it('accepts exactly one position', () => {
    expect(validateBallot(consent, [{ optionId: 'block' }])).toEqual({
      ok: true,
      choices: [{ optionId: 'block' }],
    });
  });

  it('refuses none, several, or a made-up position', () => {
    expect(validateBallot(consent, [])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choose one position' }],
    });
    expect(validateBallot(consent, [{ optionId: 'agree' }, { optionId: 'block' }])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choose only one position, not 2' }],
    });
    expect(validateBallot(consent, [{ optionId: 'maybe' }])).toEqual({
      ok: false,
      details: [{ path: '/choices/0/optionId', message: '"maybe" is not an option of this proposal' }],
    });
  });

  it('drops fields the kind does not use', () => {
    expect(validateBallot(consent, [{ optionId: 'agree', score: 3, rank: 1, note: 'hi' }])).toEqual({
      ok: true,
      choices: [{ optionId: 'agree' }],
    });
  });
});

describe('validateBallot: poll', () => {
  it('accepts one option by default', () => {
    expect(validateBallot(poll, [{ optionId: 'o2' }])).toEqual({ ok: true, choices: [{ optionId: 'o2' }] });
    expect(validateBallot(poll, [{ optionId: 'o2' }, { optionId: 'o3' }])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choose exactly one option, not 2' }],
    });
    expect(validateBallot(poll, [])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choose exactly one option, not 0' }],
    });
  });

  it('holds multiple choice to minChoices..maxChoices, distinct, and returns them in option order', () => {
    const multi = { ...poll, minChoices: 2, maxChoices: 3 };
    expect(validateBallot(multi, [{ optionId: 'o3' }, { optionId: 'o1' }])).toEqual({
      ok: true,
      choices: [{ optionId: 'o1' }, { optionId: 'o3' }],
    });
    expect(validateBallot(multi, [{ optionId: 'o3' }])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choose at least 2 options, not 1' }],
    });
    expect(
      validateBallot(
        multi,
        ['o1', 'o2', 'o3', 'o4'].map((optionId) => ({ optionId })),
      ),
    ).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choose at most 3 options, not 4' }],
    });
    expect(validateBallot(multi, [{ optionId: 'o3' }, { optionId: 'o3' }])).toEqual({
      ok: false,
      details: [{ path: '/choices/1/optionId', message: 'option "Juice" is listed more than once' }],
    });
    expect(validateBallot({ ...poll, minChoices: 2, maxChoices: 2 }, [{ optionId: 'o3' }])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choose exactly 2 options, not 1' }],
    });
    expect(validateBallot({ ...poll, minChoices: 1, maxChoices: 4 }, [])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'choose at least 1 option, not 0' }],
    });
  });
});

describe('validateBallot: score', () => {
  it('accepts one whole-number score per option within 0..maxScore', () => {
    const choices = [
      { optionId: 'o3', score: 0 },
      { optionId: 'o1', score: 5 },
      { optionId: 'o2', score: 2 },
    ];
    expect(validateBallot(score, choices)).toEqual({
      ok: true,
      choices: [
        { optionId: 'o1', score: 5 },
        { optionId: 'o2', score: 2 },
        { optionId: 'o3', score: 0 },
      ],
    });
    expect(
      validateBallot({ ...score, maxScore: 10 }, [
        { optionId: 'o1', score: 10 },
        ...choices.slice(0, 1),
        choices[2],
      ]).ok,
    ).toBe(true);
  });

  it('refuses strings, fractions, out-of-range and missing scores', () => {
    const verdict = validateBallot(score, [
      { optionId: 'o1', score: '3' },
      { optionId: 'o2', score: 2.5 },
      { optionId: 'o3', score: -1 },
    ]);
    expect(verdict).toEqual({
      ok: false,
      details: [
        { path: '/choices/0/score', message: 'score must be a number' },
        { path: '/choices/1/score', message: 'score must be a whole number' },
        { path: '/choices/2/score', message: 'score must be between 0 and 5' },
      ],
    });
    expect(validateBallot(score, [{ optionId: 'o1' }])).toEqual({
      ok: false,
      details: [
        { path: '/choices/0/score', message: 'score is required' },
        { path: '/choices', message: 'every option needs a score: missing for "Coffee" and "Juice"' },
      ],
    });
    expect(validateBallot(score, [{ optionId: 'o1', score: Number.NaN }])).toMatchObject({ ok: false });
  });

  it('names at most three missing options', () => {
    const many = rules('score', ['A', 'B', 'C', 'D', 'E', 'F']);
    expect(validateBallot(many, [])).toEqual({
      ok: false,
      details: [
        { path: '/choices', message: 'every option needs a score: missing for "A", "B", "C" and 3 more' },
      ],
    });
  });
});

describe('validateBallot: dot_vote', () => {
  it('accepts whole numbers of dots up to dotsPerVoter in total, zeros included', () => {
    expect(
      validateBallot(dots, [
        { optionId: 'o2', score: 7 },
        { optionId: 'o1', score: 3 },
        { optionId: 'o3', score: 0 },
      ]),
    ).toEqual({
      ok: true,
      choices: [
        { optionId: 'o1', score: 3 },
        { optionId: 'o2', score: 7 },
        { optionId: 'o3', score: 0 },
      ],
    });
  });

  it('refuses spending more dots than a voter has, negative dots, or no choice at all', () => {
    expect(
      validateBallot(dots, [
        { optionId: 'o1', score: 8 },
        { optionId: 'o2', score: 4 },
      ]),
    ).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'these dots add up to 12, but each voter has only 10' }],
    });
    expect(validateBallot({ ...dots, dotsPerVoter: 3 }, [{ optionId: 'o1', score: 4 }])).toMatchObject({
      ok: false,
    });
    expect(validateBallot(dots, [{ optionId: 'o1', score: -2 }])).toEqual({
      ok: false,
      details: [{ path: '/choices/0/score', message: 'score must be 0 or more (it is a number of dots)' }],
    });
    expect(validateBallot(dots, [])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'place your dots on at least one option' }],
    });
  });
});

describe('validateBallot: ranked_choice', () => {
  it('accepts distinct ranks 1..k, k up to the number of options, and sorts by rank', () => {
    expect(
      validateBallot(rankedChoice, [
        { optionId: 'o4', rank: 2 },
        { optionId: 'o2', rank: 1 },
      ]),
    ).toEqual({
      ok: true,
      choices: [
        { optionId: 'o2', rank: 1 },
        { optionId: 'o4', rank: 2 },
      ],
    });
    const all = ['o1', 'o2', 'o3', 'o4'].map((optionId, i) => ({ optionId, rank: 4 - i }));
    expect(validateBallot(rankedChoice, all).ok).toBe(true);
  });

  it('says which rank is used twice', () => {
    const verdict = validateBallot(rankedChoice, [
      { optionId: 'o1', rank: 1 },
      { optionId: 'o2', rank: 2 },
      { optionId: 'o3', rank: 2 },
    ]);
    expect(verdict).toEqual({
      ok: false,
      details: [{ path: '/choices/2/rank', message: 'rank 2 is used twice' }],
    });
    const thrice = validateBallot(
      rankedChoice,
      ['o1', 'o2', 'o3'].map((optionId) => ({ optionId, rank: 1 })),
    );
    expect(thrice).toEqual({
      ok: false,
      details: [{ path: '/choices/1/rank', message: 'rank 1 is used 3 times' }],
    });
  });

  it('says which ranks are missing', () => {
    expect(
      validateBallot(rankedChoice, [
        { optionId: 'o1', rank: 1 },
        { optionId: 'o2', rank: 3 },
      ]),
    ).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'rank 2 is missing: ranks must count up from 1 without gaps' }],
    });
    expect(validateBallot(rankedChoice, [{ optionId: 'o1', rank: 4 }])).toEqual({
      ok: false,
      details: [
        {
          path: '/choices',
          message: 'ranks 1, 2 and 3 are missing: ranks must count up from 1 without gaps',
        },
      ],
    });
  });

  it('refuses ranks that are not whole numbers from 1 to the number of options, and empty ballots', () => {
    const verdict = validateBallot(rankedChoice, [
      { optionId: 'o1', rank: 0 },
      { optionId: 'o2', rank: 1.5 },
      { optionId: 'o3', rank: 5 },
      { optionId: 'o4', rank: '1' },
      { optionId: 'o1' },
    ]);
    expect(verdict).toEqual({
      ok: false,
      details: [
        { path: '/choices/0/rank', message: 'rank must be 1 or more' },
        { path: '/choices/1/rank', message: 'rank must be a whole number' },
        { path: '/choices/2/rank', message: 'rank must be at most 4, the number of options' },
        { path: '/choices/3/rank', message: 'rank must be a number' },
        { path: '/choices/4/rank', message: 'rank is required' },
        { path: '/choices/4/optionId', message: 'option "Tea" is listed more than once' },
      ],
    });
    expect(validateBallot(rankedChoice, [])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'rank at least one option' }],
    });
  });
});

describe('validateBallot: meeting', () => {
  it('accepts 2 (yes), 1 (if need be) or 0 (no) for every slot', () => {
    expect(
      validateBallot(meeting, [
        { optionId: 'o2', score: 1 },
        { optionId: 'o1', score: 2 },
      ]),
    ).toEqual({
      ok: true,
      choices: [
        { optionId: 'o1', score: 2 },
        { optionId: 'o2', score: 1 },
      ],
    });
    expect(validateBallot(rules('meeting', ['Only slot']), [{ optionId: 'o1', score: 0 }]).ok).toBe(true);
  });

  it('refuses other answers and unanswered slots', () => {
    expect(
      validateBallot(meeting, [
        { optionId: 'o1', score: 3 },
        { optionId: 'o2', score: 2 },
      ]),
    ).toEqual({
      ok: false,
      details: [{ path: '/choices/0/score', message: 'score must be 2 (yes), 1 (if need be) or 0 (no)' }],
    });
    expect(validateBallot(meeting, [{ optionId: 'o1', score: 2 }])).toEqual({
      ok: false,
      details: [{ path: '/choices', message: 'every time slot needs an answer: missing for "Tue 14:00"' }],
    });
  });
});
