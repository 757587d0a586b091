import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, IdParams, ListQuery, NoBody, Page } from '../../shared/schemas/common';
import { GroupArchive } from '../../shared/schemas/group-archive';
import {
  CreateGroupBody,
  Group,
  MemberParams,
  Membership,
  PatchGroupBody,
  PatchMemberBody,
} from '../../shared/schemas/groups';
import { requireUser, signedIn } from '../plugins/auth';
import { archiveStream, exportGroupFor } from '../services/group-export';
import * as groups from '../services/groups';

const GroupReply = Type.Object({ group: Group });
const tags = ['groups'];

const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // Every group route needs a signed-in caller; outsiders then get 404 from the service.
  app.addHook('onRequest', signedIn);

  app.post(
    '/groups',
    {
      schema: {
        tags,
        summary: 'Create a group (or a subgroup); the caller is its facilitator',
        description: 'A subgroup needs a facilitator of the parent (`403`); an unknown parent is `404`.',
        body: CreateGroupBody,
        response: { 201: GroupReply, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const group = await groups.createGroup(ctx, requireUser(request).user, request.body);
      return reply.status(201).send({ group });
    },
  );

  app.get(
    '/groups',
    {
      schema: {
        tags,
        summary: 'The caller’s groups',
        querystring: ListQuery,
        response: { 200: Page(Group), ...errorResponses(400, 401) },
      },
    },
    async (request) => groups.listGroups(ctx, requireUser(request).user.id, request.query),
  );

  app.get(
    '/groups/:id',
    {
      schema: {
        tags,
        summary: 'A group (members)',
        params: IdParams,
        response: { 200: GroupReply, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ({
      group: await groups.getGroup(ctx, request.params.id, requireUser(request).user.id),
    }),
  );

  app.patch(
    '/groups/:id',
    {
      schema: {
        tags,
        summary: 'Rename a group or change its settings (facilitators)',
        params: IdParams,
        body: PatchGroupBody,
        response: { 200: GroupReply, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => ({
      group: await groups.updateGroup(ctx, request.params.id, requireUser(request).user, request.body),
    }),
  );

  app.get(
    '/groups/:id/export',
    {
      schema: {
        tags,
        summary: 'The whole group as one JSON file (facilitators)',
        description:
          'Threads, comments with their earlier versions and reactions, proposals with their ballots as ' +
          '`GET /proposals/:id/votes` shows them (no voter on anonymous ones), outcomes and members, people ' +
          'named by email, and the group’s files with their bytes (base64, with a SHA-256 each). ' +
          '`plenary import <file>` loads it into another instance. Sent as an attachment, streamed: ' +
          'the files are read one at a time as the download goes.',
        params: IdParams,
        response: { 200: GroupArchive, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const exported = await exportGroupFor(ctx, request.params.id, requireUser(request).user.id);
      return (
        reply
          .header('content-disposition', `attachment; filename="${exported.fileName}"`)
          .type('application/json; charset=utf-8')
          // Streamed text, not an object: the schema above documents it, the serializer does not touch it.
          .send(archiveStream(ctx, exported) as never)
      );
    },
  );

  app.get(
    '/groups/:id/members',
    {
      schema: {
        tags,
        summary: 'A group’s members',
        params: IdParams,
        querystring: ListQuery,
        response: { 200: Page(Membership), ...errorResponses(400, 401, 404) },
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
        summary: 'Change a member’s role (facilitators)',
        description: 'The last facilitator cannot step down (`409 conflict`).',
        params: MemberParams,
        body: PatchMemberBody,
        response: {
          200: Type.Object({ membership: Membership }),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415),
        },
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
    {
      schema: {
        tags,
        summary: 'Remove a member (facilitators), or leave (the member)',
        description: 'The last facilitator cannot leave (`409 conflict`).',
        params: MemberParams,
        response: { 204: NoBody('Removed.'), ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      await groups.removeMember(ctx, request.params.id, requireUser(request).user, request.params.userId);
      return reply.status(204).send();
    },
  );
};
export default groupRoutes;
