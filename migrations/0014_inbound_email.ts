import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Reply by email: each emailed reply that became a comment, posted once.';

/**
 * Reply by email: each emailed reply that became a comment, keyed by its
 * Message-ID and the reply address it came to, so a message delivered twice (a
 * sending server that retries after a lost answer) is posted once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_emails')
    // sha256 of Message-ID and notification id (Message-IDs may be long and carry anything).
    .addColumn('message_key', 'text', (c) => c.primaryKey())
    .addColumn('notification_id', 'uuid', (c) => c.notNull())
    .addColumn('comment_id', 'uuid', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Deleting a comment row (a group deleted) cascades here.
  await db.schema
    .createIndex('inbound_emails_comment_idx')
    .on('inbound_emails')
    .column('comment_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_emails').execute();
}
