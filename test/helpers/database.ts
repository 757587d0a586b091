import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../server/db/database';

/** Which database the suite runs on: real Postgres when DATABASE_URL is set, PGlite otherwise. */
export const TEST_DB_KIND: 'postgres' | 'pglite' = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/** Postgres URL of a database named `name` on the server DATABASE_URL points at. */
export function urlFor(name: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One statement on the server's `postgres` database (creating and dropping databases). */
export async function adminQuery(text: string): Promise<void> {
  await admin((c) => c.query(text));
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  database: Database;
  /** Connection string for a second server process (Postgres only). */
  url: string | null;
  drop(): Promise<void>;
}

/** A new, empty database for one test file, so files can run in parallel. */
export async function freshDatabase(): Promise<TestDatabase> {
  return newDatabase(null);
}

/**
 * A new database with every migration run, copied from the one the global
 * setup migrated (test/global-setup.ts): what an app under test starts on.
 */
export async function migratedDatabase(): Promise<TestDatabase> {
  return newDatabase(inject('migratedTemplate'));
}

async function newDatabase(template: string | null): Promise<TestDatabase> {
  if (TEST_DB_KIND === 'pglite') {
    const database = await openDatabase({
      kind: 'pglite',
      dataDir: null,
      loadDataDir: template ? new Blob([readFileSync(template)]) : undefined,
    });
    return { database, url: null, drop: () => database.close() };
  }
  const name = `plenary_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}${template ? ` template ${template}` : ''}`));
  const url = urlFor(name);
  const database = await openDatabase({ kind: 'postgres', connectionString: url });
  return {
    database,
    url,
    drop: async () => {
      await database.close();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
