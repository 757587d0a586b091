import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../shared/schemas/common';
import { MarkReadBody, NotificationPage, NotificationQuery } from '../../shared/schemas/threads';
import { requireUser, signedIn } from '../plugins/auth';
import { listNotifications, markRead } from '../services/notifications';

const tags = ['notifications'];
const errors = { '4xx': ErrorBody };

/** The caller's own notifications (API.md, "Notifications"). */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  app.get(
    '/notifications',
    { schema: { tags, querystring: NotificationQuery, response: { 200: NotificationPage, ...errors } } },
    async (request) => listNotifications(ctx, requireUser(request).user.id, request.query),
  );

  app.post('/notifications/read', { schema: { tags, body: MarkReadBody } }, async (request, reply) => {
    await markRead(ctx, requireUser(request).user.id, request.body);
    return reply.status(204).send();
  });
};
export default notificationRoutes;
