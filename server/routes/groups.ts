import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorBody, IdParams, ListQuery, Page } from '../../shared/schemas/common';
import {
  CreateGroupBody,
  Group,
  MemberParams,
  Membership,
  PatchGroupBody,
  PatchMemberBody,
} from '../../shared/schemas/groups';
import { requireUser, signedIn } from '../plugins/auth';
import * as groups from '../services/groups';

const GroupReply = Type.Object({ group: Group });
const tags = ['groups'];

const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // Every group route needs a signed-in caller; outsiders then get 404 from the service.
  app.addHook('onRequest', signedIn);

  app.post(
    '/groups',
    { schema: { tags, body: CreateGroupBody, response: { 201: GroupReply, '4xx': ErrorBody } } },
    async (request, reply) => {
      const group = await groups.createGroup(ctx, requireUser(request).user, request.body);
      return reply.status(201).send({ group });
    },
  );

  app.get(
    '/groups',
    { schema: { tags, querystring: ListQuery, response: { 200: Page(Group), '4xx': ErrorBody } } },
    async (request) => groups.listGroups(ctx, requireUser(request).user.id, request.query),
  );

  app.get(
    '/groups/:id',
    { schema: { tags, params: IdParams, response: { 200: GroupReply, '4xx': ErrorBody } } },
    async (request) => ({
      group: await groups.getGroup(ctx, request.params.id, requireUser(request).user.id),
    }),
  );

  app.patch(
    '/groups/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: PatchGroupBody,
        response: { 200: GroupReply, '4xx': ErrorBody },
      },
    },
    async (request) => ({
      group: await groups.updateGroup(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.get(
    '/groups/:id/members',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: ListQuery,
        response: { 200: Page(Membership), '4xx': ErrorBody },
      },
    },
    async (request) =>
      groups.listMembers(ctx, request.params.id, requireUser(request).user.id, request.query),
  );

  app.patch(
    '/groups/:id/members/:userId',
    {
      schema: {
        tags,
        params: MemberParams,
        body: PatchMemberBody,
        response: { 200: Type.Object({ membership: Membership }), '4xx': ErrorBody },
      },
    },
    async (request) => ({
      membership: await groups.changeRole(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.params.userId,
        request.body.role,
      ),
    }),
  );

  app.delete(
    '/groups/:id/members/:userId',
    { schema: { tags, params: MemberParams } },
    async (request, reply) => {
      await groups.removeMember(ctx, request.params.id, requireUser(request).user, request.params.userId);
      return reply.status(204).send();
    },
  );
};
export default groupRoutes;
