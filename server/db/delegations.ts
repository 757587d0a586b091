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

/** A proposal's delegation graph, as `delegationStateOf` reads it. */
export interface DelegationEdges {
  /** [delegator, delegate, given on this proposal (not group-wide)] */
  edges: [string, string, boolean][];
  /** The members among everyone the edges name: the only people a chain may pass through. */
  members: string[];
}

/** A direct vote: [voter id, choices, voter's name or null]. */
export type ChainVote = [string, unknown, string | null];

// A transaction that changed delegations or memberships sees the version they had before it (the
// triggers give the new one at commit, migration 0023): it gets no version, so nothing it reads is kept.
const versionSeen = sql<string | null>`case
  when coalesce(current_setting('plenary.delegation_graph_changed', true), '') = 'on' then null
  else (select dg.version::text from delegation_graphs dg where dg.group_id = p.group_id) end`;

const chainVotes = (withNames: boolean, keys: ReturnType<typeof sql>) => sql`coalesce((
  select json_agg(json_build_array(v.voter_id, v.choices, ${withNames ? sql`u.name` : sql`null`}))
    from votes v ${withNames ? sql`left join users u on u.id = v.voter_id` : sql``}
   where v.proposal_id = p.id and v.voter_id is not null and not v.departed and ${keys}), '[]')`;

/**
 * What a delegated count of each proposal reads, in one statement (so one
 * snapshot): the version of its group's delegation graph (`delegation_graphs`;
 * null where the group has no row yet or this transaction changed it), the
 * graph (the delegations that bear on it, the group-wide ones and those given
 * on it, and which of the people they name are members), and the direct votes
 * of everyone they name, with their voters' names when asked. On a proposal
 * that is not anonymous a vote's key is its voter's id: primary-key lookups.
 */
export async function delegationStateOf(db: Handle, proposalIds: string[], withNames: boolean) {
  if (proposalIds.length === 0) return [];
  const bearing = sql`from delegations d
    where d.group_id = p.group_id and (d.proposal_id is null or d.proposal_id = p.id)`;
  // Deduplicated as uuids (quicker to sort than text); keys are text.
  const named = sql`(select d.from_id as id ${bearing} union select d.to_id ${bearing})`;
  const { rows } = await sql<{
    proposal_id: string;
    version: string | null;
    graph: DelegationEdges;
    votes: ChainVote[];
  }>`
    select p.id as proposal_id, ${versionSeen} as version,
      json_build_object(
        'edges', coalesce((select json_agg(json_build_array(d.from_id, d.to_id, d.proposal_id is not null))
                             ${bearing}), '[]'),
        'members', array(select m.user_id from memberships m
                          where m.group_id = p.group_id and m.user_id in (select n.id from ${named} n))
      ) as graph,
      ${chainVotes(withNames, sql`v.voter_key in (select n.id::text from ${named} n)`)} as votes
      from proposals p where p.id = any(${proposalIds}::uuid[])`.execute(db);
  return rows;
}

/**
 * The version of a proposal's delegation graph now (as `delegationStateOf`
 * gives it) and, in the same statement, the direct votes of `memberIds` (the
 * members of the graph the caller holds): a count that holds the graph at
 * that version needs nothing else.
 */
export async function chainVotesAt(db: Handle, proposalId: string, memberIds: string[], withNames: boolean) {
  const { rows } = await sql<{ version: string | null; votes: ChainVote[] }>`
    select ${versionSeen} as version,
      ${chainVotes(withNames, sql`v.voter_key = any(${memberIds}::text[])`)} as votes
      from proposals p where p.id = ${proposalId}`.execute(db);
  return rows[0] ?? null;
}

export type DelegationStateRow = Awaited<ReturnType<typeof delegationStateOf>>[number];

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
