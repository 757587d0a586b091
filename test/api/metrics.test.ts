import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp, CLIENT_DIST } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createGroup, expectError, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { freshDatabase } from '../helpers/database';
import { createProposal } from '../helpers/factories';
import { as } from '../helpers/requests';
import { listenOn, type StreamClient, subscribeAs } from '../helpers/stream';
import { startThread } from '../helpers/threads';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** Every series `/metrics` promises (API.md, "Operations"), Node's process metrics among them. */
const SERIES = [
  'plenary_http_requests_total',
  'plenary_http_request_duration_seconds_bucket',
  'plenary_websockets_open',
  'plenary_stream_subscriptions',
  'plenary_event_bus_lag_events',
  'plenary_event_bus_connected',
  'plenary_email_outbox_messages',
  'plenary_email_send_failures_total',
  'plenary_vote_batch_size_bucket',
  'plenary_db_pool_waiting',
  'process_cpu_user_seconds_total',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
];

let h: Harness;
let base: string;
let member: Person;
let threadId: string;
let stream: StreamClient;

beforeAll(async () => {
  h = await startApp({ METRICS_TOKEN });
  base = await listenOn(h.app);
  const facilitator = await signUp(h.app);
  member = await signUp(h.app);
  const groupId = (await createGroup(h.app, facilitator)).id;
  await join(h.app, facilitator, groupId, member);
  threadId = (await startThread(h.app, facilitator, groupId)).id;
  const proposal = await createProposal(h.app, facilitator, threadId, { kind: 'proposal' });
  const vote = await as(h.app, member).put(`/api/v1/proposals/${proposal.id}/vote`, {
    choices: [{ optionId: 'agree' }],
  });
  expect(vote.statusCode).toBe(200);
  expect((await as(h.app, member).get(`/api/v1/threads/${threadId}`)).statusCode).toBe(200);
  stream = await subscribeAs(base, member, `thread:${threadId}`, 'me');
});
afterAll(async () => {
  await stream?.close();
  await h?.close();
});

/** The samples of one series as `labels → value`, labels as Prometheus writes them. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = line.match(/^([a-z_]+)(\{[^}]*\})? (\S+)$/);
    if (match?.[1] === name) found.set(match[2] ?? '', Number(match[3]));
  }
  return found;
}

describe('GET /metrics on loopback', () => {
  let text: string;
  beforeAll(async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    text = await res.text();
  });

  test('answers every series, Prometheus text over a real socket', () => {
    for (const name of SERIES) expect(samples(text, name).size, name).toBeGreaterThan(0);
  });

  test('labels requests by route pattern, never by the id in the URL', () => {
    const threadReads = samples(text, 'plenary_http_requests_total').get(
      '{method="GET",route="/api/v1/threads/:id",status="200"}',
    );
    expect(threadReads).toBe(1);
    expect(text).not.toContain(threadId);
  });

  test('counts the websocket upgrade as a request, and the socket and its topics as open', () => {
    const upgrades = samples(text, 'plenary_http_requests_total').get(
      '{method="GET",route="/api/v1/stream",status="101"}',
    );
    expect(upgrades).toBe(1);
    expect(samples(text, 'plenary_websockets_open').get('')).toBe(1);
    expect(samples(text, 'plenary_stream_subscriptions').get('')).toBe(2);
  });

  test('observes the vote as a batch of one, and reads the outbox, the bus and the pool', () => {
    expect(samples(text, 'plenary_vote_batch_size_count').get('')).toBe(1);
    expect(samples(text, 'plenary_vote_batch_size_bucket').get('{le="1"}')).toBe(1);
    const outbox = samples(text, 'plenary_email_outbox_messages');
    expect([...outbox.keys()].sort()).toEqual(['{state="failed"}', '{state="queued"}']);
    expect(outbox.get('{state="failed"}')).toBe(0);
    expect(samples(text, 'plenary_event_bus_lag_events').get('')).toBeGreaterThanOrEqual(0);
    expect(samples(text, 'plenary_event_bus_connected').get('{bus="postgres"}')).toBe(1);
    expect(samples(text, 'plenary_db_pool_waiting').get('')).toBeGreaterThanOrEqual(0);
    expect(samples(text, 'plenary_email_send_failures_total').get('')).toBe(0);
  });
});

describe('GET /metrics off loopback', () => {
  const scrape = (headers: Record<string, string> = {}, remoteAddress = '10.0.0.5') =>
    h.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

  test('does not exist without the token, or with a wrong one', async () => {
    const missing = await scrape();
    expectError(missing, 404, 'not_found');
    expect(missing.json().error.message).toBe('no route GET /metrics');
    expectError(await scrape({ authorization: 'Bearer wrong-token-0123456789abcdef' }), 404, 'not_found');
    expectError(await scrape({ authorization: `Bearer ${METRICS_TOKEN}x` }), 404, 'not_found');
    expectError(await scrape({ authorization: METRICS_TOKEN }), 404, 'not_found');
  });

  test('answers with the token', async () => {
    const res = await scrape({ authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('plenary_http_requests_total');
  });

  test('trusts no forwarded header: a proxy on this host connects from loopback too', async () => {
    expectError(await scrape({ 'x-forwarded-for': '127.0.0.1' }, '127.0.0.1'), 404, 'not_found');
    expectError(await scrape({ forwarded: 'for=127.0.0.1' }, '::1'), 404, 'not_found');
    expect((await scrape({}, '::ffff:127.0.0.1')).statusCode).toBe(200);
  });

  test('is in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    const operation = doc.paths['/metrics']?.get;
    expect(operation?.tags).toEqual(['operations']);
    expect(Object.keys(operation?.responses?.['200']?.content ?? {})).toEqual(['text/plain']);
  });
});

test('the Grafana dashboard charts every plenary series', () => {
  const dashboard = readFileSync(new URL('../../ops/grafana/plenary.json', import.meta.url), 'utf8');
  const queries = (JSON.parse(dashboard).panels as { targets?: { expr: string }[] }[])
    .flatMap((panel) => panel.targets ?? [])
    .map((target) => target.expr)
    .join('\n');
  const ours = SERIES.filter((name) => name.startsWith('plenary_'));
  expect(ours.filter((name) => !queries.includes(name))).toEqual([]);
});

test.skipIf(!existsSync(path.join(CLIENT_DIST, 'index.html')))(
  'wins over the web client, which answers every other page path',
  async () => {
    const db = await freshDatabase();
    const config = loadConfig({
      SESSION_SECRET: 'test-secret-test-secret-test-secret-42',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'plenary-test-')),
      LOG_LEVEL: 'silent',
    });
    const app = await buildApp({ config, database: db.database, serveClient: true, logger: false });
    try {
      await app.ready();
      expect((await app.inject('/some/page')).headers['content-type']).toMatch(/^text\/html/);
      const scraped = await app.inject('/metrics');
      expect(scraped.headers['content-type']).toMatch(/^text\/plain/);
      expect(scraped.body).toContain('plenary_http_requests_total');
      expectError(await app.inject({ url: '/metrics', remoteAddress: '10.0.0.5' }), 404, 'not_found');
    } finally {
      await app.close();
      await db.drop();
    }
  },
);
