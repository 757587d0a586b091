import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as connectNats } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { freshDatabase, TEST_DB_KIND, type TestDatabase } from '../helpers/database';
import { NATS_URL, natsForTests, reachable } from '../helpers/nats';
import { callServer, type RemotePerson, registerPerson, waitUntil } from '../helpers/remote';
import { freePort, type ServerProcess, spawnServer } from '../helpers/server-process';
import { eventsOn, openStream, type StreamClient } from '../helpers/stream';

const NATS_SERVER_BIN = '/usr/sbin/nats-server';
// Several processes can share only a real Postgres.
const natsUp = TEST_DB_KIND === 'postgres' && (await natsForTests());

const ready = (server: ServerProcess) => async () => (await fetch(`${server.url}/readyz`)).status === 200;

/** A group whose every member follows its topic on one process each. */
async function groupFollowedOn(servers: ServerProcess[], owner: RemotePerson) {
  const groupId = (
    await callServer(servers[0]!.url, 'POST', '/groups', { body: { name: 'Everywhere' }, as: owner })
  ).json.group.id as string;
  const streams: StreamClient[] = [];
  for (const server of servers) {
    const ws = await openStream(server.url, { cookie: owner.cookie });
    ws.send({ type: 'subscribe', topic: `group:${groupId}` });
    await ws.waitFor((m) => m.type === 'subscribed');
    streams.push(ws);
  }
  return { groupId, streams };
}

describe.runIf(natsUp)('three processes on NATS and one on LISTEN/NOTIFY, one database', () => {
  let db: TestDatabase;
  let onNats: ServerProcess[] = [];
  let onPostgres: ServerProcess;
  let all: ServerProcess[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    await db.database.close();
    const nats = { DATABASE_URL: db.url!, EVENT_BUS: NATS_URL, CLOSE_CHECK_SECONDS: '1' };
    onNats = await Promise.all([spawnServer(nats), spawnServer(nats), spawnServer(nats)]);
    onPostgres = await spawnServer({ DATABASE_URL: db.url!, CLOSE_CHECK_SECONDS: '1' });
    all = [...onNats, onPostgres];
    for (const server of all) await waitUntil(ready(server), 15_000, `${server.url} is ready`);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(all.map((s) => s.stop()));
    await db?.drop();
  });

  test('the NATS processes hold no LISTEN connection and signal through NATS', async () => {
    const client = new pg.Client({ connectionString: db.url! });
    await client.connect();
    const { rows } = await client
      .query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and query ilike 'listen %'`,
      )
      .finally(() => client.end());
    // Only the LISTEN/NOTIFY process listens; its connection's last statement is a LISTEN.
    expect(rows[0]!.n).toBe(1);

    const watcher = await connectNats({ servers: NATS_URL });
    const wakeUps: string[] = [];
    watcher.subscribe('plenary.*.events', { callback: (_err, m) => void wakeUps.push(m.string()) });
    await watcher.flush();
    const ada = await registerPerson(onNats[0]!.url, 'Ada');
    const created = await callServer(onNats[1]!.url, 'POST', '/groups', {
      body: { name: 'Signalled' },
      as: ada,
    });
    expect(created.status).toBe(201);
    await waitUntil(async () => wakeUps.length > 0, 5_000, 'a wake-up crosses NATS');
    expect(wakeUps.every((id) => Number(id) > 0)).toBe(true);
    await watcher.close();
  });

  test('every process delivers every change once and in id order, whichever process wrote it', async () => {
    const ada = await registerPerson(onNats[0]!.url, 'Bea');
    const { groupId, streams } = await groupFollowedOn(all, ada);
    const writesPerServer = 12;
    await Promise.all(
      all.map(async (server, s) => {
        for (let i = 0; i < writesPerServer; i++) {
          const reply = await callServer(server.url, 'PATCH', `/groups/${groupId}`, {
            body: { name: `from ${s} #${i}` },
            as: ada,
          });
          expect(reply.status).toBe(200);
        }
      }),
    );
    const total = writesPerServer * all.length;
    const seen = [];
    for (const ws of streams) {
      await ws.waitForCount((m) => m.type === 'event', total, 15_000);
      seen.push(eventsOn(ws, `group:${groupId}`).map((e) => e.id));
    }
    for (const ids of seen) {
      expect(ids).toHaveLength(total);
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
      expect(ids).toEqual(seen[0]);
    }
    for (const ws of streams) await ws.close();
  });

  test('viewers of a thread on each NATS process see each other, and one leaving', async () => {
    const people = await Promise.all(onNats.map((s, i) => registerPerson(s.url, `Viewer${i}`)));
    const owner = people[0]!;
    const groupId = (
      await callServer(onNats[0]!.url, 'POST', '/groups', { body: { name: 'Here' }, as: owner })
    ).json.group.id;
    for (const person of people.slice(1)) {
      const token = (
        await callServer(onNats[0]!.url, 'POST', `/groups/${groupId}/invitations`, { body: {}, as: owner })
      ).json.invitation.token;
      expect(
        (await callServer(onNats[1]!.url, 'POST', `/invitations/${token}/accept`, { as: person })).status,
      ).toBe(200);
    }
    const threadId = (
      await callServer(onNats[2]!.url, 'POST', `/groups/${groupId}/threads`, {
        body: { title: 'Who?' },
        as: owner,
      })
    ).json.thread.id;
    const streams = await Promise.all(
      onNats.map(async (server, i) => {
        const ws = await openStream(server.url, { cookie: people[i]!.cookie });
        ws.send({ type: 'subscribe', topic: `thread:${threadId}` });
        return ws;
      }),
    );
    const everyone = people
      .map((p) => p.id)
      .sort()
      .join();
    const viewers = (m: { type: string; users?: { id: string }[] }) =>
      m.type === 'presence' &&
      (m.users ?? [])
        .map((u) => u.id)
        .sort()
        .join();
    for (const ws of streams) await ws.waitFor((m) => viewers(m as never) === everyone);
    await streams[2]!.close();
    const remaining = people
      .slice(0, 2)
      .map((p) => p.id)
      .sort()
      .join();
    for (const ws of streams.slice(0, 2)) {
      await ws.waitFor((m) => viewers(m as never) === remaining && ws.messages.indexOf(m) > 0);
    }
    for (const ws of streams.slice(0, 2)) await ws.close();
  });

  test('proposals past their closing time close once, with four schedulers racing', async () => {
    const ada = await registerPerson(onNats[0]!.url, 'Cleo');
    const { groupId, streams } = await groupFollowedOn(all, ada);
    const threadId = (
      await callServer(onPostgres.url, 'POST', `/groups/${groupId}/threads`, {
        body: { title: 'Soon' },
        as: ada,
      })
    ).json.thread.id;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await callServer(all[i]!.url, 'POST', `/threads/${threadId}/proposals`, {
        body: { kind: 'proposal', title: `Quick ${i}`, closesAt: new Date(Date.now() + 1500).toISOString() },
        as: ada,
      });
      expect(created.status).toBe(201);
      ids.push(created.json.proposal.id);
    }
    const closed = (m: { type: string; event?: { kind: string } }) =>
      m.type === 'event' && m.event?.kind === 'proposal.closed';
    for (const ws of streams) await ws.waitForCount(closed as never, ids.length, 15_000);
    // Give a second close, were there to be one, time to happen.
    await new Promise((r) => setTimeout(r, 2500));
    for (const ws of streams) {
      const closedIds = eventsOn(ws, `group:${groupId}`)
        .filter((e) => e.kind === 'proposal.closed')
        .map((e) => (e.data as { proposal: { id: string } }).proposal.id);
      expect(closedIds.sort()).toEqual([...ids].sort());
    }
    const closedAt = await Promise.all(
      all.map(
        async (s) =>
          (await callServer(s.url, 'GET', `/proposals/${ids[0]}`, { as: ada })).json.proposal.closedAt,
      ),
    );
    expect(new Set(closedAt).size).toBe(1);
    expect(closedAt[0]).not.toBeNull();
    for (const ws of streams) await ws.close();
  });
});

/** A NATS server of this test's own, to stop and start again. */
class PrivateNats {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}
  get url() {
    return `nats://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
    await waitUntil(() => reachable(this.url), 10_000, 'the private NATS listens');
  }
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }
}

describe.runIf(TEST_DB_KIND === 'postgres' && existsSync(NATS_SERVER_BIN))('when NATS goes away', () => {
  let db: TestDatabase;
  let nats: PrivateNats;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.database.close();
    nats = new PrivateNats(await freePort());
    await nats.start();
    a = await spawnServer({ DATABASE_URL: db.url!, EVENT_BUS: nats.url });
    b = await spawnServer({ DATABASE_URL: db.url!, EVENT_BUS: nats.url });
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await nats?.stop();
    await db?.drop();
  });

  test('the log still delivers everything, readiness says so, and both recover when NATS returns', async () => {
    const ada = await registerPerson(a.url, 'Ada');
    const { groupId, streams } = await groupFollowedOn([b], ada);
    const rename = async (name: string) =>
      expect(
        (await callServer(a.url, 'PATCH', `/groups/${groupId}`, { body: { name }, as: ada })).status,
      ).toBe(200);
    await rename('before');
    await streams[0]!.waitForCount((m) => m.type === 'event', 1);

    await nats.stop();
    await waitUntil(async () => !(await ready(a)()), 10_000, 'A reports the bus down');
    // Writes go on; B hears of them by reading the log, not from a signal.
    for (const name of ['during 1', 'during 2', 'during 3']) await rename(name);
    await streams[0]!.waitForCount((m) => m.type === 'event', 4, 10_000);

    await nats.start();
    await waitUntil(ready(a), 20_000, 'A is ready again');
    await waitUntil(ready(b), 20_000, 'B is ready again');
    await rename('after');
    await streams[0]!.waitForCount((m) => m.type === 'event', 5, 10_000);
    const ids = eventsOn(streams[0]!, `group:${groupId}`).map((e) => e.id);
    expect(ids).toHaveLength(5);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    const { json } = await callServer(b.url, 'GET', `/groups/${groupId}`, { as: ada });
    expect(json.group.name).toBe('after');
    await streams[0]!.close();
  });
});

describe('EVENT_BUS', () => {
  const base = { SESSION_SECRET: 'test-secret-test-secret-test-secret-42' };
  const postgresUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

  test('defaults to LISTEN/NOTIFY and takes one or more NATS servers', () => {
    expect(loadConfig(base).eventBus).toEqual({ kind: 'postgres' });
    expect(loadConfig({ ...base, EVENT_BUS: 'postgres' }).eventBus).toEqual({ kind: 'postgres' });
    expect(
      loadConfig({ ...base, DATABASE_URL: postgresUrl, EVENT_BUS: 'nats://a:4222, tls://b:4222' }).eventBus,
    ).toEqual({ kind: 'nats', servers: ['nats://a:4222', 'tls://b:4222'] });
  });

  test('refuses what it cannot use, naming the variable', () => {
    for (const bad of ['redis://127.0.0.1:6379', 'nats://', 'nats', 'nats://a:4222,']) {
      expect(() => loadConfig({ ...base, DATABASE_URL: postgresUrl, EVENT_BUS: bad })).toThrow(
        /^EVENT_BUS must/,
      );
    }
    // The embedded database serves one process: nobody to signal.
    expect(() => loadConfig({ ...base, EVENT_BUS: 'nats://127.0.0.1:4222' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, EVENT_BUS: 'nats://127.0.0.1:4222' })).toThrow(/needs DATABASE_URL/);
  });
});
