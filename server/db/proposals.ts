import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB, ProposalKind } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** A thread the user can see, with their role in its group and the group's settings. */
export function threadForMember(db: Handle, threadId: string, userId: string) {
  return db
    .selectFrom('threads')
    .innerJoin('groups', 'groups.id', 'threads.group_id')
    .innerJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'threads.group_id').on('memberships.user_id', '=', userId),
    )
    .select([
      'threads.id',
      'threads.group_id',
      'threads.closed_at',
      'memberships.role',
      'groups.name as group_name',
      'groups.members_can_start_threads',
      'groups.members_can_create_proposals',
      'groups.members_can_invite',
    ])
    .where('threads.id', '=', threadId)
    .executeTakeFirst();
}

/** A proposal the user can see (they are a member of its group), with their role. */
export function proposalForMember(db: Handle, proposalId: string, userId: string) {
  return db
    .selectFrom('proposals')
    .innerJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'proposals.group_id').on('memberships.user_id', '=', userId),
    )
    .selectAll('proposals')
    .select('memberships.role')
    .where('proposals.id', '=', proposalId)
    .executeTakeFirst();
}

export interface NewProposal {
  threadId: string;
  groupId: string;
  authorId: string;
  kind: ProposalKind;
  title: string;
  details: string;
  closesAt: Date;
  anonymous: boolean;
  resultsHiddenUntilClosed: boolean;
  reasonRequired: boolean;
  minChoices: number;
  maxChoices: number;
  maxScore: number;
  dotsPerVoter: number;
  ballotSalt: string;
}

export function insertProposal(db: Handle, p: NewProposal) {
  return db
    .insertInto('proposals')
    .values({
      thread_id: p.threadId,
      group_id: p.groupId,
      author_id: p.authorId,
      kind: p.kind,
      title: p.title,
      details: p.details,
      closes_at: p.closesAt,
      anonymous: p.anonymous,
      results_hidden_until_closed: p.resultsHiddenUntilClosed,
      reason_required: p.reasonRequired,
      min_choices: p.minChoices,
      max_choices: p.maxChoices,
      max_score: p.maxScore,
      dots_per_voter: p.dotsPerVoter,
      ballot_salt: p.ballotSalt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function replaceOptions(
  db: Handle,
  proposalId: string,
  options: { id: string; label: string; startsAt: Date | null }[],
) {
  await db.deleteFrom('proposal_options').where('proposal_id', '=', proposalId).execute();
  if (options.length === 0) return;
  await db
    .insertInto('proposal_options')
    .values(
      options.map((o, position) => ({
        proposal_id: proposalId,
        id: o.id,
        position,
        label: o.label,
        starts_at: o.startsAt,
      })),
    )
    .execute();
}

/** Proposals with their author's name, by id. */
export function proposalRows(db: Handle, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('proposals')
    .leftJoin('users', 'users.id', 'proposals.author_id')
    .selectAll('proposals')
    .select('users.name as author_name')
    .where('proposals.id', 'in', ids)
    .execute();
}

export function optionsOf(db: Handle, proposalIds: string[]) {
  if (proposalIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('proposal_options')
    .selectAll()
    .where('proposal_id', 'in', proposalIds)
    .orderBy('proposal_id')
    .orderBy('position')
    .execute();
}

/** The current outcome of each proposal, with its author's name. */
export function currentOutcomes(db: Handle, proposalIds: string[]) {
  if (proposalIds.length === 0) return Promise.resolve([]);
  return (
    db
      .selectFrom('outcomes')
      .leftJoin('users', 'users.id', 'outcomes.author_id')
      .selectAll('outcomes')
      .select('users.name as author_name')
      // As text: drivers turn a bare date into a local-time Date, which shifts it by the zone.
      .select(sql<string | null>`outcomes.review_on::text`.as('review_on_text'))
      .where('outcomes.proposal_id', 'in', proposalIds)
      .where('outcomes.superseded_at', 'is', null)
      .execute()
  );
}

/**
 * Every current ballot of the given proposals (choices only: what a tally
 * needs). Identical ballots are grouped in SQL, so a consent vote of 2,000
 * members travels as four rows; they are expanded back here, sharing one
 * parsed object per distinct ballot.
 */
export async function ballotsOf(db: Handle, proposalIds: string[]) {
  if (proposalIds.length === 0) return [];
  const groups = await db
    .selectFrom('votes')
    .select(['proposal_id', 'choices', (eb) => eb.fn.countAll<string>().as('n')])
    .where('proposal_id', 'in', proposalIds)
    .groupBy(['proposal_id', 'choices'])
    .execute();
  const ballots: { proposal_id: string; choices: unknown }[] = [];
  for (const g of groups) {
    for (let i = Number(g.n); i > 0; i--) ballots.push({ proposal_id: g.proposal_id, choices: g.choices });
  }
  return ballots;
}

/** The votes with these (proposal, voter key) pairs. */
export function votesByKeys(db: Handle, pairs: { proposalId: string; voterKey: string }[]) {
  if (pairs.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('votes')
    .leftJoin('users', 'users.id', 'votes.voter_id')
    .selectAll('votes')
    .select('users.name as voter_name')
    .where((eb) =>
      eb.or(
        pairs.map((p) =>
          eb.and([eb('votes.proposal_id', '=', p.proposalId), eb('votes.voter_key', '=', p.voterKey)]),
        ),
      ),
    )
    .execute();
}

/** Member counts of groups. */
export async function memberCounts(db: Handle, groupIds: string[]): Promise<Map<string, number>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('memberships')
    .select(['group_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('group_id', 'in', groupIds)
    .groupBy('group_id')
    .execute();
  return new Map(rows.map((r) => [r.group_id, Number(r.n)]));
}

/** Members of a group with their ids and names (for the undecided list). */
export function groupMembers(db: Handle, groupId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.name', 'memberships.role'])
    .where('memberships.group_id', '=', groupId)
    .orderBy('users.name')
    .execute();
}

export function voterKeysOf(db: Handle, proposalId: string) {
  return db.selectFrom('votes').select('voter_key').where('proposal_id', '=', proposalId).execute();
}

/** Locks proposals against closing while votes are written; see `castVotes`. */
export function lockProposalsForVoting(trx: Transaction<DB>, ids: string[]) {
  return trx
    .selectFrom('proposals')
    .select([
      'id',
      'group_id',
      'thread_id',
      'closed_at',
      sql<boolean>`closes_at <= now()`.as('past_closing'),
      'anonymous',
      'results_hidden_until_closed',
      'ballot_salt',
      'kind',
      'min_choices',
      'max_choices',
      'max_score',
      'dots_per_voter',
    ])
    .where('id', 'in', ids)
    .orderBy('id')
    .forShare()
    .execute();
}

/** Which of these users are members of which of these groups. */
export async function membershipsAmong(db: Handle, groupIds: string[], userIds: string[]) {
  if (groupIds.length === 0 || userIds.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('memberships')
    .select(['group_id', 'user_id'])
    .where('group_id', 'in', groupIds)
    .where('user_id', 'in', userIds)
    .execute();
  return new Set(rows.map((r) => `${r.group_id}:${r.user_id}`));
}
