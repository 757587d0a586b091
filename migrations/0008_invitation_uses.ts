import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Who joined through which invitation, and the role its issuer had.';

/**
 * Who joined through which invitation. A link admits each person once, so
 * someone removed from a group (or who left it) cannot walk back in through a
 * link they used before. Uses taken before this migration were not recorded.
 *
 * And the role its issuer had when issuing it: a facilitator's links, whatever
 * role they grant, stop working once that facilitator is demoted, while a
 * member's links (where members may invite) keep working if they are promoted.
 * Older links take their issuer's role as it stands now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitations').addColumn('issued_as', 'text').execute();
  await sql`update invitations i set issued_as = coalesce(
      (select m.role from memberships m where m.group_id = i.group_id and m.user_id = i.created_by), 'member')`.execute(
    db,
  );
  await db.schema
    .createTable('invitation_uses')
    .addColumn('invitation_id', 'uuid', (c) => c.notNull().references('invitations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('used_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('invitation_uses_pkey', ['invitation_id', 'user_id'])
    .execute();
  // Deleting an account cascades here; without an index that is a scan of every use.
  await db.schema.createIndex('invitation_uses_user_idx').on('invitation_uses').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invitation_uses').execute();
  await db.schema.alterTable('invitations').dropColumn('issued_as').execute();
}
