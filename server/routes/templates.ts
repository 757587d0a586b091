import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, IdParams, NoBody } from '../../shared/schemas/common';
import {
  ProposalTemplate,
  SaveTemplateBody,
  TemplateList,
  TemplatesQuery,
} from '../../shared/schemas/templates';
import { requireUser, signedIn } from '../plugins/auth';
import { listTemplates, removeTemplate, saveProposalAsTemplate } from '../services/templates';

const tags = ['templates'];

/** Ready-made processes: the built-in templates and those a group saved from its proposals. */
const templateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  app.get(
    '/templates',
    {
      schema: {
        tags,
        summary: 'Ready-made proposals: the built-in processes, and with groupId that group’s own',
        description:
          'Name one in `POST /threads/:id/proposals {template}` in place of `kind` and options. ' +
          '`groupId` of a group you are not in: `404`.',
        querystring: TemplatesQuery,
        response: { 200: TemplateList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ({
      items: await listTemplates(ctx, requireUser(request).user.id, request.query.groupId),
      nextCursor: null,
    }),
  );

  app.post(
    '/proposals/:id/template',
    {
      schema: {
        tags,
        summary:
          "Save a proposal's kind, options, details and settings as a template of its group (facilitators)",
        params: IdParams,
        body: Type.Optional(SaveTemplateBody),
        response: {
          201: Type.Object({ template: ProposalTemplate }),
          ...errorResponses(400, 401, 403, 404, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const template = await saveProposalAsTemplate(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body ?? {},
      );
      return reply.status(201).send({ template });
    },
  );

  app.delete(
    '/groups/:id/templates/:templateId',
    {
      schema: {
        tags,
        summary: "Delete one of the group's templates (facilitators)",
        params: Type.Object({ id: Type.String(), templateId: Type.String() }),
        response: { 204: NoBody('Deleted.'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeTemplate(ctx, request.params.id, request.params.templateId, requireUser(request).user);
      return reply.status(204).send();
    },
  );
};

export default templateRoutes;
