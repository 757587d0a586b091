import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDatabase, TEST_DB_KIND, type TestDatabase } from '../helpers/database';
import { NATS_URL, natsForTests } from '../helpers/nats';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { eventsOn, openStream, type StreamClient } from '../helpers/stream';
import { type RoundRobinProxy, startRoundRobinProxy, UPSTREAM_HEADER } from './round-robin-proxy';

/**
 * docker-compose.yml's topology without Docker: two server processes on one
 * Postgres, a round-robin proxy in front (as ops/Caddyfile configures Caddy),
 * and a whole decision taken through the proxy alone.
 */

/**
 * Where the people in this test connect from: another loopback address than
 * the proxy's own (127.0.0.1), so the servers can only know it from the
 * proxy's X-Forwarded-For.
 */
const CLIENT_ADDRESS = '127.0.0.2';

interface Answer {
  status: number;
  /** The parsed body, typed as loosely as `Response.json()` types it. */
  json: ReturnType<typeof JSON.parse>;
  headers: Record<string, string | string[] | undefined>;
}

// Several processes can share only a real Postgres; PGlite lives inside one process.
describe.runIf(TEST_DB_KIND === 'postgres')(
  'two replicas behind a round-robin proxy, events over LISTEN/NOTIFY',
  () => decisionThroughTheProxy('postgres', {}),
);

// As docker-compose.yml runs them (EVENT_BUS=nats://nats:4222), when this machine has a NATS.
describe.runIf(TEST_DB_KIND === 'postgres' && (await natsForTests()))(
  'two replicas behind a round-robin proxy, events over NATS',
  () => decisionThroughTheProxy('nats', { EVENT_BUS: NATS_URL }),
);

/** The tests of both describes: `busEnv` makes `bus` carry the replicas' events to each other. */
function decisionThroughTheProxy(bus: 'postgres' | 'nats', busEnv: Record<string, string>) {
  let db: TestDatabase;
  let proxy: RoundRobinProxy;
  let servers: ServerProcess[] = [];
  const streams: StreamClient[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    await db.database.close();
    proxy = await startRoundRobinProxy(() => servers.map((s) => s.url));
    const env = {
      DATABASE_URL: db.url!,
      PUBLIC_URL: proxy.url,
      TRUST_PROXY: '127.0.0.1',
      // On, as in production: the per-address limits are what TRUST_PROXY is for.
      RATE_LIMITS: 'on',
      ...busEnv,
    };
    servers = [await spawnServer(env), await spawnServer(env)];
  }, 90_000);
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await proxy?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await db?.drop();
  });

  /** A request through the proxy from CLIENT_ADDRESS; writes by cookie carry the public origin. */
  function call(method: string, path: string, body?: unknown, cookie?: string): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${proxy.url}/api/v1${path}`,
        {
          method,
          localAddress: CLIENT_ADDRESS,
          headers: {
            ...(payload ? { 'content-type': 'application/json' } : {}),
            ...(cookie ? { cookie, origin: proxy.url } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : null, headers: res.headers }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async function register(name: string) {
    const answer = await call('POST', '/auth/register', {
      name,
      email: `${name.toLowerCase()}@example.org`,
      password: 'correct horse battery',
    });
    expect(answer.status).toBe(201);
    const cookie = (answer.headers['set-cookie'] as string[])[0]!.split(';')[0]!;
    return { id: answer.json.user.id as string, cookie };
  }

  /** One server's metrics, read directly (they answer on loopback only). */
  async function metricsOf(server: ServerProcess): Promise<string> {
    return (await fetch(`${server.url}/metrics`)).text();
  }
  async function openWebsockets(server: ServerProcess): Promise<number> {
    return Number(/^plenary_websockets_open (\d+)$/m.exec(await metricsOf(server))?.[1]);
  }

  test(`both replicas hear each other over ${bus}`, async () => {
    for (const server of servers) {
      expect(await metricsOf(server)).toMatch(
        new RegExp(`^plenary_event_bus_connected\\{bus="${bus}"\\} 1$`, 'm'),
      );
    }
  });

  test('a whole decision through the proxy: both replicas serve it, both streams see it in order', async () => {
    const ada = await register('Ada');
    const bo = await register('Bo');
    const group = await call('POST', '/groups', { name: 'Garden committee' }, ada.cookie);
    expect(group.status).toBe(201);
    const groupId = group.json.group.id;
    const invitation = await call('POST', `/groups/${groupId}/invitations`, {}, ada.cookie);
    expect(invitation.status).toBe(201);
    const accepted = await call(
      'POST',
      `/invitations/${invitation.json.invitation.token}/accept`,
      {},
      bo.cookie,
    );
    expect(accepted.status).toBe(200);
    const thread = await call('POST', `/groups/${groupId}/threads`, { title: 'New beehives?' }, ada.cookie);
    expect(thread.status).toBe(201);
    const threadId = thread.json.thread.id;
    const topic = `thread:${threadId}`;

    // Each person's stream opens through the proxy, and each lands on a different replica.
    for (const person of [ada, bo]) {
      const stream = await openStream(proxy.url, { cookie: person.cookie });
      streams.push(stream);
      stream.send({ type: 'subscribe', topic });
      await stream.waitFor((m) => m.type === 'subscribed');
    }
    expect(new Set(proxy.websockets).size).toBe(2);
    expect(await Promise.all(servers.map(openWebsockets))).toEqual([1, 1]);

    const comment = await call(
      'POST',
      `/threads/${threadId}/comments`,
      { body: 'Two hives by the wall.' },
      bo.cookie,
    );
    expect(comment.status).toBe(201);
    const created = await call(
      'POST',
      `/threads/${threadId}/proposals`,
      { kind: 'proposal', title: 'Buy two hives', closesAt: new Date(Date.now() + 86_400_000).toISOString() },
      ada.cookie,
    );
    expect(created.status).toBe(201);
    const proposal = created.json.proposal;
    for (const [person, choice] of [
      [ada, 'agree'],
      [bo, 'abstain'],
    ] as const) {
      const vote = await call(
        'PUT',
        `/proposals/${proposal.id}/vote`,
        { choices: [{ optionId: choice }] },
        person.cookie,
      );
      expect(vote.status).toBe(200);
    }
    const outcome = { statement: 'We buy two hives in April.' };
    const closed = await call('POST', `/proposals/${proposal.id}/close`, { outcome }, ada.cookie);
    expect(closed.status).toBe(200);

    const expected = [
      'comment.created',
      'proposal.created',
      'vote.cast',
      'vote.cast',
      'proposal.closed',
      'outcome.created',
    ];
    const seen = await Promise.all(
      streams.map(async (stream) => {
        await stream.waitFor((m) => m.type === 'event' && m.event.kind === 'outcome.created');
        return eventsOn(stream, topic).filter((e) => expected.includes(e.kind));
      }),
    );
    for (const events of seen) {
      expect(events.map((e) => e.kind)).toEqual(expected);
      expect(events.every((e, i) => i === 0 || e.id > events[i - 1]!.id)).toBe(true);
    }
    // The same events, by id, whichever replica a stream is on.
    expect(seen[0]!.map((e) => e.id)).toEqual(seen[1]!.map((e) => e.id));

    // Two reads in a row go to the two replicas; both tell the same decision.
    const reads = [
      await call('GET', `/proposals/${proposal.id}`, undefined, bo.cookie),
      await call('GET', `/proposals/${proposal.id}`, undefined, bo.cookie),
    ];
    expect(new Set(reads.map((r) => r.headers[UPSTREAM_HEADER]))).toEqual(new Set(servers.map((s) => s.url)));
    for (const read of reads) {
      expect(read.status).toBe(200);
      expect(read.json.proposal.outcome.statement).toBe(outcome.statement);
      expect(read.json.proposal.closedAt).not.toBeNull();
    }
    const { myVote: _first, ...first } = reads[0]!.json.proposal;
    const { myVote: _second, ...second } = reads[1]!.json.proposal;
    expect(first).toEqual(second);

    // Every request went through the proxy, and the proxy spread them evenly over both replicas.
    const counts = servers.map((s) => proxy.requests.get(s.url) ?? 0);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.abs(counts[0]! - counts[1]!)).toBeLessThanOrEqual(1);
  });

  test('the replicas see the client address the proxy forwards, not the proxy’s', async () => {
    // A registration counts against its client's address in the rate limits the replicas share.
    await register('Cy');
    const client = new pg.Client({ connectionString: db.url! });
    await client.connect();
    try {
      const { rows } = await client.query<{ key: string }>(
        "select key from rate_limits where key like 'register:ip:%' order by key",
      );
      expect(rows.map((r) => r.key)).toEqual([`register:ip:${CLIENT_ADDRESS}`]);
    } finally {
      await client.end();
    }
  });

  test('metrics stay private behind the proxy', async () => {
    // A scraper reaches /metrics on a replica's own address; a client of the proxy does not.
    expect((await fetch(`${proxy.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${servers[0]!.url}/metrics`)).status).toBe(200);
  });
}
