import { createHash } from 'node:crypto';
import type { Attachment, SharedAttachment } from '../../shared/schemas/attachments';
import type { Role } from '../../shared/schemas/groups';
import type { AttachmentCursor, AttachmentRow } from '../db/attachments';
import * as attachments from '../db/attachments';
import type { UserRow } from '../db/schema';
import { cleanFilename, storedContentType } from '../domain/attachment-files';
import { AppError, forbidden, invalid, notFound } from '../errors';
import { type Ctx, writeTransaction } from './context';
import { groupAccess } from './groups';
import { decodeCursor, encodeCursor, isExactTime, pageLimit } from './pagination';
import { isUuid } from './text';

/** The URL a file is downloaded from, and linked by in Markdown. */
export const attachmentUrl = (id: string) => `/api/v1/attachments/${id}`;

/** A file as everyone in its group sees it, and as `attachment.created` carries it. */
export function presentShared(row: AttachmentRow): SharedAttachment {
  return {
    id: row.id,
    groupId: row.group_id,
    filename: row.filename,
    contentType: row.content_type,
    size: row.size,
    url: attachmentUrl(row.id),
    createdAt: row.created_at.toISOString(),
    uploader: row.uploader_id ? { id: row.uploader_id, name: row.uploader_name ?? '' } : null,
    usedIn: row.thread_id
      ? {
          threadId: row.thread_id,
          threadTitle: row.thread_title ?? '',
          commentId: row.comment_id,
          proposalId: row.proposal_id,
        }
      : null,
  };
}

function present(row: AttachmentRow, viewer: { id: string; role: Role }): Attachment {
  return {
    ...presentShared(row),
    permissions: { delete: viewer.role === 'facilitator' || row.uploader_id === viewer.id },
  };
}

/** The group's quota is spent: the file would take it over. */
const quotaExceeded = (quotaBytes: number) =>
  new AppError(
    409,
    'quota_exceeded',
    `this group's files would take more than its ${Math.round(quotaBytes / 1024 / 1024)} MB; delete some first`,
  );

/** A file's bytes as the upload route hands them over: a wrapper, so no body walker reads them byte by byte. */
export class UploadedBytes {
  readonly #data: Buffer;
  constructor(data: Buffer) {
    this.#data = data;
  }
  get data(): Buffer {
    return this.#data;
  }
}

/**
 * Stores a file a member uploaded. The group's row is locked while its files
 * are summed and this one is written, so two uploads at once cannot both fit
 * under the quota on the same remaining space (`409 quota_exceeded`).
 */
export async function uploadAttachment(
  ctx: Ctx,
  groupId: string,
  user: UserRow,
  file: { filename: string; contentType: string | undefined; bytes: unknown },
): Promise<Attachment> {
  const { role } = await groupAccess(ctx, groupId, user.id);
  const filename = cleanFilename(file.filename);
  if (filename === '') throw invalid('/filename', 'must name the file');
  if (!(file.bytes instanceof UploadedBytes) || file.bytes.data.byteLength === 0) {
    throw invalid('', "must be the file's bytes (the body), with the file's Content-Type");
  }
  const data = file.bytes.data;
  const contentType = storedContentType(file.contentType);
  const sha256 = createHash('sha256').update(data).digest('hex');
  const quota = ctx.config.attachmentQuotaBytes;
  const row = await writeTransaction(ctx, async (trx, emit) => {
    const used = await attachments.lockGroupAndSumSizes(trx, groupId);
    if (used === null) throw notFound('group');
    if (used + data.byteLength > quota) throw quotaExceeded(quota);
    const id = await attachments.insertAttachment(trx, {
      groupId,
      uploaderId: user.id,
      filename,
      contentType,
      sha256,
      data,
    });
    const row = (await attachments.attachmentById(trx, id))!;
    emit({
      kind: 'attachment.created',
      groupId,
      actorId: user.id,
      subjectId: id,
      data: { attachment: presentShared(row) },
    });
    return row;
  });
  return present(row, { id: user.id, role });
}

/** An attachment the caller may see, with their role in its group; 404 for anyone else. */
async function attachmentAccess(ctx: Ctx, id: string, userId: string) {
  const found = isUuid(id) ? await attachments.attachmentForMember(ctx.db, id, userId) : undefined;
  if (!found) throw notFound('attachment');
  return found;
}

/** What a download needs, before reading the bytes (a revalidation with a matching ETag reads none). */
export async function attachmentForDownload(ctx: Ctx, id: string, userId: string) {
  const row = await attachmentAccess(ctx, id, userId);
  return {
    filename: row.filename,
    contentType: row.content_type,
    size: row.size,
    sha256: row.sha256,
    bytes: async (): Promise<Buffer> => {
      const data = await attachments.attachmentBytes(ctx.db, id);
      // Deleted between the two reads.
      if (!data) throw notFound('attachment');
      return data;
    },
  };
}

function isAttachmentCursor(v: unknown): v is AttachmentCursor {
  const c = v as Partial<AttachmentCursor>;
  return typeof c === 'object' && c !== null && isExactTime(c.createdAt) && isUuid(c.id ?? '');
}

/** A page of the group's files, newest first (members). */
export async function listAttachments(
  ctx: Ctx,
  groupId: string,
  userId: string,
  query: { limit?: number; cursor?: string },
): Promise<{ items: Attachment[]; nextCursor: string | null }> {
  const { role } = await groupAccess(ctx, groupId, userId);
  const page = await attachments.attachmentsPage(ctx.db, groupId, {
    after: decodeCursor(query.cursor, isAttachmentCursor),
    limit: pageLimit(query.limit),
  });
  return {
    items: page.items.map((row) => present(row, { id: userId, role })),
    nextCursor: page.next ? encodeCursor(page.next) : null,
  };
}

/**
 * Deletes a file (its uploader or a facilitator). Texts that link it keep the
 * link, which then answers 404.
 */
export async function removeAttachment(ctx: Ctx, id: string, user: UserRow): Promise<void> {
  const found = await attachmentAccess(ctx, id, user.id);
  if (!present(found, { id: user.id, role: found.role }).permissions.delete) {
    throw forbidden('only its uploader or a facilitator may delete a file');
  }
  await writeTransaction(ctx, async (trx, emit) => {
    if (!(await attachments.deleteAttachment(trx, id))) throw notFound('attachment');
    emit({
      kind: 'attachment.deleted',
      groupId: found.group_id,
      actorId: user.id,
      subjectId: id,
      data: { attachmentId: id },
    });
  });
}
