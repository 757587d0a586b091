import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError, unauthenticated } from '../errors';
import { sameOrigin } from '../plugins/auth';
import { authenticate } from '../services/accounts';
import { hashApiToken } from '../services/tokens';
import type { Credential } from '../stream/hub';

/**
 * The credential that let this socket in, as the database keeps it: the hub
 * checks it again whenever its owner's credentials change, and closes the
 * socket once it is revoked. `?token=` wins over everything, then a Bearer
 * header (as the auth plugin reads it), then the session cookie.
 */
function credentialOf(request: FastifyRequest<{ Querystring: { token?: string } }>): Credential | null {
  const principal = request.principal;
  if (!principal) return null;
  const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = request.query.token || (principal.via === 'token' ? bearer : undefined);
  if (token) return { tokenHash: hashApiToken(token) };
  return principal.sessionId ? { sessionId: principal.sessionId } : null;
}

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
        if (!request.principal || !credentialOf(request)) throw unauthenticated();
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
      app.hub.attach(socket, { userId: user.id, name: user.name }, credentialOf(request)!);
    },
  );
};
export default stream;
