import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Loads `migrations/NNNN_name.ts` in name order. */
class MigrationFolder implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_.*\.ts$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.replace(/\.ts$/, '')] = await import(
        pathToFileURL(path.join(MIGRATIONS_DIR, file)).href
      );
    }
    return migrations;
  }
}

/** Kysely's Migrator over `migrations/` (tests use it to stop at, or step back to, a migration). */
export function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new MigrationFolder() });
}

/** Brings the schema up to date; Kysely's Migrator takes a lock, so concurrent starts are safe. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** What one migration does: the `description` each migration file exports. */
function describe(migration: Migration): string {
  const text = (migration as { description?: unknown }).description;
  return typeof text === 'string' ? text : '(no description)';
}

/** One migration of `migrations/` and whether this database has run it. */
export interface MigrationStatus {
  name: string;
  description: string;
  /** When it ran here; null: pending. */
  executedAt: Date | null;
}

/** Where a database stands: what it has run, what is left, and what it ran that this code lacks. */
export interface MigrationPlan {
  applied: MigrationStatus[];
  pending: MigrationStatus[];
  /** Recorded as run but not in `migrations/`: the database is newer than this code, which will not start on it. */
  unknown: string[];
}

/** Reads where the database stands without changing it (no migration table is created). */
export async function migrationPlan(db: Kysely<any>): Promise<MigrationPlan> {
  const known = await migrator(db).getMigrations();
  const statuses = known.map((m) => ({
    name: m.name,
    description: describe(m.migration),
    executedAt: m.executedAt ?? null,
  }));
  const names = new Set(known.map((m) => m.name));
  const recorded = await sql<{
    exists: boolean;
  }>`select to_regclass('kysely_migration') is not null as exists`.execute(db);
  const unknown = recorded.rows[0]?.exists
    ? (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows
        .map((r) => r.name)
        .filter((name) => !names.has(name))
    : [];
  return {
    applied: statuses.filter((s) => s.executedAt !== null),
    pending: statuses.filter((s) => s.executedAt === null),
    unknown,
  };
}

/** The outcome of one run: each migration that ran, with its time, or the one that failed. */
export type MigrationRun =
  | { ok: true; applied: { name: string; ms: number }[] }
  | {
      ok: false;
      /** The migration that threw; null when the run failed before any migration (a lock, a missing file). */
      failed: string | null;
      error: Error;
      /** Ran before the failure and rolled back with it: the run is one transaction. */
      rolledBack: string[];
    };

/**
 * `migrateToLatest` that times each migration and says which one failed, for
 * `npm run migrate`. Same all-or-nothing transaction and lock as the server's
 * start-up, so the command and the server can never leave different states.
 */
export async function migrateToLatestTimed(
  db: Kysely<any>,
  onApplied: (name: string, ms: number) => void = () => {},
): Promise<MigrationRun> {
  const times = new Map<string, number>();
  const folder = new MigrationFolder();
  const timed: MigrationProvider = {
    async getMigrations() {
      const migrations = await folder.getMigrations();
      return Object.fromEntries(
        Object.entries(migrations).map(([name, migration]) => [
          name,
          {
            ...migration,
            async up(trx: Kysely<any>) {
              const start = performance.now();
              await migration.up(trx);
              const ms = performance.now() - start;
              times.set(name, ms);
              onApplied(name, ms);
            },
          },
        ]),
      );
    },
  };
  const { error, results = [] } = await new Migrator({ db, provider: timed }).migrateToLatest();
  if (error) {
    return {
      ok: false,
      failed: results.find((r) => r.status === 'Error')?.migrationName ?? null,
      error: error instanceof Error ? error : new Error(String(error)),
      rolledBack: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
    };
  }
  return {
    ok: true,
    applied: results
      .filter((r) => r.status === 'Success')
      .map((r) => ({ name: r.migrationName, ms: times.get(r.migrationName) ?? 0 })),
  };
}
