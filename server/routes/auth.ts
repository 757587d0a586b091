import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AccountLinkBody,
  LoginBody,
  PasswordResetBody,
  PasswordResetConfirmBody,
  RegisterBody,
  UserReply,
} from '../../shared/schemas/accounts';
import { errorResponses, NoBody } from '../../shared/schemas/common';
import { localeFromHeader } from '../i18n';
import { clearSessionCookie, requireUser, setSessionCookie, signedIn } from '../plugins/auth';
import { presentUser } from '../presenters/user';
import {
  confirmEmailChange,
  requestPasswordReset,
  resetPassword,
  verifyEmail,
} from '../services/account-recovery';
import { login, logout, register } from '../services/accounts';

const tags = ['accounts'];

const auth: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  app.post(
    '/auth/register',
    {
      schema: {
        tags,
        summary: 'Create an account and sign in',
        body: RegisterBody,
        response: { 201: UserReply, ...errorResponses(400, 403, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { user, token } = await register(
        ctx,
        request.body,
        request.ip,
        localeFromHeader(request.headers['accept-language']),
      );
      setSessionCookie(reply, token, ctx.config.publicUrl);
      return reply.status(201).send({ user: presentUser(user, { withEmail: true, self: true }) });
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in',
        description: '`401` for a wrong pair, with the same message whether or not the email has an account.',
        body: LoginBody,
        response: { 200: UserReply, ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { user, token } = await login(
        ctx,
        request.body.email,
        request.body.password,
        request.ip,
        localeFromHeader(request.headers['accept-language']),
      );
      setSessionCookie(reply, token, ctx.config.publicUrl);
      return { user: presentUser(user, { withEmail: true, self: true }) };
    },
  );

  app.post(
    '/auth/logout',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Sign out: the session is revoked',
        response: { 204: NoBody('Signed out.'), ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      await logout(ctx, requireUser(request));
      clearSessionCookie(reply);
      return reply.status(204).send();
    },
  );

  // The links emailed about an account: whoever holds one may use it, signed in or not.
  app.post(
    '/auth/password-reset',
    {
      schema: {
        tags,
        summary: 'Email a password-reset link',
        body: PasswordResetBody,
        response: {
          204: NoBody('Sent if the account exists; the answer is the same either way.'),
          ...errorResponses(400, 403, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(
        ctx,
        request.body.email,
        request.ip,
        localeFromHeader(request.headers['accept-language']),
      );
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      schema: {
        tags,
        summary: 'Set a new password with a reset link',
        description: 'A used, expired or unknown token is `400 validation_failed`.',
        body: PasswordResetConfirmBody,
        response: {
          204: NoBody('Password set; every other session and API token revoked, and a new session begun.'),
          ...errorResponses(400, 403, 413, 415),
        },
      },
    },
    async (request, reply) => {
      // Every other session is gone: the one who chose the password gets a new one.
      const { sessionToken } = await resetPassword(ctx, request.body.token, request.body.password);
      setSessionCookie(reply, sessionToken, ctx.config.publicUrl);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/verify-email',
    {
      schema: {
        tags,
        summary: 'Verify the account’s email address with the emailed link',
        body: AccountLinkBody,
        response: { 204: NoBody('Verified.'), ...errorResponses(400, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      await verifyEmail(ctx, request.body.token);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/email-change/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm a change of email address with the emailed link',
        body: AccountLinkBody,
        response: { 204: NoBody('The address changed.'), ...errorResponses(400, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      await confirmEmailChange(ctx, request.body.token);
      return reply.status(204).send();
    },
  );
};
export default auth;
