import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { errorResponses, NoBody } from '../../shared/schemas/common';
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

/** The stream's OpenAPI description: the frames, which an HTTP operation has no place for. */
const STREAM_DESCRIPTION = [
  'Upgrades to a WebSocket (`101`). Authenticated by the session cookie, an `Authorization: Bearer` ',
  'header or `?token=<api token secret>`; without one the upgrade is refused with `401`, and a ',
  'cookie-authenticated upgrade from another site’s page with `403 csrf_rejected`. ',
  'Every frame is one JSON object in a text frame.\n\n',
  'From the client: `{"type": "subscribe", "topic": "group:<id>" | "thread:<id>" | "me", "since"?: <eventId>}`, ',
  '`{"type": "unsubscribe", "topic"}`, `{"type": "ping"}`.\n\n',
  'From the server: `{"type": "subscribed", "topic", "lastEventId"}`, ',
  '`{"type": "event", "topic", "event": {id, kind, groupId, threadId, actor, at, data}}`, ',
  '`{"type": "reset", "topic"}` (too much missed: refetch over HTTP), ',
  '`{"type": "presence", "topic", "users", "count"}`, ',
  '`{"type": "error", "topic"?, "code", "message"}` and `{"type": "pong"}`.\n\n',
  'Topics, event kinds and their `data`, replay with `since` and ordering: see docs/api.md, “The live stream”.',
].join('');

/** `GET /api/v1/stream`: the websocket of the contract's "live stream" section. */
const stream: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/stream',
    {
      websocket: true,
      schema: {
        tags: ['stream'],
        summary: 'The live stream (WebSocket upgrade)',
        description: STREAM_DESCRIPTION,
        querystring: Type.Object({
          token: Type.Optional(
            Type.String({
              maxLength: 200,
              description: 'An API token secret, for clients that cannot set an Authorization header.',
            }),
          ),
        }),
        response: {
          101: NoBody('Switching Protocols: the connection is now a WebSocket carrying JSON text frames.'),
          ...errorResponses(400, 401, 403),
          // @fastify/websocket's own answer to a GET without the upgrade headers.
          404: NoBody('Not a WebSocket upgrade request (no `Upgrade: websocket`): an empty 404.'),
        },
      },
      // @fastify/websocket marks its routes hidden; this one is documented like any other.
      config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, hide: false }, url }) },
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
