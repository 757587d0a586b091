import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  ApiToken,
  ChangeEmailBody,
  CreatedToken,
  CreateTokenBody,
  PatchMeBody,
  UserReply,
} from '../../shared/schemas/accounts';
import { ErrorBody, IdParams } from '../../shared/schemas/common';
import { listApiTokens } from '../db/sessions';
import { requireUser, signedIn } from '../plugins/auth';
import { presentUser } from '../presenters/user';
import { createApiToken, revokeApiToken, updateMe } from '../services/accounts';
import { requestEmailChange, resendVerification } from '../services/account-recovery';

const me: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // Every route here acts on the caller's own account.
  app.addHook('onRequest', signedIn);

  app.get(
    '/me',
    { schema: { tags: ['accounts'], response: { 200: UserReply, '4xx': ErrorBody } } },
    async (request) => {
      const { user } = requireUser(request);
      return { user: presentUser(user, { withEmail: true, self: true }) };
    },
  );

  app.patch(
    '/me',
    { schema: { tags: ['accounts'], body: PatchMeBody, response: { 200: UserReply, '4xx': ErrorBody } } },
    async (request) => {
      const user = await updateMe(ctx, requireUser(request), request.body);
      return { user: presentUser(user, { withEmail: true, self: true }) };
    },
  );

  // 202: the address changes only once the link sent to the new one is followed.
  app.post('/me/email', { schema: { tags: ['accounts'], body: ChangeEmailBody } }, async (request, reply) => {
    await requestEmailChange(ctx, requireUser(request), request.body);
    return reply.status(202).send();
  });

  app.post('/me/email/verification', { schema: { tags: ['accounts'] } }, async (request, reply) => {
    await resendVerification(ctx, requireUser(request));
    return reply.status(202).send();
  });

  app.get(
    '/tokens',
    { schema: { tags: ['accounts'], response: { 200: Type.Object({ items: Type.Array(ApiToken) }) } } },
    async (request) => {
      const rows = await listApiTokens(ctx.db, requireUser(request).user.id);
      return {
        items: rows.map((r) => ({
          id: r.id,
          name: r.name,
          createdAt: r.created_at.toISOString(),
          lastUsedAt: r.last_used_at?.toISOString() ?? null,
        })),
      };
    },
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['accounts'],
        body: CreateTokenBody,
        response: { 201: CreatedToken, '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const token = await createApiToken(ctx, requireUser(request), request.body.name);
      return reply.status(201).send({ token });
    },
  );

  app.delete('/tokens/:id', { schema: { tags: ['accounts'], params: IdParams } }, async (request, reply) => {
    await revokeApiToken(ctx, requireUser(request).user.id, request.params.id);
    return reply.status(204).send();
  });
};
export default me;
