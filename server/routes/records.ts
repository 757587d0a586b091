import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../../shared/schemas/common';
import { DecisionChain, DecisionRecord } from '../../shared/schemas/decision-record';
import { requireUser, signedIn } from '../plugins/auth';
import { groupRecord, proposalRecord } from '../services/decision-records';

const tags = ['decision records'];

/**
 * The decision record (API 1.1). Records go out as the exact text that was
 * hashed: a serialiser would drop or reorder what the hash covers, so the
 * schemas here document the shape and the text is sent as it is.
 */
const recordRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  app.get(
    '/proposals/:id/record',
    {
      schema: {
        tags,
        summary: "A closed proposal's decision record: ballots, weights, results, outcome, hash",
        description:
          'Members, once closed (before: `409 conflict`). The newest link of the group chain for this ' +
          'proposal; `npx plenary verify <file>` counts it again and checks its hash. A proposal closed ' +
          'before records were kept has none (`404`).',
        params: IdParams,
        response: {
          200: {
            description: 'The record',
            content: { 'application/json': { schema: DecisionRecord } },
          },
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const text = await proposalRecord(ctx, request.params.id, requireUser(request).user.id);
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  );

  app.get(
    '/groups/:id/record',
    {
      schema: {
        tags,
        summary: "The group's decision chain, oldest first",
        description:
          'Members. Every record, each naming the hash of the one before; `npx plenary verify <file>` ' +
          'checks the whole chain.',
        params: IdParams,
        response: {
          200: { description: 'The chain', content: { 'application/json': { schema: DecisionChain } } },
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const text = await groupRecord(ctx, request.params.id, requireUser(request).user.id);
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  );
};

export default recordRoutes;
