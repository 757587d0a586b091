import { type Kysely, sql } from 'kysely';
import { type EventInput, insertEvents } from './events';
import { type HistoryRow, keepReplacedVotes, upsertVotes, type VoteRow } from './proposals';
import type { DB, ProposalKind } from './schema';

/** A stored vote as a copy keeps it: [voter key, voter id, choices, reason, departed, created (ms)]. */
export type CopiedVote = [string, string | null, unknown, string | null, boolean, number | null];

/**
 * An open proposal as a vote batch needs it, with every stored vote, read in
 * one statement (one snapshot) together with the version they are at
 * (`proposals.vote_version`, migration 0024) and the group's member count and
 * delegation setting, which a batch checks again when it writes.
 */
export async function voteCopyOf(db: Kysely<DB>, proposalId: string) {
  const { rows } = await sql<{
    id: string;
    group_id: string;
    thread_id: string;
    closed_at: Date | null;
    past_closing: boolean;
    anonymous: boolean;
    results_hidden_until_closed: boolean;
    ballot_salt: string | null;
    ballot_key_id: string | null;
    kind: ProposalKind;
    min_choices: number;
    max_choices: number;
    max_score: number;
    dots_per_voter: number;
    quorum_percent: number | null;
    pass_percent: number | null;
    block_vetoes: boolean;
    departed_ballots: number;
    version: string;
    member_count: number;
    group_delegation: boolean;
    options: { id: string; position: number; label: string; starts_at: string | null }[];
    votes: CopiedVote[];
  }>`
    select p.id, p.group_id, p.thread_id, p.closed_at, p.closes_at <= now() as past_closing,
           p.anonymous, p.results_hidden_until_closed, p.ballot_salt, p.ballot_key_id, p.kind,
           p.min_choices, p.max_choices, p.max_score, p.dots_per_voter, p.quorum_percent,
           p.pass_percent, p.block_vetoes, p.departed_ballots, p.vote_version::text as version,
           g.member_count, g.delegation as group_delegation,
           coalesce((select json_agg(json_build_object('id', o.id, 'position', o.position, 'label', o.label,
                                                       'starts_at', o.starts_at) order by o.position)
                       from proposal_options o where o.proposal_id = p.id), '[]') as options,
           coalesce((select json_agg(json_build_array(v.voter_key, v.voter_id, v.choices, v.reason, v.departed,
                                                      floor(extract(epoch from v.created_at) * 1000)))
                       from votes v where v.proposal_id = p.id), '[]') as votes
      from proposals p join groups g on g.id = p.group_id
     where p.id = ${proposalId}`.execute(db);
  return rows[0] ?? null;
}

export type VoteCopyRow = NonNullable<Awaited<ReturnType<typeof voteCopyOf>>>;

/** What a batch written from a copy expects to find, and checks in the statement that writes it. */
export interface CopyExpectation {
  proposalId: string;
  /** `proposals.vote_version` as the copy has it. */
  version: string;
  /** The version the batch leaves: a new random uuid, which the next batch may already expect. */
  nextVersion: string;
  memberCount: number;
  groupDelegation: boolean;
  /** The batch's voters, each of whom must still be a member. */
  voterIds: string[];
  /** The group's delegation graph version the batch's weights were worked out at, where they apply. */
  graphVersion: string | null;
}

/**
 * Writes a batch of votes of one proposal as one statement, without a
 * transaction around it: it applies only where the proposal is still open,
 * at the version the batch's copy was at, with the same member count and
 * delegation setting, every voter still a member, and the same delegation
 * graph. Then, in the same statement, it sets the version it was given (telling
 * the vote triggers, which otherwise renew it, that it did), keeps the replaced
 * votes, writes the new ones and appends the events under the event order
 * lock, taken only once the proposal's row is locked, as every writer takes
 * them. The proposal's lock is held only while Postgres runs this.
 *
 * Returns the events' ids in order or, when the copy was out of date and
 * nothing was written, whether it was the version that had moved (another
 * writer) rather than the group (a member joined or left, a setting changed).
 */
export async function writeVotesAtVersion(
  db: Kysely<DB>,
  expected: CopyExpectation,
  history: HistoryRow[],
  votes: VoteRow[],
  events: EventInput[],
): Promise<{ written: true; ids: number[] } | { written: false; versionMoved: boolean }> {
  const { rows } = await sql<{ ids: string[]; version: string | null }>`
    with guard as (
      update proposals p set vote_version = ${expected.nextVersion}::uuid
       where p.id = ${expected.proposalId} and p.vote_version = ${expected.version}::uuid
         and p.closed_at is null and p.closes_at > now()
         and exists (select 1 from groups g where g.id = p.group_id
                        and g.member_count = ${expected.memberCount} and g.delegation = ${expected.groupDelegation})
         and (select count(*) from memberships m
               where m.group_id = p.group_id and m.user_id = any(${expected.voterIds}::uuid[]))
             = ${expected.voterIds.length}
         and (${expected.graphVersion}::text is null
              or exists (select 1 from delegation_graphs dg
                          where dg.group_id = p.group_id and dg.version::text = ${expected.graphVersion}))
         and set_config('plenary.vote_version_kept', 'on', true) = 'on'
      returning p.id),
    history as (${keepReplacedVotes(history, 'guard')}),
    written as (${upsertVotes(votes, 'guard')}),
    appended as (${insertEvents(events, 'guard')})
    select coalesce((select array_agg(id::text order by id) from appended), '{}') as ids,
           (select p.vote_version::text from proposals p where p.id = ${expected.proposalId}) as version`.execute(
    db,
  );
  const { ids, version } = rows[0]!;
  if (ids.length > 0) return { written: true, ids: ids.map(Number) };
  return { written: false, versionMoved: version !== expected.version };
}
