import type { CreateGroupBody, GroupSettings, PatchGroupBody, Role } from '../../shared/schemas/groups';
import * as groups from '../db/groups';
import type { GroupRow, UserRow } from '../db/schema';
import { emailsVisibleTo } from '../db/users';
import { can, type GroupAction, wouldOrphanGroup } from '../domain/permissions';
import { AppError, conflict, forbidden, notFound } from '../errors';
import { presentGroup } from '../presenters/group';
import { presentMembership } from '../presenters/membership';
import { type Ctx, writeTransaction } from './context';
import { withdrawBallotsOf } from './departures';
import { addNotification } from './notifications';
import { decodeCursor, encodeCursor, isExactTime, pageLimit } from './pagination';
import { isUuid, trimmed } from './text';

/** A group's settings as the API shows them, from its row (or any row carrying its setting columns). */
export function settingsOf(
  group: Pick<
    GroupRow,
    'members_can_start_threads' | 'members_can_create_proposals' | 'members_can_invite' | 'delegation'
  >,
): GroupSettings {
  return {
    membersCanStartThreads: group.members_can_start_threads,
    membersCanCreateProposals: group.members_can_create_proposals,
    membersCanInvite: group.members_can_invite,
    delegation: group.delegation,
  };
}

/**
 * The group as the caller sees it. Outsiders get 404, never 403, so private
 * groups cannot be probed; a member lacking the role for `action` gets 403.
 */
export async function groupAccess(ctx: Ctx, groupId: string, userId: string, action: GroupAction = 'view') {
  const found = isUuid(groupId) ? await groups.groupForMember(ctx.db, groupId, userId) : undefined;
  if (!found) throw notFound('group');
  if (!can(found.role, settingsOf(found.group), action)) {
    throw forbidden(
      action === 'view' ? undefined : `your role may not ${action.replace(/_/g, ' ')} in this group`,
    );
  }
  return found;
}

export async function createGroup(ctx: Ctx, user: UserRow, body: CreateGroupBody) {
  const name = trimmed(body.name, '/name');
  const parentId = body.parentId ?? null;
  if (parentId !== null) {
    const parent = isUuid(parentId) ? await groups.groupForMember(ctx.db, parentId, user.id) : undefined;
    if (!parent)
      throw new AppError(404, 'not_found', 'parent group not found', [
        { path: '/parentId', message: 'not found' },
      ]);
    if (!can(parent.role, settingsOf(parent.group), 'create_subgroup')) {
      throw forbidden('only facilitators of the parent group may create a subgroup');
    }
  }
  const group = await writeTransaction(ctx, async (trx, emit) => {
    const group = await groups.insertGroup(trx, { name, description: body.description ?? '', parentId });
    const membership = await groups.insertMembership(trx, group.id, user.id, 'facilitator');
    emit({
      kind: 'member.joined',
      groupId: group.id,
      actorId: user.id,
      subjectId: user.id,
      data: { userId: user.id, role: 'facilitator', joinedAt: membership!.joined_at.toISOString() },
    });
    return group;
  });
  return presentGroup(group, 1, 'facilitator');
}

function isGroupCursor(v: unknown): v is { createdAt: string; groupId: string } {
  const c = v as { createdAt?: unknown; groupId?: unknown };
  return isExactTime(c?.createdAt) && typeof c.groupId === 'string' && isUuid(c.groupId);
}

/** A page of the caller's groups, oldest first. */
export async function listGroups(ctx: Ctx, userId: string, query: { limit?: number; cursor?: string }) {
  const limit = pageLimit(query.limit);
  const after = decodeCursor(query.cursor, isGroupCursor);
  const rows = await groups.groupsOfUser(ctx.db, userId, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => presentGroup(r.group, r.memberCount, r.role)),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ createdAt: last.cursorTime, groupId: last.group.id })
        : null,
  };
}

export async function getGroup(ctx: Ctx, groupId: string, userId: string) {
  const { group, role, memberCount } = await groupAccess(ctx, groupId, userId);
  return presentGroup(group, memberCount, role);
}

export async function updateGroup(ctx: Ctx, groupId: string, user: UserRow, body: PatchGroupBody) {
  const access = await groupAccess(ctx, groupId, user.id, 'update_group');
  const patch: Parameters<typeof groups.updateGroup>[2] = {};
  if (body.name !== undefined) patch.name = trimmed(body.name, '/name');
  if (body.description !== undefined) patch.description = body.description;
  const s = body.settings ?? {};
  if (s.membersCanStartThreads !== undefined) patch.members_can_start_threads = s.membersCanStartThreads;
  if (s.membersCanCreateProposals !== undefined)
    patch.members_can_create_proposals = s.membersCanCreateProposals;
  if (s.membersCanInvite !== undefined) patch.members_can_invite = s.membersCanInvite;
  if (s.delegation !== undefined) patch.delegation = s.delegation;
  const group = await writeTransaction(ctx, async (trx, emit) => {
    const group = await groups.updateGroup(trx, groupId, patch);
    emit({ kind: 'group.updated', groupId, actorId: user.id, subjectId: groupId, data: {} });
    return group;
  });
  return presentGroup(group, access.memberCount, access.role);
}

function isMemberCursor(v: unknown): v is { joinedAt: string; userId: string } {
  const c = v as { joinedAt?: unknown; userId?: unknown };
  return isExactTime(c?.joinedAt) && typeof c.userId === 'string' && isUuid(c.userId);
}

export async function listMembers(
  ctx: Ctx,
  groupId: string,
  userId: string,
  query: { limit?: number; cursor?: string },
) {
  const { role } = await groupAccess(ctx, groupId, userId);
  const limit = pageLimit(query.limit);
  const after = decodeCursor(query.cursor, isMemberCursor);
  const rows = await groups.membersPage(ctx.db, groupId, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  // A plain member still sees the emails of people in another group they facilitate.
  const withEmail =
    role === 'facilitator'
      ? null
      : await emailsVisibleTo(
          ctx.db,
          userId,
          page.map((r) => r.user_id),
        );
  return {
    items: page.map((r) => presentMembership(r, withEmail === null || withEmail.has(r.user_id))),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ joinedAt: last.cursor_time, userId: last.user_id }) : null,
  };
}

/**
 * The role checked by `groupAccess` was read before the memberships were
 * locked; a facilitator demoted or removed in the meantime (say, by another
 * facilitator at the same moment) must not act on that stale role.
 */
function assertStillFacilitator(members: { user_id: string; role: Role }[], actorId: string): void {
  const me = members.find((m) => m.user_id === actorId);
  if (!me) throw notFound('group');
  if (me.role !== 'facilitator') throw forbidden('only facilitators may do that');
}

export async function changeRole(ctx: Ctx, groupId: string, actor: UserRow, targetId: string, role: Role) {
  const access = await groupAccess(ctx, groupId, actor.id, 'change_roles');
  if (!isUuid(targetId)) throw notFound('member');
  await writeTransaction(ctx, async (trx, emit) => {
    const members = await groups.lockMemberships(trx, groupId);
    assertStillFacilitator(members, actor.id);
    const target = members.find((m) => m.user_id === targetId);
    if (!target) throw notFound('member');
    if (target.role === role) return;
    const facilitators = members.filter((m) => m.role === 'facilitator').map((m) => m.user_id);
    if (role === 'member' && wouldOrphanGroup(facilitators, Number.POSITIVE_INFINITY, targetId)) {
      throw conflict('the last facilitator cannot step down; make someone else a facilitator first');
    }
    await groups.setMemberRole(trx, groupId, targetId, role);
    emit({
      kind: 'member.role_changed',
      groupId,
      actorId: actor.id,
      subjectId: targetId,
      data: { userId: targetId, role },
    });
    if (targetId !== actor.id) {
      await addNotification(trx, emit, {
        userId: targetId,
        kind: 'role_changed',
        actorId: actor.id,
        groupId,
        text: `${actor.name} made you ${role === 'facilitator' ? 'a facilitator' : 'a member'} of ${access.group.name}`,
      });
    }
  });
  const row = await groups.memberWithUser(ctx.db, groupId, targetId);
  if (!row) throw notFound('member');
  return presentMembership(row, true);
}

/** A facilitator removes someone, or a member leaves. */
export async function removeMember(ctx: Ctx, groupId: string, actor: UserRow, targetId: string) {
  const leaving = targetId === actor.id;
  await groupAccess(ctx, groupId, actor.id, leaving ? 'view' : 'remove_member');
  if (!isUuid(targetId)) throw notFound('member');
  await writeTransaction(ctx, async (trx, emit) => {
    const members = await groups.lockMemberships(trx, groupId);
    if (!leaving) assertStillFacilitator(members, actor.id);
    const target = members.find((m) => m.user_id === targetId);
    if (!target) throw notFound('member');
    const facilitators = members.filter((m) => m.role === 'facilitator').map((m) => m.user_id);
    if (wouldOrphanGroup(facilitators, members.length, targetId)) {
      throw conflict('the last facilitator cannot leave; make someone else a facilitator first');
    }
    await groups.deleteMembership(trx, groupId, targetId);
    emit({
      kind: 'member.left',
      groupId,
      actorId: actor.id,
      subjectId: targetId,
      data: { userId: targetId, removed: !leaving },
    });
    await withdrawBallotsOf(ctx, trx, emit, groupId, targetId);
  });
}
