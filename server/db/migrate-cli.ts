import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config';
import { openDatabase } from './database';
import { type MigrationStatus, migrateToLatestTimed, migrationPlan } from './migrate';

// `npm run migrate`: the same migrations the server runs at start-up, saying first what it will
// do. `-- --dry-run` only says it; `-- --check` says it and exits 1 when anything is pending, so a
// deploy script can tell whether this release changes the schema before it stops the old one.

const USAGE = `Usage: npm run migrate [-- --dry-run | --check]

  (no option)  list applied and pending migrations, then apply the pending ones
  --dry-run    list them and apply nothing (exit 0)
  --check      list them and apply nothing; exit 1 when any is pending

The database is DATABASE_URL, or the embedded one under DATA_DIR (default ./data).`;

let options: { 'dry-run'?: boolean; check?: boolean; help?: boolean };
try {
  options = parseArgs({
    options: { 'dry-run': { type: 'boolean' }, check: { type: 'boolean' }, help: { type: 'boolean' } },
  }).values;
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const readOnly = Boolean(options['dry-run'] || options.check);

// Migrating needs no session secret: do not create one in DATA_DIR as a side effect.
let config: Config;
try {
  config = loadConfig({ ...process.env, SESSION_SECRET: process.env.SESSION_SECRET || 'x'.repeat(32) });
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const pgliteDir = `${config.dataDir}/pglite`;
const where = config.databaseUrl
  ? `Postgres at ${redact(config.databaseUrl)}`
  : `embedded database in ${pgliteDir}`;

/** The URL without its password, for the log. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

const pad = (rows: MigrationStatus[]) => Math.max(0, ...rows.map((m) => m.name.length));
function list(title: string, rows: MigrationStatus[]) {
  console.log(`${title} (${rows.length})${rows.length ? ':' : ': none'}`);
  const width = pad(rows);
  for (const m of rows) console.log(`  ${m.name.padEnd(width)}  ${m.description}`);
}

// A dry run must not create the embedded database it was asked about.
if (readOnly && !config.databaseUrl && !existsSync(pgliteDir)) {
  console.log(`No database yet: ${where} does not exist; every migration is pending.`);
  process.exit(options.check ? 1 : 0);
}

const database = await openDatabase(
  config.databaseUrl
    ? {
        kind: 'postgres',
        connectionString: config.databaseUrl,
        preparedStatements: config.preparedStatements,
      }
    : { kind: 'pglite', dataDir: pgliteDir },
).catch((err: Error) => {
  console.error(`Could not open the ${where}: ${err.message}`);
  process.exit(1);
});
let exitCode = 0;
try {
  console.log(`Database: ${where}`);
  const plan = await migrationPlan(database.db);
  list('Applied', plan.applied);
  list('Pending', plan.pending);
  if (plan.unknown.length) {
    // Kysely refuses to migrate past these, and the server will not start: the code is older than the data.
    console.error(
      `The database has run migrations this code does not have: ${plan.unknown.join(', ')}.\n` +
        'It was migrated by a newer release; run that release (or restore a backup taken before it).',
    );
    exitCode = 1;
  } else if (options.check) {
    if (plan.pending.length) {
      console.log(
        `${plan.pending.length} pending: run \`npm run migrate\` (or start the server) to apply them.`,
      );
      exitCode = 1;
    } else console.log('Up to date.');
  } else if (options['dry-run']) {
    console.log('Dry run: nothing applied.');
  } else if (plan.pending.length === 0) {
    console.log('Already up to date.');
  } else {
    console.log(`Applying ${plan.pending.length} in one transaction:`);
    const width = pad(plan.pending);
    const started = performance.now();
    const run = await migrateToLatestTimed(database.db, (name, ms) =>
      console.log(`  ${name.padEnd(width)}  done in ${formatMs(ms)}`),
    );
    if (run.ok) {
      console.log(`Applied ${run.applied.length} in ${formatMs(performance.now() - started)}.`);
    } else {
      const what = run.failed ? `Migration ${run.failed} failed` : 'Migrating failed';
      console.error(`${what}: ${run.error.message}`);
      if (run.rolledBack.length) {
        console.error(`Rolled back with it, as the run is one transaction: ${run.rolledBack.join(', ')}.`);
      }
      console.error('Nothing was applied; the database is as it was before this run.');
      exitCode = 1;
    }
  }
} catch (err) {
  console.error(`Could not read the migrations of the ${where}: ${(err as Error).message}`);
  exitCode = 1;
} finally {
  await database.close();
}
process.exit(exitCode);

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
