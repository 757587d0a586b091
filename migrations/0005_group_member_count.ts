import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = "Each group's member count, kept by triggers on memberships.";

/**
 * Each group's number of members, kept by statement triggers on
 * `memberships`. Every vote batch reports how many members may vote, and
 * counting 2,000 memberships for each batch cost more than the batch's own
 * writes. A join or a departure updates the group's row in the same
 * transaction, so joins to one group take turns; they are rare next to votes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('groups')
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0).check(sql`member_count >= 0`))
    .execute();
  await sql`update groups g set member_count = (select count(*) from memberships m where m.group_id = g.id)`.execute(
    db,
  );
  for (const [name, table, sign] of [
    ['group_member_count_add', 'joined', '+'],
    ['group_member_count_remove', 'left_group', '-'],
  ] as const) {
    await sql
      .raw(
        `create function ${name}() returns trigger language plpgsql as $$
        begin
          update groups g set member_count = g.member_count ${sign} c.n
            from (select group_id, count(*) as n from ${table} group by group_id) c
           where g.id = c.group_id;
          return null;
        end $$`,
      )
      .execute(db);
  }
  await sql`create trigger memberships_counted_on_insert after insert on memberships
    referencing new table as joined for each statement execute function group_member_count_add()`.execute(db);
  await sql`create trigger memberships_counted_on_delete after delete on memberships
    referencing old table as left_group for each statement execute function group_member_count_remove()`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger memberships_counted_on_insert on memberships`.execute(db);
  await sql`drop trigger memberships_counted_on_delete on memberships`.execute(db);
  await sql`drop function group_member_count_add()`.execute(db);
  await sql`drop function group_member_count_remove()`.execute(db);
  await db.schema.alterTable('groups').dropColumn('member_count').execute();
}
