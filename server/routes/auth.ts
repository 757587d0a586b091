import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LoginBody, RegisterBody, UserReply } from '../../shared/schemas/accounts';
import { ErrorBody } from '../../shared/schemas/common';
import { clearSessionCookie, requireUser, setSessionCookie, signedIn } from '../plugins/auth';
import { presentUser } from '../presenters';
import { login, logout, register } from '../services/accounts';

const auth: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  app.post(
    '/auth/register',
    { schema: { tags: ['accounts'], body: RegisterBody, response: { 201: UserReply, '4xx': ErrorBody } } },
    async (request, reply) => {
      const { user, token } = await register(ctx, request.body, request.ip);
      setSessionCookie(reply, token, ctx.config.publicUrl);
      return reply.status(201).send({ user: presentUser(user, { withEmail: true, self: true }) });
    },
  );

  app.post(
    '/auth/login',
    { schema: { tags: ['accounts'], body: LoginBody, response: { 200: UserReply, '4xx': ErrorBody } } },
    async (request, reply) => {
      const { user, token } = await login(ctx, request.body.email, request.body.password, request.ip);
      setSessionCookie(reply, token, ctx.config.publicUrl);
      return { user: presentUser(user, { withEmail: true, self: true }) };
    },
  );

  app.post(
    '/auth/logout',
    { onRequest: signedIn, schema: { tags: ['accounts'] } },
    async (request, reply) => {
      await logout(ctx, requireUser(request));
      clearSessionCookie(reply);
      return reply.status(204).send();
    },
  );
};
export default auth;
