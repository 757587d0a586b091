import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, IdParams, NoBody } from '../../shared/schemas/common';
import {
  Delegation,
  DelegationBody,
  DelegationListQuery,
  DelegationPage,
} from '../../shared/schemas/delegations';
import { requireUser, signedIn } from '../plugins/auth';
import { listDelegations, removeDelegation, setDelegation } from '../services/delegations';

const tags = ['delegation'];

const rules =
  'The group must have `settings.delegation` on (else `409 conflict`); never on anonymous proposals. ' +
  'Delegation is transitive, a direct vote always wins, and a cycle or a chain ending without a vote counts as no vote.';

/** Lending one's vote to another member: group-wide or on one proposal, public within the group. */
const delegationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  app.put(
    '/groups/:id/delegation',
    {
      schema: {
        tags,
        summary: "Let my vote in this group follow another member's unless I vote myself",
        description: rules,
        params: IdParams,
        body: DelegationBody,
        response: {
          200: Type.Object({ delegation: Delegation }),
          ...errorResponses(400, 401, 404, 409, 413, 415),
        },
      },
    },
    async (request) => ({
      delegation: await setDelegation(
        ctx,
        { groupId: request.params.id },
        requireUser(request).user,
        request.body,
      ),
    }),
  );

  app.delete(
    '/groups/:id/delegation',
    {
      schema: {
        tags,
        summary: 'Withdraw my group-wide delegation',
        params: IdParams,
        response: { 204: NoBody('Withdrawn.'), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeDelegation(ctx, { groupId: request.params.id }, requireUser(request).user);
      return reply.status(204).send();
    },
  );

  app.put(
    '/proposals/:id/delegation',
    {
      schema: {
        tags,
        summary: "Let my vote on this proposal follow another member's (overrides my group-wide delegation)",
        description: `${rules} Only while the proposal is open (else \`409 proposal_closed\`).`,
        params: IdParams,
        body: DelegationBody,
        response: {
          200: Type.Object({ delegation: Delegation }),
          ...errorResponses(400, 401, 404, 409, 413, 415),
        },
      },
    },
    async (request) => ({
      delegation: await setDelegation(
        ctx,
        { proposalId: request.params.id },
        requireUser(request).user,
        request.body,
      ),
    }),
  );

  app.delete(
    '/proposals/:id/delegation',
    {
      schema: {
        tags,
        summary: 'Withdraw my delegation on this proposal (my group-wide one applies again)',
        params: IdParams,
        response: { 204: NoBody('Withdrawn.'), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeDelegation(ctx, { proposalId: request.params.id }, requireUser(request).user);
      return reply.status(204).send();
    },
  );

  app.get(
    '/groups/:id/delegations',
    {
      schema: {
        tags,
        summary: "The group's delegations: who lends their vote to whom, group-wide or on a proposal",
        params: IdParams,
        querystring: DelegationListQuery,
        response: { 200: DelegationPage, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => listDelegations(ctx, request.params.id, requireUser(request).user.id, request.query),
  );
};

export default delegationRoutes;
