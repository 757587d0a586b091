import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError, unauthenticated } from '../errors';
import { sameOrigin } from '../plugins/auth';
import { authenticate } from '../services/accounts';

/** `GET /api/v1/stream`: the websocket of the contract's "live stream" section. */
const stream: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/stream',
    {
      websocket: true,
      schema: {
        hide: true,
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }),
      },
      preValidation: async (request) => {
        if (request.query.token) {
          request.principal = await authenticate(app.ctx, { apiToken: request.query.token });
        }
        if (!request.principal) throw unauthenticated();
        // A cookie-authenticated socket opened by another site's page is cross-site websocket hijacking.
        const origin = request.headers.origin;
        if (
          request.principal.via === 'cookie' &&
          origin &&
          !sameOrigin(origin, request, app.ctx.config.publicUrl)
        ) {
          throw new AppError(403, 'csrf_rejected', 'cross-site websocket refused');
        }
      },
    },
    (socket, request) => {
      const { user } = request.principal!;
      app.hub.attach(socket, { userId: user.id, name: user.name });
    },
  );
};
export default stream;
