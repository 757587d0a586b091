import type { Choice } from '../../shared/schemas/proposals';
import { type ChainVote, chainVotesAt, type DelegationStateRow, delegationStateOf } from '../db/delegations';
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

/** A proposal's chains as read at one version of its group's delegation graph (`delegation_graphs`). */
interface KnownGraph {
  version: string;
  graph: Omit<DelegationGraph, 'directVoters'>;
  /** The graph's members, as `chainVotesAt` takes them. */
  memberIds: string[];
  /** Whether any delegation bears on the proposal. */
  delegated: boolean;
}

/**
 * This process's copies of proposals' delegation graphs, most recently used
 * last. Each is used only while its version is the one the database holds:
 * every change to the group's delegations or memberships gives the group a
 * new version in the same transaction (migration 0023), whichever process
 * made it.
 */
const knownGraphs = new Map<string, KnownGraph>();
const MAX_KNOWN_GRAPHS = 500;

function remember(proposalId: string, known: KnownGraph): void {
  knownGraphs.delete(proposalId);
  knownGraphs.set(proposalId, known);
  if (knownGraphs.size > MAX_KNOWN_GRAPHS) knownGraphs.delete(knownGraphs.keys().next().value!);
}

function graphOf(row: DelegationStateRow): KnownGraph {
  const { edges, members } = row.graph;
  const known: KnownGraph = {
    version: row.version ?? '',
    graph: {
      members: new Set(members),
      groupDelegates: new Map(edges.flatMap(([from, to, own]) => (own ? [] : [[from, to] as const]))),
      proposalDelegates: new Map(edges.flatMap(([from, to, own]) => (own ? [[from, to] as const] : []))),
    },
    memberIds: members,
    delegated: edges.length > 0,
  };
  // Without a version (no row yet, or changed by this transaction) a copy could not be checked later.
  if (row.version !== null) remember(row.proposal_id, known);
  else knownGraphs.delete(row.proposal_id);
  return known;
}

/** What a caller of `countBallots` may already know. */
export interface CountOptions {
  /**
   * Each proposal's current ballots, one per direct vote, where the caller
   * holds them already (a vote batch works them out under the lock): not read again.
   */
  ballots?: ReadonlyMap<string, Choice[][]>;
  /** Whether `DelegatedCount.votes` needs its voters' names (default true). */
  names?: boolean;
}

/**
 * The ballots each proposal counts, in a few reads for the lot. Every
 * proposal starts from the running counts of identical ballots, one per
 * direct vote. Where delegations bear on a proposal, only the members its
 * chains pass through can carry anyone: their votes are read (a few hundred
 * rows even when a third of a large group delegates, never the whole group)
 * with the version of the group's delegation graph, and the graph itself only
 * when this process holds no copy at that version. The chains are resolved in
 * memory, and each vote that carries others added again as many times as the
 * members it carries.
 */
export async function countBallots(
  db: Db,
  proposals: DelegableProposal[],
  options: CountOptions = {},
): Promise<Map<string, CountedBallots>> {
  const counted = new Map<string, CountedBallots>();
  if (proposals.length === 0) return counted;
  const names = options.names ?? true;
  const delegable = proposals.filter(delegationApplies);
  const toRead = proposals.filter((p) => !options.ballots?.has(p.id));
  const [stored, checked] = await Promise.all([
    repo.ballotsOf(
      db,
      toRead.map((p) => p.id),
    ),
    // Where this process holds a graph: the votes of its members, and whether it is still current.
    Promise.all(
      delegable.map(async (p) => {
        const known = knownGraphs.get(p.id);
        if (!known) return { id: p.id, known: null, votes: null };
        const now = await chainVotesAt(db, p.id, known.memberIds, names);
        return { id: p.id, known, votes: now && now.version === known.version ? now.votes : null };
      }),
    ),
  ]);
  for (const p of proposals) {
    const given = options.ballots?.get(p.id);
    counted.set(p.id, {
      ballots: given ? [...given] : [],
      voterCount: 0,
      representedCount: 0,
      delegation: null,
    });
  }
  for (const b of stored) counted.get(b.proposal_id)!.ballots.push(b.choices as Choice[]);
  for (const c of counted.values()) {
    c.voterCount = c.ballots.length;
    c.representedCount = c.ballots.length;
  }

  const resolve = (proposalId: string, known: KnownGraph, votes: ChainVote[]) =>
    resolveWithGraph(counted.get(proposalId)!, known, votes);
  const unknown: string[] = [];
  for (const c of checked) {
    if (c.known && c.votes) {
      remember(c.id, c.known);
      resolve(c.id, c.known, c.votes);
    } else unknown.push(c.id);
  }
  // No copy here, or an outdated one: the graph and its votes, read together.
  for (const row of await delegationStateOf(db, unknown, names))
    resolve(row.proposal_id, graphOf(row), row.votes);
  return counted;
}

/**
 * A proposal's count from ballots the caller holds (one per direct vote) and
 * the direct vote of any member, through this process's copy of its
 * delegation graph, with the version that copy is at; null when this process
 * holds none. The caller checks the version where it writes.
 */
export function countWithKnownGraph(
  p: DelegableProposal,
  ballots: Choice[][],
  directVote: (memberId: string) => Choice[] | undefined,
): { count: CountedBallots; version: string } | null {
  const known = knownGraphs.get(p.id);
  if (!known) return null;
  const count: CountedBallots = {
    ballots: [...ballots],
    voterCount: ballots.length,
    representedCount: ballots.length,
    delegation: null,
  };
  if (known.delegated) {
    const votes: ChainVote[] = [];
    for (const memberId of known.memberIds) {
      const choices = directVote(memberId);
      if (choices) votes.push([memberId, choices, null]);
    }
    resolveWithGraph(count, known, votes);
  }
  return { count, version: known.version };
}

/** Adds to `count` the ballots its delegations carry, given the direct votes of the graph's members. */
function resolveWithGraph(count: CountedBallots, known: KnownGraph, votes: ChainVote[]): void {
  if (!known.delegated) return;
  const { members } = known.graph;
  const byVoter = new Map<string, { choices: Choice[]; name: string }>();
  for (const [voterId, choices, name] of votes) {
    if (members.has(voterId)) byVoter.set(voterId, { choices: choices as Choice[], name: name ?? '' });
  }
  const graph: DelegationGraph = { ...known.graph, directVoters: new Set(byVoter.keys()) };
  const resolution = resolveDelegation(graph);
  // Each carried member counts the ballot they follow once more, beside its own copy in the counts.
  const chosen = new Map([...byVoter].map(([voterId, v]) => [voterId, v.choices]));
  count.ballots.push(...carriedBallots(chosen, resolution.weights));
  count.representedCount = count.ballots.length;
  count.delegation = { graph, resolution, votes: byVoter };
}

/** The weight of `voterId`'s vote in a count: 1 where no delegation bears on it. */
export function weightOf(counted: CountedBallots | undefined, voterId: string | null): number {
  if (!voterId || !counted?.delegation) return 1;
  return counted.delegation.resolution.weights.get(voterId) ?? 1;
}
