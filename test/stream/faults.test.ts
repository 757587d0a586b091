import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Database, openDatabase } from '../../server/db/database';
import { freshDatabase, TEST_DB_KIND, type TestDatabase } from '../helpers/database';
import { Follower } from '../helpers/follower';
import { PG_BIN_DIR, PrivatePostgres } from '../helpers/private-postgres';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { openStream } from '../helpers/stream';
import {
  checkDatabase,
  checkTallies,
  createScenario,
  Ledger,
  must,
  readProposals,
  runMember,
  type Scenario,
  seedMembers,
  sleep,
} from '../helpers/traffic';

const MEMBERS = 12;
// A new embedded database, or any server on a machine busy with other tests, can take over a minute to start.
const SLOW_START = { startTimeoutMs: 110_000 };
// Short pauses: enough requests are in flight when the fault strikes for some to be caught by it.
const TRAFFIC = { mix: { comment: 5, react: 2, vote: 5 }, thinkMs: [10, 60] as [number, number] };

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/**
 * Runs the members against `scenario` while `fault` strikes, then waits
 * until every follower has every acknowledged comment (or 15 s) and checks
 * the database, the tallies and the followers.
 */
async function underLoad(
  scenario: Scenario,
  members: Awaited<ReturnType<typeof seedMembers>>['members'],
  followers: Follower[],
  fault: () => Promise<void>,
  check: { db: Database; url: string },
) {
  const ledger = new Ledger();
  let going = true;
  const load = Promise.all(members.map((m, i) => runMember(m, i, scenario, ledger, () => going, 5_000)));
  // Counted in acknowledged requests, not seconds: a busy machine serves fewer in the same time.
  const acknowledged = (n: number) =>
    waitUntil(async () => ledger.answers['2xx'] >= n, 20_000, `${n} requests are acknowledged`);
  await acknowledged(30);
  await fault();
  await acknowledged(ledger.answers['2xx'] + 30);
  going = false;
  await load;
  const topic = `thread:${scenario.threadIds[0]}`;
  const acked = [...ledger.comments.values()].flatMap((c) => (c.id ? [c.id] : []));
  await Promise.all(followers.map((f) => f.waitForComments(topic, acked, 15_000)));
  const figures = { requests: ledger.requests, ...ledger.answers, ...ledger.acknowledged };
  expect(await checkDatabase(check.db.db, ledger, scenario), JSON.stringify(figures)).toEqual([]);
  const shown = await readProposals(check.url, members[0]!.token, scenario);
  expect(await checkTallies(check.db.db, shown)).toEqual([]);
  for (const [i, f] of followers.entries()) {
    const seen = { follower: i, connections: f.connections, closes: f.closeCodes, errors: f.errors };
    expect(f.problems(topic, acked), JSON.stringify(seen)).toEqual([]);
  }
  expect(ledger.acknowledged.comments).toBeGreaterThan(10);
  expect(ledger.acknowledged.voters).toBeGreaterThan(3);
  return { ledger, figures };
}

describe.runIf(TEST_DB_KIND === 'postgres' && PG_BIN_DIR)('Postgres restarted under load', () => {
  const pg = new PrivatePostgres();
  let server: ServerProcess;
  let database: Database;

  beforeAll(async () => {
    await pg.init();
    server = await spawnServer({ DATABASE_URL: pg.url }, SLOW_START);
    database = await openDatabase({ kind: 'postgres', connectionString: pg.url, poolSize: 2 });
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    await database?.close();
    pg.destroy();
  });

  test('acknowledged comments and votes are stored once; subscribers that reconnect with since miss none', async () => {
    const { groupId, members } = await seedMembers(database.db, MEMBERS);
    const scenario = await createScenario(server.url, members[0]!, groupId, {
      threads: 1,
      proposals: 2,
      servers: [server.url],
      ...TRAFFIC,
    });
    const topic = `thread:${scenario.threadIds[0]}`;
    const followers = members.slice(0, 3).map((m) => new Follower([server.url], 0, m.token, [topic]));
    await Promise.all(followers.map((f) => f.start()));

    const { figures } = await underLoad(
      scenario,
      members,
      followers,
      async () => {
        // One subscriber drops just before the database goes and reconnects (with since) while it is down;
        // another drops while it is down and reconnects once it is back.
        followers[1]!.drop();
        const restarted = pg.restart(1_000);
        await sleep(500);
        followers[2]!.drop();
        await restarted;
        await waitUntil(
          async () => (await fetch(`${server.url}/readyz`)).status === 200,
          30_000,
          'the server is ready again',
        );
      },
      { db: database, url: server.url },
    );
    // The restart really cut requests off, or the test proved nothing.
    expect(figures['5xx'] + figures.none, JSON.stringify(figures)).toBeGreaterThan(0);
    console.info('Postgres restart under load:', JSON.stringify(figures));
    await Promise.all(followers.map((f) => f.stop()));
  }, 240_000);
});

describe.runIf(TEST_DB_KIND === 'postgres')('one of two server processes killed under load', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await freshDatabase();
    a = await spawnServer({ DATABASE_URL: db.url! }, SLOW_START);
    b = await spawnServer({ DATABASE_URL: db.url! }, SLOW_START);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  test('SIGKILL: nothing acknowledged is lost or counted twice; its subscribers resume on the other with since', async () => {
    const { groupId, members } = await seedMembers(db.database.db, MEMBERS);
    const scenario = await createScenario(a.url, members[0]!, groupId, {
      threads: 1,
      proposals: 2,
      servers: [a.url, b.url],
      ...TRAFFIC,
    });
    const topic = `thread:${scenario.threadIds[0]}`;
    // Two subscribers on A, two on B.
    const followers = members.slice(0, 4).map((m, i) => new Follower([a.url, b.url], i, m.token, [topic]));
    await Promise.all(followers.map((f) => f.start()));

    const { figures } = await underLoad(
      scenario,
      members,
      followers,
      async () => {
        a.process.kill('SIGKILL');
      },
      { db: db.database, url: b.url },
    );
    expect(a.process.signalCode).toBe('SIGKILL');
    // A's subscribers lost their socket without a close frame and came back through B.
    for (const f of followers.filter((_, i) => i % 2 === 0)) {
      expect(f.closeCodes).toContain(1006);
      expect(f.connections).toBeGreaterThan(1);
    }
    expect(figures.none, JSON.stringify(figures)).toBeGreaterThan(0);
    console.info('SIGKILL under load:', JSON.stringify(figures));
    await Promise.all(followers.map((f) => f.stop()));
  }, 240_000);
});

describe('SIGTERM', () => {
  let db: TestDatabase | null = null;
  let server: ServerProcess;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-sigterm-'));

  beforeAll(async () => {
    if (TEST_DB_KIND === 'postgres') {
      db = await freshDatabase();
      server = await spawnServer({ DATABASE_URL: db.url!, DATA_DIR: dataDir }, SLOW_START);
    } else {
      server = await spawnServer({ DATABASE_URL: '', DATA_DIR: dataDir }, SLOW_START);
    }
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('drains: a request begun before it is answered, new connections are refused, websockets get 1001, exit 0', async () => {
    const registered = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada', email: 'ada@example.org', password: 'correct horse battery' }),
    });
    const cookie = registered.headers.getSetCookie()[0]!.split(';')[0]!;
    const asAda = { cookie, origin: server.url };
    const token = (
      await (
        await fetch(`${server.url}/api/v1/tokens`, {
          method: 'POST',
          headers: { ...asAda, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'drain' }),
        })
      ).json()
    ).token.secret as string;
    const groupId = (await must(server.url, 'POST', '/groups', token, { name: 'Drain' })).group.id;
    const threadId = (
      await must(server.url, 'POST', `/groups/${groupId}/threads`, token, { title: 'Last words' })
    ).thread.id;

    const sockets = await Promise.all([0, 1].map(() => openStream(server.url, { token })));
    for (const ws of sockets) ws.send({ type: 'subscribe', topic: `thread:${threadId}` });
    await Promise.all(sockets.map((ws) => ws.waitFor((m) => m.type === 'subscribed')));
    const closed = sockets.map(
      (ws) =>
        new Promise<{ code: number; at: number }>((resolve) =>
          ws.socket.once('close', (code) => resolve({ code, at: Date.now() })),
        ),
    );
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      server.process.once('exit', (code) => resolve({ code, at: Date.now() })),
    );

    // A request whose headers and half its body are in before the signal, and the rest after.
    const payload = JSON.stringify({ body: 'Begun before the signal, finished after it.' });
    const request = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: `/api/v1/threads/${threadId}/comments`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      },
      // Kept alive, as browsers and proxies keep theirs: the drain must not wait for the connection to idle out.
      agent: new http.Agent({ keepAlive: true }),
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      request.on('error', reject);
    });
    request.write(payload.slice(0, 10));
    await sleep(300);

    server.process.kill('SIGTERM');
    // While that request is still open, the port stops taking connections.
    await waitUntil(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(server.port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(false);
          });
          socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
        }),
      5_000,
      'new connections are refused',
    );
    const codes = await Promise.all(closed);
    expect(codes.map((c) => c.code)).toEqual([1001, 1001]);

    request.end(payload.slice(10));
    const answer = await answered;
    expect(answer.status, answer.body).toBe(201);
    const commentId = JSON.parse(answer.body).comment.id as string;

    const exit = await exited;
    expect(exit.code, server.output()).toBe(0);
    for (const c of codes) expect(c.at).toBeLessThanOrEqual(exit.at);

    // The answered comment is in the database (the embedded one is ours to open once the server is gone).
    const check =
      db?.database ?? (await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') }));
    try {
      const row = await check.db
        .selectFrom('comments')
        .select('body')
        .where('id', '=', commentId)
        .executeTakeFirst();
      expect(row?.body).toBe('Begun before the signal, finished after it.');
    } finally {
      if (!db) await check.close();
    }
  }, 60_000);
});
