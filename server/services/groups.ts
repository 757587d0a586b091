import type {
  CreateGroupBody,
  CreateInvitationBody,
  GroupSettings,
  PatchGroupBody,
  Role,
} from '../../shared/schemas/groups';
import { can, type GroupAction, wouldOrphanGroup } from '../domain/permissions';
import * as groups from '../db/groups';
import type { GroupRow, UserRow } from '../db/schema';
import { emailsVisibleTo, findUserByEmail } from '../db/users';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors';
import { presentGroup, presentInvitation, presentMembership } from '../presenters';
import { type Ctx, writeTransaction } from './context';
import { withdrawBallotsOf } from './departures';
import { addNotification } from './notifications';
import { decodeCursor, encodeCursor, isExactTime, pageLimit } from './pagination';
import { LIMITS } from './rate-limiter';
import { isUuid, trimmed } from './text';
import { newSecret } from './tokens';

const DEFAULT_INVITATION_DAYS = 14;

/** A group's settings as the API shows them, from its row (or any row carrying its setting columns). */
export function settingsOf(
  group: Pick<GroupRow, 'members_can_start_threads' | 'members_can_create_proposals' | 'members_can_invite'>,
): GroupSettings {
  return {
    membersCanStartThreads: group.members_can_start_threads,
    membersCanCreateProposals: group.members_can_create_proposals,
    membersCanInvite: group.members_can_invite,
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

function invitationBaseUrl(ctx: Ctx, requestOrigin: string): string {
  return ctx.config.publicUrl ?? requestOrigin;
}

export async function createInvitation(
  ctx: Ctx,
  groupId: string,
  actor: UserRow,
  body: CreateInvitationBody,
  requestOrigin: string,
) {
  const role = body.role ?? 'member';
  const access = await groupAccess(
    ctx,
    groupId,
    actor.id,
    role === 'facilitator' ? 'invite_facilitator' : 'invite',
  );
  let expiresAt = new Date(Date.now() + DEFAULT_INVITATION_DAYS * 86_400_000);
  if (body.expiresAt !== undefined && body.expiresAt !== null) {
    expiresAt = new Date(body.expiresAt);
    if (expiresAt.getTime() <= Date.now()) throw invalid('/expiresAt', 'must be in the future');
  } else if (body.expiresAt === null) {
    throw invalid('/expiresAt', 'must be a date; invitations always expire');
  }
  const email = body.email?.trim() || null;
  const maxUses = body.maxUses !== undefined ? body.maxUses : email ? 1 : null;
  await ctx.limiter.attempt(LIMITS.invitationsPerUser, actor.id);
  const invitation = await writeTransaction(ctx, async (trx, emit) => {
    const invitation = await groups.insertInvitation(trx, {
      groupId,
      token: newSecret().slice(0, 32),
      role,
      email,
      maxUses,
      expiresAt,
      createdBy: actor.id,
      issuedAs: access.role,
    });
    const invitee = email ? await findUserByEmail(trx, email) : undefined;
    if (invitee) {
      await addNotification(trx, emit, {
        userId: invitee.id,
        kind: 'invited',
        actorId: actor.id,
        groupId,
        text: `${actor.name} invited you to join ${access.group.name}`,
      });
    }
    return invitation;
  });
  return presentInvitation(invitation, invitationBaseUrl(ctx, requestOrigin), {
    valid: true,
    issuedBy: { id: actor.id, name: actor.name },
  });
}

type IssuedInvitation = Awaited<ReturnType<typeof groups.invitationsOfGroup>>[number];

function presentIssued(row: IssuedInvitation, settings: GroupSettings, baseUrl: string) {
  return presentInvitation(row, baseUrl, {
    valid: isUsable(row, row.issuer_role, settings),
    issuedBy: row.created_by && row.issuer_name ? { id: row.created_by, name: row.issuer_name } : null,
  });
}

/** The group's invitations, each saying whether it works now (facilitators). */
export async function listInvitations(ctx: Ctx, groupId: string, userId: string, requestOrigin: string) {
  const { group } = await groupAccess(ctx, groupId, userId, 'list_invitations');
  const rows = await groups.invitationsOfGroup(ctx.db, groupId);
  const baseUrl = invitationBaseUrl(ctx, requestOrigin);
  return rows.map((r) => presentIssued(r, settingsOf(group), baseUrl));
}

/**
 * A facilitator takes over an invitation as its issuer, so a link that stopped
 * working when its issuer was demoted or left works again (while not used up
 * or expired), and stops when this facilitator in turn steps down.
 */
export async function reissueInvitation(
  ctx: Ctx,
  groupId: string,
  actor: UserRow,
  invitationId: string,
  requestOrigin: string,
) {
  const { group } = await groupAccess(ctx, groupId, actor.id, 'invite_facilitator');
  if (!isUuid(invitationId)) throw notFound('invitation');
  await ctx.limiter.attempt(LIMITS.invitationsPerUser, actor.id);
  if (!(await groups.reissueInvitation(ctx.db, groupId, invitationId, actor.id))) {
    // Demoted or removed a moment ago (403 or 404 as for any act), or no such invitation in this group.
    await groupAccess(ctx, groupId, actor.id, 'invite_facilitator');
    throw notFound('invitation');
  }
  const row = await groups.issuedInvitation(ctx.db, groupId, invitationId);
  if (!row) throw notFound('invitation');
  return presentIssued(row, settingsOf(group), invitationBaseUrl(ctx, requestOrigin));
}

export async function revokeInvitation(ctx: Ctx, groupId: string, userId: string, invitationId: string) {
  await groupAccess(ctx, groupId, userId, 'list_invitations');
  if (!isUuid(invitationId)) throw notFound('invitation');
  const result = await groups.deleteInvitation(ctx.db, groupId, invitationId);
  if (Number(result.numDeletedRows) === 0) throw notFound('invitation');
}

/**
 * Whether the issuer may still issue this kind of invitation in the group
 * (`issuerRole` null: they left, or their account is gone). A demoted or
 * departed issuer's links stop working until a facilitator re-issues them.
 */
function issuerMayInvite(
  inv: { role: Role; issued_as: Role | null },
  issuerRole: Role | null,
  settings: GroupSettings,
): boolean {
  // A facilitator's link speaks for the facilitator: demoted, it stops, even one that makes members.
  if (inv.issued_as === 'facilitator' && issuerRole !== 'facilitator') return false;
  return can(issuerRole, settings, inv.role === 'facilitator' ? 'invite_facilitator' : 'invite');
}

/** Not used up, not expired, and its issuer still stands behind it. */
function isUsable(
  inv: { role: Role; issued_as: Role | null; max_uses: number | null; uses: number; expires_at: Date | null },
  issuerRole: Role | null,
  settings: GroupSettings,
): boolean {
  return (
    (inv.max_uses === null || inv.uses < inv.max_uses) &&
    (inv.expires_at === null || inv.expires_at > new Date()) &&
    issuerMayInvite(inv, issuerRole, settings)
  );
}

/** What an invitation link shows before anyone signs in. */
export async function previewInvitation(ctx: Ctx, token: string, ip: string) {
  await ctx.limiter.assertUnder(LIMITS.invitationMissesPerIp, ip);
  const inv = await groups.invitationByToken(ctx.db, token);
  if (!inv) {
    await ctx.limiter.fail(LIMITS.invitationMissesPerIp, ip);
    throw notFound('invitation');
  }
  return {
    groupName: inv.group_name,
    groupId: inv.group_id,
    role: inv.role,
    valid: isUsable(inv, inv.issuer_role, settingsOf(inv)),
    expiresAt: inv.expires_at ? inv.expires_at.toISOString() : null,
  };
}

/**
 * Joins a group through an invitation. Everything that makes a link usable is
 * checked again inside the transaction, under locks: its uses and expiry, its
 * issuer's standing, and that this person never joined through it before
 * (a link admits each person once, so whoever was removed, or left, needs a new one).
 */
export async function acceptInvitation(ctx: Ctx, token: string, user: UserRow, ip: string) {
  await ctx.limiter.assertUnder(LIMITS.invitationMissesPerIp, ip);
  const inv = await groups.invitationByToken(ctx.db, token);
  if (!inv || !isUsable(inv, inv.issuer_role, settingsOf(inv))) {
    if (!inv) await ctx.limiter.fail(LIMITS.invitationMissesPerIp, ip);
    throw notFound('invitation');
  }
  if (inv.email && inv.email.toLowerCase() !== user.email.toLowerCase()) {
    throw forbidden('this invitation was sent to another email address');
  }
  await writeTransaction(ctx, async (trx, emit) => {
    // Locks the invitation first: its issuer as read here is the one whose standing is locked next.
    const used = await groups.consumeInvitation(trx, token);
    if (!used) throw notFound('invitation');
    const standing = await groups.lockIssuerStanding(trx, used.group_id, used.created_by);
    if (!issuerMayInvite(used, standing.issuerRole, settingsOf(standing.group))) {
      throw notFound('invitation');
    }
    const joined = await groups.insertMembership(trx, used.group_id, user.id, used.role);
    // Throwing rolls back the use taken above.
    if (!joined) throw conflict('you are already a member of this group');
    if (!(await groups.recordInvitationUse(trx, used.id, user.id))) {
      throw new AppError(404, 'not_found', 'you joined through this invitation before; ask for a new one');
    }
    emit({
      kind: 'member.joined',
      groupId: used.group_id,
      actorId: user.id,
      subjectId: user.id,
      data: { userId: user.id, role: used.role, joinedAt: joined.joined_at.toISOString() },
    });
  });
  const row = await groups.memberWithUser(ctx.db, inv.group_id, user.id);
  return { membership: presentMembership(row!, true), groupId: inv.group_id };
}
