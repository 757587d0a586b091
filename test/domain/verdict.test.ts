import { describe, expect, it } from 'vitest';
import { tallyProposal } from '../../server/domain/tally';
import { BALLOT_DEFAULTS, type BallotRules, CONSENT_POSITIONS } from '../../shared/ballot';
import type { Choice, ProposalKind } from '../../shared/schemas/proposals';
import { type DecisionThresholds, decideVerdict, quorumNeeded } from '../../shared/verdict';

const CONSENT = CONSENT_POSITIONS.map((id) => ({ id, label: id }));
const ABC = ['a', 'b', 'c'].map((id) => ({ id, label: id.toUpperCase() }));

function rules(kind: ProposalKind): BallotRules {
  const options = kind === 'proposal' ? CONSENT : ABC;
  return { kind, options, ...BALLOT_DEFAULTS, ...(kind === 'dot_vote' ? { dotsPerVoter: 3 } : {}) };
}

/** Ballots of one chosen option each, e.g. `{ agree: 3, disagree: 1 }`. */
function ballots(kind: ProposalKind, counts: Record<string, number>): Choice[][] {
  return Object.entries(counts).flatMap(([optionId, n]) =>
    Array.from({ length: n }, (): Choice[] => {
      if (kind === 'score') return ABC.map((o) => ({ optionId: o.id, score: o.id === optionId ? 5 : 1 }));
      if (kind === 'dot_vote') return [{ optionId, score: 3 }];
      if (kind === 'ranked_choice') return [{ optionId, rank: 1 }];
      if (kind === 'meeting') return [{ optionId, score: 2 }];
      return [{ optionId }];
    }),
  );
}

function verdictOf(
  kind: ProposalKind,
  counts: Record<string, number>,
  eligible: number,
  thresholds: Partial<DecisionThresholds>,
) {
  const all: DecisionThresholds = {
    quorumPercent: null,
    passPercent: null,
    blockVetoes: true,
    ...thresholds,
  };
  return tallyProposal(rules(kind), ballots(kind, counts), eligible, all).verdict;
}

describe('quorum', () => {
  it('counts up, without floating-point surprises', () => {
    expect(quorumNeeded(50, 24)).toBe(12);
    expect(quorumNeeded(50, 23)).toBe(12);
    expect(quorumNeeded(30, 24)).toBe(8);
    expect(quorumNeeded(7, 100)).toBe(7);
    expect(quorumNeeded(100, 9)).toBe(9);
    expect(quorumNeeded(1, 0)).toBe(0);
  });

  it.each<ProposalKind>(['proposal', 'poll', 'score', 'dot_vote', 'ranked_choice', 'meeting'])(
    '%s: no quorum below it, a verdict from it on',
    (kind) => {
      const lead = kind === 'proposal' ? 'agree' : 'a';
      expect(verdictOf(kind, { [lead]: 11 }, 24, { quorumPercent: 50 })).toBe('no_quorum');
      expect(verdictOf(kind, { [lead]: 12 }, 24, { quorumPercent: 50 })).toBe('passed');
    },
  );

  it('abstentions count towards quorum', () => {
    expect(verdictOf('proposal', { agree: 3, abstain: 9 }, 24, { quorumPercent: 50 })).toBe('passed');
  });
});

describe('pass thresholds', () => {
  it('consent: agree as a share of agree and disagree, reaching the threshold passes', () => {
    expect(verdictOf('proposal', { agree: 6, disagree: 4, abstain: 5 }, 20, { passPercent: 60 })).toBe(
      'passed',
    );
    expect(verdictOf('proposal', { agree: 5, disagree: 4 }, 20, { passPercent: 60 })).toBe('failed');
    expect(verdictOf('proposal', { abstain: 4 }, 20, { passPercent: 50 })).toBe('failed');
  });

  it('consent without a threshold but with a quorum: more agree than disagree', () => {
    expect(verdictOf('proposal', { agree: 3, disagree: 2 }, 5, { quorumPercent: 50 })).toBe('passed');
    expect(verdictOf('proposal', { agree: 2, disagree: 2 }, 5, { quorumPercent: 50 })).toBe('failed');
  });

  it('a block vetoes a consent proposal unless vetoes are off, when it counts as a disagree', () => {
    const counts = { agree: 9, block: 1 };
    expect(verdictOf('proposal', counts, 10, { passPercent: 50 })).toBe('failed');
    expect(verdictOf('proposal', counts, 10, { passPercent: 50, blockVetoes: false })).toBe('passed');
    expect(verdictOf('proposal', { agree: 8, block: 2 }, 10, { passPercent: 90, blockVetoes: false })).toBe(
      'failed',
    );
  });

  it("poll: the leading option's share of the ballots; a tie fails", () => {
    expect(verdictOf('poll', { a: 6, b: 4 }, 10, { passPercent: 60 })).toBe('passed');
    expect(verdictOf('poll', { a: 5, b: 3, c: 2 }, 10, { passPercent: 60 })).toBe('failed');
    expect(verdictOf('poll', { a: 5, b: 5 }, 10, { quorumPercent: 10 })).toBe('failed');
  });

  it("score: the leading option's mean as a share of the top score", () => {
    // a: 3 ballots give it 5, one gives it 1: mean 4 of 5 = 80 %.
    expect(verdictOf('score', { a: 3, b: 1 }, 4, { passPercent: 80 })).toBe('passed');
    expect(verdictOf('score', { a: 3, b: 1 }, 4, { passPercent: 81 })).toBe('failed');
  });

  it('dot vote, ranked choice and meeting pass with one option ahead, fail on a tie', () => {
    expect(verdictOf('dot_vote', { a: 2, b: 1 }, 3, { quorumPercent: 50 })).toBe('passed');
    expect(verdictOf('dot_vote', { a: 1, b: 1 }, 3, { quorumPercent: 50 })).toBe('failed');
    expect(verdictOf('ranked_choice', { a: 2, b: 1 }, 3, { quorumPercent: 50 })).toBe('passed');
    expect(verdictOf('meeting', { a: 2 }, 3, { quorumPercent: 50 })).toBe('passed');
  });
});

describe('no thresholds', () => {
  it('gives no verdict, with or without the tally being asked', () => {
    expect(verdictOf('proposal', { agree: 3 }, 3, {})).toBeNull();
    expect(tallyProposal(rules('poll'), ballots('poll', { a: 1 }), 3).verdict).toBeUndefined();
  });

  it('reports the figures a card words', () => {
    const results = tallyProposal(rules('proposal'), ballots('proposal', { agree: 5, disagree: 2 }), 24);
    const facts = decideVerdict(
      { kind: 'proposal', maxScore: 5, quorumPercent: 50, passPercent: 60, blockVetoes: true },
      results,
      7,
      24,
    );
    expect(facts).toEqual({
      verdict: 'no_quorum',
      represented: 7,
      needed: 12,
      share: 71.4,
      shareOf: 'agree',
      blocked: false,
    });
  });
});
