import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams, NoBody, Page } from '../../shared/schemas/common';
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

/** Threads, their timelines and read markers (API.md, "Threads, comments, reactions"). */
const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // Every route needs a signed-in caller; outsiders then get 404 from the service.
  app.addHook('onRequest', signedIn);

  app.post(
    '/groups/:id/threads',
    {
      schema: {
        tags,
        summary: 'Start a thread',
        description: 'Members if `membersCanStartThreads`, else facilitators (`403`).',
        params: IdParams,
        body: CreateThreadBody,
        response: { 201: ThreadReply, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
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
        summary: 'A group’s threads, pinned first, then by latest activity',
        params: IdParams,
        querystring: ThreadListQuery,
        response: { 200: Page(Thread), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) =>
      threads.listThreads(ctx, request.params.id, requireUser(request).user.id, request.query),
  );

  app.get(
    '/threads/:id',
    {
      schema: {
        tags,
        summary: 'A thread',
        params: IdParams,
        response: { 200: ThreadReply, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ({
      thread: await threads.getThread(ctx, request.params.id, requireUser(request).user.id),
    }),
  );

  app.patch(
    '/threads/:id',
    {
      schema: {
        tags,
        summary: 'Edit, pin, close or reopen a thread',
        description:
          'Title and body: the author and facilitators. Pin and reopen: facilitators; close: the author too.',
        params: IdParams,
        body: PatchThreadBody,
        response: { 200: ThreadReply, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => ({
      thread: await threads.updateThread(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.get(
    '/threads/:id/timeline',
    {
      schema: {
        tags,
        summary: 'A thread’s timeline, oldest first',
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: TimelinePage, ...errorResponses(400, 401, 404) },
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
    {
      schema: {
        tags,
        summary: 'Mark a thread read up to an event',
        params: IdParams,
        body: ReadBody,
        response: { 204: NoBody('Marked.'), ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
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
