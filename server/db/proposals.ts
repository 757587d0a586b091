import { type Kysely, sql, type Transaction } from 'kysely';
import { exactTime } from './cursors';
import { type Keyset, keysetPage } from './keyset';
import type { DB, ProposalKind } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

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
  quorumPercent: number | null;
  passPercent: number | null;
  blockVetoes: boolean;
  ballotSalt: string;
  ballotKeyId: string;
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
      quorum_percent: p.quorumPercent,
      pass_percent: p.passPercent,
      block_vetoes: p.blockVetoes,
      ballot_salt: p.ballotSalt,
      ballot_key_id: p.ballotKeyId,
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
    .innerJoin('groups', 'groups.id', 'proposals.group_id')
    .selectAll('proposals')
    .select(['users.name as author_name', 'groups.delegation as group_delegation'])
    .where('proposals.id', 'in', ids)
    .execute();
}

/** A proposal row with its author's name. */
export type ProposalWithAuthor = Awaited<ReturnType<typeof proposalRows>>[number];

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

/** A proposal's option row. */
export type OptionRow = Awaited<ReturnType<typeof optionsOf>>[number];

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

/** An outcome row with its author's name and its review date as text. */
export type OutcomeRow = Awaited<ReturnType<typeof currentOutcomes>>[number];

/**
 * Every current ballot of the given proposals (choices only: what a tally
 * needs), from the running counts of identical ballots (`ballot_counts`), so
 * a consent vote of 2,000 members travels as four rows; they are expanded
 * back here, sharing one parsed object per distinct ballot.
 */
export async function ballotsOf(db: Handle, proposalIds: string[]) {
  if (proposalIds.length === 0) return [];
  const groups = await db
    .selectFrom('ballot_counts')
    .select(['proposal_id', 'choices', 'n'])
    .where('proposal_id', 'in', proposalIds)
    .where('n', '>', 0)
    .execute();
  const ballots: { proposal_id: string; choices: unknown }[] = [];
  for (const g of groups) {
    for (let i = g.n; i > 0; i--) ballots.push({ proposal_id: g.proposal_id, choices: g.choices });
  }
  return ballots;
}

/** A replaced vote, for `vote_history`. */
export interface HistoryRow {
  proposal_id: string;
  voter_id: string | null;
  choices: unknown;
  reason: string | null;
}

/** A vote to write over the voter's current one. */
export interface VoteRow extends HistoryRow {
  voter_key: string;
  /** When it was cast: null on anonymous proposals, which keep no time. */
  at: string | null;
}

/** `from` for a batch's rows: only while `gate`, a relation of the enclosing statement, has a row. */
const gated = (gate: string | undefined) => (gate ? sql`${sql.table(gate)}, ` : sql``);

/** The statement keeping a batch's replaced votes in `vote_history`; `gate` as in `gated`. */
export function keepReplacedVotes(history: HistoryRow[], gate?: string) {
  return sql`
    insert into vote_history (proposal_id, voter_id, choices, reason)
    select h.proposal_id, h.voter_id, h.choices, h.reason
      from ${gated(gate)}jsonb_to_recordset(${JSON.stringify(history)}::jsonb)
        as h(proposal_id uuid, voter_id uuid, choices jsonb, reason text)`;
}

/**
 * The statement writing a batch's votes over the old (`created_at` stays; a
 * ballot left behind by a member who came back is theirs again); `gate` as in
 * `gated`. Rows travel as one jsonb parameter, so the statement's text is the
 * same for any batch. The ballot counts follow by trigger.
 */
export function upsertVotes(votes: VoteRow[], gate?: string) {
  return sql`
    insert into votes (proposal_id, voter_key, voter_id, choices, reason, created_at, updated_at)
    select v.proposal_id, v.voter_key, v.voter_id, v.choices, v.reason, v.at, v.at
      from ${gated(gate)}jsonb_to_recordset(${JSON.stringify(votes)}::jsonb)
        as v(proposal_id uuid, voter_key text, voter_id uuid, choices jsonb, reason text, at timestamptz)
    on conflict (proposal_id, voter_key) do update
      set choices = excluded.choices, reason = excluded.reason, updated_at = excluded.updated_at,
          departed = false`;
}

/**
 * Writes a vote batch in one statement: the replaced votes into history and
 * the new ones over the old. `revived` counts, per proposal, the departed
 * ballots that members who came back replace now.
 */
export async function writeVotes(
  trx: Transaction<DB>,
  history: HistoryRow[],
  votes: VoteRow[],
  revived: { proposal_id: string; n: number }[],
): Promise<void> {
  await sql`
    with history as (${keepReplacedVotes(history)}),
    revived as (
      update proposals p set departed_ballots = p.departed_ballots - r.n
        from jsonb_to_recordset(${JSON.stringify(revived)}::jsonb) as r(proposal_id uuid, n integer)
       where p.id = r.proposal_id)
    ${upsertVotes(votes)}`.execute(trx);
}

/** The votes with these (proposal, voter key) pairs: a reader's own votes on a page of proposals. */
export function votesByPairs(db: Handle, pairs: { proposalId: string; voterKey: string }[]) {
  if (pairs.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('votes')
    .leftJoin('users', 'users.id', 'votes.voter_id')
    .selectAll('votes')
    .select('users.name as voter_name')
    .where((eb) =>
      eb(
        eb.refTuple('votes.proposal_id', 'votes.voter_key'),
        'in',
        pairs.map((p) => eb.tuple(p.proposalId, p.voterKey)),
      ),
    )
    .execute();
}

/** Member counts of groups (kept in `groups.member_count` by triggers, migration 0005). */
export async function memberCounts(db: Handle, groupIds: string[]): Promise<Map<string, number>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('groups')
    .select(['id', 'member_count'])
    .where('id', 'in', groupIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.member_count]));
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

/**
 * Locks proposals for writing votes, with what a vote writer checks under the
 * lock: whether each of `voterIds` is a member, and how many members may
 * vote. One vote writer per proposal at a time (`for no key update`): a close
 * (`for update`) waits for it and counts its votes, and the ballot counts it
 * changes are never locked by two writers in opposite orders. Foreign keys
 * into proposals only need `for key share`, which this does not block.
 */
export function lockProposalsForVoting(trx: Transaction<DB>, ids: string[], voterIds: string[]) {
  return trx
    .selectFrom('proposals')
    .select([
      'id',
      'group_id',
      'thread_id',
      'closed_at',
      sql<boolean>`closes_at <= now()`.as('past_closing'),
      ...BALLOT_COLUMNS,
      sql<number>`(select g.member_count from groups g where g.id = proposals.group_id)
        + proposals.departed_ballots`.as('eligible_count'),
      sql<boolean>`(select g.delegation from groups g where g.id = proposals.group_id)`.as(
        'group_delegation',
      ),
      sql<string[]>`array(select m.user_id from memberships m
        where m.group_id = proposals.group_id and m.user_id = any(${voterIds}::uuid[]))`.as('voter_ids'),
    ])
    .where('id', 'in', ids)
    .orderBy('id')
    .forNoKeyUpdate();
}

/** A distinct ballot and how many current votes are it; `hash` names it in `ballot_counts`. */
export interface BallotCount {
  hash: string;
  choices: unknown;
  n: number;
}

/** A voter's current vote, as a batch replacing it needs it (history, and the count it leaves). */
export interface PreviousVote {
  voter_key: string;
  voter_id: string | null;
  hash: string;
  choices: unknown;
  reason: string | null;
  /** Milliseconds since the epoch, as the API shows it (a JSON timestamp would keep microseconds); null when anonymous. */
  created_ms: number | null;
  /** Its voter left the group and has come back (`votes.departed`). */
  departed: boolean;
}

/**
 * Everything a vote batch reads, in one round trip under the lock of
 * `lockProposalsForVoting`: the proposals with their options, the current
 * ballot counts, and the current votes of `voterKeys` (the ones the batch
 * replaces). The batch works out the new counts from these itself.
 */
export async function voteBatchState(
  trx: Transaction<DB>,
  ids: string[],
  voterIds: string[],
  voterKeys: string[],
) {
  const rows = await lockProposalsForVoting(trx, ids, voterIds)
    .select([
      sql<{ id: string; position: number; label: string; starts_at: string | null }[]>`coalesce((
        select json_agg(json_build_object('id', o.id, 'position', o.position, 'label', o.label,
                                          'starts_at', o.starts_at) order by o.position)
          from proposal_options o where o.proposal_id = proposals.id), '[]')`.as('options'),
      sql<BallotCount[]>`coalesce((
        select json_agg(json_build_object('hash', b.ballot_hash, 'choices', b.choices, 'n', b.n))
          from ballot_counts b where b.proposal_id = proposals.id and b.n > 0), '[]')`.as('ballots'),
      sql<PreviousVote[]>`coalesce((
        select json_agg(json_build_object('voter_key', v.voter_key, 'voter_id', v.voter_id,
                                          'hash', md5(v.choices::text), 'choices', v.choices,
                                          'reason', v.reason, 'departed', v.departed,
                                          'created_ms', floor(extract(epoch from v.created_at) * 1000)))
          from votes v where v.proposal_id = proposals.id and v.voter_key = any(${voterKeys}::text[])),
        '[]')`.as('previous'),
    ])
    .execute();
  return rows.map((r) => ({
    ...r,
    eligible_count: Number(r.eligible_count),
    options: r.options.map((o) => ({
      ...o,
      proposal_id: r.id,
      starts_at: o.starts_at === null ? null : new Date(o.starts_at),
    })),
  }));
}

/** What writing or withdrawing a ballot needs to know of its proposal: its kind, rules and keys. */
const BALLOT_COLUMNS = [
  'anonymous',
  'results_hidden_until_closed',
  'ballot_salt',
  'ballot_key_id',
  'kind',
  'min_choices',
  'max_choices',
  'max_score',
  'dots_per_voter',
  'quorum_percent',
  'pass_percent',
  'block_vetoes',
] as const;

/** A group's proposals still taking votes, locked as vote writers lock them, with what withdrawing a ballot needs. */
export function openProposalsOfGroup(trx: Transaction<DB>, groupId: string) {
  return trx
    .selectFrom('proposals')
    .select([
      'id',
      'group_id',
      'thread_id',
      'closed_at',
      ...BALLOT_COLUMNS,
      'departed_ballots',
      sql<boolean>`(select g.delegation from groups g where g.id = proposals.group_id)`.as(
        'group_delegation',
      ),
    ])
    .where('group_id', '=', groupId)
    .where('closed_at', 'is', null)
    .where(sql<boolean>`closes_at > now()`)
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
}

/** Moves a proposal's count of ballots left behind by voters who went (`votes.departed`). */
export async function countDeparted(trx: Transaction<DB>, proposalId: string, by: number): Promise<void> {
  await trx
    .updateTable('proposals')
    .set((eb) => ({ departed_ballots: eb('departed_ballots', '+', by) }))
    .where('id', '=', proposalId)
    .execute();
}

/** Where the previous page of a group's proposals stopped. */
export interface ProposalCursor {
  createdAt: string;
  id: string;
}

const NEWEST_FIRST: Keyset<{ id: string; cursor_time: string }, ProposalCursor> = {
  columns: [
    ['proposals.created_at', 'timestamptz'],
    ['proposals.id', 'uuid'],
  ],
  direction: 'desc',
  values: (c) => [c.createdAt, c.id],
  cursorOf: (row) => ({ createdAt: row.cursor_time, id: row.id }),
};

/** A page of a group's proposal ids, newest first, keyed by (created_at, id). */
export function proposalsPage(
  db: Handle,
  groupId: string,
  options: {
    status?: 'open' | 'closed';
    threadId?: string;
    after: ProposalCursor | null;
    limit: number;
  },
) {
  let q = db
    .selectFrom('proposals')
    .select(['proposals.id', exactTime('proposals.created_at').as('cursor_time')])
    .where('proposals.group_id', '=', groupId);
  if (options.threadId) q = q.where('proposals.thread_id', '=', options.threadId);
  if (options.status === 'open') q = q.where('proposals.closed_at', 'is', null);
  if (options.status === 'closed') q = q.where('proposals.closed_at', 'is not', null);
  return keysetPage(q, NEWEST_FIRST, options);
}

/** A group's closed proposals with their threads, the latest decision first. */
export function closedProposalsOfGroup(db: Handle, groupId: string, limit: number) {
  return db
    .selectFrom('proposals')
    .innerJoin('threads', 'threads.id', 'proposals.thread_id')
    .select(['proposals.id', 'threads.id as thread_id', 'threads.title as thread_title'])
    .where('proposals.group_id', '=', groupId)
    .where('proposals.closed_at', 'is not', null)
    .orderBy('proposals.closed_at', 'desc')
    .orderBy('proposals.id')
    .limit(limit)
    .execute();
}

/**
 * Locks the thread a proposal is being added to, and says whether it is
 * closed. The lock is the one `touchThread` needs anyway: two creations each
 * holding a share lock and then both updating the thread deadlocked.
 */
export function lockThreadForProposal(trx: Transaction<DB>, threadId: string) {
  return trx
    .selectFrom('threads')
    .select('closed_at')
    .where('id', '=', threadId)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

/** Marks the thread as active now. */
export async function touchThread(trx: Transaction<DB>, threadId: string): Promise<void> {
  await trx.updateTable('threads').set({ last_activity_at: new Date() }).where('id', '=', threadId).execute();
}

/** Locks a proposal row for a change to its state (edit, outcome, reopening), with what those check. */
export function lockProposal(trx: Transaction<DB>, proposalId: string) {
  return trx
    .selectFrom('proposals')
    .select(['closed_at', 'closes_at', 'anonymous'])
    .where('id', '=', proposalId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Closes a proposal now, unless it is closed already (then undefined). Waits
 * for votes being written (they hold a share lock), so the close counts them.
 */
export function markClosed(trx: Transaction<DB>, proposalId: string) {
  return trx
    .updateTable('proposals')
    .set({ closed_at: new Date() })
    .where('id', '=', proposalId)
    .where('closed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
}

/** Stores who could vote and the results, as they stand at the close. */
export async function freezeResults(
  trx: Transaction<DB>,
  proposalId: string,
  eligibleCount: number,
  representedCount: number,
  results: unknown,
): Promise<void> {
  await trx
    .updateTable('proposals')
    .set({
      eligible_count_at_close: eligibleCount,
      represented_count_at_close: representedCount,
      final_results: JSON.stringify(results),
    })
    .where('id', '=', proposalId)
    .execute();
}

/** Opens a closed proposal again; `keys` are new ballot keys for an anonymous one. */
export async function reopenProposal(
  trx: Transaction<DB>,
  proposalId: string,
  closesAt: Date,
  keys: { ballot_salt: string; ballot_key_id: string } | null,
): Promise<void> {
  await trx
    .updateTable('proposals')
    .set({
      closed_at: null,
      closes_at: closesAt,
      eligible_count_at_close: null,
      represented_count_at_close: null,
      final_results: null,
      closing_soon_notified: false,
      ...(keys ?? {}),
    })
    .where('id', '=', proposalId)
    .execute();
}

/** Applies an edit; a new closing time may bring its reminder again. */
export async function updateProposal(
  trx: Transaction<DB>,
  proposalId: string,
  patch: { title?: string; details?: string; closesAt?: Date },
): Promise<void> {
  const set = {
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.details !== undefined ? { details: patch.details } : {}),
    ...(patch.closesAt !== undefined ? { closes_at: patch.closesAt, closing_soon_notified: false } : {}),
  };
  if (Object.keys(set).length === 0) return;
  await trx.updateTable('proposals').set(set).where('id', '=', proposalId).execute();
}

/** Retires the current outcome, which stays in history. */
export async function supersedeOutcome(trx: Transaction<DB>, proposalId: string): Promise<void> {
  await trx
    .updateTable('outcomes')
    .set({ superseded_at: new Date() })
    .where('proposal_id', '=', proposalId)
    .where('superseded_at', 'is', null)
    .execute();
}

export function insertOutcome(
  trx: Transaction<DB>,
  outcome: { proposalId: string; authorId: string; statement: string; reviewOn: string | null },
) {
  return trx
    .insertInto('outcomes')
    .values({
      proposal_id: outcome.proposalId,
      author_id: outcome.authorId,
      statement: outcome.statement,
      review_on: outcome.reviewOn,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}
