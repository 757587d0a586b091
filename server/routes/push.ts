import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams, NoBody } from '../../shared/schemas/common';
import {
  NewPushSubscription,
  PushKey,
  PushSubscriptionList,
  PushSubscriptionReply,
} from '../../shared/schemas/push';
import { requireUser, signedIn } from '../plugins/auth';
import { listPushSubscriptions, pushPublicKey, subscribeToPush, unsubscribeFromPush } from '../services/push';

const tags = ['push'];

/** Web Push: the server's key, and the devices a member gets their notifications on. */
const pushRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  app.get(
    '/push/key',
    {
      schema: {
        tags,
        summary: "The server's VAPID public key, to subscribe a browser with",
        description:
          'Pass it as `applicationServerKey` to `PushManager.subscribe`, then send the subscription to ' +
          '`POST /me/push-subscriptions`. `404` where this server sends no pushes.',
        response: { 200: PushKey, ...errorResponses(400, 401, 404) },
      },
    },
    async () => ({ publicKey: pushPublicKey(ctx) }),
  );

  app.post(
    '/me/push-subscriptions',
    {
      schema: {
        tags,
        summary: "Get push notifications on a device: its browser's push subscription",
        description:
          '`PushSubscription.toJSON()` as the browser gives it. Pushes follow the caller’s notification ' +
          'levels (`/me/preferences`). An endpoint already registered, by anyone, moves to the caller. ' +
          'The endpoint must be an https URL naming a push service by its domain (`400` on `/endpoint`).',
        body: NewPushSubscription,
        response: {
          201: PushSubscriptionReply,
          ...errorResponses(400, 401, 403, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const subscription = await subscribeToPush(ctx, requireUser(request).user.id, request.body);
      return reply.status(201).send({ subscription });
    },
  );

  app.get(
    '/me/push-subscriptions',
    {
      schema: {
        tags,
        summary: 'The devices the caller gets push notifications on',
        response: { 200: PushSubscriptionList, ...errorResponses(400, 401) },
      },
    },
    async (request) => ({
      items: await listPushSubscriptions(ctx, requireUser(request).user.id),
      nextCursor: null,
    }),
  );

  app.delete(
    '/me/push-subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Stop push notifications on a device',
        description: 'Only one of the caller’s own; any other id is `404`.',
        params: IdParams,
        response: { 204: NoBody('Deleted.'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await unsubscribeFromPush(ctx, requireUser(request).user.id, request.params.id);
      return reply.status(204).send();
    },
  );
};

export default pushRoutes;
