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
import { exportDecisions } from '../services/decisions';
import { closeProposal, reopenProposal, setOutcome } from '../services/proposals/closing';
import { createProposal } from '../services/proposals/create';
import { getProposal, listGroupProposals, listUndecided, listVotes } from '../services/proposals/lists';
import { updateProposal } from '../services/proposals/update';
import { castVote, retractVote } from '../services/proposals/voting';
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
      const proposal = await createProposal(ctx, request.params.id, requireUser(request).user, request.body);
      return reply.status(201).send({ proposal });
    },
  );

  app.get(
    '/proposals/:id',
    { schema: { tags, params: IdParams, response: { 200: ProposalReply, ...errors } } },
    async (request) => ({
      proposal: await getProposal(ctx, request.params.id, requireUser(request).user.id),
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
      proposal: await updateProposal(ctx, request.params.id, requireUser(request).user, request.body),
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
    async (request) =>
      listGroupProposals(ctx, request.params.id, requireUser(request).user.id, request.query),
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
      vote: await castVote(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.delete('/proposals/:id/vote', { schema: { tags, params: IdParams } }, async (request, reply) => {
    await retractVote(ctx, request.params.id, requireUser(request).user);
    return reply.status(204).send();
  });

  app.get(
    '/proposals/:id/votes',
    { schema: { tags, params: IdParams, querystring: ListQuery, response: { 200: Page(Vote), ...errors } } },
    async (request) => listVotes(ctx, request.params.id, requireUser(request).user.id, request.query),
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
    async (request) => listUndecided(ctx, request.params.id, requireUser(request).user.id),
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
      proposal: await closeProposal(ctx, request.params.id, requireUser(request).user, request.body?.outcome),
    }),
  );

  app.post(
    '/proposals/:id/outcome',
    { schema: { tags, params: IdParams, body: OutcomeBody, response: { 201: ProposalReply, ...errors } } },
    async (request, reply) => {
      const proposal = await setOutcome(ctx, request.params.id, requireUser(request).user, request.body);
      return reply.status(201).send({ proposal });
    },
  );

  app.post(
    '/proposals/:id/reopen',
    { schema: { tags, params: IdParams, body: ReopenBody, response: { 200: ProposalReply, ...errors } } },
    async (request) => ({
      proposal: await reopenProposal(
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
      const exported = await exportDecisions(
        ctx,
        request.params.id,
        requireUser(request).user.id,
        request.query.format,
      );
      if ('page' in exported) return exported.page;
      const { contentType, filename, body } = exported.file;
      return reply
        .type(contentType)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(body);
    },
  );
};
export default proposalRoutes;
