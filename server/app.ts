import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { type Config, fastifyTrustProxy } from './config';
import type { Database } from './db/database';
import { installErrorHandler } from './errors';
import auth from './plugins/auth';
import context from './plugins/context';
import email from './plugins/email';
import inboundEmail from './plugins/inbound-email';
import metrics from './plugins/metrics';
import requestLog, { requestIdGenerator } from './plugins/request-log';
import scheduler from './plugins/scheduler';
import securityHeaders, { docsContentSecurityPolicy } from './plugins/security-headers';
import { installValidation } from './plugins/validation';
import attachmentRoutes from './routes/attachments';
import authRoutes from './routes/auth';
import commentRoutes from './routes/comments';
import delegationRoutes from './routes/delegations';
import groupRoutes from './routes/groups';
import health from './routes/health';
import homeRoutes from './routes/home';
import invitationRoutes from './routes/invitations';
import meRoutes from './routes/me';
import notificationRoutes from './routes/notifications';
import preferenceRoutes from './routes/preferences';
import proposalRoutes from './routes/proposals';
import pushRoutes from './routes/push';
import recordRoutes from './routes/records';
import searchRoutes from './routes/search';
import streamRoutes from './routes/stream';
import templateRoutes from './routes/templates';
import threadRoutes from './routes/threads';
import streamPlugin from './stream/plugin';

export const CLIENT_DIST = fileURLToPath(new URL('../dist/client', import.meta.url));
const BODY_LIMIT = 256 * 1024;
/**
 * The client files whose names stay the same from one release to the next: browsers ask again on
 * every use, so a new service worker (and with it the new app shell) reaches them on their next visit.
 */
const NO_CACHE_FILES = new Set(['sw.js', 'index.html', 'manifest.webmanifest']);

export interface AppOptions {
  config: Config;
  /** An open database to use instead of the configured one (tests). */
  database?: Database;
  /** Serve the built web client from dist/client (off in API tests). */
  serveClient?: boolean;
  logger?: FastifyServerOptions['logger'];
}

/** Builds the whole app: infrastructure, then services, then routes. It does not listen. */
export async function buildApp(options: AppOptions) {
  const { config } = options;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    // Fastify's two lines per request (with the URL, query string and all) stay off: the request-log
    // plugin writes one line per request, with the route pattern in place of the URL.
    logController: new LogController({ disableRequestLogging: true }),
    // A fresh UUID per request; a proxy's X-Request-Id of a strict shape, behind TRUST_PROXY only.
    genReqId: requestIdGenerator(config.trustProxy),
    bodyLimit: BODY_LIMIT,
    // Opening and migrating the embedded database can take a while on a busy machine.
    pluginTimeout: 60_000,
    // Behind a load balancer, request.ip (and so every per-address limit) is the client's, not the balancer's.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Clients send `?limit=` and ids; keep the defaults strict and predictable.
    routerOptions: { ignoreTrailingSlash: true },
    // Router-level failures (an over-long id, a broken URL escape) still answer in the contract's shape.
    // They run no hooks, so the request id is added here.
    frameworkErrors: (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      reply.header('x-request-id', request.id);
      return err.code === 'FST_ERR_MAX_PARAM_LENGTH' || err.code === 'FST_ERR_BAD_URL'
        ? reply.status(404).send({ error: { code: 'not_found', message: 'not found' } })
        : reply.status(400).send({ error: { code: 'validation_failed', message: err.message, details: [] } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const serveClient = options.serveClient !== false && existsSync(path.join(CLIENT_DIST, 'index.html'));
  if (options.serveClient !== false && !serveClient)
    app.log.warn(`no built client in ${CLIENT_DIST}; run "npm run build"`);
  installValidation(app);
  installErrorHandler(app, { spaIndex: serveClient });
  // A request still running when the server is told to stop is answered with `Connection: close`:
  // its kept-alive connection would otherwise hold the shutdown until it idled out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  await app.register(securityHeaders);
  await app.register(requestLog);

  // Before the plugins that add routes (context adds /readyz): swagger documents only routes registered after it.
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Plenary API',
        version: '1',
        description: 'Threads, proposals, votes and the live stream.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  await app.register(context, { config, database: options.database });
  await app.register(auth);
  await app.register(streamPlugin);
  await app.register(scheduler);
  await app.register(email);
  await app.register(inboundEmail);
  await app.register(swaggerUi, { routePrefix: '/api/docs', transformStaticCSP: docsContentSecurityPolicy });

  await app.register(health);
  await app.register(metrics);
  await app.register(
    async (api) => {
      await api.register(authRoutes);
      await api.register(meRoutes);
      await api.register(homeRoutes);
      await api.register(groupRoutes);
      await api.register(invitationRoutes);
      await api.register(streamRoutes);
      await api.register(proposalRoutes);
      await api.register(recordRoutes);
      await api.register(templateRoutes);
      await api.register(delegationRoutes);
      await api.register(threadRoutes);
      await api.register(commentRoutes);
      await api.register(attachmentRoutes);
      await api.register(notificationRoutes);
      await api.register(preferenceRoutes);
      await api.register(pushRoutes);
      await api.register(searchRoutes);
    },
    { prefix: '/api/v1' },
  );

  if (serveClient) {
    // `vite build` writes .br and .gz beside each asset (vite.config.ts): sent to browsers that take them.
    await app.register(fastifyStatic, {
      root: CLIENT_DIST,
      wildcard: false,
      index: ['index.html'],
      preCompressed: true,
      // The service worker and the page that lists the hashed assets are asked about on every load, so a
      // new release reaches browsers at once; the hashed assets themselves never change.
      setHeaders: (reply, filePath) => {
        // A precompressed file's path is the `.br` or `.gz` beside it.
        const name = path.basename(filePath).replace(/\.(br|gz)$/, '');
        if (NO_CACHE_FILES.has(name)) reply.header('cache-control', 'no-cache');
      },
    });
  }
  return app;
}
