import { describe, expect, test } from 'vitest';
import { buildProposal, emptyProposalDraft } from '../../client/data/proposal-draft';
import type { Proposal } from '../../client/data/proposals';
import { toLocalInput } from '../../client/data/time-text';
import { verdictText } from '../../client/data/verdict-text';
import { tallyProposal } from '../../server/domain/tally';
import { BALLOT_DEFAULTS } from '../../shared/ballot';
import type { Choice } from '../../shared/schemas/proposals';
import { consent, DAY, NOW, proposal } from './proposal-fixtures';

/** A proposal with `ballots` cast and its results tallied as the server tallies them. */
function voted(p: Proposal, ballots: Choice[][], over: Partial<Proposal> = {}): Proposal {
  const withSettings = { ...p, ...over };
  const results = tallyProposal(
    { ...BALLOT_DEFAULTS, kind: p.kind, options: p.options.map((o) => ({ ...o, startsAt: null })) },
    ballots,
    withSettings.eligibleCount,
    {
      quorumPercent: withSettings.quorumPercent,
      passPercent: withSettings.passPercent,
      blockVetoes: withSettings.blockVetoes,
    },
  );
  return { ...withSettings, voterCount: ballots.length, representedCount: ballots.length, results };
}

const times = (n: number, optionId: string): Choice[][] => Array.from({ length: n }, () => [{ optionId }]);

describe('the verdict line', () => {
  test('says plainly why a closed proposal passed', () => {
    const p = voted(consent(), [...times(5, 'agree'), ...times(2, 'disagree'), ...times(11, 'abstain')], {
      eligibleCount: 24,
      quorumPercent: 50,
      passPercent: 60,
      closedAt: new Date(NOW).toISOString(),
    });
    expect(verdictText(p)).toBe('Passed: 71.4% agree, quorum reached (18 of 24 represented)');
  });

  test('counts what quorum still needs, while open and once closed', () => {
    const open = voted(consent(), times(9, 'agree'), { eligibleCount: 24, quorumPercent: 50 });
    expect(verdictText(open)).toBe('No quorum yet: 9 of 24 voted, 12 needed');
    expect(verdictText({ ...open, closedAt: new Date(NOW).toISOString() })).toBe(
      'No quorum: 9 of 24 voted, 12 needed',
    );
  });

  test('names the threshold a failing proposal misses, and a block', () => {
    const short = voted(consent(), [...times(1, 'agree'), ...times(1, 'disagree')], { passPercent: 60 });
    expect(verdictText(short)).toBe('Not passing so far: 50% agree (60% needed)');
    const blocked = voted(consent(), [...times(3, 'agree'), ...times(1, 'block')], { passPercent: 50 });
    expect(verdictText(blocked)).toBe('Not passing so far: blocked');
  });

  test("words a poll's leading option and a tie", () => {
    const poll = proposal();
    expect(verdictText(voted(poll, [...times(3, 'a'), ...times(1, 'b')], { passPercent: 60 }))).toBe(
      'Passing so far: Library has 75% of the votes',
    );
    expect(verdictText(voted(poll, [...times(2, 'a'), ...times(2, 'b')], { quorumPercent: 20 }))).toBe(
      'Not passing so far: no option leads, quorum reached (4 of 5 represented)',
    );
  });

  test('is absent without thresholds, and while results are hidden', () => {
    expect(verdictText(voted(consent(), times(3, 'agree')))).toBeNull();
    expect(
      verdictText({ ...voted(consent(), times(3, 'agree'), { quorumPercent: 10 }), results: null }),
    ).toBeNull();
  });
});

describe('decision rules in the proposal form', () => {
  const base = {
    ...emptyProposalDraft(NOW),
    title: 'Rules',
    closesAt: toLocalInput(new Date(NOW + 2 * DAY)),
  };

  test('sends what is filled in, where the kind uses it', () => {
    expect(buildProposal({ ...base, quorumPercent: '50', passPercent: '60' }, NOW).body).toMatchObject({
      quorumPercent: 50,
      passPercent: 60,
      blockVetoes: true,
    });
    const ranked = buildProposal(
      {
        ...base,
        kind: 'ranked_choice',
        options: [
          { label: 'A', startsAt: '' },
          { label: 'B', startsAt: '' },
        ],
        passPercent: '60',
        blockVetoes: false,
      },
      NOW,
    ).body;
    expect(ranked.passPercent).toBeUndefined();
    expect(ranked.blockVetoes).toBeUndefined();
    const none = buildProposal(base, NOW).body;
    expect(none.quorumPercent).toBeUndefined();
    expect(none.passPercent).toBeUndefined();
  });

  test('refuses what the server refuses, on the same fields', () => {
    expect(buildProposal({ ...base, quorumPercent: '0', passPercent: '12.5' }, NOW).errors).toEqual({
      quorumPercent: 'Use a whole number from 1 to 100, or leave it empty.',
      passPercent: 'Use a whole number from 1 to 100, or leave it empty.',
    });
  });
});
