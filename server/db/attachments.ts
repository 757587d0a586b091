import { type Kysely, sql, type Transaction } from 'kysely';
import { exactTime } from './cursors';
import { type Keyset, keysetPage } from './keyset';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** An attachment's row with its uploader's name and the title of the thread that uses it; never its bytes. */
function withNames(db: Handle) {
  return db
    .selectFrom('attachments')
    .leftJoin('users', 'users.id', 'attachments.uploader_id')
    .leftJoin('threads', 'threads.id', 'attachments.thread_id')
    .select([
      'attachments.id',
      'attachments.group_id',
      'attachments.uploader_id',
      'attachments.thread_id',
      'attachments.comment_id',
      'attachments.proposal_id',
      'attachments.filename',
      'attachments.content_type',
      'attachments.size',
      'attachments.sha256',
      'attachments.created_at',
      'users.name as uploader_name',
      'threads.title as thread_title',
      exactTime('attachments.created_at').as('cursor_time'),
    ]);
}

export type AttachmentRow = Awaited<ReturnType<ReturnType<typeof withNames>['executeTakeFirstOrThrow']>>;

export function attachmentById(db: Handle, id: string): Promise<AttachmentRow | undefined> {
  return withNames(db).where('attachments.id', '=', id).executeTakeFirst();
}

/** Every file of a group, with the names their presenter shows (an imported group's, for their events). */
export function attachmentsOfGroup(db: Handle, groupId: string): Promise<AttachmentRow[]> {
  return withNames(db).where('attachments.group_id', '=', groupId).execute();
}

/** The attachment if `userId` is a member of its group, with their role; undefined otherwise. */
export function attachmentForMember(db: Handle, id: string, userId: string) {
  return withNames(db)
    .innerJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'attachments.group_id').on('memberships.user_id', '=', userId),
    )
    .select('memberships.role')
    .where('attachments.id', '=', id)
    .executeTakeFirst();
}

export type AttachmentCursor = { createdAt: string; id: string };

const NEWEST_FIRST: Keyset<AttachmentRow, AttachmentCursor> = {
  columns: [
    ['attachments.created_at', 'timestamptz'],
    ['attachments.id', 'uuid'],
  ],
  direction: 'desc',
  values: (c) => [c.createdAt, c.id],
  cursorOf: (row) => ({ createdAt: row.cursor_time, id: row.id }),
};

/** A page of a group's files, newest first. */
export function attachmentsPage(
  db: Handle,
  groupId: string,
  page: { after: AttachmentCursor | null; limit: number },
) {
  return keysetPage(withNames(db).where('attachments.group_id', '=', groupId), NEWEST_FIRST, page);
}

/**
 * Locks the group's row against other uploads, then sums its files. `no key
 * update`: writers that only reference the group (a comment's foreign key
 * takes `key share`) are not held up while a large file is written.
 */
export async function lockGroupAndSumSizes(trx: Transaction<DB>, groupId: string): Promise<number | null> {
  const group = await trx
    .selectFrom('groups')
    .select('id')
    .where('id', '=', groupId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!group) return null;
  const { total } = await trx
    .selectFrom('attachments')
    .select(sql<string>`coalesce(sum(size), 0)`.as('total'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(total);
}

export async function insertAttachment(
  trx: Transaction<DB>,
  a: {
    groupId: string;
    uploaderId: string;
    filename: string;
    contentType: string;
    sha256: string;
    data: Uint8Array;
  },
): Promise<string> {
  const { id } = await trx
    .insertInto('attachments')
    .values({
      group_id: a.groupId,
      uploader_id: a.uploaderId,
      filename: a.filename,
      content_type: a.contentType,
      size: a.data.byteLength,
      sha256: a.sha256,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // As base64 text that Postgres decodes: far faster than a bytea parameter on the embedded database,
  // which turns the bytes into text one by one in JavaScript; Postgres does the same in C.
  const base64 = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('base64');
  await sql`insert into attachment_blobs (attachment_id, group_id, data)
            values (${id}, ${a.groupId}, decode(${base64}, 'base64'))`.execute(trx);
  return id;
}

/** The bytes of an attachment. */
export async function attachmentBytes(db: Handle, id: string): Promise<Buffer | undefined> {
  // As base64 for the same reason as `insertAttachment`.
  const row = await db
    .selectFrom('attachment_blobs')
    .select(sql<string>`encode(data, 'base64')`.as('data'))
    .where('attachment_id', '=', id)
    .executeTakeFirst();
  return row ? Buffer.from(row.data, 'base64') : undefined;
}

/** Deletes an attachment and its bytes; whether there was one. */
export async function deleteAttachment(trx: Transaction<DB>, id: string): Promise<boolean> {
  const deleted = await trx.deleteFrom('attachments').where('id', '=', id).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}
