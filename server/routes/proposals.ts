import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, IdParams, ListQuery, NoBody, Page } from '../../shared/schemas/common';
import {
  CloseBody,
  DecisionsQuery,
  NewProposalBody,
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

const proposalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // 401 before the body is looked at, as on every other resource.
  app.addHook('onRequest', signedIn);

  app.post(
    '/threads/:id/proposals',
    {
      schema: {
        tags,
        summary: 'Put a proposal to a thread',
        description:
          'Members if `membersCanCreateProposals`, else facilitators (`403`); a closed thread is ' +
          '`409 thread_closed`.',
        params: IdParams,
        body: NewProposalBody,
        response: { 201: ProposalReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const proposal = await createProposal(ctx, request.params.id, requireUser(request).user, request.body);
      return reply.status(201).send({ proposal });
    },
  );

  app.get(
    '/proposals/:id',
    {
      schema: {
        tags,
        summary: 'A proposal, with its results unless hidden',
        params: IdParams,
        response: { 200: ProposalReply, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ({
      proposal: await getProposal(ctx, request.params.id, requireUser(request).user.id),
    }),
  );

  app.patch(
    '/proposals/:id',
    {
      schema: {
        tags,
        summary: 'Edit an open proposal (facilitators, the author)',
        description:
          'Options cannot change once votes are cast (`409`); a closed proposal is `409 proposal_closed`.',
        params: IdParams,
        body: PatchProposalBody,
        response: { 200: ProposalReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
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
        summary: 'A group’s proposals',
        params: IdParams,
        querystring: ProposalListQuery,
        response: { 200: Page(Proposal), ...errorResponses(400, 401, 404) },
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
        summary: 'Vote, or replace the caller’s vote',
        description: 'While open; after the close, by any path, `409 proposal_closed`.',
        params: IdParams,
        body: VoteBody,
        response: { 200: Type.Object({ vote: Vote }), ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => ({
      vote: await castVote(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.delete(
    '/proposals/:id/vote',
    {
      schema: {
        tags,
        summary: 'Take back the caller’s vote',
        description: 'While open (else `409 proposal_closed`); `404` when the caller has no vote.',
        params: IdParams,
        response: { 204: NoBody('Retracted.'), ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      await retractVote(ctx, request.params.id, requireUser(request).user);
      return reply.status(204).send();
    },
  );

  app.get(
    '/proposals/:id/votes',
    {
      schema: {
        tags,
        summary: 'A proposal’s votes (`voter` is null on anonymous proposals)',
        params: IdParams,
        querystring: ListQuery,
        response: { 200: Page(Vote), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => listVotes(ctx, request.params.id, requireUser(request).user.id, request.query),
  );

  app.get(
    '/proposals/:id/undecided',
    {
      schema: {
        tags,
        summary: 'Members who may vote and have not',
        params: IdParams,
        response: { 200: UndecidedPage, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => listUndecided(ctx, request.params.id, requireUser(request).user.id),
  );

  app.post(
    '/proposals/:id/close',
    {
      schema: {
        tags,
        summary: 'Close a proposal now, optionally stating its outcome (facilitators, the author)',
        description: 'Closing twice is `409 proposal_closed`.',
        params: IdParams,
        body: Type.Optional(CloseBody),
        response: { 200: ProposalReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) => ({
      proposal: await closeProposal(ctx, request.params.id, requireUser(request).user, request.body?.outcome),
    }),
  );

  app.post(
    '/proposals/:id/outcome',
    {
      schema: {
        tags,
        summary: 'State the outcome of a closed proposal (facilitators, the author)',
        description: 'Before the close, `409 conflict`. Replaces an earlier outcome, which history keeps.',
        params: IdParams,
        body: OutcomeBody,
        response: { 201: ProposalReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const proposal = await setOutcome(ctx, request.params.id, requireUser(request).user, request.body);
      return reply.status(201).send({ proposal });
    },
  );

  app.post(
    '/proposals/:id/reopen',
    {
      schema: {
        tags,
        summary: 'Reopen a closed proposal until a new `closesAt` (facilitators)',
        params: IdParams,
        body: ReopenBody,
        response: { 200: ProposalReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
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
    {
      schema: {
        tags,
        summary: 'Notify the members who have not voted (facilitators, the author)',
        description: 'While open (else `409 proposal_closed`); at most once an hour per proposal (`429`).',
        params: IdParams,
        response: { 202: RemindReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const notified = await remindNonVoters(ctx, request.params.id, requireUser(request).user);
      return reply.status(202).send({ notified });
    },
  );

  app.get(
    '/groups/:id/decisions',
    {
      schema: {
        tags,
        summary: 'The decision log: every closed proposal with its final results and outcome',
        params: IdParams,
        querystring: DecisionsQuery,
        response: {
          200: {
            description:
              '`format=json` (the default): `{items: [{proposal, thread: {id, title}}], nextCursor: null}`; ' +
              '`csv` and `md`: a file to download, named by `Content-Disposition`.',
            content: {
              // Unknown, so the page is written as it is: a schema here would drop what it does not name.
              'application/json': { schema: Type.Unknown() },
              'text/csv': { schema: Type.String() },
              'text/markdown': { schema: Type.String() },
            },
          },
          ...errorResponses(400, 401, 404),
        },
      },
    },
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
