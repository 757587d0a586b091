import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Called once a request has been answered, with the status it got (101 for an opened websocket). */
export type RequestDone = (request: FastifyRequest, reply: FastifyReply, status: number) => void;

interface Upgrade {
  request: FastifyRequest;
  reply: FastifyReply;
}

// Keyed by Node's request object, which belongs to one app: nothing here is shared between apps.
const upgrades = new WeakMap<IncomingMessage, Upgrade>();

/** Fastify's request and reply for a raw upgrade request, while `ws` is opening its socket. */
export function upgradeOf(raw: IncomingMessage): Upgrade | undefined {
  return upgrades.get(raw);
}

/**
 * Calls `done` once for every request the app answers: at `onResponse`, or,
 * for a websocket upgrade, when its socket opens. Fastify runs no `onResponse`
 * for an upgrade: @fastify/websocket hijacks the reply and `ws` writes the 101
 * itself. An upgrade refused before that (401, 403) is an ordinary response.
 */
export function onRequestDone(app: FastifyInstance, done: RequestDone): void {
  app.addHook('onRequest', (request, reply, next) => {
    if (request.raw.headers.upgrade) upgrades.set(request.raw, { request, reply });
    next();
  });
  app.addHook('onResponse', (request, reply, next) => {
    done(request, reply, reply.statusCode);
    next();
  });
  app.addHook('onReady', (next) => {
    if (app.hasDecorator('websocketServer')) {
      app.websocketServer.on('connection', (_socket, raw) => {
        const upgrade = upgrades.get(raw);
        if (upgrade) done(upgrade.request, upgrade.reply, 101);
      });
    }
    next();
  });
}
