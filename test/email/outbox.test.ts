import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { renderEmail, unsubscribeHeaders } from '../../server/email/layout';
import { enqueueEmails, type OutgoingEmail } from '../../server/email/outbox';
import { type Harness, signUp, startApp } from '../helpers/app';
import { freshDatabase, TEST_DB_KIND } from '../helpers/database';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';

const USER = '00000000-0000-4000-8000-000000000001';
const GROUP = '00000000-0000-4000-8000-000000000002';

/** Polls `check` until it returns something truthy. */
async function until<T>(check: () => Promise<T> | T, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function mail(n: string, extra: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: `member-${n}@example.org`,
    subject: `Message ${n}`,
    text: `text ${n}`,
    html: `<p>html ${n}</p>`,
    kind: 'test',
    ...extra,
  };
}

function bySubject(sink: SmtpSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sink.messages) counts.set(m.subject, (counts.get(m.subject) ?? 0) + 1);
  return counts;
}

describe('email outbox', () => {
  let sink: SmtpSink;
  let h: Harness;

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startApp({
      SMTP_URL: sink.url,
      EMAIL_POLL_MS: '100',
      EMAIL_FROM: 'Plenary <plenary@plenary.test>',
      PUBLIC_URL: 'https://plenary.test',
    });
  });
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
  });

  const db = () => h.db.database.db;
  const unsent = async () =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from email_outbox where sent_at is null`.execute(db()))
        .rows[0]!.n,
    );

  it('delivers a message queued in a transaction after it commits, with both parts, the link and one-click unsubscribe', async () => {
    sink.messages.length = 0;
    const config = h.app.ctx.config;
    const body = renderEmail({
      heading: 'Ann proposed "Buy a <bigger> van"',
      paragraphs: ['A new proposal in Commons Circle.'],
      quote: 'We need to carry 12 crates & more.',
      button: { label: 'Open the proposal', url: 'https://plenary.test/threads/t1#proposal-p1' },
      footer: 'You get this because you are a member of Commons Circle.',
      footerLink: { label: 'Email preferences', url: 'https://plenary.test/settings/email' },
    });
    await db()
      .transaction()
      .execute((trx) =>
        enqueueEmails(trx, [
          {
            to: 'bea@example.org',
            subject: '[Commons Circle] Buy a van',
            ...body,
            kind: 'notification',
            headers: unsubscribeHeaders(config, USER, GROUP),
          },
        ]),
      );
    h.app.ctx.email.wake();
    const [m] = await sink.waitFor(1);
    expect(m!.to).toEqual(['bea@example.org']);
    expect(m!.subject).toBe('[Commons Circle] Buy a van');
    expect(m!.parsed.from?.value[0]).toMatchObject({ name: 'Plenary', address: 'plenary@plenary.test' });
    expect(m!.text).toContain('Open the proposal: https://plenary.test/threads/t1#proposal-p1');
    expect(m!.text).toContain('Buy a <bigger> van');
    expect(m!.html).toContain('href="https://plenary.test/threads/t1#proposal-p1"');
    expect(m!.html).toContain('Buy a &lt;bigger&gt; van');
    expect(m!.html).toContain('12 crates &amp; more');
    expect(m!.headers['list-unsubscribe']).toMatch(
      /^<https:\/\/plenary\.test\/api\/v1\/unsubscribe\?token=[^>]+>$/,
    );
    expect(m!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(m!.messageId).toMatch(/^<outbox-[0-9a-f-]{36}@plenary\.test>$/);
    await until(async () => (await unsent()) === 0, 5_000, 'the message marked sent');
  });

  it('stores a body many emails share once, and gives each recipient their own unsubscribe link as it sends', async () => {
    sink.messages.length = 0;
    const shared = renderEmail({ heading: 'One body for the whole group', paragraphs: ['Same for all.'] });
    const bodiesBefore = (await db().selectFrom('email_bodies').select('id').execute()).length;
    const people = [await signUp(h.app), await signUp(h.app), await signUp(h.app)];
    const others = people.map((p) => p.email).sort();
    const byEmail = new Map(people.map((p) => [p.email, p.id]));
    await db()
      .transaction()
      .execute((trx) =>
        enqueueEmails(trx, [
          ...others.map((to) => ({
            to,
            subject: 'Shared',
            ...shared,
            kind: 'notification',
            userId: byEmail.get(to)!,
            unsubscribeGroupId: GROUP,
          })),
          mail('alone'),
        ]),
      );
    const rows = await db()
      .selectFrom('email_outbox')
      .select(['recipient', 'text_body', 'body_id'])
      .where('subject', 'in', ['Shared', 'Message alone'])
      .execute();
    expect((await db().selectFrom('email_bodies').select('id').execute()).length).toBe(bodiesBefore + 1);
    const sharedRows = rows.filter((r) => r.recipient !== 'member-alone@example.org');
    expect(sharedRows).toHaveLength(3);
    expect(new Set(sharedRows.map((r) => r.body_id)).size).toBe(1);
    expect(sharedRows.every((r) => r.body_id !== null && r.text_body === null)).toBe(true);
    // The body of one email stays in its row.
    expect(rows.filter((r) => r.text_body !== null).map((r) => r.recipient)).toEqual([
      'member-alone@example.org',
    ]);
    h.app.ctx.email.wake();
    // Signing up mailed each person a verification link too: those are not counted here.
    const ours = () => sink.messages.filter((m) => m.subject === 'Shared' || m.subject === 'Message alone');
    while (ours().length < 4) await sink.waitFor(sink.messages.length + 1);
    const sharedMails = ours().filter((m) => m.subject === 'Shared');
    expect(sharedMails.map((m) => m.to[0]).sort()).toEqual(others);
    for (const m of sharedMails) expect(m.text).toContain('Same for all.');
    const links = new Set(sharedMails.map((m) => m.headers['list-unsubscribe']));
    expect(links.size).toBe(3);
    for (const m of sharedMails) {
      const userId = byEmail.get(m.to[0]!)!;
      expect(m.headers['list-unsubscribe']).toBe(
        unsubscribeHeaders(h.app.ctx.config, userId, GROUP)['List-Unsubscribe'],
      );
    }
    await until(async () => (await unsent()) === 0, 5_000, 'the outbox drained');
  });

  it('sends nothing from a rolled-back transaction, and a dedupe key queues once', async () => {
    sink.messages.length = 0;
    await expect(
      db()
        .transaction()
        .execute(async (trx) => {
          await enqueueEmails(trx, [mail('rolled-back')]);
          throw new Error('the change failed');
        }),
    ).rejects.toThrow('the change failed');
    await enqueueEmails(db(), [mail('once', { dedupeKey: 'k1' }), mail('once', { dedupeKey: 'k1' })]);
    await enqueueEmails(db(), [mail('once', { dedupeKey: 'k1' })]);
    await enqueueEmails(db(), [mail('committed')]);
    h.app.ctx.email.wake();
    await sink.waitFor(2);
    await until(async () => (await unsent()) === 0, 5_000, 'the outbox drained');
    await h.app.emailWorker!.idle();
    expect([...bySubject(sink)].sort()).toEqual([
      ['Message committed', 1],
      ['Message once', 1],
    ]);
  });

  it('retries with backoff while the SMTP server is down, then delivers each message exactly once', async () => {
    sink.messages.length = 0;
    await sink.stop();
    await enqueueEmails(db(), [mail('a'), mail('b'), mail('c')]);
    h.app.ctx.email.wake();
    const rows = await until(
      async () => {
        const r = await db()
          .selectFrom('email_outbox')
          .selectAll()
          .where('subject', 'in', ['Message a', 'Message b', 'Message c'])
          .execute();
        return r.every((x) => x.attempts >= 2 && x.last_error) ? r : null;
      },
      15_000,
      'two failed attempts each',
    );
    for (const r of rows ?? []) expect(r.sent_at).toBeNull();
    await sink.restart();
    await sink.waitFor(3);
    await until(async () => (await unsent()) === 0, 15_000, 'the outbox drained');
    expect(bySubject(sink)).toEqual(
      new Map([
        ['Message a', 1],
        ['Message b', 1],
        ['Message c', 1],
      ]),
    );
  });

  it('retries while the SMTP server answers 421, then delivers each message exactly once', async () => {
    sink.messages.length = 0;
    sink.rejected = 0;
    sink.mode({ reject421: true });
    await enqueueEmails(db(), [mail('d'), mail('e')]);
    h.app.ctx.email.wake();
    await until(() => sink.rejected >= 4, 15_000, 'refused attempts');
    const waiting = await db()
      .selectFrom('email_outbox')
      .select(['next_attempt_at', 'last_error', 'attempts'])
      .where('sent_at', 'is', null)
      .execute();
    expect(waiting).toHaveLength(2);
    // Backed off: the next attempt is in the future, and the error is kept for whoever looks.
    for (const w of waiting) expect(w.last_error).toMatch(/421|try again/i);
    sink.mode({});
    await sink.waitFor(2);
    await until(async () => (await unsent()) === 0, 15_000, 'the outbox drained');
    await h.app.emailWorker!.idle();
    expect(bySubject(sink)).toEqual(
      new Map([
        ['Message d', 1],
        ['Message e', 1],
      ]),
    );
  });
});

describe('email outbox without SMTP_URL', () => {
  it('keeps each message and writes its subject, recipient and links to the log once', async () => {
    const db = await freshDatabase();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const config = loadConfig({
      SESSION_SECRET: 'test-secret-test-secret-test-secret-42',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'plenary-test-')),
      LOG_LEVEL: 'info',
      EMAIL_POLL_MS: '50',
    });
    const app = await buildApp({
      config,
      database: db.database,
      serveClient: false,
      logger: { level: 'info', stream },
    });
    await app.ready();
    try {
      await enqueueEmails(db.database.db, [
        mail('reset', { text: 'Set a new password: http://localhost:3000/reset-password?token=abc123\n' }),
      ]);
      app.ctx.email.wake();
      const line = await until(() => lines.find((l) => l.includes('Message reset')), 10_000, 'the log line');
      const entry = JSON.parse(line!);
      expect(entry.email).toMatchObject({
        to: 'member-reset@example.org',
        subject: 'Message reset',
        links: ['http://localhost:3000/reset-password?token=abc123'],
      });
      // Later rounds do not log it again, and it stays in the outbox, unsent.
      app.ctx.email.wake();
      await app.emailWorker!.idle();
      app.ctx.email.wake();
      await app.emailWorker!.idle();
      expect(lines.filter((l) => l.includes('Message reset'))).toHaveLength(1);
      const row = await db.database.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
      expect(row.sent_at).toBeNull();
      expect(row.logged_at).not.toBeNull();
    } finally {
      await app.close();
      await db.drop();
    }
  });
});

describe.runIf(TEST_DB_KIND === 'postgres')('email outbox across server processes (Postgres)', () => {
  it('two processes deliver 500 queued messages exactly once each', async () => {
    const sink = await startSmtpSink();
    const db = await freshDatabase();
    const servers: ServerProcess[] = [];
    try {
      const { migrateToLatest } = await import('../../server/db/migrate');
      await migrateToLatest(db.database.db);
      await enqueueEmails(
        db.database.db,
        Array.from({ length: 500 }, (_, i) => mail(String(i))),
      );
      const env = { DATABASE_URL: db.url!, SMTP_URL: sink.url, EMAIL_POLL_MS: '100' };
      servers.push(...(await Promise.all([spawnServer(env), spawnServer(env)])));
      await sink.waitFor(500, 60_000);
      await until(
        async () =>
          Number(
            (
              await sql<{ n: string }>`select count(*) as n from email_outbox where sent_at is null`.execute(
                db.database.db,
              )
            ).rows[0]!.n,
          ) === 0,
        20_000,
        'all marked sent',
      );
      const counts = bySubject(sink);
      expect(counts.size).toBe(500);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(sink.messages).toHaveLength(500);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.drop();
      await sink.stop();
    }
  }, 120_000);

  it('a process killed with SIGKILL mid-batch loses no message; a resend carries the same Message-ID', async () => {
    const sink = await startSmtpSink();
    const db = await freshDatabase();
    const servers: ServerProcess[] = [];
    try {
      const { migrateToLatest } = await import('../../server/db/migrate');
      await migrateToLatest(db.database.db);
      const total = 120;
      await enqueueEmails(
        db.database.db,
        Array.from({ length: total }, (_, i) => mail(String(i))),
      );
      // A slow server, so the kill lands while a batch is on the wire.
      sink.mode({ delayMs: 40 });
      const env = { DATABASE_URL: db.url!, SMTP_URL: sink.url, EMAIL_POLL_MS: '100', EMAIL_LEASE_MS: '2000' };
      const first = await spawnServer(env);
      servers.push(first);
      await until(() => sink.messages.length >= 10, 30_000, 'the first messages');
      first.process.kill('SIGKILL');
      await new Promise((r) => first.process.once('exit', r));
      const before = sink.messages.length;
      expect(before).toBeLessThan(total);
      sink.mode({});
      servers.push(await spawnServer(env));
      await until(() => bySubject(sink).size === total, 60_000, 'every message delivered');
      await until(
        async () =>
          Number(
            (
              await sql<{ n: string }>`select count(*) as n from email_outbox where sent_at is null`.execute(
                db.database.db,
              )
            ).rows[0]!.n,
          ) === 0,
        20_000,
        'all marked sent',
      );
      // Zero loss; any copy is of a message whose send finished but whose mark did not, under its one Message-ID.
      const ids = new Map<string, Set<string>>();
      for (const m of sink.messages) ids.set(m.subject, (ids.get(m.subject) ?? new Set()).add(m.messageId));
      expect([...ids.values()].every((s) => s.size === 1)).toBe(true);
      const duplicates = sink.messages.length - total;
      console.info(
        `SIGKILL test: ${before} delivered before the kill, ${duplicates} duplicate(s) after, none lost`,
      );
      expect(duplicates).toBeLessThanOrEqual(5 * 10);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.drop();
      await sink.stop();
    }
  }, 120_000);
});

describe('email configuration', () => {
  const base = { SESSION_SECRET: 'test-secret-test-secret-test-secret-42', DATA_DIR: tmpdir() };

  it('defaults to the worker on, a local From and no SMTP server', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      smtpUrl: null,
      emailFrom: 'Plenary <plenary@localhost>',
      emailWorker: true,
    });
  });

  it('refuses a bad SMTP_URL without echoing its password, and bad EMAIL_* values', () => {
    expect(() => loadConfig({ ...base, SMTP_URL: 'http://user:s3cret@mail.example' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ ...base, SMTP_URL: 'http://user:s3cret@mail.example' })).not.toThrow(/s3cret/);
    expect(() => loadConfig({ ...base, EMAIL_FROM: 'not an address' })).toThrow(/EMAIL_FROM/);
    expect(() => loadConfig({ ...base, EMAIL_WORKER: 'maybe' })).toThrow(/EMAIL_WORKER/);
    expect(() => loadConfig({ ...base, EMAIL_POLL_MS: 'soon' })).toThrow(/EMAIL_POLL_MS/);
    expect(
      loadConfig({ ...base, SMTP_URL: 'smtps://u:p@mail.example:465', EMAIL_WORKER: 'off' }),
    ).toMatchObject({
      smtpUrl: 'smtps://u:p@mail.example:465',
      emailWorker: false,
    });
  });
});
