import type { Transaction } from 'kysely';
import type { Role } from '../../../shared/schemas/groups';
import type {
  FollowedVote,
  MyDelegate,
  Proposal,
  ProposalPermissions,
} from '../../../shared/schemas/proposals';
import { rolesOf } from '../../db/groups';
import * as repo from '../../db/proposals';
import type { DB } from '../../db/schema';
import { namesOf } from '../../db/users';
import { proposalPermissions } from '../../domain/permissions';
import { notFound } from '../../errors';
import { presentProposal } from '../../presenters/proposal';
import { voterKey } from '../ballots';
import type { Ctx } from '../context';
import { type CountedBallots, countBallots, weightOf } from '../counted-ballots';
import { isUuid } from '../text';

type Db = Ctx['db'] | Transaction<DB>;

/** Rows grouped by their proposal (Node 20 has no Map.groupBy). */
function byProposal<T extends { proposal_id: string }>(rows: T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const list = grouped.get(row.proposal_id);
    if (list) list.push(row);
    else grouped.set(row.proposal_id, [row]);
  }
  return grouped;
}

/**
 * Proposals as `viewerId` sees them over HTTP, by id: options, outcome,
 * counts, the viewer's own vote and permissions, and results (null while hidden; frozen at
 * close). Pass `viewerId: null` for the form shared by every stream subscriber;
 * finding a viewer's anonymous vote takes the server secret, so the `ctx`.
 */
export function loadProposalsForViewer(
  ctx: Ctx,
  viewerId: string | null,
  proposalIds: string[],
): Promise<Map<string, Proposal>>;
export function loadProposalsForViewer(
  db: Db,
  viewerId: null,
  proposalIds: string[],
): Promise<Map<string, Proposal>>;
export async function loadProposalsForViewer(
  source: Ctx | Db,
  viewerId: string | null,
  proposalIds: string[],
): Promise<Map<string, Proposal>> {
  const ctx = isCtx(source) ? source : null;
  const db = ctx ? ctx.db : (source as Db);
  const rows = await repo.proposalRows(db, proposalIds);
  if (rows.length === 0) return new Map();
  const ids = rows.map((r) => r.id);
  const groupIds = [...new Set(rows.map((r) => r.group_id))];
  // Closed proposals keep their frozen results: only open ones resolve delegation chains.
  const [options, outcomes, counted, counts, roles] = await Promise.all([
    repo.optionsOf(db, ids),
    repo.currentOutcomes(db, ids),
    countBallots(
      db,
      rows.map((r) => (r.closed_at ? { ...r, group_delegation: false } : r)),
    ),
    repo.memberCounts(db, groupIds),
    viewerId ? rolesOf(db, viewerId, groupIds) : new Map<string, Role>(),
  ]);
  const mine =
    viewerId && ctx
      ? await repo.votesByPairs(
          db,
          rows.flatMap((r) => {
            const key = voterKey(ctx.config.sessionSecret, r, viewerId);
            return key === null ? [] : [{ proposalId: r.id, voterKey: key }];
          }),
        )
      : [];
  // Grouped once: the decision log loads thousands of proposals.
  const optionsOf = byProposal(options);
  const outcomeOf = new Map(outcomes.map((o) => [o.proposal_id, o]));
  const mineOf = new Map(mine.map((v) => [v.proposal_id, v]));
  const delegates = viewerId ? await viewerDelegates(db, viewerId, rows, counted) : new Map();
  const result = new Map<string, Proposal>();
  for (const row of rows) {
    const count = counted.get(row.id)!;
    const own = mineOf.get(row.id);
    result.set(
      row.id,
      presentProposal({
        row,
        options: optionsOf.get(row.id) ?? [],
        counted: count,
        outcome: outcomeOf.get(row.id),
        memberCount: counts.get(row.group_id) ?? 0,
        ...(viewerId
          ? {
              myVote: own
                ? { vote: own, weight: weightOf(count, own.voter_id) }
                : followedVote(row.id, viewerId, count, delegates.get(row.id)),
              myDelegate: delegates.get(row.id) ?? null,
              permissions: proposalPermissions({
                viewerId,
                role: roles.get(row.group_id) ?? null,
                authorId: row.author_id,
              }),
            }
          : {}),
      }),
    );
  }
  return result;
}

/**
 * Whom the viewer delegates to on each open proposal where delegation applies
 * (their proposal delegation, else their group one), with names.
 */
async function viewerDelegates(
  db: Db,
  viewerId: string,
  rows: { id: string; closed_at: Date | null }[],
  counted: Map<string, CountedBallots>,
): Promise<Map<string, MyDelegate>> {
  const wanted = new Map<string, { delegateId: string; proposalOnly: boolean }>();
  for (const row of rows) {
    const graph = row.closed_at ? null : counted.get(row.id)?.delegation?.graph;
    if (!graph) continue;
    const onProposal = graph.proposalDelegates.get(viewerId);
    const delegateId = onProposal ?? graph.groupDelegates.get(viewerId);
    if (delegateId) wanted.set(row.id, { delegateId, proposalOnly: onProposal !== undefined });
  }
  if (wanted.size === 0) return new Map();
  const names = await namesOf(db, [...new Set([...wanted.values()].map((w) => w.delegateId))]);
  return new Map(
    [...wanted].map(([proposalId, w]) => [
      proposalId,
      { delegate: { id: w.delegateId, name: names.get(w.delegateId) ?? '' }, proposalOnly: w.proposalOnly },
    ]),
  );
}

/** The viewer's vote when it follows a delegate's; null when it follows none (or the chain ends unvoted). */
function followedVote(
  proposalId: string,
  viewerId: string,
  count: CountedBallots,
  mine: MyDelegate | undefined,
): FollowedVote | null {
  const voterId = count.delegation?.resolution.follows.get(viewerId);
  const vote = voterId ? count.delegation!.votes.get(voterId) : undefined;
  if (!voterId || !vote) return null;
  return {
    proposalId,
    delegatedTo: { id: voterId, name: vote.name },
    via: mine && mine.delegate.id !== voterId ? mine.delegate : null,
    choices: vote.choices,
  };
}

function isCtx(source: Ctx | Db): source is Ctx {
  return 'config' in source && 'db' in source;
}

/** One proposal as `ctx`'s viewer sees it, or (given a transaction) as every subscriber does. */
export async function loadOne(source: Ctx | Db, viewerId: string | null, id: string): Promise<Proposal> {
  const p = (
    isCtx(source)
      ? await loadProposalsForViewer(source, viewerId, [id])
      : await loadProposalsForViewer(source, null, [id])
  ).get(id);
  if (!p) throw notFound('proposal');
  return p;
}

/** The proposal and the caller's role, or 404 for outsiders and unknown ids. */
export async function proposalAccess(ctx: Ctx, proposalId: string, userId: string) {
  const found = isUuid(proposalId) ? await repo.proposalForMember(ctx.db, proposalId, userId) : undefined;
  if (!found) throw notFound('proposal');
  return found;
}

/** What `userId` may do to the proposal `proposalAccess` found, by the rules in domain/permissions.ts. */
export function permissionsOn(
  p: { author_id: string | null; role: Role },
  userId: string,
): ProposalPermissions {
  return proposalPermissions({ viewerId: userId, role: p.role, authorId: p.author_id });
}
