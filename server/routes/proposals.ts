import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorBody, IdParams, ListQuery, Page } from '../../shared/schemas/common';
import {
  CloseBody,
  CreateProposalBody,
  DecisionsQuery,
  OutcomeBody,
  PatchProposalBody,
  Proposal,
  ProposalListQuery,
  RemindReply,
  ReopenBody,
  UndecidedPage,
  Vote,
  VoteBody,
} from '../../shared/schemas/proposals';
import { requireUser, signedIn } from '../plugins/auth';
import { decisionLog, decisionsCsv, decisionsMarkdown } from '../services/decisions';
import { getGroup } from '../services/groups';
import * as proposals from '../services/proposals';
import { remindNonVoters } from '../services/reminders';

const ProposalReply = Type.Object({ proposal: Proposal });
const tags = ['proposals'];
const errors = { '4xx': ErrorBody };

const proposalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // 401 before the body is looked at, as on every other resource.
  app.addHook('onRequest', signedIn);

  app.post(
    '/threads/:id/proposals',
    {
      schema: {
        tags,
        params: IdParams,
        body: CreateProposalBody,
        response: { 201: ProposalReply, ...errors },
      },
    },
    async (request, reply) => {
      const proposal = await proposals.createProposal(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body,
      );
      return reply.status(201).send({ proposal });
    },
  );

  app.get(
    '/proposals/:id',
    { schema: { tags, params: IdParams, response: { 200: ProposalReply, ...errors } } },
    async (request) => ({
      proposal: await proposals.getProposal(ctx, request.params.id, requireUser(request).user.id),
    }),
  );

  app.patch(
    '/proposals/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: PatchProposalBody,
        response: { 200: ProposalReply, ...errors },
      },
    },
    async (request) => ({
      proposal: await proposals.updateProposal(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body,
      ),
    }),
  );

  app.get(
    '/groups/:id/proposals',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: ProposalListQuery,
        response: { 200: Page(Proposal), ...errors },
      },
    },
    async (request) => {
      const userId = requireUser(request).user.id;
      await getGroup(ctx, request.params.id, userId);
      return proposals.listGroupProposals(ctx, request.params.id, userId, request.query);
    },
  );

  app.put(
    '/proposals/:id/vote',
    {
      schema: {
        tags,
        params: IdParams,
        body: VoteBody,
        response: { 200: Type.Object({ vote: Vote }), ...errors },
      },
    },
    async (request) => ({
      vote: await proposals.castVote(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.delete('/proposals/:id/vote', { schema: { tags, params: IdParams } }, async (request, reply) => {
    await proposals.retractVote(ctx, request.params.id, requireUser(request).user);
    return reply.status(204).send();
  });

  app.get(
    '/proposals/:id/votes',
    { schema: { tags, params: IdParams, querystring: ListQuery, response: { 200: Page(Vote), ...errors } } },
    async (request) =>
      proposals.listVotes(ctx, request.params.id, requireUser(request).user.id, request.query),
  );

  app.get(
    '/proposals/:id/undecided',
    {
      schema: {
        tags,
        params: IdParams,
        response: { 200: UndecidedPage, ...errors },
      },
    },
    async (request) => proposals.listUndecided(ctx, request.params.id, requireUser(request).user.id),
  );

  app.post(
    '/proposals/:id/close',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Optional(CloseBody),
        response: { 200: ProposalReply, ...errors },
      },
    },
    async (request) => ({
      proposal: await proposals.closeProposal(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body?.outcome,
      ),
    }),
  );

  app.post(
    '/proposals/:id/outcome',
    { schema: { tags, params: IdParams, body: OutcomeBody, response: { 201: ProposalReply, ...errors } } },
    async (request, reply) => {
      const proposal = await proposals.setOutcome(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body,
      );
      return reply.status(201).send({ proposal });
    },
  );

  app.post(
    '/proposals/:id/reopen',
    { schema: { tags, params: IdParams, body: ReopenBody, response: { 200: ProposalReply, ...errors } } },
    async (request) => ({
      proposal: await proposals.reopenProposal(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body.closesAt,
      ),
    }),
  );

  app.post(
    '/proposals/:id/remind',
    { schema: { tags, params: IdParams, response: { 202: RemindReply, ...errors } } },
    async (request, reply) => {
      const notified = await remindNonVoters(ctx, request.params.id, requireUser(request).user);
      return reply.status(202).send({ notified });
    },
  );

  app.get(
    '/groups/:id/decisions',
    { schema: { tags, params: IdParams, querystring: DecisionsQuery } },
    async (request, reply) => {
      const userId = requireUser(request).user.id;
      const decisions = await decisionLog(ctx, request.params.id, userId);
      const format = request.query.format ?? 'json';
      if (format === 'json') return { items: decisions, nextCursor: null };
      const group = await getGroup(ctx, request.params.id, userId);
      const slug =
        group.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'group';
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${slug}-decisions.csv"`)
          .send(decisionsCsv(decisions));
      }
      return reply
        .type('text/markdown; charset=utf-8')
        .header('content-disposition', `attachment; filename="${slug}-decisions.md"`)
        .send(decisionsMarkdown(group.name, decisions));
    },
  );
};
export default proposalRoutes;
