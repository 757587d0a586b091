import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../server/config';
import { freshDatabase, TEST_DB_KIND, type TestDatabase } from '../helpers/database';
import { callServer, registerPerson } from '../helpers/remote';
import { type ServerProcess, spawnServer } from '../helpers/server-process';

const SECRET = { SESSION_SECRET: 'test-secret-test-secret-test-secret-42' };

test('DATABASE_POOL_SIZE is a whole number from 1 to 1000, 10 when unset', () => {
  expect(loadConfig(SECRET).databasePoolSize).toBe(10);
  expect(loadConfig({ ...SECRET, DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25);
  for (const bad of ['0', '-1', '2.5', 'ten', '1001']) {
    expect(() => loadConfig({ ...SECRET, DATABASE_POOL_SIZE: bad })).toThrow(/^DATABASE_POOL_SIZE must be/);
  }
});

// What a process holds in Postgres is the operator's connection budget (README, "Scale-out").
describe.runIf(TEST_DB_KIND === 'postgres')('the connections one process opens', () => {
  let db: TestDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.database.close();
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  async function backends(): Promise<number> {
    const client = new pg.Client({ connectionString: db.url! });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      return rows[0]!.n;
    } finally {
      await client.end();
    }
  }

  /** Many reads at once, so the pool opens every connection it may. */
  async function burst(person: { cookie: string }) {
    let most = 0;
    const reads = Array.from({ length: 40 }, () => callServer(server.url, 'GET', '/groups', { as: person }));
    const sampling = (async () => {
      for (let i = 0; i < 10; i++) {
        most = Math.max(most, await backends());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    for (const reply of await Promise.all(reads)) expect(reply.status).toBe(200);
    await sampling;
    return Math.max(most, await backends());
  }

  // Two server processes start one after the other: on a busy machine that alone can take 30 s.
  test('never more than the pool size, plus the LISTEN connection', { timeout: 120_000 }, async () => {
    server = await spawnServer({ DATABASE_URL: db.url!, DATABASE_POOL_SIZE: '2' });
    const ada = await registerPerson(server.url, 'Ada');
    for (let i = 0; i < 3; i++) expect(await burst(ada)).toBeLessThanOrEqual(3);
    await server.stop();

    // The same burst without the limit opens more: the check above can fail.
    server = await spawnServer({ DATABASE_URL: db.url! });
    expect(await burst(ada)).toBeGreaterThan(3);
  });
});
