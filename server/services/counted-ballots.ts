import type { Choice } from '../../shared/schemas/proposals';
import { chainVotesOf, delegationsFor, membersAmong } from '../db/delegations';
import * as repo from '../db/proposals';
import {
  carriedBallots,
  type DelegationGraph,
  type DelegationResolution,
  resolveDelegation,
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
  /** The chains' members' direct votes by voter id: what a follower's vote is. */
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
 * The ballots each proposal counts, in a few reads for the lot. Every
 * proposal starts from the running counts of identical ballots, one per
 * direct vote. Where delegations bear on a proposal, only the members its
 * chains pass through can carry anyone: their votes and memberships are read
 * (a few hundred rows even when a third of a large group delegates, never
 * the whole group), the chains resolved in memory, and each vote that
 * carries others added again as many times as the members it carries.
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
  const bearsOn = (p: DelegableProposal) =>
    edges.filter((e) => e.group_id === p.group_id && (e.proposal_id === null || e.proposal_id === p.id));
  const delegated = delegable.filter((p) => bearsOn(p).length > 0);
  const nodes = [...new Set(edges.flatMap((e) => [e.from_id, e.to_id]))];

  const [stored, votes, members] = await Promise.all([
    repo.ballotsOf(
      db,
      proposals.map((p) => p.id),
    ),
    chainVotesOf(
      db,
      delegated.map((p) => p.id),
      nodes,
    ),
    membersAmong(db, [...new Set(delegated.map((p) => p.group_id))], nodes),
  ]);
  for (const p of proposals)
    counted.set(p.id, { ballots: [], voterCount: 0, representedCount: 0, delegation: null });
  for (const b of stored) counted.get(b.proposal_id)!.ballots.push(b.choices as Choice[]);
  for (const c of counted.values()) {
    c.voterCount = c.ballots.length;
    c.representedCount = c.ballots.length;
  }

  for (const p of delegated) {
    const mine = bearsOn(p);
    const inChains = members.get(p.group_id) ?? new Set<string>();
    const chainVotes = votes.filter((v) => v.proposal_id === p.id && v.voter_id && !v.departed);
    const graph: DelegationGraph = {
      members: inChains,
      directVoters: new Set(chainVotes.flatMap((v) => (inChains.has(v.voter_id!) ? [v.voter_id!] : []))),
      groupDelegates: new Map(mine.filter((e) => e.proposal_id === null).map((e) => [e.from_id, e.to_id])),
      proposalDelegates: new Map(mine.filter((e) => e.proposal_id !== null).map((e) => [e.from_id, e.to_id])),
    };
    const resolution = resolveDelegation(graph);
    const count = counted.get(p.id)!;
    const byVoter = new Map(
      chainVotes.map(
        (v) => [v.voter_id!, { choices: v.choices as Choice[], name: v.voter_name ?? '' }] as const,
      ),
    );
    // Each carried member counts the ballot they follow once more, beside its own copy in the counts.
    const chosen = new Map([...byVoter].map(([voterId, v]) => [voterId, v.choices]));
    count.ballots.push(...carriedBallots(chosen, resolution.weights));
    count.representedCount = count.ballots.length;
    count.delegation = { graph, resolution, votes: byVoter };
  }
  return counted;
}

/** The weight of `voterId`'s vote in a count: 1 where no delegation bears on it. */
export function weightOf(counted: CountedBallots | undefined, voterId: string | null): number {
  if (!voterId || !counted?.delegation) return 1;
  return counted.delegation.resolution.weights.get(voterId) ?? 1;
}
