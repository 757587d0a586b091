import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { DB } from './schema';

/** Where the data lives: a Postgres server, or embedded Postgres on disk or in memory. */
export type DatabaseTarget =
  | { kind: 'postgres'; connectionString: string; poolSize?: number }
  | { kind: 'pglite'; dataDir: string | null };

/** One open database: the Kysely handle plus what the event bus needs to listen. */
export interface Database {
  db: Kysely<DB>;
  target: DatabaseTarget;
  /** The embedded instance (PGlite only): LISTEN goes straight to it. */
  pglite: PGlite | null;
  close(): Promise<void>;
}

/** Opens Kysely on real Postgres (pooled `pg`) or on PGlite; both run the same SQL. */
export async function openDatabase(
  target: DatabaseTarget,
  onPoolError: (err: Error) => void = () => {},
): Promise<Database> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.connectionString, max: target.poolSize ?? 10 });
    // An idle client losing its server (a database restart) must not take the process down.
    pool.on('error', onPoolError);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, target, pglite: null, close: () => db.destroy() };
  }
  let dataDir: string | undefined;
  if (target.dataDir) {
    dataDir = path.resolve(target.dataDir);
    mkdirSync(path.dirname(dataDir), { recursive: true });
  }
  const pglite = await PGlite.create(dataDir);
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return { db, target, pglite, close: () => db.destroy() };
}

/** True when the database answers a trivial query. */
export async function isDatabaseReady(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
