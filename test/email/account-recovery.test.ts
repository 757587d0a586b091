import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import {
  apiToken,
  expectError,
  type Harness,
  logIn,
  ORIGIN,
  type Person,
  rowCounts,
  sessionCookie,
  signUp,
  startApp,
} from '../helpers/app';
import { freshDatabase } from '../helpers/database';
import { as } from '../helpers/requests';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { listenOn, openStream } from '../helpers/stream';

// The origin inject requests come from (test/helpers/app.ts ORIGIN), so cookie writes pass the CSRF check.
const PUBLIC = 'http://localhost';
const NEW_PASSWORD = 'plum orchard ladder 42';

describe('account recovery: password reset, email verification, email change', () => {
  let sink: SmtpSink;
  let h: Harness;
  let baseUrl: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startApp({ SMTP_URL: sink.url, EMAIL_POLL_MS: '100', PUBLIC_URL: PUBLIC });
    baseUrl = await listenOn(h.app);
  });
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
  });

  const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
    as(h.app, { headers }).post(`/api/v1${url}`, payload);
  const me = (headers: Record<string, string>) => as(h.app, { headers }).get('/api/v1/me');
  const login = (email: string, password: string) => post('/auth/login', { email, password });

  /** The first delivered message to `to` whose subject contains `subject`, after `since` messages. */
  async function delivered(to: string, subject: string, since = 0): Promise<SinkMessage> {
    h.app.ctx.email.wake();
    for (;;) {
      const found = sink.messages
        .slice(since)
        .find((m) => m.to.includes(to.toLowerCase()) && m.subject.includes(subject));
      if (found) return found;
      await sink.waitFor(sink.messages.length + 1);
    }
  }
  /** The `?token=` of the one link to `page` in both parts of a message. */
  function linkToken(m: SinkMessage, page: string): string {
    const pattern = new RegExp(`${PUBLIC}/${page}\\?token=([A-Za-z0-9_-]+)`);
    const fromText = m.text.match(pattern)?.[1];
    const fromHtml = m.html.match(new RegExp(`href="${pattern.source}"`))?.[1];
    expect(fromText, `a ${page} link in the text part`).toBeTruthy();
    expect(fromHtml, `the same link in the HTML part`).toBe(fromText);
    return fromText!;
  }
  const queued = async (recipient: string) =>
    h.db.database.db
      .selectFrom('email_outbox')
      .select(['subject', 'kind'])
      .where('recipient', '=', recipient)
      .execute();
  async function requestReset(email: string) {
    const since = sink.messages.length;
    const res = await post('/auth/password-reset', { email });
    expect(res.statusCode).toBe(204);
    return since;
  }

  it('registration sends a verification link; following it verifies the address, once', async () => {
    const ann = await signUp(h.app, { name: 'Ann Verify' });
    expect((await me(ann.headers)).json().user).toMatchObject({ email: ann.email, emailVerified: false });
    const m = await delivered(ann.email, 'Confirm your email address');
    expect(m.headers['list-unsubscribe']).toBeUndefined();
    const token = linkToken(m, 'verify-email');
    // Following the link needs no session: it may be opened in another browser.
    expect((await post('/auth/verify-email', { token })).statusCode).toBe(204);
    expect((await me(ann.headers)).json().user.emailVerified).toBe(true);
    expectError(await post('/auth/verify-email', { token }), 400, 'validation_failed');
    expectError(await post('/me/email/verification', undefined, ann.headers), 409, 'conflict');
  });

  it('a resent verification link replaces the first one', async () => {
    const bo = await signUp(h.app, { name: 'Bo Resend' });
    const first = linkToken(await delivered(bo.email, 'Confirm your email address'), 'verify-email');
    const since = sink.messages.length;
    expect((await post('/me/email/verification', undefined, bo.headers)).statusCode).toBe(202);
    const second = linkToken(await delivered(bo.email, 'Confirm your email address', since), 'verify-email');
    expect(second).not.toBe(first);
    expectError(await post('/auth/verify-email', { token: first }), 400, 'validation_failed');
    expect((await me(bo.headers)).json().user.emailVerified).toBe(false);
    expect((await post('/auth/verify-email', { token: second })).statusCode).toBe(204);
    expect((await me(bo.headers)).json().user.emailVerified).toBe(true);
  });

  it('a reset link by email sets a new password, signs everyone else out, and works once', async () => {
    const cy = await signUp(h.app, { name: 'Cy Reset' });
    const laptop = await logIn(h.app, cy);
    const bot = await apiToken(h.app, cy);
    const socket = await openStream(baseUrl, { cookie: laptop.cookie! });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );

    const since = await requestReset(cy.email.toUpperCase());
    const m = await delivered(cy.email, 'Reset your Plenary password', since);
    expect(m.text).toContain('one hour');
    expect(m.html).toContain('Choose a new password');
    expect(m.headers['list-unsubscribe']).toBeUndefined();
    const token = linkToken(m, 'reset-password');
    // Only a hash of the token is stored.
    const stored = await h.db.database.db.selectFrom('account_tokens').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash)).not.toContain(token);

    // A password the rules refuse: 400 on the field, nothing changed, the link still good.
    const before = await rowCounts(h);
    const weak = expectError(
      await post('/auth/password-reset/confirm', { token, password: 'password123' }),
      400,
      'validation_failed',
    );
    expect(weak.details?.[0]?.path).toBe('/password');
    expect(await rowCounts(h)).toEqual(before);
    expect((await me(laptop)).statusCode).toBe(200);

    const res = await post('/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
    expect(res.statusCode).toBe(204);
    // The one who chose the password is signed in; every earlier credential is revoked.
    const fresh = { cookie: sessionCookie(res), origin: ORIGIN };
    expect((await me(fresh)).json().user).toMatchObject({ id: cy.id, emailVerified: true });
    expect((await me(cy.headers)).statusCode).toBe(401);
    expect((await me(laptop)).statusCode).toBe(401);
    expect((await me(bot.headers)).statusCode).toBe(401);
    expect(await closed).toEqual({ code: 4001, reason: 'credential revoked' });

    expect((await login(cy.email, cy.password)).statusCode).toBe(401);
    expect((await login(cy.email, NEW_PASSWORD)).statusCode).toBe(200);
    expectError(
      await post('/auth/password-reset/confirm', { token, password: 'another fine passphrase 7' }),
      400,
      'validation_failed',
    );
    expect((await login(cy.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('an unknown address gets the same 204 and nothing is queued or stored', async () => {
    const tokensBefore = await h.db.database.db.selectFrom('account_tokens').select('id').execute();
    await requestReset('nobody-here@example.org');
    expect(await queued('nobody-here@example.org')).toEqual([]);
    const tokensAfter = await h.db.database.db.selectFrom('account_tokens').select('id').execute();
    expect(tokensAfter).toHaveLength(tokensBefore.length);
  });

  it('an expired link, an earlier link, and an unknown one are refused', async () => {
    const di = await signUp(h.app, { name: 'Di Expired' });
    const first = linkToken(
      await delivered(di.email, 'Reset your Plenary password', await requestReset(di.email)),
      'reset-password',
    );
    const second = linkToken(
      await delivered(di.email, 'Reset your Plenary password', await requestReset(di.email)),
      'reset-password',
    );
    // A new request replaces the earlier link.
    expectError(
      await post('/auth/password-reset/confirm', { token: first, password: NEW_PASSWORD }),
      400,
      'validation_failed',
    );
    await h.db.database.db
      .updateTable('account_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', di.id)
      .where('purpose', '=', 'password_reset')
      .execute();
    const expired = expectError(
      await post('/auth/password-reset/confirm', { token: second, password: NEW_PASSWORD }),
      400,
      'validation_failed',
    );
    expect(expired.details?.[0]?.path).toBe('/token');
    expectError(
      await post('/auth/password-reset/confirm', { token: 'x'.repeat(43), password: NEW_PASSWORD }),
      400,
      'validation_failed',
    );
    expect((await login(di.email, di.password)).statusCode).toBe(200);
  });

  it('an email change confirms the new address first; the old one works until then', async () => {
    const ed = await signUp(h.app, { name: 'Ed Moving' });
    const taken = await signUp(h.app, { name: 'Fay Taken' });
    const newEmail = `ed-new-${Date.now()}@example.org`;
    const change = (body: object) => post('/me/email', body, ed.headers);

    const before = await rowCounts(h);
    expectError(
      await change({ email: newEmail, currentPassword: 'not my password' }),
      400,
      'validation_failed',
    );
    expectError(await change({ email: taken.email, currentPassword: ed.password }), 409, 'conflict');
    expectError(await change({ email: ed.email, currentPassword: ed.password }), 400, 'validation_failed');
    expectError(
      await change({ email: 'not an address', currentPassword: ed.password }),
      400,
      'validation_failed',
    );
    expect((await post('/me/email', { email: newEmail, currentPassword: ed.password })).statusCode).toBe(401);
    expect(await rowCounts(h)).toEqual(before);

    const since = sink.messages.length;
    expect((await change({ email: newEmail, currentPassword: ed.password })).statusCode).toBe(202);
    const confirm = await delivered(newEmail, 'Confirm your new email address', since);
    const notice = await delivered(ed.email, 'about to change', since);
    expect(notice.text).toContain(newEmail);
    expect(notice.text).not.toMatch(/confirm-email\?token=/);
    const token = linkToken(confirm, 'confirm-email');

    // Nothing has changed yet.
    expect((await me(ed.headers)).json().user.email).toBe(ed.email);
    expect((await login(newEmail, ed.password)).statusCode).toBe(401);
    expect((await login(ed.email, ed.password)).statusCode).toBe(200);

    expect((await post('/auth/email-change/confirm', { token })).statusCode).toBe(204);
    expect((await me(ed.headers)).json().user).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await login(newEmail, ed.password)).statusCode).toBe(200);
    expect((await login(ed.email, ed.password)).statusCode).toBe(401);
    expectError(await post('/auth/email-change/confirm', { token }), 400, 'validation_failed');
    // Reset mail now goes to the new address.
    const resetSince = await requestReset(newEmail);
    await delivered(newEmail, 'Reset your Plenary password', resetSince);
  });

  it('an address taken while the change waits is a 409, and the account keeps its address', async () => {
    const gus = await signUp(h.app, { name: 'Gus Waiting' });
    const wanted = `wanted-${Date.now()}@example.org`;
    const since = sink.messages.length;
    expect(
      (await post('/me/email', { email: wanted, currentPassword: gus.password }, gus.headers)).statusCode,
    ).toBe(202);
    const token = linkToken(
      await delivered(wanted, 'Confirm your new email address', since),
      'confirm-email',
    );
    await signUp(h.app, { name: 'Hal Quicker', email: wanted.toUpperCase() });
    expectError(await post('/auth/email-change/confirm', { token }), 409, 'conflict');
    expect((await me(gus.headers)).json().user.email).toBe(gus.email);
  });

  it('a new password cancels a pending email change', async () => {
    const ida = await signUp(h.app, { name: 'Ida Cancel' });
    const elsewhere = `elsewhere-${Date.now()}@example.org`;
    const since = sink.messages.length;
    await post('/me/email', { email: elsewhere, currentPassword: ida.password }, ida.headers);
    const token = linkToken(
      await delivered(elsewhere, 'Confirm your new email address', since),
      'confirm-email',
    );
    const res = await as(h.app, ida).patch('/api/v1/me', {
      password: NEW_PASSWORD,
      currentPassword: ida.password,
    });
    expect(res.statusCode).toBe(200);
    expectError(await post('/auth/email-change/confirm', { token }), 400, 'validation_failed');
    expect((await me(ida.headers)).json().user.email).toBe(ida.email);
  });

  it('bad input is a 400 in the contract’s shape and changes nothing', async () => {
    const before = await rowCounts(h);
    for (const [url, body] of [
      ['/auth/password-reset', {}],
      ['/auth/password-reset', { email: 'not an address' }],
      ['/auth/password-reset', { email: 42 }],
      ['/auth/password-reset/confirm', { token: 'short', password: NEW_PASSWORD }],
      ['/auth/password-reset/confirm', { token: 'a'.repeat(43) }],
      ['/auth/password-reset/confirm', { token: 'a'.repeat(43), password: 'short' }],
      ['/auth/verify-email', { token: 'has spaces in it and more than twenty' }],
      ['/auth/verify-email', {}],
      ['/auth/email-change/confirm', { token: null }],
    ] as const) {
      const error = expectError(await post(url, body), 400, 'validation_failed');
      expect(error.details?.length, `${url} ${JSON.stringify(body)}`).toBeGreaterThan(0);
    }
    expect(await rowCounts(h)).toEqual(before);
  });

  it('resets are rate-limited per address, the same whether or not it has an account', async () => {
    const jo: Person = await signUp(h.app, { name: 'Jo Limited' });
    for (const email of [jo.email, `no-account-${Date.now()}@example.org`]) {
      for (let i = 0; i < 5; i++)
        expect((await post('/auth/password-reset', { email })).statusCode).toBe(204);
      const refused = await post('/auth/password-reset', { email });
      expectError(refused, 429, 'rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
  });
});

describe('without SMTP_URL', () => {
  it('a newcomer finishes a reset from the link in the log', { timeout: 90_000 }, async () => {
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
      PORT: '3000',
    });
    const app = await buildApp({
      config,
      database: db.database,
      serveClient: false,
      logger: { level: 'info', stream },
    });
    await app.ready();
    try {
      const kim = await signUp(app, { name: 'Kim Local' });
      expect((await as(app, null).post('/api/v1/auth/password-reset', { email: kim.email })).statusCode).toBe(
        204,
      );
      let link: string | undefined;
      for (let round = 0; round < 100 && !link; round++) {
        app.ctx.email.wake();
        await app.emailWorker!.idle();
        const line = lines.find((l) => l.includes('Reset your Plenary password'));
        if (line) {
          const entry = JSON.parse(line);
          expect(entry.email).toMatchObject({ to: kim.email, subject: 'Reset your Plenary password' });
          link = entry.email.links.find((l: string) =>
            l.startsWith('http://localhost:3000/reset-password?token='),
          );
        } else await new Promise((r) => setTimeout(r, 50));
      }
      expect(link, 'the reset link in the log').toBeTruthy();
      const token = new URL(link!).searchParams.get('token')!;
      const res = await as(app, null).post('/api/v1/auth/password-reset/confirm', {
        token,
        password: NEW_PASSWORD,
      });
      expect(res.statusCode).toBe(204);
      const signedIn = await app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { cookie: sessionCookie(res) },
      });
      expect(signedIn.json().user.id).toBe(kim.id);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
