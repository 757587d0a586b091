import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { GroupArchive } from '../../shared/schemas/group-archive';
import * as archiveDb from '../db/group-archive';
import type { DB } from '../db/schema';
import { cleanFilename, storedContentType } from '../domain/attachment-files';
import { AppError } from '../errors';
import { attachmentBytes, refuseArchive } from './group-archive-check';
import type { AttachmentText } from './group-archive-file';

// The files of an imported group (archive version 2 on), written inside the import's transaction
// (group-import.ts) after its threads, comments and proposals, whose new ids they take.

/** The archive's files' new ids, by their archive ids in lower case (as links name them). */
export function newAttachmentIds(archive: GroupArchive): Map<string, string> {
  return new Map((archive.attachments ?? []).map((a) => [a.id.toLowerCase(), randomUUID()]));
}

const MB = 1024 * 1024;

/**
 * An import counts against the new group's quota as uploads do; the group
 * starts with none, so the archive's files must fit in `ATTACHMENT_QUOTA_MB`
 * whole. One that does not is refused, before anything is written, rather
 * than imported with some files left out: the operator who runs the import
 * sets the quota, and can raise it and run the import again.
 */
export function checkQuota(archive: GroupArchive, quotaBytes: number): void {
  const total = (archive.attachments ?? []).reduce((sum, a) => sum + a.size, 0);
  if (total > quotaBytes) {
    throw new AppError(
      409,
      'quota_exceeded',
      // Rounded up: "1.1 MB, more than the 1 MB", never "1.0 MB, more than the 1 MB".
      `the archive's ${archive.attachments!.length} files take ${(Math.ceil((total / MB) * 10) / 10).toFixed(1)} MB, ` +
        `more than the ${Math.round(quotaBytes / MB)} MB a group may keep on this server (ATTACHMENT_QUOTA_MB); ` +
        `raise ATTACHMENT_QUOTA_MB to at least ${Math.ceil(total / MB)} and import it again`,
    );
  }
}

/** New ids of what a file may be used by, by archive id. */
export interface ContentIds {
  threads: Map<string, string>;
  /** Per thread (archive id), its comments' new ids by archive id. */
  comments: Map<string, Map<string, string>>;
  proposals: Map<string, string>;
}

/**
 * The archive's files: their rows in bulk, then their bytes one file at a
 * time from `data` (in the archive's order), each checked against its size and
 * SHA-256 as it is written. A file changed since it was checked is refused,
 * and the transaction with it. Returns the rows written.
 */
export async function writeAttachments(
  trx: Transaction<DB>,
  archive: GroupArchive,
  groupId: string,
  newIds: Map<string, string>,
  content: ContentIds,
  idOf: (email: string | null) => string | null,
  data: () => AsyncIterable<AttachmentText>,
): Promise<archiveDb.ImportedAttachment[]> {
  const files = archive.attachments ?? [];
  if (files.length === 0) return [];
  const rows = files.map((a): archiveDb.ImportedAttachment => {
    const used = a.usedIn;
    return {
      id: newIds.get(a.id.toLowerCase())!,
      groupId,
      uploaderId: idOf(a.uploader),
      threadId: used ? content.threads.get(used.threadId)! : null,
      commentId: used?.commentId ? content.comments.get(used.threadId)!.get(used.commentId)! : null,
      proposalId: used?.proposalId ? content.proposals.get(used.proposalId)! : null,
      // As an upload would keep them (an archive from Plenary has them so already).
      filename: cleanFilename(a.filename) || 'file',
      contentType: storedContentType(a.contentType),
      size: a.size,
      sha256: a.sha256,
      createdAt: a.createdAt,
    };
  });
  await archiveDb.insertAttachments(trx, rows);

  let index = 0;
  for await (const text of data()) {
    const file = files[index];
    const at = `/attachments/${index}`;
    if (!file || text.id !== file.id) {
      refuseArchive([
        { path: at, message: 'is not the file that was checked: the archive changed while it was read' },
      ]);
    }
    const checked = attachmentBytes({ ...file, data: text.data }, at);
    if ('problem' in checked) refuseArchive([checked.problem]);
    // Checked to be the bytes' own base64, so Postgres decodes the same bytes.
    await archiveDb.insertImportedBlob(trx, rows[index]!.id, groupId, text.data as string);
    index += 1;
  }
  if (index !== files.length) {
    refuseArchive([
      { path: `/attachments/${index}`, message: 'is missing: the archive changed while it was read' },
    ]);
  }
  return rows;
}
