import type { Choice } from '../../shared/schemas/proposals';
import { delegationsFor, memberIdsOf, namedVotesOf } from '../db/delegations';
import * as repo from '../db/proposals';
import {
  type DelegationGraph,
  type DelegationResolution,
  resolveDelegation,
  weightedBallots,
} from '../domain/delegation';
import type { Ctx } from './context';

type Db = Ctx['db'] | Parameters<typeof repo.ballotsOf>[0];

/** What a proposal's tally counts right now, and who it counts. */
export interface CountedBallots {
  /** The ballots the tally counts: each direct vote as many times as it weighs. */
  ballots: Choice[][];
  /** Members who voted themselves (and ballots left behind by members who went). */
  voterCount: number;
  /** Members whose vote counts, directly or through a delegate: `ballots.length`. */
  representedCount: number;
  /** Set when delegations bear on the proposal: the chains and the votes they end at. */
  delegation: DelegatedCount | null;
}

export interface DelegatedCount {
  graph: DelegationGraph;
  resolution: DelegationResolution;
  /** Direct votes by voter id: what a follower's vote is. */
  votes: Map<string, { choices: Choice[]; name: string }>;
}

/** What deciding whether delegation applies needs of a proposal. */
export interface DelegableProposal {
  id: string;
  group_id: string;
  anonymous: boolean;
  /** The group lets members delegate (`groups.delegation`). */
  group_delegation: boolean;
}

/**
 * Delegation never applies to anonymous proposals: a delegate's weight, or a
 * delegator's "your vote follows Bea's", would say how someone voted.
 */
export function delegationApplies(p: DelegableProposal): boolean {
  return p.group_delegation && !p.anonymous;
}

/**
 * The ballots each proposal counts, in a few reads for the lot. Proposals no
 * delegation bears on take the running counts of identical ballots, as
 * before; the others read their votes one per voter, the group's members and
 * the delegations, and resolve the chains in memory (linear in the members).
 */
export async function countBallots(
  db: Db,
  proposals: DelegableProposal[],
): Promise<Map<string, CountedBallots>> {
  const counted = new Map<string, CountedBallots>();
  if (proposals.length === 0) return counted;
  const delegable = proposals.filter(delegationApplies);
  const edges = await delegationsFor(
    db,
    [...new Set(delegable.map((p) => p.group_id))],
    delegable.map((p) => p.id),
  );
  const delegated = delegable.filter((p) =>
    edges.some((e) => e.group_id === p.group_id && (e.proposal_id === null || e.proposal_id === p.id)),
  );
  const plain = proposals.filter((p) => !delegated.includes(p));

  const [stored, votes, members] = await Promise.all([
    repo.ballotsOf(
      db,
      plain.map((p) => p.id),
    ),
    namedVotesOf(
      db,
      delegated.map((p) => p.id),
    ),
    memberIdsOf(db, [...new Set(delegated.map((p) => p.group_id))]),
  ]);
  for (const p of plain)
    counted.set(p.id, { ballots: [], voterCount: 0, representedCount: 0, delegation: null });
  for (const b of stored) counted.get(b.proposal_id)!.ballots.push(b.choices as Choice[]);
  for (const c of counted.values()) {
    c.voterCount = c.ballots.length;
    c.representedCount = c.ballots.length;
  }

  for (const p of delegated) {
    const mine = votes.filter((v) => v.proposal_id === p.id);
    const groupMembers = members.get(p.group_id) ?? new Set<string>();
    const graph: DelegationGraph = {
      members: groupMembers,
      directVoters: new Set(
        mine.flatMap((v) => (v.voter_id && !v.departed && groupMembers.has(v.voter_id) ? [v.voter_id] : [])),
      ),
      groupDelegates: new Map(
        edges
          .filter((e) => e.group_id === p.group_id && e.proposal_id === null)
          .map((e) => [e.from_id, e.to_id]),
      ),
      proposalDelegates: new Map(
        edges.filter((e) => e.proposal_id === p.id).map((e) => [e.from_id, e.to_id]),
      ),
    };
    const resolution = resolveDelegation(graph);
    const ballots = weightedBallots(
      mine.map((v) => ({ voterId: v.departed ? null : v.voter_id, choices: v.choices as Choice[] })),
      resolution.weights,
    );
    counted.set(p.id, {
      ballots,
      voterCount: mine.length,
      representedCount: ballots.length,
      delegation: {
        graph,
        resolution,
        votes: new Map(
          mine.flatMap((v) =>
            v.voter_id
              ? [[v.voter_id, { choices: v.choices as Choice[], name: v.voter_name ?? '' }] as const]
              : [],
          ),
        ),
      },
    });
  }
  return counted;
}

/** The weight of `voterId`'s vote in a count: 1 where no delegation bears on it. */
export function weightOf(counted: CountedBallots | undefined, voterId: string | null): number {
  if (!voterId || !counted?.delegation) return 1;
  return counted.delegation.resolution.weights.get(voterId) ?? 1;
}
