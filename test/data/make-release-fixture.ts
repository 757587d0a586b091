import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import nodemailer from 'nodemailer';
import { replyAddress } from '../../server/email/reply-address';
import { apiToken, createGroup, join, logIn, type Person, signUp, startApp } from '../helpers/app';
import { as } from '../helpers/requests';
import { postComment, startThread } from '../helpers/threads';

// `npx tsx test/data/make-release-fixture.ts <version>`: writes test/data/release-<version>.sql,
// the data `test/db/upgrade.test.ts` upgrades. Run it once, when `migrations/releases.json`
// gains the release, from that release's code: it fills a database through the app's own API
// (so every row is one the release itself wrote) until every table has rows, then dumps them.

/** Every fixture person's password: the upgrade test logs in with it. */
export const FIXTURE_PASSWORD = 'release-fixture-password';
/** A proposal the upgrade test can still vote on years later. */
const FAR_FUTURE = '2099-01-01T00:00:00.000Z';
/** The migrator's own tables: the upgrade test runs the migrations itself. */
const NOT_DATA = new Set(['kysely_migration', 'kysely_migration_lock']);

const here = path.dirname(fileURLToPath(import.meta.url));
const migrationsDir = path.join(here, '../../migrations');

const version = process.argv[2];
const releases = JSON.parse(readFileSync(path.join(migrationsDir, 'releases.json'), 'utf8')) as Record<
  string,
  string
>;
if (!version || !releases[version]) {
  console.error(
    `Usage: npx tsx test/data/make-release-fixture.ts <version>, one of ${Object.keys(releases)}`,
  );
  process.exit(2);
}
// The data must be what that release wrote: code with later migrations is a later release.
const latest = readdirSync(migrationsDir)
  .filter((f) => /^\d{4}_.*\.ts$/.test(f))
  .sort()
  .at(-1)!
  .replace(/\.ts$/, '');
if (latest !== releases[version]) {
  console.error(
    `Release ${version} ends at ${releases[version]}, but this code's latest migration is ${latest}:`,
  );
  console.error(`generate the fixture from the ${version} code (git checkout v${version}).`);
  process.exit(1);
}

const h = await startApp({
  PUBLIC_URL: 'http://localhost',
  INBOUND_SMTP_PORT: '0',
  REPLY_DOMAIN: 'reply.localhost',
});
const app = h.app;
const person = (name: string, email: string) => signUp(app, { name, email, password: FIXTURE_PASSWORD });
const ok = async (what: string, res: Promise<{ statusCode: number; body: string }>) => {
  const r = await res;
  if (r.statusCode >= 300) throw new Error(`${what}: ${r.statusCode} ${r.body}`);
  return JSON.parse(r.body || 'null');
};

const ann = await person('Ann Facilitator', 'ann@example.org');
const bea = await person('Bea Member', 'bea@example.org');
const cy = await person('Cy Member', 'cy@example.org');
const group = await createGroup(app, ann, 'Commons Circle');
await join(app, ann, group.id, bea);
await join(app, ann, group.id, cy);
const garden = await ok(
  'subgroup',
  as(app, ann).post('/api/v1/groups', { name: 'Garden Working Group', parentId: group.id }),
);
await join(app, ann, garden.group.id, bea);
await ok(
  'email invitation',
  as(app, ann).post(`/api/v1/groups/${group.id}/invitations`, {
    emails: ['dee@example.org'],
    message: 'Come and help us decide.',
  }),
);
await apiToken(app, ann, 'minutes bot');
// A second device: one more session, and a login counted by the rate limiter.
await logIn(app, bea);

const thread = await startThread(app, ann, group.id, {
  title: 'Where should the spring assembly meet?',
  body: 'The hall is booked in April; the library is free.',
});
const mention = await postComment(
  app,
  bea,
  thread.id,
  `@${ann.handle} the library has a ramp, the hall has not.`,
);
const reply = await postComment(app, ann, thread.id, 'Good point: the library, then?', mention.id);
await ok(
  'edit',
  as(app, bea).patch(`/api/v1/comments/${mention.id}`, { body: `@${ann.handle} the library has a ramp.` }),
);
await ok('react', as(app, cy).put(`/api/v1/comments/${reply.id}/reactions/${encodeURIComponent('👍')}`));
const page = await ok('timeline', as(app, cy).get(`/api/v1/threads/${thread.id}/timeline?latest=true`));
await ok(
  'read',
  as(app, cy).post(`/api/v1/threads/${thread.id}/read`, { lastEventId: page.items.at(-1).eventId }),
);

const consent = await ok(
  'proposal',
  as(app, ann).post(`/api/v1/threads/${thread.id}/proposals`, {
    kind: 'proposal',
    title: 'Meet at the library',
    details: 'Consent to moving the spring assembly to the library.',
    closesAt: FAR_FUTURE,
  }),
);
const agree = consent.proposal.options.find((o: { id: string }) => o.id === 'agree').id;
const abstain = consent.proposal.options.find((o: { id: string }) => o.id === 'abstain').id;
await ok(
  'vote',
  as(app, bea).put(`/api/v1/proposals/${consent.proposal.id}/vote`, { choices: [{ optionId: agree }] }),
);
// Cy changes their mind: a second ballot, and a line of vote history.
await ok(
  'vote',
  as(app, cy).put(`/api/v1/proposals/${consent.proposal.id}/vote`, { choices: [{ optionId: abstain }] }),
);
await ok(
  'vote',
  as(app, cy).put(`/api/v1/proposals/${consent.proposal.id}/vote`, { choices: [{ optionId: agree }] }),
);

const poll = await ok(
  'poll',
  as(app, ann).post(`/api/v1/threads/${thread.id}/proposals`, {
    kind: 'poll',
    title: 'Which Saturday?',
    options: [{ label: '4 April' }, { label: '11 April' }],
    closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    anonymous: true,
  }),
);
const april11 = poll.proposal.options[1].id;
await ok(
  'anonymous vote',
  as(app, bea).put(`/api/v1/proposals/${poll.proposal.id}/vote`, { choices: [{ optionId: april11 }] }),
);
await ok(
  'anonymous vote',
  as(app, cy).put(`/api/v1/proposals/${poll.proposal.id}/vote`, { choices: [{ optionId: april11 }] }),
);
await ok(
  'close',
  as(app, ann).post(`/api/v1/proposals/${poll.proposal.id}/close`, {
    outcome: { statement: 'The assembly meets on 11 April.', reviewOn: '2027-04-12' },
  }),
);

await ok(
  'preferences',
  as(app, bea).patch('/api/v1/me/preferences', {
    digest: 'daily',
    digestHour: 8,
    timeZone: 'Europe/Lisbon',
    groups: { [garden.group.id]: 'important' },
  }),
);
await ok('password reset', as(app, null).post('/api/v1/auth/password-reset', { email: 'cy@example.org' }));

// A reply by email to the mention's notification: Ann answers from her mailbox.
const notification = await ok('notifications', as(app, ann).get('/api/v1/notifications'));
const mentioned = notification.items.find((n: { kind: string }) => n.kind === 'mentioned');
await nodemailer
  .createTransport({ host: '127.0.0.1', port: app.inboundSmtpPort!, secure: false, ignoreTLS: true })
  .sendMail({
    from: ann.email,
    to: replyAddress(app.ctx.config, mentioned.id)!,
    subject: `Re: ${thread.title}`,
    text: 'Replying by email: the library it is.',
    messageId: '<release-fixture@mail.example.org>',
  });
await ok('mark read', as(app, ann).post('/api/v1/notifications/read', { ids: [mentioned.id] }));

const file = path.join(here, `release-${version}.sql`);
writeFileSync(
  file,
  await dump(h.db.database.db as Kysely<unknown>, version, releases[version]!, [ann, bea, cy]),
);
await h.close();
console.log(`Wrote ${path.relative(process.cwd(), file)}`);

/**
 * Plain INSERTs of every row of every table, loadable by Postgres and PGlite alike (and psql).
 * Triggers stay off while loading (`session_replication_role = replica`, as pg_dump's
 * --disable-triggers does): the rows are a snapshot, so the counts triggers keep are already in
 * it, and adding them again would double them. Generated columns are left to the database.
 */
async function dump(
  db: Kysely<unknown>,
  version: string,
  lastMigration: string,
  people: Person[],
): Promise<string> {
  await sql`set time zone 'UTC'`.execute(db);
  const columns = await sql<{ table: string; column: string; identity: boolean; serial: boolean }>`
    select c.table_name as table, c.column_name as column,
           c.is_identity = 'YES' and c.identity_generation = 'ALWAYS' as identity,
           c.is_identity = 'YES' or coalesce(c.column_default, '') like 'nextval(%' as serial
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
     order by c.table_name, c.ordinal_position`.execute(db);
  const tables = new Map<string, typeof columns.rows>();
  for (const c of columns.rows) {
    if (NOT_DATA.has(c.table)) continue;
    tables.set(c.table, [...(tables.get(c.table) ?? []), c]);
  }
  const out = [
    `-- Plenary ${version}: a database migrated to ${lastMigration} and filled through that release's API.`,
    '-- Written by test/data/make-release-fixture.ts; loaded by test/db/upgrade.test.ts (see test/data/README.md).',
    `-- People: ${people.map((p) => p.email).join(', ')}; every password is "${FIXTURE_PASSWORD}".`,
    'begin;',
    'set local session_replication_role = replica;',
  ];
  const sequences: string[] = [];
  for (const [table, cols] of tables) {
    const rows = await sql<{ row: string }>`select concat_ws(', ', ${sql.join(
      cols.map((c) => sql`quote_nullable(${sql.ref(`t.${c.column}`)}::text)`),
    )}) as row from ${sql.table(table)} t order by 1`.execute(db);
    if (rows.rows.length === 0) throw new Error(`table ${table} is empty: make the generator write to it`);
    const overriding = cols.some((c) => c.identity) ? ' overriding system value' : '';
    out.push(
      `insert into ${table} (${cols.map((c) => c.column).join(', ')})${overriding} values\n  ${rows.rows
        .map((r) => `(${r.row})`)
        .join(',\n  ')};`,
    );
    for (const c of cols.filter((c) => c.serial)) {
      sequences.push(
        `select setval(pg_get_serial_sequence('${table}', '${c.column}'), (select max(${c.column}) from ${table}));`,
      );
    }
  }
  out.push(...sequences, 'commit;', '');
  return out.join('\n');
}
