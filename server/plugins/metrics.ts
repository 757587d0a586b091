import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import Type from 'typebox';
import { ErrorBody } from '../../shared/schemas/common';
import { latestEventId } from '../db/events';
import type { DB } from '../db/schema';
import type { VoteBatchObserver } from '../services/vote-batcher';
import { onRequestDone } from './request-done';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's metrics, as `/metrics` answers them. */
    metrics: AppMetrics;
  }
}

/** The registry of one app (tests build many in one process) and the instruments others report to. */
export interface AppMetrics {
  registry: Registry;
  voteBatchSizes: VoteBatchObserver;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Request durations, seconds: from a cached read to a slow export. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Votes per committed batch, up to the batcher's MAX_BATCH (256). */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

let processRegistry: Registry | null = null;

/**
 * Node's process metrics (CPU, memory, event loop lag, GC), one set per
 * process, since that is what they describe: each `collectDefaultMetrics`
 * starts an event-loop histogram and a GC observer that are never stopped,
 * and tests build hundreds of apps in one process. Not prom-client's global
 * registry: nothing else can register into this one.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * `/metrics` is for the operator's scraper: a connection from this host's
 * loopback that no proxy relayed (a reverse proxy on the same host connects
 * from loopback too, and adds X-Forwarded-For; `request.ip` is no help, as
 * TRUST_PROXY makes it whatever the header says), or anyone with the
 * METRICS_TOKEN. The token is compared through its hash, in constant time.
 */
function mayScrape(request: FastifyRequest, token: string | null): boolean {
  const { headers } = request;
  const relayed = headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined;
  if (LOOPBACK.has(request.socket.remoteAddress ?? '') && !relayed) return true;
  const presented = headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return token !== null && presented !== undefined && timingSafeEqual(sha256(presented), sha256(token));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Unsent mail (due now or backing off) and mail the SMTP server refused for good, by one scan. */
async function outboxDepth(db: Kysely<DB>): Promise<{ queued: number; failed: number }> {
  const row = await db
    .selectFrom('email_outbox')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('failed_at', 'is', null).as('queued'),
      eb.fn.countAll<string>().filterWhere('failed_at', 'is not', null).as('failed'),
    ])
    .where('sent_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { queued: Number(row.queued), failed: Number(row.failed) };
}

/** A value read from the database at scrape time; null (and a warning) when the database cannot say. */
async function readOrNull<T>(
  log: FastifyBaseLogger,
  what: string,
  read: () => Promise<T>,
): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    log.warn({ err }, `reading ${what} for /metrics failed`);
    return null;
  }
}

/**
 * `GET /metrics` in Prometheus text, and the instruments behind it. Counted
 * per request by route pattern (never the URL: ids would make a series each),
 * read at scrape time from the hub, the bus, the database and the email
 * worker. On PGlite the pool gauge is the queue for its one connection.
 */
export default fp(
  async (app) => {
    const registry = new Registry();
    const registers = [registry];
    const { ctx, hub, database, log } = app;

    const labelNames = ['method', 'route', 'status'] as const;
    const requests = new Counter({
      name: 'plenary_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status (101: a websocket opened).',
      labelNames,
      registers,
    });
    const durations = new Histogram({
      name: 'plenary_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (to the 101 for a websocket), by method, route pattern and status.',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    });
    onRequestDone(app, (request, reply, status) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status };
      requests.inc(labels);
      durations.observe(labels, reply.elapsedTime / 1000);
    });

    // Read before the gauges below start their own queries, which would queue behind the same pool.
    new Gauge({
      name: 'plenary_db_pool_waiting',
      help: 'Queries waiting for a database connection (Postgres: the pg pool; PGlite: its one connection).',
      registers,
      collect() {
        this.set(database.waitingForConnection());
      },
    });

    new Gauge({
      name: 'plenary_websockets_open',
      help: 'Websockets open on this process.',
      registers,
      collect() {
        this.set(hub.connectionCount);
      },
    });
    new Gauge({
      name: 'plenary_stream_subscriptions',
      help: 'Topics followed on this process, summed over its websockets.',
      registers,
      collect() {
        this.set(hub.subscriptionCount);
      },
    });
    new Gauge({
      name: 'plenary_event_bus_lag_events',
      help: 'Events in the log this process has not delivered yet (newest event id less the last delivered).',
      registers,
      async collect() {
        const newest = await readOrNull(log, 'the newest event id', () => latestEventId(ctx.db));
        // NaN, not 0, when the database cannot say: "no lag" would be a lie.
        this.set(newest === null ? Number.NaN : Math.max(0, newest - ctx.bus.lastEventId));
      },
    });
    new Gauge({
      name: 'plenary_event_bus_connected',
      help: 'Whether this process hears its peers (1) or not (0), by what carries the signals: postgres (LISTEN/NOTIFY) or nats.',
      labelNames: ['bus'],
      registers,
      collect() {
        this.set({ bus: ctx.bus.signals.kind }, ctx.bus.listening ? 1 : 0);
      },
    });
    new Gauge({
      name: 'plenary_email_outbox_messages',
      help: 'Emails in the outbox: queued (not sent yet, retries included) or failed (refused for good).',
      labelNames: ['state'],
      registers,
      async collect() {
        const depth = await readOrNull(log, 'the outbox depth', () => outboxDepth(ctx.db));
        this.set({ state: 'queued' }, depth?.queued ?? Number.NaN);
        this.set({ state: 'failed' }, depth?.failed ?? Number.NaN);
      },
    });
    let failuresCounted = 0;
    new Counter({
      name: 'plenary_email_send_failures_total',
      help: 'Email sends that failed on this process (each retry counts), since it started.',
      registers,
      collect() {
        const failures = app.emailWorker?.sendFailures ?? 0;
        this.inc(failures - failuresCounted);
        failuresCounted = failures;
      },
    });
    const voteBatchSizes = new Histogram({
      name: 'plenary_vote_batch_size',
      help: 'Votes written per committed transaction of the vote batcher.',
      buckets: BATCH_BUCKETS,
      registers,
    });
    const voteBatchPaths = new Counter({
      name: 'plenary_vote_batches_total',
      help: "Vote batches written from this process's copy of their proposal (one statement), or the locked way; locked batches on a busy proposal mean another process writes it too.",
      labelNames: ['path'],
      registers,
    });
    for (const path of ['copy', 'locked']) voteBatchPaths.inc({ path }, 0);
    // The batcher reaches them through the services' context (ctx is shared by reference).
    ctx.voteBatchSizes = voteBatchSizes;
    ctx.voteBatchPaths = voteBatchPaths;
    const exposed = Registry.merge([registry, processMetrics()]);
    app.decorate('metrics', { registry, voteBatchSizes });

    app.get(
      '/metrics',
      {
        schema: {
          summary: "This process's metrics in Prometheus text format",
          description:
            'Answered on loopback (not through a proxy), or with `Authorization: Bearer $METRICS_TOKEN`; ' +
            'to anyone else it does not exist (404).',
          tags: ['operations'],
          produces: ['text/plain'],
          security: [{ bearer: [] }],
          response: {
            200: {
              description: 'Prometheus text exposition format 0.0.4',
              content: { 'text/plain': { schema: Type.String() } },
            },
            404: {
              description: '`not_found`: the caller is neither on loopback nor holding the token.',
              content: { 'application/json': { schema: ErrorBody } },
            },
          },
        },
      },
      async (request, reply) => {
        if (!mayScrape(request, ctx.config.metricsToken)) {
          // Exactly what a path with no route answers.
          return reply
            .status(404)
            .send({ error: { code: 'not_found', message: `no route ${request.method} /metrics` } });
        }
        const text = await exposed.metrics();
        return reply.type(exposed.contentType).send(text);
      },
    );
  },
  { name: 'plenary-metrics', dependencies: ['plenary-context', 'plenary-stream'] },
);
