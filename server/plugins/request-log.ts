import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { onRequestDone, upgradeOf } from './request-done';

/** What an incoming `X-Request-Id` may be: short, and nothing that could break a log line or a header. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Fastify's `genReqId`: a fresh UUID, or, behind a trusted proxy (TRUST_PROXY
 * set), the proxy's `X-Request-Id` when it has the strict shape above, so one
 * id follows a request through the proxy's log and ours. Without a proxy the
 * header is the client's word and is ignored: anyone could make their request
 * look like another's in the log.
 */
export function requestIdGenerator(trustProxy: Config['trustProxy']): (raw: IncomingMessage) => string {
  if (trustProxy === false) return () => randomUUID();
  return (raw) => {
    const incoming = raw.headers['x-request-id'];
    return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  };
}

/**
 * One JSON line per request at `info`, once it is answered: the request id
 * (`reqId`, bound by Fastify's request logger), method, route pattern, status
 * and milliseconds. Never the URL itself (paths and query strings carry
 * invitation and API tokens), a header or a body: the route pattern says
 * `/api/v1/invitations/:token/accept`, not the token. Requests no route
 * matched (404s, the web client's pages) log `route: null`. A websocket is
 * logged when it opens, with status 101. Every answer carries its id in
 * `X-Request-Id`, so a user's report can be matched to this line.
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, next) => {
      reply.header('x-request-id', request.id);
      next();
    });
    onRequestDone(app, (request, reply, status) => {
      request.log.info(
        {
          method: request.method,
          route: request.routeOptions.url ?? null,
          status,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
    });
    // `ws` writes the 101 itself: the id goes in through its `headers` event.
    app.addHook('onReady', (next) => {
      if (app.hasDecorator('websocketServer')) {
        app.websocketServer.on('headers', (headers, raw) => {
          const upgrade = upgradeOf(raw);
          if (upgrade) headers.push(`X-Request-Id: ${upgrade.request.id}`);
        });
      }
      next();
    });
  },
  { name: 'plenary-request-log' },
);
