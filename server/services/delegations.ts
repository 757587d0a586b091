import type { Transaction } from 'kysely';
import type {
  Delegation,
  DelegationBody,
  DelegationListQuery,
  DelegationPage,
} from '../../shared/schemas/delegations';
import {
  type DelegationCursor,
  delegationsPage,
  deleteDelegation,
  isMember,
  upsertDelegation,
} from '../db/delegations';
import * as repo from '../db/proposals';
import type { DB, UserRow } from '../db/schema';
import { namesOf } from '../db/users';
import { conflict, invalid, notFound } from '../errors';
import { proposalClosed, voteSummary } from './ballots';
import { type Ctx, type Emit, writeTransaction } from './context';
import { delegationApplies } from './counted-ballots';
import { groupAccess } from './groups';
import { decodeCursor, encodeCursor, pageLimit } from './pagination';
import { proposalAccess } from './proposals/view';
import { isUuid } from './text';

const notDelegating = () =>
  conflict('this group does not use delegation; a facilitator can turn it on in the group settings');
const anonymousRefused = () =>
  conflict(
    'votes cannot be delegated on an anonymous proposal: a delegate’s weight would show how members voted',
  );

type Scope = { groupId: string; proposalId: string | null };

/** Lets the caller's vote follow `delegateId`'s in the group, or on one proposal. */
export async function setDelegation(
  ctx: Ctx,
  scope: { groupId: string } | { proposalId: string },
  user: UserRow,
  body: DelegationBody,
): Promise<Delegation> {
  const where = await delegationScope(ctx, scope, user);
  if (body.delegateId === user.id)
    throw invalid('/delegateId', 'must be another member: you cannot delegate to yourself');
  if (!isUuid(body.delegateId) || !(await isMember(ctx.db, where.groupId, body.delegateId)))
    throw invalid('/delegateId', 'is not a member of this group');
  return writeTransaction(ctx, async (trx, emit) => {
    const proposals = await lockAffected(trx, where);
    // Checked again under the lock: the delegate may have left meanwhile, and the trigger
    // that removes a leaver's delegations has run already.
    if (!(await isMember(trx, where.groupId, body.delegateId)))
      throw invalid('/delegateId', 'is not a member of this group');
    await upsertDelegation(trx, { ...where, fromId: user.id, toId: body.delegateId });
    const names = await namesOf(trx, [body.delegateId]);
    const delegation: Delegation = {
      from: { id: user.id, name: user.name },
      to: { id: body.delegateId, name: names.get(body.delegateId) ?? '' },
      proposalId: where.proposalId,
      createdAt: new Date().toISOString(),
    };
    await announce(trx, emit, where, user, { delegation, removed: false }, proposals);
    return delegation;
  });
}

/** Withdraws the caller's delegation in the group, or on one proposal; 404 when there is none. */
export async function removeDelegation(
  ctx: Ctx,
  scope: { groupId: string } | { proposalId: string },
  user: UserRow,
): Promise<void> {
  const where = await delegationScope(ctx, scope, user);
  await writeTransaction(ctx, async (trx, emit) => {
    const proposals = await lockAffected(trx, where);
    if (!(await deleteDelegation(trx, { ...where, fromId: user.id }))) throw notFound('delegation');
    await announce(trx, emit, where, user, { delegation: null, removed: true }, proposals);
  });
}

/** The group's delegations, public to its members; with `proposalId`, those that bear on it. */
export async function listDelegations(
  ctx: Ctx,
  groupId: string,
  userId: string,
  query: DelegationListQuery,
): Promise<DelegationPage> {
  await groupAccess(ctx, groupId, userId);
  if (query.proposalId !== undefined && !isUuid(query.proposalId))
    throw invalid('/proposalId', 'is not a proposal id');
  const page = await delegationsPage(ctx.db, groupId, {
    after: decodeCursor(query.cursor, isDelegationCursor),
    limit: pageLimit(query.limit),
    proposalId: query.proposalId ?? null,
  });
  return {
    items: page.items.map((d) => ({
      from: { id: d.from_id, name: d.from_name },
      to: { id: d.to_id, name: d.to_name },
      proposalId: d.proposal_id,
      createdAt: d.created_at.toISOString(),
    })),
    nextCursor: page.next ? encodeCursor(page.next) : null,
  };
}

function isDelegationCursor(value: unknown): value is DelegationCursor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DelegationCursor).id === 'string' &&
    isUuid((value as DelegationCursor).id)
  );
}

/** The group (and proposal) a delegation request is about, checked: member, delegation on, open, named. */
async function delegationScope(
  ctx: Ctx,
  scope: { groupId: string } | { proposalId: string },
  user: UserRow,
): Promise<Scope> {
  if ('groupId' in scope) {
    const { group } = await groupAccess(ctx, scope.groupId, user.id);
    if (!group.delegation) throw notDelegating();
    return { groupId: scope.groupId, proposalId: null };
  }
  const p = await proposalAccess(ctx, scope.proposalId, user.id);
  if (p.closed_at || p.closes_at.getTime() <= Date.now()) throw proposalClosed();
  if (p.anonymous) throw anonymousRefused();
  const { group } = await groupAccess(ctx, p.group_id, user.id);
  if (!group.delegation) throw notDelegating();
  return { groupId: p.group_id, proposalId: p.id };
}

/**
 * Locks the open proposals whose counts the change moves, as vote writers lock
 * them: a vote batch and a delegation change on one proposal take turns, so
 * each event's results include everything committed before it. Checked again
 * under the lock: the proposal may have closed, or the group turned delegation off.
 */
async function lockAffected(trx: Transaction<DB>, where: Scope) {
  const open = await repo.openProposalsOfGroup(trx, where.groupId);
  const affected = open.filter(
    (p) => delegationApplies(p) && (where.proposalId === null || p.id === where.proposalId),
  );
  if (where.proposalId !== null && affected.length === 0) {
    const p = open.find((o) => o.id === where.proposalId);
    if (!p) throw proposalClosed();
    throw p.anonymous ? anonymousRefused() : notDelegating();
  }
  if (where.proposalId === null && open.length > 0 && !open[0]!.group_delegation) throw notDelegating();
  return affected;
}

/**
 * One `delegation.changed` on the group's topic, then a `proposal.recounted`
 * on each affected proposal's thread with its new counts and results, as a
 * vote event would carry them.
 */
async function announce(
  trx: Transaction<DB>,
  emit: Emit,
  where: Scope,
  user: UserRow,
  change: { delegation: Delegation | null; removed: boolean },
  proposals: Awaited<ReturnType<typeof lockAffected>>,
): Promise<void> {
  emit({
    kind: 'delegation.changed',
    groupId: where.groupId,
    actorId: user.id,
    subjectId: user.id,
    data: { from: { id: user.id, name: user.name }, proposalId: where.proposalId, ...change },
  });
  const members = await repo.memberCounts(trx, [where.groupId]);
  for (const p of proposals) {
    const eligible = (members.get(where.groupId) ?? 0) + p.departed_ballots;
    emit({
      kind: 'proposal.recounted',
      groupId: where.groupId,
      threadId: p.thread_id,
      actorId: user.id,
      subjectId: p.id,
      data: { proposalId: p.id, ...(await voteSummary(trx, p, eligible)) },
    });
  }
}
