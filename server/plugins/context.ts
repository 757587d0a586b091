import fp from 'fastify-plugin';
import { sql } from 'kysely';
import Type from 'typebox';
import webpush from 'web-push';
import { errorResponses, Ok } from '../../shared/schemas/common';
import type { Config } from '../config';
import { type Database, databaseIdentity, isDatabaseReady, openDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { storedVapidKeys } from '../db/push';
import { AuthCache } from '../services/auth-cache';
import type { Ctx } from '../services/context';
import { PushSender } from '../services/push-sender';
import { RateLimiter } from '../services/rate-limiter';
import { TimelineCache } from '../services/timeline-cache';
import { EventBus } from '../stream/bus';
import { NatsSignals } from '../stream/nats-signals';
import { PostgresSignals } from '../stream/postgres-signals';

declare module 'fastify' {
  interface FastifyInstance {
    /** Database, event bus, configuration and limits, handed to every domain service. */
    ctx: Ctx;
    database: Database;
  }
}

export interface ContextOptions {
  config: Config;
  /** An already open database (tests); otherwise one is opened from the configuration. */
  database?: Database;
}

/** Infrastructure: opens the database, migrates it, starts the event bus. */
export default fp<ContextOptions>(
  async (app, { config, database: given }) => {
    const database =
      given ??
      (await openDatabase(
        config.databaseUrl
          ? {
              kind: 'postgres',
              connectionString: config.databaseUrl,
              preparedStatements: config.preparedStatements,
              poolSize: config.databasePoolSize,
            }
          : { kind: 'pglite', dataDir: `${config.dataDir}/pglite` },
        (err) => app.log.warn({ err }, 'idle database connection lost'),
      ));
    await migrateToLatest(database.db);
    // PGlite has no autovacuum daemon, so its planner would stay on default estimates for good.
    if (database.pglite) await sql`analyze`.execute(database.db);
    const signals =
      config.eventBus.kind === 'nats'
        ? new NatsSignals(config.eventBus.servers, await databaseIdentity(database.db), app.log)
        : new PostgresSignals(database, app.log);
    const bus = new EventBus(database, app.log, signals);
    await bus.start();
    app.decorate('database', database);
    const auth = new AuthCache();
    // The embedded database belongs to this process alone: every write passes through it.
    const timelines = new TimelineCache(database.pglite !== null);
    bus.on('authChanged', (userId) => {
      auth.evictUser(userId);
      timelines.evictUser(userId);
    });
    app.decorate('ctx', {
      db: database.db,
      inOrder: database.inOrder,
      bus,
      config,
      limiter: new RateLimiter(database.db, config.rateLimits),
      auth,
      timelines,
      // Replaced by the email plugin where this process sends mail.
      email: { wake() {} },
    });
    // Web Push: with the configured VAPID pair, else the one this database keeps for every process.
    const vapid = config.push.vapidKeys ?? (await storedVapidKeys(database.db, webpush.generateVAPIDKeys));
    const push = new PushSender(database.db, { subject: config.push.subject, ...vapid }, app.log);
    app.ctx.push = push;
    // Pushes already begun finish (or fail and are counted) before the database closes.
    app.addHook('preClose', () => push.idle());
    app.addHook('onClose', async () => {
      await bus.stop();
      if (!given) await database.close();
    });
    app.get(
      '/readyz',
      {
        schema: {
          tags: ['operations'],
          summary: 'Readiness',
          description:
            '`{"ok": true}` when the database answers and the event bus listens; else `503 {"ok": false}`, ' +
            'so that a load balancer sends this process no traffic until it can serve it.',
          response: {
            200: Ok,
            // The contract's `503` here is the same `{ok}` body, not the error shape: probes read one field.
            503: Type.Object(Ok.properties, { description: 'The database or the event bus is not ready.' }),
            ...errorResponses(400),
          },
        },
      },
      async (_req, reply) => {
        const ready = (await isDatabaseReady(database.db)) && bus.listening;
        return reply.status(ready ? 200 : 503).send({ ok: ready });
      },
    );
  },
  { name: 'plenary-context' },
);
