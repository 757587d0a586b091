import { type Kysely, sql, type Transaction } from 'kysely';
import { type Keyset, keysetPage } from './keyset';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** Gives or replaces a member's delegation, group-wide (`proposalId` null) or on one proposal. */
export async function upsertDelegation(
  trx: Transaction<DB>,
  d: { groupId: string; fromId: string; toId: string; proposalId: string | null },
): Promise<void> {
  // Two partial unique indexes: `on conflict` must name the one this row falls under.
  const scope =
    d.proposalId === null
      ? sql`(group_id, from_id) where proposal_id is null`
      : sql`(proposal_id, from_id) where proposal_id is not null`;
  await sql`
    insert into delegations (group_id, from_id, to_id, proposal_id)
    values (${d.groupId}, ${d.fromId}, ${d.toId}, ${d.proposalId})
    on conflict ${scope} do update set to_id = excluded.to_id, created_at = now()`.execute(trx);
}

/** Withdraws a member's delegation; whether there was one. */
export async function deleteDelegation(
  trx: Transaction<DB>,
  d: { groupId: string; fromId: string; proposalId: string | null },
): Promise<boolean> {
  let q = trx.deleteFrom('delegations').where('group_id', '=', d.groupId).where('from_id', '=', d.fromId);
  q = d.proposalId === null ? q.where('proposal_id', 'is', null) : q.where('proposal_id', '=', d.proposalId);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * The delegations that bear on these proposals: every group-wide one of their
 * groups and every one given on them.
 */
export function delegationsFor(db: Handle, groupIds: string[], proposalIds: string[]) {
  if (groupIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('delegations')
    .select(['group_id', 'from_id', 'to_id', 'proposal_id'])
    .where('group_id', 'in', groupIds)
    .where((eb) =>
      eb.or([
        eb('proposal_id', 'is', null),
        ...(proposalIds.length > 0 ? [eb('proposal_id', 'in', proposalIds)] : []),
      ]),
    )
    .execute();
}

export type DelegationEdgeRow = Awaited<ReturnType<typeof delegationsFor>>[number];

/** Which of `userIds` are members of each group, by group. */
export async function membersAmong(
  db: Handle,
  groupIds: string[],
  userIds: string[],
): Promise<Map<string, Set<string>>> {
  const byGroup = new Map<string, Set<string>>(groupIds.map((id) => [id, new Set()]));
  if (groupIds.length === 0 || userIds.length === 0) return byGroup;
  const rows = await db
    .selectFrom('memberships')
    .select(['group_id', 'user_id'])
    .where('group_id', 'in', groupIds)
    .where('user_id', 'in', userIds)
    .execute();
  for (const row of rows) byGroup.get(row.group_id)?.add(row.user_id);
  return byGroup;
}

/**
 * The votes that members in delegation chains cast on these proposals, with
 * their voters' names: only someone a chain passes through can carry anyone,
 * so these are all a delegated count needs beyond the running counts. On a
 * proposal that is not anonymous a vote's key is its voter's id, so this is
 * a primary-key lookup per member.
 */
export function chainVotesOf(db: Handle, proposalIds: string[], memberIds: string[]) {
  if (proposalIds.length === 0 || memberIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('votes')
    .leftJoin('users', 'users.id', 'votes.voter_id')
    .select([
      'votes.proposal_id',
      'votes.voter_id',
      'votes.choices',
      'votes.departed',
      'users.name as voter_name',
    ])
    .where('votes.proposal_id', 'in', proposalIds)
    .where('votes.voter_key', 'in', memberIds)
    .execute();
}

export type ChainVoteRow = Awaited<ReturnType<typeof chainVotesOf>>[number];

/** Whether a group lets its members delegate. */
export async function groupAllowsDelegation(db: Handle, groupId: string): Promise<boolean> {
  const row = await db.selectFrom('groups').select('delegation').where('id', '=', groupId).executeTakeFirst();
  return row?.delegation ?? false;
}

/** Where the previous page of a group's delegations stopped. */
export interface DelegationCursor {
  id: string;
}

type PagedDelegation = { id: string };

const BY_ID: Keyset<PagedDelegation, DelegationCursor> = {
  columns: [['delegations.id', 'uuid']],
  direction: 'asc',
  values: (c) => [c.id],
  cursorOf: (row) => ({ id: row.id }),
};

/**
 * A page of a group's delegations with both members' names; on closed
 * proposals too, so a group can see how a decision was carried.
 */
export function delegationsPage(
  db: Handle,
  groupId: string,
  page: { after: DelegationCursor | null; limit: number; proposalId: string | null },
) {
  let q = db
    .selectFrom('delegations')
    .select([
      'delegations.id',
      'delegations.from_id',
      sql<string>`(select u.name from users u where u.id = delegations.from_id)`.as('from_name'),
      'delegations.to_id',
      sql<string>`(select u.name from users u where u.id = delegations.to_id)`.as('to_name'),
      'delegations.proposal_id',
      'delegations.created_at',
    ])
    .where('delegations.group_id', '=', groupId);
  if (page.proposalId !== null) {
    const proposalId = page.proposalId;
    q = q.where((eb) =>
      eb.or([eb('delegations.proposal_id', 'is', null), eb('delegations.proposal_id', '=', proposalId)]),
    );
  }
  return keysetPage(q, BY_ID, page);
}

/** Whether `userId` is a member of the group. */
export async function isMember(db: Handle, groupId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}
