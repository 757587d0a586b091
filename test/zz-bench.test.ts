import { sql } from 'kysely';
import { test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/database';
import { createGroup, signUp } from './helpers/app';
import { bulkMembers, createProposal, createThread } from './helpers/factories';
import { startSmtpSink } from './helpers/smtp-sink';

test('delivery timing', async () => {
  const sink = await startSmtpSink();
  const dir = mkdtempSync(path.join(tmpdir(), 'zz-'));
  const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
  const config = loadConfig({ SESSION_SECRET: 'test-secret-test-secret-test-secret-42', DATA_DIR: dir, LOG_LEVEL: 'silent', SMTP_URL: sink.url, EMAIL_POLL_MS: '60000' });
  const app = await buildApp({ config, database, serveClient: false, logger: false });
  await app.ready();
  const h = { app, db: { database, url: null, drop: () => database.close() }, close: async () => { await app.close(); await database.close(); } } as any;
  const ann = await signUp(h.app, { name: 'Ann' });
  const g = (await createGroup(h.app, ann, 'Big')).id;
  await bulkMembers(h, g, 1999);
  const t = (await createThread(h.app, ann, g)).id;
  await h.app.emailWorker!.idle();
  const db = h.db.database.db;
  // time every query
  const orig = (db as any).getExecutor().executeQuery;
  for (let round = 0; round < 3; round++) {
    const before = sink.messages.length;
    const t0 = performance.now();
    await createProposal(h.app, ann, t, { kind: 'proposal', title: `P${round}` });
    const t1 = performance.now();
    await sink.waitFor(before + 1999, 120_000);
    const t2 = performance.now();
    console.log(`round ${round}: create ${(t1 - t0).toFixed(0)} ms, deliver ${(t2 - t1).toFixed(0)} ms, ${(1999 / ((t2 - t0) / 1000)).toFixed(0)} msg/s`);
  }
  void orig; void sql;
  await h.close();
  await sink.stop();
}, 300_000);
