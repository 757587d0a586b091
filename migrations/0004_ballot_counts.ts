import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'A running count of each distinct ballot per proposal, kept by triggers on votes.';

/**
 * A running count of each distinct ballot per proposal, so a tally reads a
 * handful of rows (four for a consent proposal of any size) instead of
 * grouping every vote again after each batch. Kept by statement triggers on
 * `votes`, so every way a vote is written (a batch, a retraction, a bulk
 * load) keeps it exact in the same transaction. Ballots are keyed by the md5
 * of their canonical jsonb text: a ranked ballot of 50 options is too long
 * for a btree key. Counts that drop to zero stay (reads skip them): a ballot
 * given once is likely to be given again.
 *
 * Two transactions that change the counts of one proposal would lock its
 * count rows in their own orders; vote writers lock the proposal row first
 * (`for no key update`), and the triggers also touch rows in key order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ballot_counts')
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('ballot_hash', 'text', (c) => c.notNull())
    .addColumn('choices', 'jsonb', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().check(sql`n >= 0`))
    .addPrimaryKeyConstraint('ballot_counts_pkey', ['proposal_id', 'ballot_hash'])
    .execute();

  // One function per direction: a trigger function may only name the transition tables its trigger has.
  await sql`create function ballot_counts_add() returns trigger language plpgsql as $$
    begin
      insert into ballot_counts (proposal_id, ballot_hash, choices, n)
      select proposal_id, md5(choices::text), choices, count(*)
        from new_votes
       group by proposal_id, md5(choices::text), choices
       order by proposal_id, md5(choices::text)
      on conflict (proposal_id, ballot_hash) do update set n = ballot_counts.n + excluded.n;
      return null;
    end $$`.execute(db);
  // The rows exist: every counted vote was added first (on update the adding trigger fires
  // first, by name). A count that would go below zero breaks the check, loudly.
  await sql`create function ballot_counts_remove() returns trigger language plpgsql as $$
    begin
      update ballot_counts b set n = b.n - gone.n
        from (select proposal_id, md5(choices::text) as ballot_hash, count(*) as n
                from old_votes group by proposal_id, md5(choices::text)) gone
       where b.proposal_id = gone.proposal_id and b.ballot_hash = gone.ballot_hash;
      return null;
    end $$`.execute(db);
  await sql`create trigger votes_counted_on_insert after insert on votes
    referencing new table as new_votes for each statement execute function ballot_counts_add()`.execute(db);
  await sql`create trigger votes_uncounted_on_update after update on votes
    referencing old table as old_votes for each statement execute function ballot_counts_remove()`.execute(
    db,
  );
  await sql`create trigger votes_counted_on_update after update on votes
    referencing new table as new_votes for each statement execute function ballot_counts_add()`.execute(db);
  await sql`create trigger votes_uncounted_on_delete after delete on votes
    referencing old table as old_votes for each statement execute function ballot_counts_remove()`.execute(
    db,
  );

  await sql`insert into ballot_counts (proposal_id, ballot_hash, choices, n)
    select proposal_id, md5(choices::text), choices, count(*)
      from votes group by proposal_id, md5(choices::text), choices`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger votes_counted_on_insert on votes`.execute(db);
  await sql`drop trigger votes_uncounted_on_update on votes`.execute(db);
  await sql`drop trigger votes_counted_on_update on votes`.execute(db);
  await sql`drop trigger votes_uncounted_on_delete on votes`.execute(db);
  await sql`drop function ballot_counts_add()`.execute(db);
  await sql`drop function ballot_counts_remove()`.execute(db);
  await db.schema.dropTable('ballot_counts').execute();
}
