import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_DB_KIND, freshDatabase, type TestDatabase } from '../helpers/database';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { eventsOn, openStream } from '../helpers/stream';

// Several processes can share only a real Postgres; PGlite lives inside one process.
describe.runIf(TEST_DB_KIND === 'postgres')('two server processes on one Postgres', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.database.close();
    a = await spawnServer({ DATABASE_URL: db.url! });
    b = await spawnServer({ DATABASE_URL: db.url! });
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  async function call(server: ServerProcess, method: string, path: string, body?: unknown, cookie?: string) {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(cookie ? { cookie, origin: server.url } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: res.status === 204 ? null : await res.json(), res };
  }

  test('a subscriber on B receives, in order and once each, the changes made through A', async () => {
    const reg = await call(a, 'POST', '/auth/register', {
      name: 'Ada',
      email: 'ada@example.org',
      password: 'correct horse battery',
    });
    const cookie = reg.res.headers.getSetCookie()[0]!.split(';')[0]!;
    const group = await call(a, 'POST', '/groups', { name: 'Shared' }, cookie);
    expect(group.status).toBe(201);
    const groupId = group.json.group.id;

    const ws = await openStream(b.url, { cookie });
    ws.send({ type: 'subscribe', topic: `group:${groupId}` });
    await ws.waitFor((m) => m.type === 'subscribed');

    const writes = 60;
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < writes / 6; i++) {
          const res = await call(a, 'PATCH', `/groups/${groupId}`, { name: `A-${w}-${i}` }, cookie);
          expect(res.status).toBe(200);
        }
      }),
    );
    await ws.waitForCount((m) => m.type === 'event', writes);
    const ids = eventsOn(ws, `group:${groupId}`).map((e) => e.id);
    expect(ids).toHaveLength(writes);
    expect(new Set(ids).size).toBe(writes);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    await ws.close();
  });
});
