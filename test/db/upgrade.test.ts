import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { type Database, openDatabase } from '../../server/db/database';
import { migrateToLatestTimed, migrationPlan, migrator } from '../../server/db/migrate';
import type { DB } from '../../server/db/schema';
import { ORIGIN, sessionCookie, type TestApp } from '../helpers/app';
import { freshDatabase, TEST_DB_KIND, type TestDatabase } from '../helpers/database';
import { as } from '../helpers/requests';

// What an existing installation goes through when it takes a new release: a database a
// release's own code filled (test/data/release-<version>.sql, one per release point in
// migrations/releases.json) is migrated to this code's latest and must keep every row and work.

const root = fileURLToPath(new URL('../..', import.meta.url));
const releases = Object.entries(
  JSON.parse(readFileSync(path.join(root, 'migrations/releases.json'), 'utf8')) as Record<string, string>,
);
/** The fixtures' people (see test/data/make-release-fixture.ts). */
const FIXTURE_USER = { email: 'ann@example.org', password: 'release-fixture-password' };
/** The secret the fixtures were written under (test/helpers/app.ts's): reply addresses and anonymous ballots use it. */
const FIXTURE_SECRET = 'test-secret-test-secret-test-secret-42';
/** The migrator's own tables: not the app's data, and not in the fixtures. */
const NOT_DATA = new Set(['kysely_migration', 'kysely_migration_lock']);

/** Rows in every table the catalog lists, so a table a later migration adds is counted too. */
async function rowCounts<D>(db: Kysely<D>): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows.filter((t) => !NOT_DATA.has(t.name))) {
    const row = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(name)}`.execute(db);
    counts[name] = Number(row.rows[0]!.n);
  }
  return counts;
}

/** Runs a fixture's statements as one script: PGlite's `exec`, or one simple query on Postgres. */
async function load(database: Database, script: string): Promise<void> {
  if (database.pglite) await database.pglite.exec(script);
  else await sql.raw(script).execute(database.db);
}

/** Tables a later migration says it changes the number of rows of (its `rowsChangedIn` export). */
async function tablesChangedAfter<D>(db: Kysely<D>, last: string): Promise<Set<string>> {
  const later = (await migrator(db).getMigrations()).filter((m) => m.name > last);
  return new Set(later.flatMap((m) => (m.migration as { rowsChangedIn?: string[] }).rowsChangedIn ?? []));
}

describe.each(releases)('upgrading a database of release %s (migrated to %s)', (version, last) => {
  let t: TestDatabase;
  let before: Record<string, number>;
  let app: TestApp | undefined;

  beforeAll(async () => {
    t = await freshDatabase();
    const to = await migrator(t.database.db).migrateTo(last);
    expect(to.error).toBeUndefined();
    await load(t.database, readFileSync(path.join(root, `test/data/release-${version}.sql`), 'utf8'));
    before = await rowCounts(t.database.db);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  test('the fixture has rows in every table the release had', () => {
    expect(Object.entries(before).filter(([, n]) => n === 0)).toEqual([]);
    expect(Object.keys(before).length).toBeGreaterThan(20);
  });

  test('migrating to the latest keeps every row', async () => {
    const run = await migrateToLatestTimed(t.database.db);
    if (!run.ok) throw new Error(`migration ${run.failed} failed on ${version}'s data: ${run.error.message}`);
    const changed = await tablesChangedAfter(t.database.db, last);
    const after = await rowCounts(t.database.db);
    for (const [table, n] of Object.entries(before)) {
      if (!changed.has(table)) expect({ table, rows: after[table] }).toEqual({ table, rows: n });
    }
  });

  test('the app runs on the upgraded data: log in, read a timeline, see results, vote', async () => {
    const config = loadConfig({
      SESSION_SECRET: FIXTURE_SECRET,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'plenary-upgrade-')),
      LOG_LEVEL: 'silent',
    });
    app = await buildApp({ config, database: t.database, serveClient: false, logger: false });
    await app.ready();
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: FIXTURE_USER });
    expect(login.statusCode).toBe(200);
    const ann = as(app, { headers: { cookie: sessionCookie(login), origin: ORIGIN } });

    const groups = (await ann.get('/api/v1/groups')).json().items as {
      id: string;
      parentId: string | null;
    }[];
    const group = groups.find((g) => g.parentId === null)!;
    const threads = (await ann.get(`/api/v1/groups/${group.id}/threads`)).json().items as { id: string }[];
    expect(threads.length).toBeGreaterThan(0);
    const page = await ann.get(`/api/v1/threads/${threads[0]!.id}/timeline`);
    expect(page.statusCode).toBe(200);
    const kinds = (page.json().items as { kind: string }[]).map((i) => i.kind);
    expect(kinds).toEqual(expect.arrayContaining(['comment', 'proposal']));

    // A closed proposal keeps its results and outcome; an open one takes a new vote.
    const closed = (await ann.get(`/api/v1/groups/${group.id}/proposals?status=closed`)).json().items;
    expect(closed[0]).toMatchObject({
      results: { winnerIds: [expect.any(String)] },
      outcome: expect.any(Object),
    });
    const open = (await ann.get(`/api/v1/groups/${group.id}/proposals?status=open`)).json().items;
    const proposal = open.find((p: { myVote: unknown }) => p.myVote === null);
    expect(proposal).toBeDefined();
    const optionId = proposal.options[0].id;
    const countOf = (p: { results: { options: { optionId: string; count: number }[] } }) =>
      p.results.options.find((o) => o.optionId === optionId)!.count;
    const vote = await ann.put(`/api/v1/proposals/${proposal.id}/vote`, { choices: [{ optionId }] });
    expect(vote.statusCode).toBe(200);
    const after = (await ann.get(`/api/v1/proposals/${proposal.id}`)).json().proposal;
    expect({ voters: after.voterCount, count: countOf(after) }).toEqual({
      voters: proposal.voterCount + 1,
      count: countOf(proposal) + 1,
    });
  });
});

/** `npm run migrate` as a deploy script runs it, against a database stopped at `0013`. */
describe('npm run migrate', () => {
  const STOP_AT = '0013_reminders_digests';
  let t: TestDatabase | null = null;
  let dataDir: string | null = null;
  let applied: string[];
  let pending: string[];
  let descriptions: [string, string][];

  /** Runs the command; PGlite's files stay closed meanwhile, as one process at a time may open them. */
  function migrate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir ?? mkdtempSync(path.join(tmpdir(), 'pl-')),
    };
    if (t) env.DATABASE_URL = t.url!;
    else delete env.DATABASE_URL;
    return new Promise((resolve) => {
      execFile(
        path.join(root, 'node_modules/.bin/tsx'),
        ['server/db/migrate-cli.ts', ...args],
        { cwd: root, env },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }
  /** Runs `fn` on the database the command sees. */
  async function onDatabase<T>(fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    if (t) return fn(t.database.db);
    const database = await openDatabase({ kind: 'pglite', dataDir: `${dataDir}/pglite` });
    try {
      return await fn(database.db);
    } finally {
      await database.close();
    }
  }
  const ran = () =>
    onDatabase(
      async (db) =>
        (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows,
    ).then((rows) => rows.map((r) => r.name));

  beforeAll(async () => {
    if (TEST_DB_KIND === 'postgres') t = await freshDatabase();
    else dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-migrate-cli-'));
    const plan = await onDatabase(async (db) => {
      expect((await migrator(db).migrateTo(STOP_AT)).error).toBeUndefined();
      return migrationPlan(db);
    });
    descriptions = [...plan.applied, ...plan.pending].map((m) => [m.name, m.description]);
    applied = plan.applied.map((m) => m.name);
    pending = plan.pending.map((m) => m.name);
  });
  afterAll(async () => {
    await t?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('every migration says what it does', () => {
    expect(descriptions.filter(([, d]) => d === '(no description)')).toEqual([]);
  });

  test('--dry-run lists the applied and the pending migrations with what each does, and changes nothing', async () => {
    const { code, stdout } = await migrate('--dry-run');
    expect(code).toBe(0);
    const [appliedPart, pendingPart] = stdout.split(/^Pending/m) as [string, string];
    expect(appliedPart).toContain(`Applied (${applied.length}):`);
    expect(appliedPart).toMatch(/\n {2}0001_accounts_groups_events +Users, sessions/);
    expect(pendingPart).toMatch(new RegExp(`^ \\(${pending.length}\\):\\n`));
    expect(pendingPart).toMatch(/\n {2}0014_inbound_email +Reply by email/);
    for (const name of pending) expect(pendingPart).toMatch(new RegExp(`\\n {2}${name} +\\S`));
    expect(stdout).toContain('Dry run: nothing applied.');
    expect(await ran()).toEqual(applied);
  });

  test('--check exits 1 while a migration is pending', async () => {
    const { code, stdout } = await migrate('--check');
    expect({ code, said: stdout.includes(`${pending.length} pending`) }).toEqual({ code: 1, said: true });
  });

  test('a failing migration is named, exits 1, and rolls the whole run back', async () => {
    // A table made by hand where 0014 creates its own: the run fails in 0014, the first pending.
    await onDatabase((db) => sql`create table inbound_emails (x int)`.execute(db));
    const { code, stderr } = await migrate();
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Migration 0014_inbound_email failed: .*"inbound_emails" already exists/m);
    expect(stderr).toContain('Nothing was applied');
    expect(await ran()).toEqual(applied);
    await onDatabase((db) => sql`drop table inbound_emails`.execute(db));
  });

  test('applies the pending ones, timing each, and then --check exits 0', async () => {
    const { code, stdout } = await migrate();
    expect(code).toBe(0);
    for (const name of pending)
      expect(stdout).toMatch(new RegExp(`\\n {2}${name} +done in \\d+(\\.\\d)? m?s\\n`));
    expect(stdout).toContain(`Applied ${pending.length} in`);
    expect(await ran()).toEqual([...applied, ...pending]);
    const check = await migrate('--check');
    expect({ code: check.code, said: check.stdout.includes('Up to date.') }).toEqual({ code: 0, said: true });
  });
});
