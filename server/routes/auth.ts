import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AccountLinkBody,
  LoginBody,
  PasswordResetBody,
  PasswordResetConfirmBody,
  RegisterBody,
  UserReply,
} from '../../shared/schemas/accounts';
import { ErrorBody } from '../../shared/schemas/common';
import { clearSessionCookie, requireUser, setSessionCookie, signedIn } from '../plugins/auth';
import { presentUser } from '../presenters/user';
import { login, logout, register } from '../services/accounts';
import {
  confirmEmailChange,
  requestPasswordReset,
  resetPassword,
  verifyEmail,
} from '../services/account-recovery';

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

  // The links emailed about an account: whoever holds one may use it, signed in or not.
  app.post(
    '/auth/password-reset',
    { schema: { tags: ['accounts'], body: PasswordResetBody } },
    async (request, reply) => {
      await requestPasswordReset(ctx, request.body.email, request.ip);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    { schema: { tags: ['accounts'], body: PasswordResetConfirmBody } },
    async (request, reply) => {
      // Every other session is gone: the one who chose the password gets a new one.
      const { sessionToken } = await resetPassword(ctx, request.body.token, request.body.password);
      setSessionCookie(reply, sessionToken, ctx.config.publicUrl);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/verify-email',
    { schema: { tags: ['accounts'], body: AccountLinkBody } },
    async (request, reply) => {
      await verifyEmail(ctx, request.body.token);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/email-change/confirm',
    { schema: { tags: ['accounts'], body: AccountLinkBody } },
    async (request, reply) => {
      await confirmEmailChange(ctx, request.body.token);
      return reply.status(204).send();
    },
  );
};
export default auth;
