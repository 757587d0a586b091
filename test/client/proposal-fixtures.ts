/** Proposals, results and the clock shared by the tests of client/data's proposal helpers. */
import type { Proposal, Results } from '../../client/data/proposals';

export const NOW = Date.parse('2026-03-02T12:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function proposal(over: Partial<Proposal> = {}): Proposal {
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
    representedCount: 0,
    eligibleCount: 5,
    quorumPercent: null,
    passPercent: null,
    blockVetoes: true,
    delegation: false,
    results: null,
    outcome: null,
    ...over,
  };
}

export const consent = (over: Partial<Proposal> = {}) =>
  proposal({
    kind: 'proposal',
    options: ['agree', 'abstain', 'disagree', 'block'].map((id) => ({ id, label: id })),
    ...over,
  });

export function results(over: Partial<Results> = {}): Results {
  return { options: [], winnerIds: [], undecidedCount: 0, ...over };
}
