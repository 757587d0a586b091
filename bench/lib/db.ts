import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Database, openDatabase } from '../../server/db/database';
import { migrateToLatest } from '../../server/db/migrate';
import { onCleanup } from './procs';
import { log } from './util';

/**
 * One database for one bench run: a fresh database on the Postgres server
 * DATABASE_URL points at (dropped at the end), or a fresh PGlite data
 * directory. The server process and the seeding code both reach it through
 * `serverEnv` / `open()`; with PGlite only one of them may have it open at a time.
 */
export interface BenchDatabase {
  kind: 'postgres' | 'pglite';
  /** What the server process needs in its environment. */
  serverEnv: Record<string, string>;
  /** Where this run keeps temporary files (logs, the PGlite data). */
  workDir: string;
  /** Postgres: the fresh database's URL. */
  url: string | null;
  /** Opens the database with the app's own code and migrations. */
  open(): Promise<Database>;
  label: string;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'plenary-bench-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const adminUrl = process.env.DATABASE_URL?.trim();
  if (adminUrl) {
    const name = `plenary_bench_${randomBytes(5).toString('hex')}`;
    await admin(adminUrl, `create database ${name}`);
    onCleanup(async () => {
      await admin(adminUrl, `drop database if exists ${name} with (force)`);
      log(`dropped database ${name}`);
    });
    const url = withDatabase(adminUrl, name);
    return {
      kind: 'postgres',
      serverEnv: { DATABASE_URL: url, DATA_DIR: workDir },
      workDir,
      url,
      label: `Postgres (${new URL(adminUrl).host}, database ${name})`,
      async open() {
        const database = await openDatabase({ kind: 'postgres', connectionString: url, poolSize: 4 });
        await migrateToLatest(database.db);
        return database;
      },
    };
  }
  return {
    kind: 'pglite',
    // An empty DATABASE_URL means "embedded" to the server's config.
    serverEnv: { DATABASE_URL: '', DATA_DIR: workDir },
    workDir,
    url: null,
    label: `PGlite (${workDir}/pglite)`,
    async open() {
      // The same place the server opens: `${DATA_DIR}/pglite`.
      const database = await openDatabase({ kind: 'pglite', dataDir: path.join(workDir, 'pglite') });
      await migrateToLatest(database.db);
      return database;
    },
  };
}
