import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description =
  "A version of each group's delegation graph, changed by triggers with every delegation or membership change.";

/**
 * One row per group: a version that changes, in the same transaction, with
 * every change to the group's delegations or memberships. A server process
 * keeps a copy of a proposal's delegation chains and reads only this version
 * with each vote batch: a copy whose version still matches is the graph in
 * the database (several processes share nothing else). Each version is a new
 * random uuid, never reused, not even by a transaction that rolled back.
 *
 * Its own table, bumped by deferred triggers at commit, so it is always the
 * last row a transaction locks: leaving a group locks the group's row (its
 * member count) and then its open proposals, and changing a delegation locks
 * the open proposals first; a version on the group's row, bumped at once,
 * would let those two deadlock.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('delegation_graphs')
    .addColumn('group_id', 'uuid', (c) => c.primaryKey().references('groups.id').onDelete('cascade'))
    .addColumn('version', 'uuid', (c) => c.notNull())
    .execute();
  await sql`insert into delegation_graphs (group_id, version) select id, gen_random_uuid() from groups`.execute(
    db,
  );
  // At commit the group may be gone (deleted in the same transaction): then nothing is kept.
  await sql`
    create function delegation_graph_changed() returns trigger language plpgsql as $$
    declare
      changed uuid;
    begin
      if tg_op = 'DELETE' then changed := old.group_id; else changed := new.group_id; end if;
      insert into delegation_graphs (group_id, version)
      select g.id, gen_random_uuid() from groups g where g.id = changed
      on conflict (group_id) do update set version = excluded.version;
      return null;
    end $$`.execute(db);
  await sql`
    create constraint trigger delegations_versioned after insert or update or delete on delegations
      deferrable initially deferred for each row execute function delegation_graph_changed()`.execute(db);
  await sql`
    create constraint trigger memberships_versioned after insert or delete on memberships
      deferrable initially deferred for each row execute function delegation_graph_changed()`.execute(db);
  // Until its commit, a transaction that changed them reads the old version: it is told so (a
  // setting local to the transaction, no lock), and reads the graph afresh.
  await sql`
    create function delegation_graph_changing() returns trigger language plpgsql as $$
    begin
      perform set_config('plenary.delegation_graph_changed', 'on', true);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger delegations_changing after insert or update or delete on delegations
      for each statement execute function delegation_graph_changing()`.execute(db);
  await sql`
    create trigger memberships_changing after insert or delete on memberships
      for each statement execute function delegation_graph_changing()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger memberships_changing on memberships`.execute(db);
  await sql`drop trigger delegations_changing on delegations`.execute(db);
  await sql`drop function delegation_graph_changing()`.execute(db);
  await sql`drop trigger memberships_versioned on memberships`.execute(db);
  await sql`drop trigger delegations_versioned on delegations`.execute(db);
  await sql`drop function delegation_graph_changed()`.execute(db);
  await db.schema.dropTable('delegation_graphs').execute();
}
