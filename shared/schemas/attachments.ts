import Type from 'typebox';
import { Timestamp } from './common';

export { MAX_ATTACHMENT_BYTES } from '../limits';

/** Where a file is linked from: the first text of its group that linked it (null until one is saved). */
export const AttachmentUse = Type.Object({
  threadId: Type.String(),
  threadTitle: Type.String(),
  /** The comment that links it; null when it is the thread's own text or a proposal's details. */
  commentId: Type.Union([Type.String(), Type.Null()]),
  proposalId: Type.Union([Type.String(), Type.Null()]),
});
export type AttachmentUse = Type.Static<typeof AttachmentUse>;

/** A file as everyone in its group sees it (the `attachment.created` event carries this). */
export const SharedAttachment = Type.Object({
  id: Type.String(),
  groupId: Type.String(),
  /** The name it was uploaded with. */
  filename: Type.String(),
  /** The type it was uploaded with; downloads of types that could run as a page are sent as octet-stream. */
  contentType: Type.String(),
  /** In bytes. */
  size: Type.Integer(),
  /** Where to download it (`/api/v1/attachments/:id`), as Markdown links it. */
  url: Type.String(),
  createdAt: Timestamp,
  /** Null once the uploader's account is gone. */
  uploader: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  usedIn: Type.Union([AttachmentUse, Type.Null()]),
});
export type SharedAttachment = Type.Static<typeof SharedAttachment>;

/** A file with what the caller may do with it. */
export const Attachment = Type.Object({
  ...SharedAttachment.properties,
  permissions: Type.Object({
    /** The uploader, and the group's facilitators. */
    delete: Type.Boolean(),
  }),
});
export type Attachment = Type.Static<typeof Attachment>;

export const AttachmentReply = Type.Object({ attachment: Attachment });

/** `POST /groups/:id/attachments?filename=`: the body is the file's bytes, its type the Content-Type. */
export const UploadQuery = Type.Object({
  filename: Type.String({
    minLength: 1,
    maxLength: 1000,
    description: 'The file’s name: 1–255 characters once folders and control characters are taken out',
  }),
});
export type UploadQuery = Type.Static<typeof UploadQuery>;

/** The bytes of a download, as the OpenAPI document describes them. */
export const FileBytes = Type.Unsafe<Buffer>(
  Type.String({
    format: 'binary',
    description: 'The file, byte for byte as uploaded',
  }),
);
