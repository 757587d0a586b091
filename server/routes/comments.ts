import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams, NoBody, Page } from '../../shared/schemas/common';
import {
  CommentReply,
  CommentVersion,
  CreateCommentBody,
  PatchCommentBody,
  ReactionParams,
} from '../../shared/schemas/threads';
import { requireUser, signedIn } from '../plugins/auth';
import * as comments from '../services/comments';

const tags = ['threads'];

/** Comments, their versions and reactions (API.md, "Threads, comments, reactions"). */
const commentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // Every route needs a signed-in caller; outsiders then get 404 from the service.
  app.addHook('onRequest', signedIn);

  app.post(
    '/threads/:id/comments',
    {
      schema: {
        tags,
        summary: 'Comment in a thread, or reply to a comment',
        description: 'A closed thread takes no comments (`409 thread_closed`).',
        params: IdParams,
        body: CreateCommentBody,
        response: { 201: CommentReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const comment = await comments.createComment(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body,
      );
      return reply.status(201).send({ comment });
    },
  );

  app.get(
    '/comments/:id',
    {
      schema: {
        tags,
        summary: 'A comment',
        params: IdParams,
        response: { 200: CommentReply, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ({
      comment: await comments.getComment(ctx, request.params.id, requireUser(request).user.id),
    }),
  );

  app.patch(
    '/comments/:id',
    {
      schema: {
        tags,
        summary: 'Edit a comment (its author); earlier versions are kept',
        params: IdParams,
        body: PatchCommentBody,
        response: { 200: CommentReply, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => ({
      comment: await comments.editComment(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.delete(
    '/comments/:id',
    {
      schema: {
        tags,
        summary: 'Delete a comment (its author, facilitators)',
        params: IdParams,
        response: {
          204: NoBody('Deleted: it stays in the timeline as deleted, its body and versions gone.'),
          ...errorResponses(400, 401, 403, 404, 413, 415),
        },
      },
    },
    async (request, reply) => {
      await comments.deleteComment(ctx, request.params.id, requireUser(request).user);
      return reply.status(204).send();
    },
  );

  app.get(
    '/comments/:id/versions',
    {
      schema: {
        tags,
        summary: 'A comment’s earlier versions',
        params: IdParams,
        response: { 200: Page(CommentVersion), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => comments.listVersions(ctx, request.params.id, requireUser(request).user.id),
  );

  app.put(
    '/comments/:id/reactions/:emoji',
    {
      schema: {
        tags,
        summary: 'React to a comment with one emoji (idempotent)',
        params: ReactionParams,
        response: { 200: CommentReply, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => ({
      comment: await comments.setReaction(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.params.emoji,
        true,
      ),
    }),
  );

  app.delete(
    '/comments/:id/reactions/:emoji',
    {
      schema: {
        tags,
        summary: 'Take back a reaction',
        params: ReactionParams,
        response: { 200: CommentReply, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => ({
      comment: await comments.setReaction(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.params.emoji,
        false,
      ),
    }),
  );
};
export default commentRoutes;
