import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, IdParams, Page } from '../../shared/schemas/common';
import {
  CreateThreadBody,
  PatchThreadBody,
  ReadBody,
  Thread,
  ThreadListQuery,
  ThreadReply,
  TimelinePage,
  TimelineQuery,
} from '../../shared/schemas/threads';
import { requireUser, signedIn } from '../plugins/auth';
import * as threads from '../services/threads';

const tags = ['threads'];
const errors = { '4xx': ErrorBody };

/** Threads, their timelines and read markers (API.md, "Threads, comments, reactions"). */
const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // Every route needs a signed-in caller; outsiders then get 404 from the service.
  app.addHook('onRequest', signedIn);

  app.post(
    '/groups/:id/threads',
    { schema: { tags, params: IdParams, body: CreateThreadBody, response: { 201: ThreadReply, ...errors } } },
    async (request, reply) => {
      const thread = await threads.createThread(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body,
      );
      return reply.status(201).send({ thread });
    },
  );

  app.get(
    '/groups/:id/threads',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: ThreadListQuery,
        response: { 200: Page(Thread), ...errors },
      },
    },
    async (request) =>
      threads.listThreads(ctx, request.params.id, requireUser(request).user.id, request.query),
  );

  app.get(
    '/threads/:id',
    { schema: { tags, params: IdParams, response: { 200: ThreadReply, ...errors } } },
    async (request) => ({
      thread: await threads.getThread(ctx, request.params.id, requireUser(request).user.id),
    }),
  );

  app.patch(
    '/threads/:id',
    { schema: { tags, params: IdParams, body: PatchThreadBody, response: { 200: ThreadReply, ...errors } } },
    async (request) => ({
      thread: await threads.updateThread(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.get(
    '/threads/:id/timeline',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: TimelinePage, ...errors },
      },
    },
    async (request, reply) => {
      const page = await threads.getTimeline(
        ctx,
        request.params.id,
        requireUser(request).user.id,
        request.query,
        (p) => reply.serialize(p) as string,
      );
      if (typeof page !== 'string') return page;
      // A cached page's JSON, made by this route's serializer: Fastify sends a JSON string as it is.
      return reply.type('application/json; charset=utf-8').send(page as unknown as TimelinePage);
    },
  );

  app.post(
    '/threads/:id/read',
    { schema: { tags, params: IdParams, body: ReadBody } },
    async (request, reply) => {
      await threads.markThreadRead(
        ctx,
        request.params.id,
        requireUser(request).user.id,
        request.body.lastEventId,
      );
      return reply.status(204).send();
    },
  );
};
export default threadRoutes;
