import { describe, expect, test } from 'vitest';
import {
  buildProposal,
  emptyProposalDraft,
  isUntouched,
  restoreProposalDraft,
} from '../../client/data/proposal-draft';
import { fromLocalInput, toLocalInput } from '../../client/data/time-text';
import { DAY, HOUR, NOW } from './proposal-fixtures';

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

describe('a draft kept across a reload', () => {
  const now = Date.parse('2026-03-02T12:00:00.000Z');

  test('comes back as typed, and an untouched form is not worth keeping', () => {
    const typed = { ...emptyProposalDraft(now), title: 'Form a user union', details: 'See *the* charter.' };
    expect(restoreProposalDraft(JSON.stringify(typed), now)).toEqual(typed);
    expect(isUntouched(emptyProposalDraft(now), emptyProposalDraft(now))).toBe(true);
    expect(restoreProposalDraft(JSON.stringify(emptyProposalDraft(now)), now)).toBeNull();
  });

  test('takes only what has the draft’s shape: junk, wrong types and unknown keys are dropped', () => {
    expect(restoreProposalDraft('not json', now)).toBeNull();
    expect(restoreProposalDraft('null', now)).toBeNull();
    const restored = restoreProposalDraft(
      JSON.stringify({ title: 'Kept', anonymous: 'yes', extra: 1, options: [{ label: 'A' }, 7, null] }),
      now,
    );
    expect(restored).toMatchObject({
      title: 'Kept',
      anonymous: false,
      options: [{ label: 'A', startsAt: '' }],
    });
    expect(restored).not.toHaveProperty('extra');
  });
});
