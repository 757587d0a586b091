import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { type ServerProcess, spawnServer } from '../helpers/server-process';

// Issue #2: with no database installed, the data is still there after a restart.
const dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-persist-'));
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// A new embedded database opens slowly on a busy two-core machine: allow it time rather than fail.
const start = () => spawnServer({ DATA_DIR: dataDir, DATABASE_URL: '' }, { startTimeoutMs: 90_000 });

test('the embedded database keeps accounts, sessions and groups across a restart', async () => {
  server = await start();
  const registered = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada', email: 'ada@example.org', password: 'correct horse battery' }),
  });
  expect(registered.status).toBe(201);
  const cookie = registered.headers.getSetCookie()[0]!.split(';')[0]!;
  const created = await fetch(`${server.url}/api/v1/groups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: server.url },
    body: JSON.stringify({ name: 'Still here' }),
  });
  expect(created.status).toBe(201);
  await server.stop();

  server = await start();
  const groups = await fetch(`${server.url}/api/v1/groups`, { headers: { cookie } });
  expect(groups.status).toBe(200);
  expect((await groups.json()).items.map((g: { name: string }) => g.name)).toEqual(['Still here']);
}, 240_000);
