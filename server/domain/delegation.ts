/**
 * Liquid delegation: whose vote each member's follows on one proposal, and how
 * much each direct vote weighs. Pure: the caller reads the members, votes and
 * delegations; nothing here does I/O.
 *
 * The rules (shared/API.md, "Delegation, quorum and the decision record"):
 * - a member's delegation on the proposal overrides their group-wide one;
 * - delegation is transitive: A→B→C with only C voting counts C's vote for all three;
 * - a direct vote always wins: a member who voted is never carried, whatever they delegated;
 * - a chain that ends with someone who has not voted, or that runs in a cycle, counts as no vote;
 * - only members count: a delegation to or through someone who is not a member ends the chain.
 */

export interface DelegationGraph {
  /** Current members of the group, the only people a chain may pass through. */
  members: ReadonlySet<string>;
  /** Members who voted on the proposal themselves. */
  directVoters: ReadonlySet<string>;
  /** Group-wide delegations, delegator → delegate. */
  groupDelegates: ReadonlyMap<string, string>;
  /** Delegations on this proposal, delegator → delegate; they override the group-wide ones. */
  proposalDelegates: ReadonlyMap<string, string>;
}

export interface DelegationResolution {
  /** Each direct voter's weight: 1 for their own vote plus the members whose votes follow it. */
  weights: Map<string, number>;
  /** Each member whose vote follows someone else's → the direct voter it follows. */
  follows: Map<string, string>;
}

/** The member `memberId` delegates to on this proposal, if any. */
export function delegateOf(graph: DelegationGraph, memberId: string): string | undefined {
  return graph.proposalDelegates.get(memberId) ?? graph.groupDelegates.get(memberId);
}

/**
 * Resolves every chain once: each member is walked at most once, and a walk
 * that reaches a member already resolved takes their answer, so the whole
 * graph costs time linear in the number of members.
 */
export function resolveDelegation(graph: DelegationGraph): DelegationResolution {
  const weights = new Map<string, number>();
  for (const voter of graph.directVoters) if (graph.members.has(voter)) weights.set(voter, 1);
  // member → the direct voter their vote ends at, or null for no vote (a dead end or a cycle)
  const ends = new Map<string, string | null>();
  for (const voter of weights.keys()) ends.set(voter, voter);

  for (const start of graph.members) {
    if (ends.has(start)) continue;
    const path: string[] = [];
    const onPath = new Set<string>();
    let current = start;
    let end: string | null = null;
    for (;;) {
      path.push(current);
      onPath.add(current);
      const next = delegateOf(graph, current);
      if (next === undefined || !graph.members.has(next) || onPath.has(next)) break;
      const known = ends.get(next);
      if (known !== undefined) {
        end = known;
        break;
      }
      current = next;
    }
    for (const member of path) ends.set(member, end);
  }

  const follows = new Map<string, string>();
  for (const [member, end] of ends) {
    if (end === null || end === member) continue;
    follows.set(member, end);
    weights.set(end, (weights.get(end) ?? 1) + 1);
  }
  return { weights, follows };
}

/**
 * What delegation adds to a count that already holds every direct vote once:
 * each vote that carries others, once more for each member it carries.
 * Copies share one choices object, as stored ballots already do.
 */
export function carriedBallots<T>(
  ballotOf: ReadonlyMap<string, T>,
  weights: ReadonlyMap<string, number>,
): T[] {
  const extra: T[] = [];
  for (const [voterId, weight] of weights) {
    const ballot = ballotOf.get(voterId);
    if (ballot === undefined) continue;
    for (let i = 1; i < weight; i++) extra.push(ballot);
  }
  return extra;
}
