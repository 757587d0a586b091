import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Vote delegation: a group setting and the delegations members give (API 1.1).';

/**
 * One row per delegation: a member's vote in a group (`proposal_id` null) or
 * on one proposal follows another member's. At most one of each per member,
 * which the two partial unique indexes hold. A member who leaves takes their
 * delegations with them, given and received (the trigger), so no chain runs
 * through someone who is no longer there, whichever path removed them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('groups')
    .addColumn('delegation', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  // Frozen at the close with the results: delegations given later must not change it.
  await db.schema.alterTable('proposals').addColumn('represented_count_at_close', 'integer').execute();
  await db.schema
    .createTable('delegations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('from_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('to_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('delegations_not_to_self', sql`from_id <> to_id`)
    .execute();
  await sql`create unique index delegations_group_from_idx on delegations (group_id, from_id)
              where proposal_id is null`.execute(db);
  await sql`create unique index delegations_proposal_from_idx on delegations (proposal_id, from_id)
              where proposal_id is not null`.execute(db);
  await db.schema.createIndex('delegations_group_idx').on('delegations').columns(['group_id']).execute();
  await sql`
    create function delegations_follow_membership() returns trigger language plpgsql as $$
    begin
      delete from delegations
       where group_id = old.group_id and (from_id = old.user_id or to_id = old.user_id);
      return old;
    end $$`.execute(db);
  await sql`
    create trigger delegations_follow_membership after delete on memberships
      for each row execute function delegations_follow_membership()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger delegations_follow_membership on memberships`.execute(db);
  await sql`drop function delegations_follow_membership()`.execute(db);
  await db.schema.dropTable('delegations').execute();
  await db.schema.alterTable('proposals').dropColumn('represented_count_at_close').execute();
  await db.schema.alterTable('groups').dropColumn('delegation').execute();
}
