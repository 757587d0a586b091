import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Reminders by hand and email digests.';

/**
 * Reminders by hand and email digests.
 *
 * proposals.last_reminded_at: when a facilitator or the author last reminded
 * those who had not voted; one conditional UPDATE both checks the hourly
 * limit and takes it, so two requests (in two processes) cannot both pass.
 *
 * user_preferences.digest_sent_at: the moment the member's last digest
 * covered activity up to. A scheduler run claims a member by moving it
 * forward in the same transaction that queues the digest, so each period's
 * digest leaves once however many processes run.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('proposals').addColumn('last_reminded_at', 'timestamptz').execute();
  await db.schema.alterTable('user_preferences').addColumn('digest_sent_at', 'timestamptz').execute();
  // The scheduler looks, every minute, only at members who asked for a digest.
  await sql`create index user_preferences_digest_idx on user_preferences (digest_hour)
    where digest <> 'off'`.execute(db);
  // A digest reads each of its member's groups' activity since a moment: by group and time, not a scan.
  await sql`create index comments_group_created_idx on comments (group_id, created_at)`.execute(db);
  await sql`create index threads_group_created_idx on threads (group_id, created_at)`.execute(db);
  await sql`create index proposals_group_closed_idx on proposals (group_id, closed_at)
    where closed_at is not null`.execute(db);
  await sql`create index outcomes_created_idx on outcomes (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'outcomes_created_idx',
    'proposals_group_closed_idx',
    'threads_group_created_idx',
    'comments_group_created_idx',
    'user_preferences_digest_idx',
  ]) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db);
  }
  await db.schema.alterTable('user_preferences').dropColumn('digest_sent_at').execute();
  await db.schema.alterTable('proposals').dropColumn('last_reminded_at').execute();
}
