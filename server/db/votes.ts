import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { exactTime } from './cursors';
import { type Keyset, keysetPage } from './keyset';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** Where the previous page of votes stopped; anonymous votes page by key alone (they keep no time). */
export interface VoteCursor {
  updatedAt?: string;
  key: string;
}

type PagedVote = { voter_key: string; cursor_time: string | null };

const BY_KEY: Keyset<PagedVote, VoteCursor> = {
  columns: [['votes.voter_key', 'text']],
  direction: 'asc',
  values: (c) => [c.key],
  cursorOf: (row) => ({ key: row.voter_key }),
};

const BY_TIME: Keyset<PagedVote, VoteCursor> = {
  columns: [
    ['votes.updated_at', 'timestamptz'],
    ['votes.voter_key', 'text'],
  ],
  direction: 'asc',
  values: (c) => [c.updatedAt, c.key],
  cursorOf: (row) => ({ updatedAt: row.cursor_time ?? undefined, key: row.voter_key }),
};

/**
 * A page of a proposal's votes with their voters' names: by time of the
 * last change, or on anonymous proposals in key order, which says nothing of
 * when they were cast. `onlyKey` narrows it to one voter's vote.
 */
export function votesPage(
  db: Handle,
  proposalId: string,
  options: { anonymous: boolean; onlyKey: string | null; after: VoteCursor | null; limit: number },
) {
  let q = db
    .selectFrom('votes')
    .leftJoin('users', 'users.id', 'votes.voter_id')
    .selectAll('votes')
    .select(['users.name as voter_name', exactTime('votes.updated_at').as('cursor_time')])
    .where('votes.proposal_id', '=', proposalId);
  if (options.onlyKey !== null) q = q.where('votes.voter_key', '=', options.onlyKey);
  return keysetPage(q, options.anonymous ? BY_KEY : BY_TIME, options);
}

/** Whether anyone has voted on the proposal. */
export async function hasVotes(db: Handle, proposalId: string): Promise<boolean> {
  const rows = await db
    .selectFrom('votes')
    .select('voter_key')
    .where('proposal_id', '=', proposalId)
    .limit(1)
    .execute();
  return rows.length > 0;
}

/** The keys of the members who have voted (ballots of members who left are not theirs any more). */
export function voterKeysOf(db: Handle, proposalId: string) {
  return db
    .selectFrom('votes')
    .select('voter_key')
    .where('proposal_id', '=', proposalId)
    .where('departed', '=', false)
    .execute();
}

/** Deletes a voter's vote and returns it, or undefined when they have none. */
export function deleteVote(trx: Transaction<DB>, proposalId: string, voterKey: string) {
  return trx
    .deleteFrom('votes')
    .where('proposal_id', '=', proposalId)
    .where('voter_key', '=', voterKey)
    .returningAll()
    .executeTakeFirst();
}

/** Keeps a withdrawn vote in `vote_history`. */
export async function insertVoteHistory(
  trx: Transaction<DB>,
  row: { proposalId: string; voterId: string; choices: unknown; reason: string | null },
): Promise<void> {
  await trx
    .insertInto('vote_history')
    .values({
      proposal_id: row.proposalId,
      voter_id: row.voterId,
      choices: JSON.stringify(row.choices),
      reason: row.reason,
    })
    .execute();
}

/**
 * Unlinks an anonymous proposal's ballots from its voters, at its close: the
 * ballots are written again under random ids, in random order, with no time,
 * and their running counts again in ballot order; the salt goes, and the vote
 * events keep their counts but no longer the results each vote left behind
 * (with those and a time anyone can be placed at, each ballot could be read
 * off). Whoever holds the database afterwards holds no link.
 */
export async function eraseVoterLinks(
  trx: Transaction<DB>,
  p: { id: string; thread_id: string; event_id: string | number | null },
): Promise<void> {
  const ballots = await trx
    .deleteFrom('votes')
    .where('proposal_id', '=', p.id)
    .returning(['choices', 'reason'])
    .execute();
  await trx.deleteFrom('ballot_counts').where('proposal_id', '=', p.id).execute();
  await trx.deleteFrom('vote_history').where('proposal_id', '=', p.id).execute();
  if (ballots.length > 0) {
    const rows = ballots.map((b) => ({ key: randomUUID(), choices: b.choices, reason: b.reason }));
    await sql`
      insert into votes (proposal_id, voter_key, voter_id, choices, reason, created_at, updated_at)
      select ${p.id}, b.key, null, b.choices, b.reason, null, null
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as b(key text, choices jsonb, reason text)
       order by b.key`.execute(trx);
  }
  await trx
    .updateTable('proposals')
    .set({ ballot_salt: null, departed_ballots: 0 })
    .where('id', '=', p.id)
    .execute();
  // Through the thread's index, from the proposal's own event on: the log may be long.
  await sql`
    update events set actor_id = null,
      data = data || '{"results": null}'::jsonb
                  || case when data ? 'vote' then '{"vote": null}'::jsonb else '{}'::jsonb end
     where thread_id = ${p.thread_id} and recipient_id is null
       and id >= ${String(p.event_id ?? 0)}::bigint
       and subject_id = ${p.id} and kind in ('vote.cast', 'vote.retracted')`.execute(trx);
}
