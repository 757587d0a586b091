import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = "The email outbox and each member's email preferences.";

/**
 * Email: an outbox written in the same transaction as whatever caused the
 * mail, and each member's email preferences (the overall level stays in
 * users.email_notifications).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // A claim moves this past its lease, so "due" alone finds both new mail and mail a dead process held.
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    // The SMTP server refused it for good (5xx): kept for inspection, never retried.
    .addColumn('failed_at', 'timestamptz')
    // Written to the log instead (no SMTP_URL), so each is logged once.
    .addColumn('logged_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('message_id', 'text')
    .execute();
  // The worker's pick: unsent, not given up, due soonest.
  await sql`create index email_outbox_due_idx on email_outbox (next_attempt_at)
    where sent_at is null and failed_at is null`.execute(db);
  // Pruning sent mail after its dedupe window.
  await sql`create index email_outbox_sent_idx on email_outbox (sent_at) where sent_at is not null`.execute(
    db,
  );
  // Deleting an account sets its mail's user_id to null: without an index that is a scan.
  await db.schema.createIndex('email_outbox_user_idx').on('email_outbox').column('user_id').execute();

  await db.schema
    .createTable('user_preferences')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('digest', 'text', (c) =>
      c.notNull().defaultTo('off').check(sql`digest in ('off', 'daily', 'weekly')`),
    )
    .addColumn('digest_hour', 'integer', (c) =>
      c.notNull().defaultTo(8).check(sql`digest_hour between 0 and 23`),
    )
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .execute();

  await db.schema
    .createTable('group_email_preferences')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull().check(sql`email in ('all', 'important', 'none')`))
    .addPrimaryKeyConstraint('group_email_preferences_pkey', ['user_id', 'group_id'])
    .execute();
  // Deleting a group cascades here.
  await db.schema
    .createIndex('group_email_preferences_group_idx')
    .on('group_email_preferences')
    .column('group_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('group_email_preferences').execute();
  await db.schema.dropTable('user_preferences').execute();
  await db.schema.dropTable('email_outbox').execute();
}
