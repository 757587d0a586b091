import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorBody, errorResponses, Ok } from '../../shared/schemas/common';
import { PatchPreferencesBody, PreferencesReply, UnsubscribeQuery } from '../../shared/schemas/email';
import { DIGEST_UNSUBSCRIBE, escapeHtml, readUnsubscribeToken } from '../email/layout';
import { getPreferences, unsubscribe, updatePreferences } from '../email/preferences';
import { invalid } from '../errors';
import { requireUser, signedIn } from '../plugins/auth';
import { isUuid } from '../services/text';

const preferences: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.get(
    '/me/preferences',
    {
      onRequest: signedIn,
      schema: {
        tags: ['email'],
        summary: 'The caller’s email preferences',
        response: { 200: PreferencesReply, ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ preferences: await getPreferences(ctx.db, requireUser(request).user.id) }),
  );

  app.patch(
    '/me/preferences',
    {
      onRequest: signedIn,
      schema: {
        tags: ['email'],
        summary: 'Change email preferences',
        body: PatchPreferencesBody,
        response: { 200: PreferencesReply, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => ({
      preferences: await updatePreferences(ctx, requireUser(request).user.id, request.body),
    }),
  );

  // RFC 8058: a mail client's one-click POST is a form (`List-Unsubscribe=One-Click`), not JSON.
  // Only the unsubscribe routes take forms, in a scope of their own, and only to ignore them: the
  // token is in the URL. Every other route keeps answering a form with 415.
  await app.register(unsubscribeRoutes);
};

const unsubscribeRoutes: FastifyPluginAsyncTypebox = async (forms) => {
  const { ctx } = forms;
  forms.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'multipart/form-data'],
    { parseAs: 'string', bodyLimit: 4096 },
    (_request, _body, done) => done(null, undefined),
  );

  forms.post(
    '/unsubscribe',
    {
      schema: {
        tags: ['email'],
        summary: 'Unsubscribe from a group’s email (RFC 8058 one-click)',
        description:
          'Takes JSON or the form a mail client posts (`List-Unsubscribe=One-Click`); the token is in the URL, ' +
          'and one that is not valid is `400 validation_failed`.',
        querystring: UnsubscribeQuery,
        response: {
          200: {
            description: 'Unsubscribed: `{ok: true}`, or a page for a person who pressed the button.',
            content: { 'application/json': { schema: Ok }, 'text/html': { schema: Type.String() } },
          },
          ...errorResponses(400, 403, 413, 415),
        },
      },
    },
    async (request, reply) => {
      if (!(await unsubscribe(ctx, request.query.token)))
        throw invalid('/token', 'is not a valid unsubscribe link');
      // A person who pressed the confirmation page's button gets a page back; a mail client gets JSON.
      if (request.headers.accept?.includes('text/html')) {
        return reply
          .type('text/html; charset=utf-8')
          .send(page('Unsubscribed', '<p>You will get no more email from this group.</p>'));
      }
      return { ok: true };
    },
  );

  // Mail clients and scanners fetch links on their own: a GET only shows a button that POSTs.
  forms.get(
    '/unsubscribe',
    {
      schema: {
        tags: ['email'],
        summary: 'The page an unsubscribe link opens: a button that POSTs',
        description: 'Mail clients and scanners fetch links on their own, so a GET changes nothing.',
        querystring: UnsubscribeQuery,
        response: {
          200: { description: 'The confirmation page.', content: { 'text/html': { schema: Type.String() } } },
          400: {
            description:
              'A link that is not valid: a page saying so; a missing token or one holding U+0000 is ' +
              '`validation_failed` in the error shape.',
            content: { 'text/html': { schema: Type.String() }, 'application/json': { schema: ErrorBody } },
          },
        },
      },
    },
    async (request, reply) => {
      const token = request.query.token;
      const target = readUnsubscribeToken(ctx.config, token);
      const group =
        target?.groupId === DIGEST_UNSUBSCRIBE
          ? { name: 'the email digest' }
          : target && isUuid(target.groupId)
            ? await ctx.db
                .selectFrom('groups')
                .select('name')
                .where('id', '=', target.groupId)
                .executeTakeFirst()
            : undefined;
      if (!target || !group) {
        return reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(page('Link not valid', '<p>This unsubscribe link is not valid.</p>'));
      }
      return reply
        .type('text/html; charset=utf-8')
        .send(
          page(
            'Unsubscribe',
            `<p>Stop email from <strong>${escapeHtml(group.name)}</strong>?</p>` +
              `<form method="post" action="unsubscribe?token=${escapeHtml(encodeURIComponent(token))}">` +
              `<button type="submit">Unsubscribe</button></form>`,
          ),
        );
    },
  );
};

/** A bare page: the site's CSP allows no inline style, and none is needed. */
function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Plenary</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export default preferences;
