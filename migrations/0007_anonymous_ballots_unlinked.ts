import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Anonymous ballots keyed by a server key, with no voter or time left once closed.';

/**
 * Anonymous ballots that nothing links to their voters (contract 1.1).
 *
 * - `proposals.ballot_key_id`: anonymous ballots are now keyed by an HMAC of the
 *   voter under a key derived from the server secret, which the database never
 *   holds; this names that key, so a changed secret is noticed instead of letting
 *   voters vote twice. Null marks the proposals made before, still keyed by
 *   sha256(salt:voter), which the server keeps reading until they close.
 * - `proposals.ballot_salt` may be null: it is deleted when an anonymous proposal
 *   closes, with its voter keys (replaced by random ballot ids).
 * - `votes.created_at`, `updated_at` may be null: anonymous votes keep no time.
 * - `votes.departed`, `proposals.departed_ballots`: an anonymous ballot whose
 *   voter left while the results were on show stays counted (withdrawing it
 *   would show everyone what it was), and counts among those who could vote.
 *
 * Closed anonymous proposals are erased here as the server now does at close:
 * their ballots are written again under random ids, in random order, with no
 * time; their salt goes; their vote events keep only the counts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table votes alter column created_at drop not null, alter column updated_at drop not null`.execute(
    db,
  );
  await sql`alter table votes add column departed boolean not null default false`.execute(db);
  await sql`alter table proposals alter column ballot_salt drop not null`.execute(db);
  await sql`alter table proposals add column ballot_key_id text`.execute(db);
  await sql`alter table proposals add column departed_ballots integer not null default 0
    check (departed_ballots >= 0)`.execute(db);

  await sql`update votes set created_at = null, updated_at = null
    where proposal_id in (select id from proposals where anonymous)`.execute(db);
  await sql`delete from vote_history where proposal_id in (select id from proposals where anonymous)`.execute(
    db,
  );
  // Earlier vote events of anonymous proposals carried the ballot (without its voter).
  await sql`update events set actor_id = null,
      data = data || case when data ? 'vote' then '{"vote": null}'::jsonb else '{}'::jsonb end
    where kind in ('vote.cast', 'vote.retracted')
      and subject_id in (select id from proposals where anonymous)`.execute(db);

  await sql`create temporary table erased_ballots as
    select v.proposal_id, gen_random_uuid()::text as ballot_id, v.choices, v.reason
      from votes v join proposals p on p.id = v.proposal_id
     where p.anonymous and p.closed_at is not null`.execute(db);
  await sql`delete from votes where proposal_id in
    (select id from proposals where anonymous and closed_at is not null)`.execute(db);
  // Emptied by the trigger; gone, so the counts come back in ballot order, not voting order.
  await sql`delete from ballot_counts where proposal_id in
    (select id from proposals where anonymous and closed_at is not null)`.execute(db);
  await sql`insert into votes (proposal_id, voter_key, voter_id, choices, reason, created_at, updated_at)
    select proposal_id, ballot_id, null, choices, reason, null, null
      from erased_ballots order by proposal_id, ballot_id`.execute(db);
  await sql`drop table erased_ballots`.execute(db);
  await sql`update proposals set ballot_salt = null where anonymous and closed_at is not null`.execute(db);
  await sql`update events set data = data || '{"results": null}'::jsonb
    where kind in ('vote.cast', 'vote.retracted')
      and subject_id in (select id from proposals where anonymous and closed_at is not null)`.execute(db);
}

/** Erased ballots stay erased; anonymous proposals opened since keep keys the old code cannot read. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`update votes set created_at = coalesce(created_at, now()), updated_at = coalesce(updated_at, now())
    where created_at is null or updated_at is null`.execute(db);
  await sql`alter table votes alter column created_at set not null, alter column updated_at set not null`.execute(
    db,
  );
  await sql`alter table votes drop column departed`.execute(db);
  await sql`update proposals set ballot_salt = gen_random_uuid()::text where ballot_salt is null`.execute(db);
  await sql`alter table proposals alter column ballot_salt set not null`.execute(db);
  await sql`alter table proposals drop column ballot_key_id, drop column departed_ballots`.execute(db);
}
