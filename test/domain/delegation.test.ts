import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  carriedBallots,
  type DelegationGraph,
  delegateOf,
  resolveDelegation,
} from '../../server/domain/delegation';
import { tallyProposal } from '../../server/domain/tally';
import { BALLOT_DEFAULTS, type BallotRules, CONSENT_POSITIONS } from '../../shared/ballot';
import type { Choice } from '../../shared/schemas/proposals';

function graph(parts: Partial<Omit<DelegationGraph, 'members'>> & { members: string[] }): DelegationGraph {
  return {
    members: new Set(parts.members),
    directVoters: parts.directVoters ?? new Set(),
    groupDelegates: parts.groupDelegates ?? new Map(),
    proposalDelegates: parts.proposalDelegates ?? new Map(),
  };
}

describe('resolveDelegation', () => {
  it('A→B→C with only C voting: C weighs 3, A and B follow C', () => {
    const r = resolveDelegation(
      graph({
        members: ['a', 'b', 'c'],
        directVoters: new Set(['c']),
        groupDelegates: new Map([
          ['a', 'b'],
          ['b', 'c'],
        ]),
      }),
    );
    expect(Object.fromEntries(r.weights)).toEqual({ c: 3 });
    expect(Object.fromEntries(r.follows)).toEqual({ a: 'c', b: 'c' });
  });

  it('a direct vote wins over the voter’s own delegation and stops the chain there', () => {
    const r = resolveDelegation(
      graph({
        members: ['a', 'b', 'c'],
        directVoters: new Set(['b', 'c']),
        groupDelegates: new Map([
          ['a', 'b'],
          ['b', 'c'],
        ]),
      }),
    );
    expect(Object.fromEntries(r.weights)).toEqual({ b: 2, c: 1 });
  });

  it('a cycle and a chain ending with no vote count as no vote', () => {
    const r = resolveDelegation(
      graph({
        members: ['a', 'b', 'c', 'd', 'e'],
        directVoters: new Set(['e']),
        groupDelegates: new Map([
          ['a', 'b'],
          ['b', 'a'],
          ['c', 'd'],
        ]),
      }),
    );
    expect(Object.fromEntries(r.weights)).toEqual({ e: 1 });
    expect(r.follows.size).toBe(0);
  });

  it('a proposal delegation overrides the group one; a non-member ends the chain', () => {
    const g = graph({
      members: ['a', 'b', 'c'],
      directVoters: new Set(['b', 'c', 'gone']),
      groupDelegates: new Map([['a', 'b']]),
      proposalDelegates: new Map([
        ['a', 'c'],
        ['b', 'gone'],
      ]),
    });
    expect(delegateOf(g, 'a')).toBe('c');
    const r = resolveDelegation(g);
    expect(Object.fromEntries(r.weights)).toEqual({ b: 1, c: 2 });
    expect(r.weights.has('gone')).toBe(false);
  });

  it('carriedBallots adds each carrying vote once per member it carries', () => {
    const extra = carriedBallots(
      new Map([
        ['c', 'C'],
        ['x', 'X'],
      ]),
      new Map([
        ['c', 3],
        ['x', 1],
      ]),
    );
    expect(extra).toEqual(['C', 'C']);
  });
});

/**
 * The reference the resolver is checked against: each member on their own,
 * walking their chain step by step with no memo, as the contract words it.
 */
function naiveBallotOf(g: DelegationGraph, ballots: Map<string, Choice[]>, member: string): Choice[] | null {
  const seen = new Set<string>();
  let current = member;
  for (;;) {
    if (g.directVoters.has(current)) return ballots.get(current)!;
    seen.add(current);
    const next = delegateOf(g, current);
    if (next === undefined || !g.members.has(next) || seen.has(next)) return null;
    current = next;
  }
}

const MEMBERS = Array.from({ length: 24 }, (_, i) => `m${i}`);
const member = fc.constantFrom(...MEMBERS);
const edges = fc
  .array(fc.tuple(member, member), { maxLength: 40 })
  .map((pairs) => new Map(pairs.filter(([from, to]) => from !== to)));

const RANKED: BallotRules = {
  kind: 'ranked_choice',
  options: ['a', 'b', 'c', 'd'].map((id) => ({ id, label: id })),
  ...BALLOT_DEFAULTS,
};
const CONSENT: BallotRules = {
  kind: 'proposal',
  options: CONSENT_POSITIONS.map((id) => ({ id, label: id })),
  ...BALLOT_DEFAULTS,
};
const SCORE: BallotRules = {
  kind: 'score',
  options: ['a', 'b', 'c'].map((id) => ({ id, label: id })),
  ...BALLOT_DEFAULTS,
};

const ballotFor: Record<string, fc.Arbitrary<Choice[]>> = {
  ranked_choice: fc
    .shuffledSubarray(['a', 'b', 'c', 'd'], { minLength: 1, maxLength: 4 })
    .map((ids) => ids.map((optionId, i) => ({ optionId, rank: i + 1 }))),
  proposal: fc.constantFrom(...CONSENT_POSITIONS).map((optionId) => [{ optionId }]),
  score: fc
    .tuple(fc.nat(5), fc.nat(5), fc.nat(5))
    .map((scores) => scores.map((score, i) => ({ optionId: ['a', 'b', 'c'][i]!, score }))),
};

describe('the weighted tally equals the tally of every member’s expanded ballot', () => {
  for (const rules of [CONSENT, RANKED, SCORE]) {
    it(`${rules.kind}: random members, votes, group and proposal delegations (cycles and dead ends included)`, () => {
      fc.assert(
        fc.property(
          fc.subarray(MEMBERS, { minLength: 1 }),
          fc.dictionary(member, ballotFor[rules.kind]!, { maxKeys: 24 }),
          edges,
          edges,
          (present, cast, groupDelegates, proposalDelegates) => {
            const members = new Set(present);
            const ballots = new Map(Object.entries(cast).filter(([voter]) => members.has(voter)));
            const g: DelegationGraph = {
              members,
              directVoters: new Set(ballots.keys()),
              groupDelegates,
              proposalDelegates,
            };
            const { weights, follows } = resolveDelegation(g);
            // As the server counts: every direct vote once (the running counts), then what delegation adds.
            const weighted = [...ballots.values(), ...carriedBallots(ballots, weights)];
            const expanded = present.flatMap((m) => {
              const ballot = naiveBallotOf(g, ballots, m);
              return ballot ? [ballot] : [];
            });
            expect(weighted.length).toBe(expanded.length);
            expect(tallyProposal(rules, weighted, present.length)).toEqual(
              tallyProposal(rules, expanded, present.length),
            );
            for (const [who, voter] of follows)
              expect(naiveBallotOf(g, ballots, who)).toBe(ballots.get(voter));
            // The server resolves only the members its chains pass through: the same weights.
            const nodes = new Set(
              [...groupDelegates, ...proposalDelegates].flat().filter((m) => members.has(m)),
            );
            const sub = resolveDelegation({
              ...g,
              members: nodes,
              directVoters: new Set([...g.directVoters].filter((v) => nodes.has(v))),
            });
            const carrying = (w: Map<string, number>) => [...w].filter(([, n]) => n > 1).sort();
            expect(carrying(sub.weights)).toEqual(carrying(weights));
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
