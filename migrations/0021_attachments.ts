import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Attachments: files and images members upload, their bytes kept in the database.';

/** An attachment's URL as the client writes it into Markdown, with the id captured. */
const ATTACHMENT_URL =
  '/api/v1/attachments/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

/**
 * `attachments`: one row per uploaded file, what listings read. The bytes sit
 * in `attachment_blobs`, one row each, so a listing never reads them; they
 * carry the group too, so a table sharded by group keeps a file's bytes beside
 * its row. Stored `external`: most uploads (images, archives, PDFs) are
 * compressed already, and trying again would only cost CPU.
 *
 * A file is uploaded before the text that links it is saved, so its thread,
 * comment and proposal start null. The triggers fill them in when a comment, a
 * thread's text or a proposal's details of the same group is written with the
 * file's URL in it: the first text that uses a file is where it is "used";
 * later texts that link it again change nothing. Deleting what used it sets
 * them back to null, the file stays.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('uploader_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('thread_id', 'uuid', (c) => c.references('threads.id').onDelete('set null'))
    .addColumn('comment_id', 'uuid', (c) => c.references('comments.id').onDelete('set null'))
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('attachments_size_not_negative', sql`size >= 0`)
    .execute();
  // The group's files newest first (its page, and the quota's sum); a thread's files.
  await sql`create index attachments_group_created_idx on attachments (group_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index attachments_thread_idx on attachments (thread_id) where thread_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('attachment_blobs')
    .addColumn('attachment_id', 'uuid', (c) =>
      c.primaryKey().references('attachments.id').onDelete('cascade'),
    )
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('data', 'bytea', (c) => c.notNull())
    .execute();
  await sql`alter table attachment_blobs alter column data set storage external`.execute(db);

  const linkFrom = async (table: string, column: string, set: string) => {
    await sql
      .raw(`
      create function attachments_used_by_${table}() returns trigger language plpgsql as $$
      begin
        if position('/api/v1/attachments/' in new.${column}) > 0 then
          update attachments set ${set}
           where group_id = new.group_id and thread_id is null
             and id in (select m[1]::uuid from regexp_matches(new.${column}, '${ATTACHMENT_URL}', 'g') as m);
        end if;
        return null;
      end $$`)
      .execute(db);
    await sql
      .raw(`
      create trigger attachments_used_by_${table} after insert or update of ${column} on ${table}
        for each row execute function attachments_used_by_${table}()`)
      .execute(db);
  };
  await linkFrom('threads', 'body', 'thread_id = new.id');
  await linkFrom('comments', 'body', 'comment_id = new.id, thread_id = new.thread_id');
  await linkFrom('proposals', 'details', 'proposal_id = new.id, thread_id = new.thread_id');
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['threads', 'comments', 'proposals']) {
    await sql.raw(`drop trigger attachments_used_by_${table} on ${table}`).execute(db);
    await sql.raw(`drop function attachments_used_by_${table}()`).execute(db);
  }
  await db.schema.dropTable('attachment_blobs').execute();
  await db.schema.dropTable('attachments').execute();
}
