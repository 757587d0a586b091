import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Email bodies many messages share, stored once.';

/**
 * A body many emails share (a proposal's email to 2,000 members) is stored
 * once, in email_bodies, and each outbox row points at it; a body of one
 * email stays inline. Rows of notification emails name their group and
 * notification, from which the worker makes the per-recipient headers
 * (one-click unsubscribe, Reply-To) as it sends: queueing them costs a
 * proposal's transaction a few bytes a recipient, not kilobytes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_bodies')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('email_outbox')
    .addColumn('body_id', 'bigint', (c) => c.references('email_bodies.id'))
    .addColumn('group_id', 'uuid')
    .addColumn('notification_id', 'uuid')
    .execute();
  await sql`alter table email_outbox alter column text_body drop not null, alter column html_body drop not null`.execute(
    db,
  );
  await sql`alter table email_outbox add constraint email_outbox_body_check
    check ((body_id is null) = (text_body is not null and html_body is not null))`.execute(db);
  // Pruning bodies no row points at any more.
  await db.schema.createIndex('email_outbox_body_idx').on('email_outbox').column('body_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table email_outbox drop constraint email_outbox_body_check`.execute(db);
  await sql`update email_outbox o set text_body = b.text_body, html_body = b.html_body
              from email_bodies b where b.id = o.body_id`.execute(db);
  await sql`alter table email_outbox alter column text_body set not null, alter column html_body set not null`.execute(
    db,
  );
  await db.schema
    .alterTable('email_outbox')
    .dropColumn('body_id')
    .dropColumn('group_id')
    .dropColumn('notification_id')
    .execute();
  await db.schema.dropTable('email_bodies').execute();
}
