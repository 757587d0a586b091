import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../../server/app';
import { main } from '../../server/cli/main';
import { loadConfig } from '../../server/config';
import { type Database, openDatabase } from '../../server/db/database';
import type { TestApp } from './app';
import { TEST_DB_KIND, urlFor } from './database';

/**
 * The operator's command line in tests: each environment is a server's
 * (a Postgres database of its own, or a data directory for the embedded
 * one), and commands run in this process through `main`, as the bin does.
 */
export const CLI_SECRET = 'test-secret-test-secret-test-secret-42';

/** Environments made by `cliEnv`, whose Postgres databases `dropCliDatabases` removes. */
export class CliEnvironments {
  private readonly databases: string[] = [];

  /** A new server environment with an empty database; `extra` adds variables (PUBLIC_URL, say). */
  async create(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-cli-'));
    let url: string | undefined;
    if (TEST_DB_KIND === 'postgres') {
      const name = `plenary_cli_${Math.random().toString(16).slice(2, 10)}`;
      const admin = new pg.Client({ connectionString: urlFor('postgres') });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      this.databases.push(name);
      url = urlFor(name);
    }
    return {
      SESSION_SECRET: CLI_SECRET,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...extra,
      ...(url ? { DATABASE_URL: url } : {}),
    };
  }

  async drop(): Promise<void> {
    if (TEST_DB_KIND !== 'postgres' || this.databases.length === 0) return;
    const admin = new pg.Client({ connectionString: urlFor('postgres') });
    await admin.connect();
    for (const name of this.databases) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** Runs `plenary <args>` against `on`; its exit code and what it wrote. */
export async function runPlenary(args: string[], on: NodeJS.ProcessEnv) {
  let out = '';
  let err = '';
  const code = await main(args, on, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}

/** The database an environment's server would use. */
export function openCliDatabase(on: NodeJS.ProcessEnv): Promise<Database> {
  return openDatabase(
    on.DATABASE_URL
      ? { kind: 'postgres', connectionString: on.DATABASE_URL }
      : { kind: 'pglite', dataDir: `${on.DATA_DIR}/pglite` },
  );
}

/**
 * The server on an environment's database while `fn` runs (the embedded
 * database is one process's at a time). Without PUBLIC_URL it takes requests
 * from the test's origin (its CSRF check names the public origin).
 */
export async function withServerOn<T>(on: NodeJS.ProcessEnv, fn: (app: TestApp) => Promise<T>): Promise<T> {
  const database = await openCliDatabase(on);
  const app = await buildApp({
    config: loadConfig({ ...on, PUBLIC_URL: undefined }),
    database,
    serveClient: false,
    logger: false,
  });
  await app.ready();
  try {
    return await fn(app);
  } finally {
    await app.close();
    await database.close();
  }
}
