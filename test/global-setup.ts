import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { adminQuery, TEST_DB_KIND, urlFor } from './helpers/database';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A database every migration has run on, for `migratedDatabase()` to copy: a PGlite dump file or a Postgres database name. */
    migratedTemplate: string;
  }
}

/**
 * Runs the migrations once per `vitest run` into a template that each test
 * file's database is copied from (`migratedDatabase()`), instead of every
 * file running them all again: on PGlite that also saves starting a new
 * cluster (initdb) per file. Tests of the migrations themselves still start
 * from an empty database (`freshDatabase()`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (TEST_DB_KIND === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    await migrateToLatest(database.db);
    const dump = await database.pglite!.dumpDataDir('none');
    await database.close();
    const dir = mkdtempSync(path.join(tmpdir(), 'plenary-template-'));
    const file = path.join(dir, 'migrated.tar');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    project.provide('migratedTemplate', file);
    return async () => rmSync(dir, { recursive: true, force: true });
  }
  const name = `plenary_template_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const database = await openDatabase({ kind: 'postgres', connectionString: urlFor(name) });
  await migrateToLatest(database.db);
  await database.close();
  // A template no one may connect to: `create database … template` needs it idle.
  await adminQuery(`alter database ${name} with allow_connections false`);
  project.provide('migratedTemplate', name);
  return async () => {
    await adminQuery(`drop database if exists ${name} with (force)`);
  };
}
