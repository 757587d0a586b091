import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_DB_KIND } from '../helpers/database';
import { PG_BIN_DIR, PrivatePostgres } from '../helpers/private-postgres';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { eventsOn, openStream } from '../helpers/stream';

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ready = (server: ServerProcess) => async () => (await fetch(`${server.url}/readyz`)).status === 200;

describe.runIf(TEST_DB_KIND === 'postgres' && PG_BIN_DIR)(
  'a database restart under two running processes',
  () => {
    const pg = new PrivatePostgres();
    let a: ServerProcess;
    let b: ServerProcess;

    beforeAll(async () => {
      await pg.init();
      a = await spawnServer({ DATABASE_URL: pg.url });
      b = await spawnServer({ DATABASE_URL: pg.url });
    }, 90_000);
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      pg.destroy();
    });

    test('readiness recovers without restarting the processes, and the stream loses nothing', async () => {
      const reg = await fetch(`${a.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Ada', email: 'ada@example.org', password: 'correct horse battery' }),
      });
      const cookie = reg.headers.getSetCookie()[0]!.split(';')[0]!;
      const write = (path: string, method: string, body: unknown) =>
        fetch(`${a.url}/api/v1${path}`, {
          method,
          headers: { 'content-type': 'application/json', cookie, origin: a.url },
          body: JSON.stringify(body),
        });
      const groupId = (await (await write('/groups', 'POST', { name: 'Before restart' })).json()).group.id;

      const ws = await openStream(b.url, { cookie });
      ws.send({ type: 'subscribe', topic: `group:${groupId}` });
      await ws.waitFor((m) => m.type === 'subscribed');
      expect((await write(`/groups/${groupId}`, 'PATCH', { name: 'one' })).status).toBe(200);
      await ws.waitForCount((m) => m.type === 'event', 1);

      pg.stop();
      await waitUntil(
        async () => (await fetch(`${b.url}/readyz`)).status === 503,
        15_000,
        'B reports not ready',
      );
      pg.start();
      await waitUntil(ready(a), 30_000, 'A is ready again');
      await waitUntil(ready(b), 30_000, 'B is ready again');

      // Written as soon as the database is back, possibly before B listens again: caught up all the same.
      for (const name of ['two', 'three', 'four']) {
        await waitUntil(
          async () => (await write(`/groups/${groupId}`, 'PATCH', { name })).status === 200,
          10_000,
          `write ${name}`,
        );
      }
      await ws.waitForCount((m) => m.type === 'event', 4, 15_000);
      const names = eventsOn(ws, `group:${groupId}`).map((e) => e.id);
      expect(new Set(names).size).toBe(names.length);
      expect(names.every((id, i) => i === 0 || id > names[i - 1]!)).toBe(true);
      await ws.close();
    });
  },
);
