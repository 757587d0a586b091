import { type Kysely, sql, type Transaction } from 'kysely';
import { exactTime } from './cursors';
import type { DB, GroupRow, InvitationRow, Role } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** A group with the caller's role, or undefined when they are not a member (or it does not exist). */
export async function groupForMember(
  db: Handle,
  groupId: string,
  userId: string,
): Promise<{ group: GroupRow; role: Role; memberCount: number } | undefined> {
  const row = await db
    .selectFrom('groups')
    .innerJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'groups.id').on('memberships.user_id', '=', userId),
    )
    .selectAll('groups')
    .select('memberships.role')
    .where('groups.id', '=', groupId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { role, ...group } = row;
  return { group, role, memberCount: group.member_count };
}

/** A page of the caller's groups with their role and member counts, oldest first, keyed by (created_at, id). */
export async function groupsOfUser(
  db: Handle,
  userId: string,
  after: { createdAt: string; groupId: string } | null,
  limit: number,
) {
  let q = db
    .selectFrom('memberships')
    .innerJoin('groups', 'groups.id', 'memberships.group_id')
    .selectAll('groups')
    .select('memberships.role')
    .select(exactTime('groups.created_at').as('cursor_time'))
    .where('memberships.user_id', '=', userId);
  if (after) {
    q = q.where(
      sql<boolean>`(groups.created_at, groups.id) > (${after.createdAt}::timestamptz, ${after.groupId}::uuid)`,
    );
  }
  const rows = await q.orderBy('groups.created_at').orderBy('groups.id').limit(limit).execute();
  return rows.map(({ role, cursor_time, ...group }) => ({
    group,
    role,
    memberCount: group.member_count,
    cursorTime: cursor_time,
  }));
}

export function insertGroup(
  db: Handle,
  values: { name: string; description: string; parentId: string | null },
): Promise<GroupRow> {
  return db
    .insertInto('groups')
    .values({ name: values.name, description: values.description, parent_id: values.parentId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateGroup(
  db: Handle,
  groupId: string,
  patch: Partial<
    Pick<
      GroupRow,
      | 'name'
      | 'description'
      | 'members_can_start_threads'
      | 'members_can_create_proposals'
      | 'members_can_invite'
    >
  >,
): Promise<GroupRow> {
  const q = db.updateTable('groups').where('id', '=', groupId);
  return (Object.keys(patch).length ? q.set(patch) : q.set({ id: sql`id` as never }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Inserts a membership; returns undefined when the person is already a member. */
export function insertMembership(db: Handle, groupId: string, userId: string, role: Role) {
  return db
    .insertInto('memberships')
    .values({ group_id: groupId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/**
 * The group's memberships, locked: role changes and removals take this lock
 * first, so two facilitators demoting each other cannot leave the group with none.
 */
export function lockMemberships(trx: Transaction<DB>, groupId: string) {
  return trx
    .selectFrom('memberships')
    .select(['user_id', 'role'])
    .where('group_id', '=', groupId)
    .orderBy('user_id')
    .forUpdate()
    .execute();
}

export function setMemberRole(db: Handle, groupId: string, userId: string, role: Role) {
  return db
    .updateTable('memberships')
    .set({ role })
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

export function deleteMembership(db: Handle, groupId: string, userId: string) {
  return db
    .deleteFrom('memberships')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

const MEMBER_COLUMNS = [
  'memberships.user_id',
  'memberships.role',
  'memberships.joined_at',
  'users.name',
  'users.handle',
  'users.email',
] as const;

/** A page of members in joining order, keyed by (joined_at, user_id); `cursor_time` is joined_at to the microsecond. */
export function membersPage(
  db: Handle,
  groupId: string,
  after: { joinedAt: string; userId: string } | null,
  limit: number,
) {
  let q = db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(MEMBER_COLUMNS)
    .select(exactTime('memberships.joined_at').as('cursor_time'))
    .where('memberships.group_id', '=', groupId);
  if (after) {
    q = q.where(
      sql<boolean>`(memberships.joined_at, memberships.user_id) > (${after.joinedAt}::timestamptz, ${after.userId}::uuid)`,
    );
  }
  return q.orderBy('memberships.joined_at').orderBy('memberships.user_id').limit(limit).execute();
}

export function memberWithUser(db: Handle, groupId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(MEMBER_COLUMNS)
    .where('memberships.group_id', '=', groupId)
    .where('memberships.user_id', '=', userId)
    .executeTakeFirst();
}

export function insertInvitation(
  db: Handle,
  values: {
    groupId: string;
    token: string;
    role: Role;
    email: string | null;
    maxUses: number | null;
    expiresAt: Date | null;
    createdBy: string;
    issuedAs: Role;
  },
): Promise<InvitationRow> {
  return db
    .insertInto('invitations')
    .values({
      group_id: values.groupId,
      token: values.token,
      role: values.role,
      email: values.email,
      max_uses: values.maxUses,
      expires_at: values.expiresAt,
      created_by: values.createdBy,
      issued_as: values.issuedAs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * An invitation by its token, with its group's name and settings and its
 * issuer's current role in the group (null once they left, or their account is gone).
 */
export function invitationByToken(db: Handle, token: string) {
  return db
    .selectFrom('invitations')
    .innerJoin('groups', 'groups.id', 'invitations.group_id')
    .leftJoin('memberships as issuer', (j) =>
      j
        .onRef('issuer.group_id', '=', 'invitations.group_id')
        .onRef('issuer.user_id', '=', 'invitations.created_by'),
    )
    .selectAll('invitations')
    .select([
      'groups.name as group_name',
      'groups.members_can_start_threads',
      'groups.members_can_create_proposals',
      'groups.members_can_invite',
      'issuer.role as issuer_role',
    ])
    .where('invitations.token', '=', token)
    .executeTakeFirst();
}

/**
 * The issuer's role and the group's settings as they stand, locked until the
 * transaction ends: a role change, removal or settings change made meanwhile
 * waits for the join through the issuer's link, or the join waits for it and
 * sees its outcome. Memberships first, then the group row: the order role
 * changes and removals lock them in.
 */
export async function lockIssuerStanding(trx: Transaction<DB>, groupId: string, issuerId: string | null) {
  const issuer = issuerId
    ? await trx
        .selectFrom('memberships')
        .select('role')
        .where('group_id', '=', groupId)
        .where('user_id', '=', issuerId)
        .forShare()
        .executeTakeFirst()
    : undefined;
  // No key update: does not hold up rows elsewhere that reference the group.
  const group = await trx
    .selectFrom('groups')
    .select(['members_can_start_threads', 'members_can_create_proposals', 'members_can_invite'])
    .where('id', '=', groupId)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
  return { issuerRole: issuer?.role ?? null, group };
}

/** Takes one use of a valid invitation atomically; undefined when used up, expired or unknown. */
export function consumeInvitation(trx: Transaction<DB>, token: string) {
  return trx
    .updateTable('invitations')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('token', '=', token)
    .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

/** Records that `userId` joined through an invitation; false when they had used it before. */
export async function recordInvitationUse(trx: Transaction<DB>, invitationId: string, userId: string) {
  const row = await trx
    .insertInto('invitation_uses')
    .values({ invitation_id: invitationId, user_id: userId })
    .onConflict((oc) => oc.columns(['invitation_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Invitations with their issuer's name and current role in the invitation's group. */
function withIssuer(db: Handle) {
  return db
    .selectFrom('invitations')
    .leftJoin('memberships as issuer', (j) =>
      j
        .onRef('issuer.group_id', '=', 'invitations.group_id')
        .onRef('issuer.user_id', '=', 'invitations.created_by'),
    )
    .leftJoin('users as issuer_user', 'issuer_user.id', 'invitations.created_by')
    .selectAll('invitations')
    .select(['issuer.role as issuer_role', 'issuer_user.name as issuer_name']);
}

/** The group's newest invitations, each with its issuer's name and current role in the group. */
export function invitationsOfGroup(db: Handle, groupId: string) {
  return withIssuer(db)
    .where('invitations.group_id', '=', groupId)
    .orderBy('invitations.created_at', 'desc')
    .limit(200)
    .execute();
}

/** One invitation of a group with its issuer, as `invitationsOfGroup` lists it. */
export function issuedInvitation(db: Handle, groupId: string, invitationId: string) {
  return withIssuer(db)
    .where('invitations.group_id', '=', groupId)
    .where('invitations.id', '=', invitationId)
    .executeTakeFirst();
}

/**
 * Makes `issuerId` the invitation's issuer, if they are a facilitator of its
 * group; false otherwise. No lock is needed: a link's standing is its issuer's
 * role when someone accepts it, so a facilitator demoted just after re-issuing
 * leaves a link that does not work, as it should.
 */
export async function reissueInvitation(db: Handle, groupId: string, invitationId: string, issuerId: string) {
  const updated = await db
    .updateTable('invitations')
    .set({ created_by: issuerId, issued_as: 'facilitator' })
    .where('group_id', '=', groupId)
    .where('id', '=', invitationId)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('memberships')
          .select('role')
          .where('group_id', '=', groupId)
          .where('user_id', '=', issuerId)
          .where('role', '=', 'facilitator'),
      ),
    )
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

export function deleteInvitation(db: Handle, groupId: string, invitationId: string) {
  return db
    .deleteFrom('invitations')
    .where('group_id', '=', groupId)
    .where('id', '=', invitationId)
    .executeTakeFirst();
}
