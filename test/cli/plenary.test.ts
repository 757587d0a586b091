import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DB } from '../../server/db/schema';
import { createGroup, join, ORIGIN, signUp, type TestApp } from '../helpers/app';
import { CliEnvironments, openCliDatabase, runPlenary, withServerOn } from '../helpers/cli';

// The operator's command line (#14), run against the database a server would use: on
// Postgres a database of its own; on the embedded database a data directory of its own.
// Commands run in this process through `main` (as the `plenary` bin does); one runs the bin.
const environments = new CliEnvironments();
let env: NodeJS.ProcessEnv;
const envFor = () => environments.create({ PUBLIC_URL: 'https://plenary.example' });

beforeAll(async () => {
  env = await envFor();
});
afterAll(() => environments.drop());

const plenary = (args: string[], on: NodeJS.ProcessEnv = env) => runPlenary(args, on);
const open = openCliDatabase;
const withServer = <T>(fn: (app: TestApp) => Promise<T>, on: NodeJS.ProcessEnv = env) => withServerOn(on, fn);

describe('plenary, the operator’s command line', () => {
  test('misuse answers with the usage and exit code 2; the bin itself runs', async () => {
    const unknown = await plenary(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
    expect(unknown.err).toContain('Usage: plenary');
    expect((await plenary(['create-user', '--name', 'No Email'])).err).toContain('missing --email');

    const bin = path.resolve(__dirname, '../../bin/plenary.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--help']);
    expect(stdout).toContain('make-facilitator <group id or name> <email>');
  });

  test('create-user without a password prints a link through which its owner chooses one', async () => {
    const made = await plenary([
      'create-user',
      '--email',
      'rosa@example.org',
      '--name',
      'Rosa Admin',
      '--json',
    ]);
    expect(made, made.err).toMatchObject({ code: 0, err: '' });
    const created = JSON.parse(made.out);
    expect(created).toMatchObject({ email: 'rosa@example.org', handle: 'rosa-admin' });
    expect(created.resetUrl).toMatch(/^https:\/\/plenary\.example\/reset-password\?token=/);
    const token = new URL(created.resetUrl).searchParams.get('token');

    // The same email again is refused, and changes nothing.
    const again = await plenary(['create-user', '--email', 'rosa@example.org', '--name', 'Rosa Two']);
    expect(again).toMatchObject({ code: 1, err: 'plenary: an account with that email already exists\n' });
    // A weak password is refused with the reason.
    const weak = await plenary([
      'create-user',
      '--email',
      'weak@example.org',
      '--name',
      'Weak',
      '--password',
      'password',
    ]);
    expect(weak.code).toBe(1);
    expect(weak.err).toContain('/password');

    await withServer(async (app) => {
      const chosen = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/confirm',
        headers: { origin: ORIGIN },
        payload: { token, password: 'a long and unusual passphrase 42' },
      });
      expect(chosen.statusCode, chosen.body).toBe(204);
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { origin: ORIGIN },
        payload: { email: 'rosa@example.org', password: 'a long and unusual passphrase 42' },
      });
      expect(login.statusCode).toBe(200);
      const weakUser = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { origin: ORIGIN },
        payload: { email: 'weak@example.org', password: 'password' },
      });
      expect(weakUser.statusCode).toBe(401);
    });

    const reset = await plenary(['reset-password', 'rosa@example.org']);
    expect(reset.code).toBe(0);
    expect(reset.out).toMatch(/https:\/\/plenary\.example\/reset-password\?token=\S+/);
    const nobody = await plenary(['reset-password', 'nobody@example.org']);
    expect(nobody).toMatchObject({ code: 1, err: 'plenary: user not found\n' });
  });

  test('make-facilitator rescues a group; the member is told, the event is logged, groups lists it', async () => {
    const { groupId, member, fran } = await withServer(async (app) => {
      const fran = await signUp(app, { name: 'Fran Facilitator' });
      const member = await signUp(app, { name: 'Mo Member' });
      const group = await createGroup(app, fran, 'Quiet Co-op');
      await join(app, fran, group.id, member);
      return { groupId: group.id, member, fran };
    });
    const promoted = await plenary(['make-facilitator', 'Quiet Co-op', member.email]);
    expect(promoted, promoted.err).toMatchObject({
      code: 0,
      out: `${member.email} is now a facilitator of the group.\n`,
    });
    expect((await plenary(['make-facilitator', groupId, member.email])).out).toContain(
      'already was a facilitator',
    );
    // Fran steps down through the command line; then Mo, the last facilitator, may not.
    const steppedDown = await plenary(['make-member', groupId, fran.email]);
    expect(steppedDown.code, steppedDown.err).toBe(0);
    const last = await plenary(['make-member', groupId, member.email]);
    expect(last).toMatchObject({
      code: 1,
      err: `plenary: ${member.email} is the last facilitator of Quiet Co-op: make someone else one first\n`,
    });
    const stranger = await plenary(['make-facilitator', 'Quiet Co-op', 'rosa@example.org']);
    expect(stranger).toMatchObject({
      code: 1,
      err: 'plenary: rosa@example.org is not a member of Quiet Co-op\n',
    });

    await withServer(async (app) => {
      const seen = await app.inject({ url: `/api/v1/groups/${groupId}`, headers: member.headers });
      expect(seen.json().group).toMatchObject({ myRole: 'facilitator', permissions: { changeRoles: true } });
      const notes = await app.inject({ url: '/api/v1/notifications', headers: member.headers });
      expect(notes.json().items[0]).toMatchObject({
        kind: 'role_changed',
        groupId,
        text: 'You are now a facilitator of Quiet Co-op',
      });
    });

    const listed = JSON.parse((await plenary(['groups', '--json'])).out);
    expect(listed).toContainEqual(
      expect.objectContaining({ id: groupId, name: 'Quiet Co-op', members: 2, facilitators: 1, threads: 0 }),
    );
  });

  test('resend-failed queues mail that failed for good again; outbox shows it', async () => {
    const database = await open(env);
    await database.db
      .insertInto('email_outbox')
      .values({
        kind: 'password_reset',
        recipient: 'rosa@example.org',
        subject: 'Choose a new password',
        text_body: 'x',
        html_body: '<p>x</p>',
        attempts: 8,
        failed_at: new Date(),
        last_error: '535 authentication failed',
      })
      .execute();
    await database.close();

    const before = await plenary(['outbox']);
    expect(before.out).toMatch(/failed 1\b/);
    expect(before.out).toContain('password_reset to rosa@example.org: 535 authentication failed');
    expect((await plenary(['resend-failed'])).out).toBe('Queued 1 failed email again.\n');
    const after = JSON.parse((await plenary(['outbox', '--json'])).out);
    expect(after).toMatchObject({ failed: 0, recentFailures: [] });
    expect(after.queued).toBeGreaterThanOrEqual(1);
  });

  test('backup and restore: every table comes back the same, and a used database is not overwritten by accident', async () => {
    const backup = path.join(mkdtempSync(path.join(tmpdir(), 'plenary-backup-')), 'plenary.backup');
    expect((await plenary(['backup', backup])).code).toBe(0);

    const target = await envFor();
    const restored = await plenary(['restore', backup], target);
    expect(restored, restored.err).toMatchObject({ code: 0 });
    const [a, b] = [await open(env), await open(target)];
    try {
      const original = await checksums(a.db);
      expect(Object.keys(original)).toContain('events');
      expect(original.users).toMatch(/^[1-9]/); // the earlier tests' accounts are in it
      expect(await checksums(b.db)).toEqual(original);
    } finally {
      await a.close();
      await b.close();
    }

    const refused = await plenary(['restore', backup], target);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/--replace/);
    expect((await plenary(['restore', backup, '--replace'], target)).code).toBe(0);
    expect((await plenary(['restore', path.join(tmpdir(), 'no-such.backup')], target)).err).toContain(
      'no backup at',
    );
  });
});

/** An md5 over every row of every table, by table. */
async function checksums(db: Kysely<DB>): Promise<Record<string, string>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const sums: Record<string, string> = {};
  for (const { table_name } of tables.rows) {
    const row = await sql<{ sum: string | null; n: string }>`
      select md5(string_agg(t::text, E'\n' order by t::text)) as sum, count(*) as n from ${sql.table(table_name)} t`.execute(
      db,
    );
    sums[table_name] = `${row.rows[0]?.n}:${row.rows[0]?.sum ?? ''}`;
  }
  return sums;
}
