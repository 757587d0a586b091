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
import { errorResponses, IdParams, NoBody } from '../../shared/schemas/common';
import { listApiTokens } from '../db/sessions';
import { requireUser, signedIn } from '../plugins/auth';
import { presentUser } from '../presenters/user';
import { requestEmailChange, resendVerification } from '../services/account-recovery';
import { createApiToken, revokeApiToken, updateMe } from '../services/accounts';

const tags = ['accounts'];

const me: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  // Every route here acts on the caller's own account.
  app.addHook('onRequest', signedIn);

  app.get(
    '/me',
    {
      schema: {
        tags,
        summary: 'The signed-in user',
        response: { 200: UserReply, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { user } = requireUser(request);
      return { user: presentUser(user, { withEmail: true, self: true }) };
    },
  );

  app.patch(
    '/me',
    {
      schema: {
        tags,
        summary: 'Change name, notification preference or password',
        description:
          'A new password needs the right `currentPassword` (else `400`); it revokes the user’s other sessions.',
        body: PatchMeBody,
        response: { 200: UserReply, ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => {
      const user = await updateMe(ctx, requireUser(request), request.body);
      return { user: presentUser(user, { withEmail: true, self: true }) };
    },
  );

  // 202: the address changes only once the link sent to the new one is followed.
  app.post(
    '/me/email',
    {
      schema: {
        tags,
        summary: 'Change the email address: a link is sent to the new one',
        body: ChangeEmailBody,
        response: {
          202: NoBody('A confirmation link is on its way to the new address.'),
          ...errorResponses(400, 401, 403, 409, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      await requestEmailChange(ctx, requireUser(request), request.body);
      return reply.status(202).send();
    },
  );

  app.post(
    '/me/email/verification',
    {
      schema: {
        tags,
        summary: 'Send the email verification link again',
        response: {
          202: NoBody('A verification link is on its way.'),
          ...errorResponses(400, 401, 403, 409, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      await resendVerification(ctx, requireUser(request));
      return reply.status(202).send();
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        tags,
        summary: 'The caller’s API tokens (without their secrets)',
        response: { 200: Type.Object({ items: Type.Array(ApiToken) }), ...errorResponses(400, 401) },
      },
    },
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
        tags,
        summary: 'Create an API token',
        description:
          'Only from a signed-in session, not with another token (`403`). `secret` is shown this once.',
        body: CreateTokenBody,
        response: { 201: CreatedToken, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const token = await createApiToken(ctx, requireUser(request), request.body.name);
      return reply.status(201).send({ token });
    },
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API token',
        params: IdParams,
        response: {
          204: NoBody('Revoked: its sockets close within seconds.'),
          ...errorResponses(400, 401, 403, 404, 413, 415),
        },
      },
    },
    async (request, reply) => {
      await revokeApiToken(ctx, requireUser(request).user.id, request.params.id);
      return reply.status(204).send();
    },
  );
};
export default me;
