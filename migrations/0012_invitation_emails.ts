import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = "Invitations sent by email: the inviter's message and when it last went out.";

/**
 * Invitations sent by email: the inviter's personal message (sent again with
 * each resend) and when the last email went out (resends are throttled by it).
 * The index finds an address's pending invitation to a group, so inviting the
 * same person twice sends the first invitation again instead of a second one;
 * the other counts what one person has emailed lately (a cap against spam).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('invitations')
    .addColumn('message', 'text')
    .addColumn('emailed_at', 'timestamptz')
    .execute();
  await sql`create index invitations_group_email_idx on invitations (group_id, lower(email))
    where email is not null`.execute(db);
  await sql`create index invitations_emailed_by_idx on invitations (created_by, emailed_at)
    where emailed_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index invitations_emailed_by_idx`.execute(db);
  await sql`drop index invitations_group_email_idx`.execute(db);
  await db.schema.alterTable('invitations').dropColumn('emailed_at').dropColumn('message').execute();
}
