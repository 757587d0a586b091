import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AttachmentReply,
  Attachment as AttachmentSchema,
  FileBytes,
  MAX_ATTACHMENT_BYTES,
  UploadQuery,
} from '../../shared/schemas/attachments';
import { errorResponses, IdParams, ListQuery, NoBody, Page } from '../../shared/schemas/common';
import {
  contentDisposition,
  DOWNLOAD_CSP,
  isInlineImage,
  servedContentType,
} from '../domain/attachment-files';
import { requireUser, signedIn } from '../plugins/auth';
import {
  attachmentForDownload,
  listAttachments,
  removeAttachment,
  UploadedBytes,
  uploadAttachment,
} from '../services/attachments';
import { groupAccess } from '../services/groups';
import { isUuid } from '../services/text';

const tags = ['attachments'];

/** Does `If-None-Match` name this ETag (or any)? */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** Files and images members upload and link from comments, threads and proposals. */
const attachmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  // The upload takes the file's bytes as the body, whatever their type, so it gets parsers of its own:
  // one for every type (JSON included), read into memory up to the route's limit and no further.
  const upload: FastifyPluginAsyncTypebox = async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, new UploadedBytes(body as Buffer));
    });
    raw.post(
      '/groups/:id/attachments',
      {
        bodyLimit: MAX_ATTACHMENT_BYTES,
        // Before a byte of the body is read: an outsider's upload is refused without being received.
        // A malformed id is left to validation (400 naming it); the handler checks membership again anyway.
        onRequest: async (request) => {
          const { id } = request.params as { id: string };
          if (isUuid(id)) await groupAccess(ctx, id, requireUser(request).user.id);
        },
        schema: {
          tags,
          summary: 'Upload a file to the group (members), to link from Markdown',
          description:
            'The body is the file, byte for byte, its `Content-Type` the file’s type, and `?filename=` its ' +
            'name. Up to 10 MiB (`413 payload_too_large`, refused as soon as the body runs over). Each group ' +
            'keeps at most `ATTACHMENT_QUOTA_MB` (500 by default) of files: `409 quota_exceeded` beyond. ' +
            'Link the answer’s `url` from a comment, a thread or a proposal: `![name](url)` shows an image.',
          params: IdParams,
          querystring: UploadQuery,
          response: { 201: AttachmentReply, ...errorResponses(400, 401, 403, 404, 409, 413) },
        },
      },
      async (request, reply) => {
        const attachment = await uploadAttachment(ctx, request.params.id, requireUser(request).user, {
          filename: request.query.filename,
          contentType: request.headers['content-type'],
          bytes: request.body,
        });
        return reply.status(201).send({ attachment });
      },
    );
  };
  await app.register(upload);

  app.get(
    '/groups/:id/attachments',
    {
      schema: {
        tags,
        summary: 'The group’s files, newest first (members), with who uploaded each and where it is used',
        params: IdParams,
        querystring: ListQuery,
        response: { 200: Page(AttachmentSchema), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => listAttachments(ctx, request.params.id, requireUser(request).user.id, request.query),
  );

  app.get(
    '/attachments/:id',
    {
      schema: {
        tags,
        summary: 'Download a file (members of its group)',
        description:
          'Byte for byte as uploaded. Sent as a download (`Content-Disposition: attachment`), except PNG, ' +
          'JPEG, GIF and WebP images, which are shown in place; never SVG. Types that a browser could run ' +
          '(HTML, SVG, scripts, anything not on a safe list) are sent as `application/octet-stream`, with ' +
          "`X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox; default-src 'none'`. " +
          'The ETag is the SHA-256 of the bytes; `If-None-Match` with it answers `304`.',
        params: IdParams,
        response: {
          200: FileBytes,
          304: NoBody('Not modified: the ETag still names these bytes.'),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const file = await attachmentForDownload(ctx, request.params.id, requireUser(request).user.id);
      const etag = `"${file.sha256}"`;
      const type = servedContentType(file.contentType);
      reply
        .header('etag', etag)
        // Asked again each time: whoever leaves the group must stop getting it, even from a cache.
        .header('cache-control', 'private, no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', DOWNLOAD_CSP)
        .header('cross-origin-resource-policy', 'same-origin');
      if (matches(request.headers['if-none-match'], etag)) return reply.status(304).send();
      const bytes = await file.bytes();
      return reply
        .header('content-type', type)
        .header('content-disposition', contentDisposition(file.filename, isInlineImage(type)))
        .send(bytes);
    },
  );

  app.delete(
    '/attachments/:id',
    {
      schema: {
        tags,
        summary: 'Delete a file (its uploader or a facilitator)',
        description: 'Texts that link it keep the link, which then answers `404`.',
        params: IdParams,
        response: { 204: NoBody('Deleted.'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeAttachment(ctx, request.params.id, requireUser(request).user);
      return reply.status(204).send();
    },
  );
};

export default attachmentRoutes;
