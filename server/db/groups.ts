import { type Kysely, sql, type Transaction } from 'kysely';
import { exactTime } from './cursors';
import type { DB, GroupRow, Role } from './schema';

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
      | 'delegation'
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

/** `userId`'s role in each of `groupIds` they belong to. */
export async function rolesOf(db: Handle, userId: string, groupIds: string[]): Promise<Map<string, Role>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('memberships')
    .select(['group_id', 'role'])
    .where('user_id', '=', userId)
    .where('group_id', 'in', groupIds)
    .execute();
  return new Map(rows.map((r) => [r.group_id, r.role]));
}
