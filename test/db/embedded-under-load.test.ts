import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../server/db/database';
import { migrateToLatest } from '../../server/db/migrate';
import { TEST_DB_KIND } from '../helpers/database';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { createScenario, Ledger, runMember, seedMembers, sleep } from '../helpers/traffic';

/** Milliseconds until a new connection's `GET /healthz` is answered. */
function healthOnNewConnection(port: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Date.now() - started) : reject(res.statusCode)));
    });
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', reject);
  });
}

// The embedded database runs its statements on the server's own thread; Postgres does not.
describe.runIf(TEST_DB_KIND === 'pglite')('the embedded database under load', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-busy-'));
  let server: ServerProcess;
  let seeded: Awaited<ReturnType<typeof seedMembers>>;

  beforeAll(async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
    await migrateToLatest(database.db);
    seeded = await seedMembers(database.db, 80);
    await database.close();
    server = await spawnServer({ DATABASE_URL: '', DATA_DIR: dataDir }, { startTimeoutMs: 110_000 });
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
  });

  test('a server kept busy by writers still takes new connections: 50 newcomers are answered within seconds', async () => {
    const scenario = await createScenario(server.url, seeded.members[0]!, seeded.groupId, {
      threads: 4,
      proposals: 0,
      servers: [server.url],
      mix: { comment: 1, react: 0, vote: 0 },
      // No pause: 80 writers on kept-alive connections keep the database's queue full.
      thinkMs: [0, 0],
    });
    const ledger = new Ledger();
    let going = true;
    const load = Promise.all(
      seeded.members.map((m, i) => runMember(m, i, scenario, ledger, () => going, 10_000)),
    );
    try {
      await sleep(3_000);
      const times = await Promise.all(Array.from({ length: 50 }, () => healthOnNewConnection(server.port)));
      // Node.js accepts one connection a turn of its event loop. Before, statement after statement of
      // the writers' queue ran in promise callbacks without a turn: newcomers waited over a minute.
      console.info(`50 new connections answered within ${Math.max(...times)} ms`);
      expect(Math.max(...times), JSON.stringify(times)).toBeLessThan(20_000);
    } finally {
      going = false;
      await load;
    }
    expect(ledger.answers['5xx'] + ledger.answers.none).toBe(0);
    expect(ledger.answers['2xx']).toBeGreaterThan(100);
  }, 120_000);
});
