import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import {
  apiToken,
  createGroup,
  detailPaths,
  expectError,
  type Harness,
  invite,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { TEST_DB_KIND } from '../helpers/database';
import { as } from '../helpers/requests';
import { spawnServer } from '../helpers/server-process';

// Issue #10 (account security): login and current-password throttles counted before the
// password is checked, growing delays instead of a lockout, TRUST_PROXY, credentials that do
// not outlive a password change, and the password rules.

/** Every password check the server makes (a real one, or the decoy for an unknown email). */
const checks = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../server/services/passwords', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/services/passwords')>();
  return {
    ...real,
    verifyPassword: (password: string, stored: string) => {
      checks.count++;
      return real.verifyPassword(password, stored);
    },
    burnPasswordCheck: (password: string) => {
      checks.count++;
      return real.burnPasswordCheck(password);
    },
  };
});

/** Tests that check dozens of passwords (scrypt, ~50 ms each on an idle core). */
const SLOW = 120_000;

let h: Harness;
beforeAll(async () => {
  h = await startApp();
});
afterAll(() => h?.close());
beforeEach(() => {
  checks.count = 0;
});

/** Lets `seconds` pass for every rate limit, as the database's clock sees them. */
async function passTime(harness: Harness, seconds: number) {
  await sql`update rate_limits set window_start = window_start - make_interval(secs => ${seconds})`.execute(
    harness.db.database.db,
  );
}

let address = 0;
/** A loopback address no other request of this file used. */
const freshAddress = () => {
  address++;
  return `127.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
};

function login(email: string, password: string, remoteAddress = freshAddress()) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress,
  });
}

function patchMe(headers: Record<string, string>, payload: unknown) {
  return as(h.app, { headers }).patch('/api/v1/me', payload as object);
}

function me(headers: Record<string, string>) {
  return as(h.app, { headers }).get('/api/v1/me');
}

/** A 429 in the contract's shape whose Retry-After is whole seconds in (min, max] and whose message says minutes. */
function expectThrottled(res: LightMyRequestResponse, min: number, max: number) {
  const error = expectError(res, 429, 'rate_limited');
  const retryAfter = res.headers['retry-after'];
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThan(min);
  expect(Number(retryAfter)).toBeLessThanOrEqual(max);
  expect(error.message).toBe(
    `too many attempts; try again in ${Math.ceil(Number(retryAfter) / 60)} minute${Number(retryAfter) > 60 ? 's' : ''}`,
  );
  expect(res.headers['set-cookie']).toBeUndefined();
  return error;
}

function statusCounts(responses: LightMyRequestResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const res of responses) counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
  return counts;
}

describe('login attempts are counted before the password is checked', () => {
  test(
    '200 concurrent logins for one email from 200 addresses: at most 5 passwords are checked, the rest are 429',
    async () => {
      const p = await signUp(h.app);
      const right = Math.floor(Math.random() * 200);
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) => login(p.email, i === right ? p.password : `wrong guess ${i}`)),
      );
      const counts = statusCounts(responses);
      expect(Object.keys(counts).every((s) => ['200', '401', '429'].includes(s))).toBe(true);
      expect(counts[401] ?? 0).toBeLessThanOrEqual(5);
      expect(counts[200] ?? 0).toBeLessThanOrEqual(1);
      // A sign-in that succeeds gives its slot back, so one more guess may be checked after it.
      expect(checks.count).toBeLessThanOrEqual(6);
      expect(checks.count).toBe((counts[401] ?? 0) + (counts[200] ?? 0));
      expect(counts[429]).toBe(200 - checks.count);
      for (const res of responses.filter((r) => r.statusCode === 429)) expectThrottled(res, 0, 60);
    },
    SLOW,
  );

  test(
    'once 5 concurrent guesses were checked, the right password is refused too, and checked only after the wait',
    async () => {
      const p = await signUp(h.app);
      const sessions = (await rowCounts(h)).sessions;
      const guesses = await Promise.all(
        Array.from({ length: 200 }, (_, i) => login(p.email.toUpperCase(), `wrong guess ${i}`)),
      );
      expect(statusCounts(guesses)).toEqual({ 401: 5, 429: 195 });
      expect(checks.count).toBe(5);
      expectThrottled(await login(p.email, p.password), 0, 60);
      expect(checks.count).toBe(5);
      expect((await rowCounts(h)).sessions).toBe(sessions);

      await passTime(h, 60);
      expect((await login(p.email, p.password)).statusCode).toBe(200);
    },
    SLOW,
  );

  test(
    'the rightful owner is throttled, never locked out: each wait doubles, and the right password works after it',
    async () => {
      const p = await signUp(h.app);
      for (let i = 0; i < 5; i++) expect((await login(p.email, `typo ${i}`)).statusCode).toBe(401);
      expectThrottled(await login(p.email, p.password), 0, 60);
      await passTime(h, 60);
      expect((await login(p.email, 'typo 5')).statusCode).toBe(401);
      expectThrottled(await login(p.email, p.password), 60, 120);
      await passTime(h, 120);
      expect((await login(p.email, 'typo 6')).statusCode).toBe(401);
      expectThrottled(await login(p.email, p.password), 120, 240);
      await passTime(h, 240);
      const ok = await login(p.email, p.password);
      expect(ok.statusCode).toBe(200);
      expect(ok.json().user.id).toBe(p.id);
      // Waiting for each slot as it opens: the waits stop growing at 15 minutes (not 16, 32…).
      expect((await login(p.email, 'typo 7')).statusCode).toBe(401);
      for (const [i, wait] of [480, 900, 900].entries()) {
        const refused = await login(p.email, p.password);
        // Real time passes too, on a busy machine several seconds: the wait is what is left of it.
        expectThrottled(refused, wait - 60, wait);
        await passTime(h, Number(refused.headers['retry-after']));
        expect((await login(p.email, `typo ${8 + i}`)).statusCode).toBe(401);
      }
    },
    SLOW,
  );

  test(
    '50 password checks from one address, over any accounts, then 429 there even for a right password; other addresses go on',
    async () => {
      const owner = await signUp(h.app);
      const ip = freshAddress();
      for (let i = 0; i < 50; i++) {
        expect((await login(`nobody${i}-${Date.now()}@example.org`, 'whatever it is', ip)).statusCode).toBe(
          401,
        );
      }
      const refused = await login(owner.email, owner.password, ip);
      expectThrottled(refused, 0, 900);
      expect(checks.count).toBe(50);
      expect((await login(owner.email, owner.password)).statusCode).toBe(200);
    },
    SLOW,
  );

  test('successful sign-ins do not count: the owner signs in 10 times from one address', async () => {
    const p = await signUp(h.app);
    const ip = freshAddress();
    for (let i = 0; i < 10; i++) expect((await login(p.email, p.password, ip)).statusCode).toBe(200);
    expect((await login(p.email, 'one typo', ip)).statusCode).toBe(401);
  });
});

describe.runIf(TEST_DB_KIND === 'postgres')('two server processes share one count', () => {
  test('100 concurrent guesses at each of two processes: at most 5 are checked in all', async () => {
    const p = await signUp(h.app);
    const other = await spawnServer({ DATABASE_URL: h.db.url!, RATE_LIMITS: 'on' });
    try {
      const here = Array.from({ length: 100 }, (_, i) => login(p.email, `guess here ${i}`));
      const there = Array.from({ length: 100 }, (_, i) =>
        fetch(`${other.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: p.email, password: `guess there ${i}` }),
        }),
      );
      const statuses = [
        ...(await Promise.all(here)).map((r) => r.statusCode),
        ...(await Promise.all(there)).map((r) => r.status),
      ];
      const unauthorized = statuses.filter((s) => s === 401).length;
      expect(unauthorized).toBe(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(195);
    } finally {
      await other.stop();
    }
  }, 60_000);
});

describe('PATCH /me: wrong current passwords are throttled per account', () => {
  test('5 wrong currentPasswords are 400, then 429 with Retry-After even for the right one; nothing changes; after the wait it works', async () => {
    const p = await signUp(h.app);
    const change = (currentPassword: string) =>
      patchMe(p.headers, { password: 'a brand new passphrase', currentPassword });
    for (let i = 0; i < 5; i++) {
      expect(detailPaths(expectError(await change(`guess ${i}`), 400, 'validation_failed'))).toEqual([
        '/currentPassword',
      ]);
    }
    const hash = async () =>
      (
        await h.db.database.db
          .selectFrom('users')
          .select('password_hash')
          .where('id', '=', p.id)
          .executeTakeFirstOrThrow()
      ).password_hash;
    const before = await hash();
    expectThrottled(await change(p.password), 0, 60);
    expect(await hash()).toBe(before);
    await passTime(h, 60);
    expect((await change(p.password)).statusCode).toBe(200);
    expect((await login(p.email, 'a brand new passphrase')).statusCode).toBe(200);
  });

  test('concurrent guesses: at most 5 are checked', async () => {
    const p = await signUp(h.app);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        patchMe(p.headers, { password: 'a brand new passphrase', currentPassword: `guess ${i}` }),
      ),
    );
    expect(statusCounts(responses)).toEqual({ 400: 5, 429: 35 });
    expect(checks.count).toBe(5);
  });

  test('a signed-in session cannot add guesses to the login throttle: both draw on one count per account', async () => {
    const p = await signUp(h.app);
    for (let i = 0; i < 5; i++) {
      expect(
        (await patchMe(p.headers, { password: 'a brand new passphrase', currentPassword: `g${i}` }))
          .statusCode,
      ).toBe(400);
    }
    expectThrottled(await login(p.email, 'another guess'), 0, 60);
    expect(checks.count).toBe(5);
  });

  test('a refused new password is 400 on /password before the current one is checked or counted', async () => {
    const p = await signUp(h.app);
    for (let i = 0; i < 6; i++) {
      const res = await patchMe(p.headers, { password: 'password1234', currentPassword: `guess ${i}` });
      expect(detailPaths(expectError(res, 400, 'validation_failed'))).toEqual(['/password']);
    }
    expect(checks.count).toBe(0);
    expect(
      (await patchMe(p.headers, { password: 'a brand new passphrase', currentPassword: p.password }))
        .statusCode,
    ).toBe(200);
  });
});

describe('credentials do not outlive a password change', () => {
  test('a password change revokes every API token of the account; new ones can be made afterwards', async () => {
    const p = await signUp(h.app);
    const bot = await apiToken(h.app, p, 'bot');
    const ci = await apiToken(h.app, p, 'ci');
    const bystander = await signUp(h.app);
    const theirs = await apiToken(h.app, bystander);
    const res = await patchMe(p.headers, { password: 'a brand new passphrase', currentPassword: p.password });
    expect(res.statusCode).toBe(200);
    expectError(await me(bot.headers), 401, 'unauthenticated');
    expectError(await me(ci.headers), 401, 'unauthenticated');
    expect((await as(h.app, p).get('/api/v1/tokens')).json().items).toEqual([]);
    expect((await me(p.headers)).statusCode).toBe(200);
    expect((await me(theirs.headers)).statusCode).toBe(200);
    const fresh = await apiToken(h.app, p, 'after');
    expect((await me(fresh.headers)).statusCode).toBe(200);
  });

  test('a password changed over Bearer revokes that token too', async () => {
    const p = await signUp(h.app);
    const bot = await apiToken(h.app, p);
    const res = await patchMe(bot.headers, {
      password: 'a brand new passphrase',
      currentPassword: p.password,
    });
    expect(res.statusCode).toBe(200);
    expectError(await me(bot.headers), 401, 'unauthenticated');
  });

  test('an API token cannot create tokens (403 forbidden, nothing stored), so revoking a token leaves no offspring', async () => {
    const p = await signUp(h.app);
    const bot = await apiToken(h.app, p);
    const before = await rowCounts(h);
    const res = await as(h.app, bot).post('/api/v1/tokens', { name: 'offspring' });
    const error = expectError(res, 403, 'forbidden');
    expect(error.message).toMatch(/signed-in session/);
    expect(await rowCounts(h)).toEqual(before);
    // The session that made the token still can.
    expect((await apiToken(h.app, p, 'second')).secret).toMatch(/^pl_/);
  });
});

describe('password rules (NIST SP 800-63B): 400 validation_failed on /password, nothing written', () => {
  const register = (payload: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload, remoteAddress: freshAddress() });

  test.each([
    ['spaces padding a short word', '   abc   def   '],
    ['zero-width characters padding a short word', `abc${'\u200b'.repeat(8)}def\u2060\ufeff`],
    ['a common password', 'qwertyuiop'],
    ['a common password in capitals', 'QwertyUiop'],
    ['a common password with digits and symbols added', 'Password123!'],
    ['a common password with spaces inside', 'ilove you 2024'],
    ['digits in a row', '12345678901'],
    ['one character again and again', 'aaaaaaaaaaaa'],
    ['a short unit again and again', 'abcabcabcabc'],
    ['the email address', '<email>'],
    ['the email local part', 'Cobol.Queen-1906'],
    ['the name', 'i am grace hopper!'],
    ['a word of the name', 'hopper and her compilers'],
    ['the handle', 'admiral-g forever'],
  ])('register refuses %s', async (_label, password) => {
    const email = `cobol.queen@d${++address}.example.org`;
    const before = await rowCounts(h);
    const res = await register({
      email,
      name: 'Grace Hopper',
      handle: 'admiral-g',
      password: password.replace('<email>', email.toUpperCase()),
    });
    const error = expectError(res, 400, 'validation_failed');
    expect(detailPaths(error)).toEqual(['/password']);
    expect(await rowCounts(h)).toEqual(before);
  });

  test('register accepts a long phrase of your own (and short names do not count as words of it)', async () => {
    const res = await register({
      email: `al-${Date.now()}@example.org`,
      name: 'Al Bo',
      password: 'al and bo play piano',
    });
    expect(res.statusCode).toBe(201);
  });

  test('PATCH /me refuses a common or self-derived new password and keeps the old one', async () => {
    const p = await signUp(h.app, { name: 'Katherine Johnson' });
    for (const password of ['1234567890', 'johnson-orbit-1962', `${p.email}!`]) {
      const res = await patchMe(p.headers, { password, currentPassword: p.password });
      expect(detailPaths(expectError(res, 400, 'validation_failed'))).toEqual(['/password']);
    }
    // The name being set in the same request counts too.
    const renamed = await patchMe(p.headers, {
      name: 'Dorothy Vaughan',
      password: 'vaughan computes fortran',
      currentPassword: p.password,
    });
    expect(detailPaths(expectError(renamed, 400, 'validation_failed'))).toEqual(['/password']);
    expect((await login(p.email, p.password)).statusCode).toBe(200);
  });
});

describe('TRUST_PROXY', () => {
  /** Invitation previews: 50 unknown tokens per address, then 429 (a cheap per-address limit to observe). */
  async function probe(app: Harness, remoteAddress: string, forwardedFor: string) {
    return app.app.inject({
      url: `/api/v1/invitations/guess-${Math.random()}`,
      remoteAddress,
      headers: { 'x-forwarded-for': forwardedFor },
    });
  }

  test(
    'with TRUST_PROXY naming the proxy, X-Forwarded-For from it separates per-address limits',
    async () => {
      const behind = await startApp({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' });
      try {
        for (let i = 0; i < 50; i++)
          expect((await probe(behind, '127.0.0.1', '203.0.113.1')).statusCode).toBe(404);
        expectError(await probe(behind, '127.0.0.1', '203.0.113.1'), 429, 'rate_limited');
        expect((await probe(behind, '127.0.0.1', '203.0.113.2')).statusCode).toBe(404);
        expect((await probe(behind, '10.1.2.3', '203.0.113.3')).statusCode).toBe(404);
        // A client that is not a trusted proxy cannot pick its address by sending the header.
        for (let i = 0; i < 50; i++)
          expect((await probe(behind, '192.0.2.9', `198.51.100.${i}`)).statusCode).toBe(404);
        expectError(await probe(behind, '192.0.2.9', '198.51.100.200'), 429, 'rate_limited');
      } finally {
        await behind.close();
      }
    },
    SLOW,
  );

  // Fastify alone would read a bare hop count as "trust no one"; the config turns it into a rule.
  test('with TRUST_PROXY a hop count, the address one hop out is the client', async () => {
    const behind = await startApp({ TRUST_PROXY: '1' });
    try {
      const chain = (client: string) => `198.51.100.99, ${client}`;
      for (let i = 0; i < 50; i++)
        expect((await probe(behind, '10.9.9.9', chain('203.0.113.1'))).statusCode).toBe(404);
      expectError(await probe(behind, '10.9.9.9', chain('203.0.113.1')), 429, 'rate_limited');
      expect((await probe(behind, '10.9.9.9', '203.0.113.2')).statusCode).toBe(404);
    } finally {
      await behind.close();
    }
  });

  test('without TRUST_PROXY, X-Forwarded-For is ignored', async () => {
    const p = await signUp(h.app);
    const g = await createGroup(h.app, p, 'Probed');
    const real = await invite(h.app, p, g.id);
    for (let i = 0; i < 50; i++) expect((await probe(h, '127.0.0.9', `203.0.113.${i}`)).statusCode).toBe(404);
    const res = await h.app.inject({
      url: `/api/v1/invitations/${real.token}`,
      remoteAddress: '127.0.0.9',
      headers: { 'x-forwarded-for': '203.0.113.250' },
    });
    expectError(res, 429, 'rate_limited');
  });

  test(
    'login: behind a trusted proxy each client address has its own 50 checks',
    async () => {
      const behind = await startApp({ TRUST_PROXY: '127.0.0.1' });
      try {
        const owner = await signUp(behind.app);
        const viaProxy = (forwardedFor: string, email: string, password: string) =>
          behind.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { email, password },
            remoteAddress: '127.0.0.1',
            headers: { 'x-forwarded-for': forwardedFor },
          });
        for (let i = 0; i < 50; i++) {
          expect((await viaProxy('203.0.113.7', `nobody${i}@example.org`, 'whatever it is')).statusCode).toBe(
            401,
          );
        }
        expectError(await viaProxy('203.0.113.7', owner.email, owner.password), 429, 'rate_limited');
        expect((await viaProxy('203.0.113.8', owner.email, owner.password)).statusCode).toBe(200);
      } finally {
        await behind.close();
      }
    },
    SLOW,
  );

  test.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    [
      ' 10.0.0.0/8 , 192.168.1.7, ::1, fd00::/8, loopback ',
      ['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', 'loopback'],
    ],
  ])('TRUST_PROXY=%j is read as %j', (raw, expected) => {
    const config = loadConfig({ SESSION_SECRET: 'x'.repeat(32), DATA_DIR: '/tmp', TRUST_PROXY: raw });
    expect(config.trustProxy).toEqual(expected);
  });

  test.each([
    'yes',
    '0',
    '10.0.0.0/33',
    '10.0.0.1,,10.0.0.2',
    'proxy.example.org',
    '::1/129',
    '10.0.0.1/8/1',
  ])('TRUST_PROXY=%j stops the server with a message naming it', (raw) => {
    expect(() => loadConfig({ SESSION_SECRET: 'x'.repeat(32), DATA_DIR: '/tmp', TRUST_PROXY: raw })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ SESSION_SECRET: 'x'.repeat(32), DATA_DIR: '/tmp', TRUST_PROXY: raw })).toThrow(
      /TRUST_PROXY/,
    );
  });
});

describe('other accounts are unaffected', () => {
  test('while one account is throttled, another signs in from the same address', async () => {
    const target = await signUp(h.app);
    const bystander = await signUp(h.app);
    const ip = freshAddress();
    for (let i = 0; i < 5; i++) expect((await login(target.email, `guess ${i}`, ip)).statusCode).toBe(401);
    expectThrottled(await login(target.email, target.password, ip), 0, 60);
    expect((await login(bystander.email, bystander.password, ip)).statusCode).toBe(200);
  });
});
