import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { acceptedLanguages, matchLocale } from '../../shared/i18n';
import { errorResponses, NoBody } from '../../shared/schemas/common';
import { MarkReadBody, NotificationPage, NotificationQuery } from '../../shared/schemas/threads';
import { LOCALES, translatorFor } from '../i18n';
import { requireUser, signedIn } from '../plugins/auth';
import { listNotifications, markRead } from '../services/notifications';

const tags = ['notifications'];

/** The caller's own notifications (API.md, "Notifications"). */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  app.get(
    '/notifications',
    {
      schema: {
        tags,
        summary: 'The caller’s notifications, newest first, with the unread count',
        querystring: NotificationQuery,
        response: { 200: NotificationPage, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { user } = requireUser(request);
      // The language the page reading this speaks: the member's choice, else their browser's.
      const locale = matchLocale(
        [user.locale, ...acceptedLanguages(request.headers['accept-language'])],
        LOCALES,
      );
      return listNotifications(ctx, user.id, request.query, translatorFor(locale));
    },
  );

  app.post(
    '/notifications/read',
    {
      schema: {
        tags,
        summary: 'Mark notifications read (without `ids`: all of them)',
        body: MarkReadBody,
        response: { 204: NoBody('Marked.'), ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      await markRead(ctx, requireUser(request).user.id, request.body);
      return reply.status(204).send();
    },
  );
};
export default notificationRoutes;
