import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description =
  'A version on each proposal that every change to its votes, options or row renews: what a vote batch checks a copy against.';

/**
 * `proposals.vote_version` is renewed (a new random uuid, never reused) by
 * every statement that writes the proposal's votes, every change to its
 * options and every other change to its row. A server process may keep a copy
 * of an open proposal with its votes and write a batch of votes as one
 * statement that applies only while the version is the copy's
 * (`server/services/vote-copies.ts`); such a statement sets the next version
 * itself, one the process chose, and says so with a setting local to its
 * transaction, so the triggers leave it alone and the process knows the
 * version its copy has reached (and can send the next batch expecting it
 * before the first has finished). Any other writer, in any process, renews it
 * without knowing of the copies: theirs no longer apply, and no chosen
 * version can match one it made.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('proposals')
    .addColumn('vote_version', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .execute();

  const kept = sql.raw(`coalesce(current_setting('plenary.vote_version_kept', true), '') = 'on'`);
  // One function per transition table name: a trigger function may only name the tables its trigger has.
  for (const table of ['new_votes', 'old_votes']) {
    await sql`
      create function ${sql.raw(`votes_versioned_${table}`)}() returns trigger language plpgsql as $$
      begin
        if ${kept} then return null; end if;
        update proposals p set vote_version = gen_random_uuid()
         where p.id in (select distinct proposal_id from ${sql.raw(table)});
        return null;
      end $$`.execute(db);
  }
  await sql`create trigger votes_versioned_on_insert after insert on votes
    referencing new table as new_votes for each statement execute function votes_versioned_new_votes()`.execute(
    db,
  );
  await sql`create trigger votes_versioned_on_update after update on votes
    referencing new table as new_votes for each statement execute function votes_versioned_new_votes()`.execute(
    db,
  );
  await sql`create trigger votes_versioned_on_delete after delete on votes
    referencing old table as old_votes for each statement execute function votes_versioned_old_votes()`.execute(
    db,
  );

  // Options are rare to change (only before the first vote): a row trigger is enough.
  await sql`
    create function proposal_options_versioned() returns trigger language plpgsql as $$
    begin
      update proposals p set vote_version = gen_random_uuid()
       where p.id = case when tg_op = 'DELETE' then old.proposal_id else new.proposal_id end;
      return null;
    end $$`.execute(db);
  await sql`create trigger proposal_options_versioned after insert or update or delete on proposal_options
    for each row execute function proposal_options_versioned()`.execute(db);

  // Any other change to the row (closed, reopened, edited, a departure counted) renews the version
  // too; an update that changes only the version (a batch, or the triggers above) is left as it is.
  await sql`
    create function proposals_versioned() returns trigger language plpgsql as $$
    declare
      unchanged proposals := old;
    begin
      unchanged.vote_version := new.vote_version;
      if unchanged is distinct from new then
        new.vote_version := gen_random_uuid();
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger proposals_versioned before update on proposals
    for each row execute function proposals_versioned()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger proposals_versioned on proposals`.execute(db);
  await sql`drop function proposals_versioned()`.execute(db);
  await sql`drop trigger proposal_options_versioned on proposal_options`.execute(db);
  await sql`drop function proposal_options_versioned()`.execute(db);
  await sql`drop trigger votes_versioned_on_insert on votes`.execute(db);
  await sql`drop trigger votes_versioned_on_update on votes`.execute(db);
  await sql`drop trigger votes_versioned_on_delete on votes`.execute(db);
  await sql`drop function votes_versioned_new_votes()`.execute(db);
  await sql`drop function votes_versioned_old_votes()`.execute(db);
  await db.schema.alterTable('proposals').dropColumn('vote_version').execute();
}
