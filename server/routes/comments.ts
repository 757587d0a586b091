import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, IdParams, Page } from '../../shared/schemas/common';
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
const errors = { '4xx': ErrorBody };

/** Comments, their versions and reactions (API.md, "Threads, comments, reactions"). */
const commentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // Every route needs a signed-in caller; outsiders then get 404 from the service.
  app.addHook('onRequest', signedIn);

  app.post(
    '/threads/:id/comments',
    {
      schema: { tags, params: IdParams, body: CreateCommentBody, response: { 201: CommentReply, ...errors } },
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
    { schema: { tags, params: IdParams, response: { 200: CommentReply, ...errors } } },
    async (request) => ({
      comment: await comments.getComment(ctx, request.params.id, requireUser(request).user.id),
    }),
  );

  app.patch(
    '/comments/:id',
    {
      schema: { tags, params: IdParams, body: PatchCommentBody, response: { 200: CommentReply, ...errors } },
    },
    async (request) => ({
      comment: await comments.editComment(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.delete('/comments/:id', { schema: { tags, params: IdParams } }, async (request, reply) => {
    await comments.deleteComment(ctx, request.params.id, requireUser(request).user);
    return reply.status(204).send();
  });

  app.get(
    '/comments/:id/versions',
    { schema: { tags, params: IdParams, response: { 200: Page(CommentVersion), ...errors } } },
    async (request) => comments.listVersions(ctx, request.params.id, requireUser(request).user.id),
  );

  app.put(
    '/comments/:id/reactions/:emoji',
    { schema: { tags, params: ReactionParams, response: { 200: CommentReply, ...errors } } },
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
    { schema: { tags, params: ReactionParams, response: { 200: CommentReply, ...errors } } },
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
