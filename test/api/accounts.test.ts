import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  apiToken,
  createGroup,
  detailPaths,
  expectError,
  type Harness,
  logIn,
  MISSING_ID,
  ORIGIN,
  type Person,
  rowCounts,
  sessionCookie,
  signUp,
  startApp,
} from '../helpers/app';
import { as } from '../helpers/requests';

// Contract: "Accounts and sessions", plus the cookie, CSRF and Bearer rules of "Conventions".

let h: Harness;
beforeAll(async () => {
  h = await startApp();
});
afterAll(() => h?.close());

let n = 0;
const uniqueEmail = (tag = 'person') => `${tag}${++n}-${Date.now()}@example.org`;

function register(payload: unknown, headers: Record<string, string> = {}) {
  return as(h.app, { headers }).post('/api/v1/auth/register', payload as object);
}
function login(email: string, password: string) {
  return as(h.app, null).post('/api/v1/auth/login', { email, password });
}
function me(headers: Record<string, string>) {
  return as(h.app, { headers }).get('/api/v1/me');
}
function patchMe(headers: Record<string, string>, payload: unknown) {
  return as(h.app, { headers }).patch('/api/v1/me', payload as object);
}
function userRow(id: string) {
  return h.db.database.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
function setCookieHeader(res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const found = all.find((c) => c.startsWith('plenary_session='));
  if (!found) throw new Error('no plenary_session Set-Cookie');
  return found;
}

describe('POST /auth/register', () => {
  test('201 {user} with a session cookie that is HttpOnly, SameSite=Lax and not Secure over http', async () => {
    const email = uniqueEmail('ada');
    const res = await register({ email, name: 'Ada Lovelace', password: 'analytical engine' });
    expect(res.statusCode).toBe(201);
    const { user } = res.json();
    expect(user).toMatchObject({
      name: 'Ada Lovelace',
      email,
      handle: expect.stringMatching(/^[a-z0-9_-]{2,30}$/),
    });
    expect(typeof user.id).toBe('string');
    expect(JSON.stringify(user)).not.toMatch(/scrypt|password/i);

    const cookie = setCookieHeader(res);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(cookie).not.toMatch(/;\s*Secure/i);

    const who = await me({ cookie: sessionCookie(res) });
    expect(who.statusCode).toBe(200);
    expect(who.json().user.id).toBe(user.id);
  });

  test('derives the handle from the name and makes it unique; a given handle is used as is', async () => {
    const first = await register({
      email: uniqueEmail(),
      name: 'Grace Hopper',
      password: 'compiler-compiler',
    });
    const second = await register({
      email: uniqueEmail(),
      name: 'Grace Hopper',
      password: 'compiler-compiler',
    });
    const accented = await register({
      email: uniqueEmail(),
      name: 'Zoë Ñandú',
      password: 'compiler-compiler',
    });
    const given = await register({
      email: uniqueEmail(),
      name: 'Whoever',
      handle: 'custom_handle-1',
      password: 'compiler-compiler',
    });
    expect([first.statusCode, second.statusCode, accented.statusCode, given.statusCode]).toEqual([
      201, 201, 201, 201,
    ]);
    expect(first.json().user.handle).toBe('grace-hopper');
    expect(second.json().user.handle).toBe('grace-hopper2');
    expect(accented.json().user.handle).toBe('zoe-nandu');
    expect(given.json().user.handle).toBe('custom_handle-1');
  });

  test('a name that yields no usable handle still gets a valid one', async () => {
    const res = await register({ email: uniqueEmail(), name: '李', password: 'compiler-compiler' });
    expect(res.statusCode).toBe(201);
    expect(res.json().user.handle).toMatch(/^[a-z0-9_-]{2,30}$/);
  });

  test('409 conflict when the email is taken, whatever its case; nothing is written', async () => {
    const email = uniqueEmail('taken');
    expect((await register({ email, name: 'First', password: 'long enough password' })).statusCode).toBe(201);
    const before = await rowCounts(h);
    const res = await register({
      email: email.toUpperCase(),
      name: 'Second',
      password: 'long enough password',
    });
    expectError(res, 409, 'conflict');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await rowCounts(h)).toEqual(before);
  });

  test('409 conflict with a /handle detail when a given handle is taken; nothing is written', async () => {
    expect(
      (await register({ email: uniqueEmail(), name: 'A', handle: 'only-one', password: 'first password' }))
        .statusCode,
    ).toBe(201);
    const before = await rowCounts(h);
    const res = await register({
      email: uniqueEmail(),
      name: 'B',
      handle: 'only-one',
      password: 'first password',
    });
    expect(detailPaths(expectError(res, 409, 'conflict'))).toEqual(['/handle']);
    expect(await rowCounts(h)).toEqual(before);
  });

  test.each([
    ['password under 10 characters', { password: 'short' }, '/password'],
    ['password a number', { password: 1234567890123 }, '/password'],
    ['malformed email', { email: 'not-an-email' }, '/email'],
    ['email a number', { email: 42 }, '/email'],
    ['blank name', { name: '   ' }, '/name'],
    ['empty name', { name: '' }, '/name'],
    ['name over 200 characters', { name: 'x'.repeat(201) }, '/name'],
    ['name a number', { name: 3 }, '/name'],
    ['handle of one character', { handle: 'a' }, '/handle'],
    ['handle over 30 characters', { handle: 'a'.repeat(31) }, '/handle'],
    ['handle with capitals', { handle: 'Ada' }, '/handle'],
    ['handle with a space', { handle: 'ada lovelace' }, '/handle'],
  ])(
    '400 validation_failed for %s, with a JSON pointer; nothing is written',
    async (_label, override, path) => {
      const before = await rowCounts(h);
      const res = await register({
        email: uniqueEmail('invalid'),
        name: 'Valid Name',
        password: 'long enough password',
        ...override,
      });
      const error = expectError(res, 400, 'validation_failed');
      expect(detailPaths(error)).toContain(path);
      expect(await rowCounts(h)).toEqual(before);
    },
  );

  test('400 naming every missing field', async () => {
    const error = expectError(await register({}), 400, 'validation_failed');
    expect(detailPaths(error).sort()).toEqual(['/email', '/name', '/password']);
  });

  test('the name is stored trimmed; a name of 200 characters after trimming is accepted', async () => {
    const res = await register({
      email: uniqueEmail(),
      name: '  Trimmed Name  ',
      password: 'long enough password',
    });
    expect(res.json().user.name).toBe('Trimmed Name');
    const long = await register({
      email: uniqueEmail(),
      name: ` ${'y'.repeat(200)} `,
      password: 'long enough password',
    });
    expect(long.statusCode).toBe(201);
    expect(long.json().user.name).toBe('y'.repeat(200));
    // Characters, not UTF-16 units: 200 emoji are 200 characters.
    const emoji = await register({
      email: uniqueEmail(),
      name: '🗳'.repeat(200),
      password: 'long enough password',
    });
    expect(emoji.statusCode).toBe(201);
    const tooLong = await register({
      email: uniqueEmail(),
      name: ` ${'y'.repeat(201)} `,
      password: 'long enough password',
    });
    expect(detailPaths(expectError(tooLong, 400, 'validation_failed'))).toEqual(['/name']);
  });

  test('fields the contract does not name are ignored, never stored', async () => {
    const res = await register({
      email: uniqueEmail(),
      name: 'Ignorer',
      password: 'long enough password',
      id: MISSING_ID,
      emailNotifications: 'none',
      passwordHash: 'scrypt$1$1$1$x$y',
    });
    expect(res.statusCode).toBe(201);
    const { user } = res.json();
    expect(user.id).not.toBe(MISSING_ID);
    const row = await userRow(user.id);
    expect(row.email_notifications).toBe('all');
    expect(row.password_hash).not.toBe('scrypt$1$1$1$x$y');
  });
});

describe('POST /auth/login', () => {
  let ada: Person;
  beforeAll(async () => {
    ada = await signUp(h.app, { name: 'Login Ada' });
  });

  test('200 {user} with email and a new session cookie (HttpOnly, SameSite=Lax)', async () => {
    const res = await login(ada.email, ada.password);
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({
      id: ada.id,
      name: 'Login Ada',
      handle: ada.handle,
      email: ada.email,
    });
    const cookie = setCookieHeader(res);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(sessionCookie(res)).not.toBe(ada.headers.cookie);
    expect((await me({ cookie: sessionCookie(res) })).json().user.id).toBe(ada.id);
  });

  test('the email is matched without regard to case', async () => {
    const res = await login(ada.email.toUpperCase(), ada.password);
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(ada.id);
  });

  test('401 with the same code and message for a wrong password and an unknown email; no cookie', async () => {
    const wrong = await login(ada.email, 'not the password');
    const unknown = await login(uniqueEmail('nobody'), ada.password);
    const a = expectError(wrong, 401, 'unauthenticated');
    const b = expectError(unknown, 401, 'unauthenticated');
    expect(b).toEqual(a);
    expect(wrong.body).toBe(unknown.body);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  test('a failed login writes no session', async () => {
    const before = await rowCounts(h);
    await login(ada.email, 'still not the password');
    expect(await rowCounts(h)).toEqual(before);
  });

  test.each([
    ['missing password', { email: 'a@example.org' }, '/password'],
    ['password a number', { email: 'a@example.org', password: 1234567890 }, '/password'],
    ['email a number', { email: 5, password: 'whatever-password' }, '/email'],
  ])('400 validation_failed for %s', async (_label, payload, path) => {
    const res = await as(h.app, null).post('/api/v1/auth/login', payload);
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain(path);
  });
});

describe('POST /auth/logout', () => {
  test('204, revokes the session server-side: the old cookie then gets 401', async () => {
    const p = await signUp(h.app);
    const res = await as(h.app, p).post('/api/v1/auth/logout');
    expect(res.statusCode).toBe(204);
    // The browser is told to forget it too.
    expect(setCookieHeader(res)).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/i);
    expectError(await me(p.headers), 401, 'unauthenticated');
    const sessions = await h.db.database.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', p.id)
      .execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.revoked_at).not.toBeNull();
  });

  test('revokes only this session; another device stays signed in', async () => {
    const p = await signUp(h.app);
    const other = await logIn(h.app, p);
    expect((await as(h.app, p).post('/api/v1/auth/logout')).statusCode).toBe(204);
    expect((await me(other)).statusCode).toBe(200);
  });

  test('401 when not signed in', async () => {
    expectError(await as(h.app, null).post('/api/v1/auth/logout'), 401, 'unauthenticated');
  });

  test('403 csrf_rejected without an Origin, and the session survives', async () => {
    const p = await signUp(h.app);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: p.headers.cookie },
    });
    expectError(res, 403, 'csrf_rejected');
    expect((await me(p.headers)).statusCode).toBe(200);
  });

  test('an expired session is not a session', async () => {
    const p = await signUp(h.app);
    await h.db.database.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', p.id)
      .execute();
    expectError(await me(p.headers), 401, 'unauthenticated');
  });
});

describe('GET /me', () => {
  test('200 {user} with id, name, handle and the own email', async () => {
    const p = await signUp(h.app, { name: 'Self Seer' });
    const res = await me(p.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ id: p.id, name: 'Self Seer', handle: p.handle, email: p.email });
  });

  test('401 without a session, and with a forged or unknown cookie', async () => {
    expectError(await me({}), 401, 'unauthenticated');
    expectError(await me({ cookie: 'plenary_session=forged' }), 401, 'unauthenticated');
    expectError(await me({ authorization: 'Bearer pl_not-a-token' }), 401, 'unauthenticated');
  });
});

describe('PATCH /me', () => {
  test('changes only the fields it is given', async () => {
    const p = await signUp(h.app, { name: 'Before Name' });
    const named = await patchMe(p.headers, { name: '  After Name  ' });
    expect(named.statusCode).toBe(200);
    expect(named.json().user).toMatchObject({
      id: p.id,
      name: 'After Name',
      handle: p.handle,
      email: p.email,
    });
    let row = await userRow(p.id);
    expect(row).toMatchObject({ name: 'After Name', email_notifications: 'all' });

    const prefs = await patchMe(p.headers, { emailNotifications: 'important' });
    expect(prefs.statusCode).toBe(200);
    expect(prefs.json().user.name).toBe('After Name');
    row = await userRow(p.id);
    expect(row).toMatchObject({ name: 'After Name', email_notifications: 'important' });

    const none = await patchMe(p.headers, { emailNotifications: 'none' });
    expect(none.statusCode).toBe(200);
    expect((await userRow(p.id)).email_notifications).toBe('none');
  });

  test('an empty PATCH changes nothing and answers the user', async () => {
    const p = await signUp(h.app, { name: 'Unchanged' });
    const before = await userRow(p.id);
    const res = await patchMe(p.headers, {});
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ id: p.id, name: 'Unchanged', email: p.email });
    expect(await userRow(p.id)).toEqual(before);
  });

  test('fields the contract does not name (email, handle, id) are ignored', async () => {
    const p = await signUp(h.app);
    const before = await userRow(p.id);
    const res = await patchMe(p.headers, { email: 'hijack@example.org', handle: 'hijacked', id: 'x' });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ id: p.id, email: p.email, handle: p.handle });
    expect(await userRow(p.id)).toEqual(before);
  });

  test.each([
    ['name a number', { name: 3 }, '/name'],
    ['blank name', { name: '  ' }, '/name'],
    ['name over 200 characters', { name: 'z'.repeat(201) }, '/name'],
    ['unknown emailNotifications', { emailNotifications: 'sometimes' }, '/emailNotifications'],
    ['emailNotifications a boolean', { emailNotifications: true }, '/emailNotifications'],
    ['short new password', { password: 'short', currentPassword: 'correct horse battery' }, '/password'],
  ])('400 validation_failed for %s; nothing changes', async (_label, payload, path) => {
    const p = await signUp(h.app);
    const before = await userRow(p.id);
    const res = await patchMe(p.headers, payload);
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain(path);
    expect(await userRow(p.id)).toEqual(before);
  });

  test('a new password without currentPassword is 400 on /currentPassword; nothing changes', async () => {
    const p = await signUp(h.app);
    const other = await logIn(h.app, p);
    const before = await userRow(p.id);
    const res = await patchMe(p.headers, { password: 'a brand new password', name: 'Renamed' });
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toEqual(['/currentPassword']);
    expect(await userRow(p.id)).toEqual(before);
    expect((await me(other)).statusCode).toBe(200);
  });

  test('a new password with the wrong currentPassword is 400; nothing changes, no session is revoked', async () => {
    const p = await signUp(h.app);
    const other = await logIn(h.app, p);
    const before = await userRow(p.id);
    const res = await patchMe(p.headers, {
      password: 'a brand new password',
      currentPassword: 'not my password',
      name: 'Renamed',
    });
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toEqual(['/currentPassword']);
    expect(await userRow(p.id)).toEqual(before);
    expect((await me(other)).statusCode).toBe(200);
    expect((await login(p.email, p.password)).statusCode).toBe(200);
  });

  test('a password change keeps this session, revokes the other sessions, and swaps the password', async () => {
    const p = await signUp(h.app);
    const laptop = await logIn(h.app, p);
    const phone = await logIn(h.app, p);
    const res = await patchMe(p.headers, { password: 'a brand new password', currentPassword: p.password });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(p.id);

    expect((await me(p.headers)).statusCode).toBe(200);
    expectError(await me(laptop), 401, 'unauthenticated');
    expectError(await me(phone), 401, 'unauthenticated');
    expectError(await login(p.email, p.password), 401, 'unauthenticated');
    expect((await login(p.email, 'a brand new password')).statusCode).toBe(200);
  });

  test('403 csrf_rejected without an Origin or with a foreign one; nothing changes', async () => {
    const p = await signUp(h.app, { name: 'Csrf Target' });
    const bare = await patchMe({ cookie: p.headers.cookie }, { name: 'Changed' });
    expectError(bare, 403, 'csrf_rejected');
    const foreign = await patchMe(
      { cookie: p.headers.cookie, origin: 'https://evil.example' },
      { name: 'Changed' },
    );
    expectError(foreign, 403, 'csrf_rejected');
    expect((await userRow(p.id)).name).toBe('Csrf Target');
  });

  test('401 when not signed in', async () => {
    expectError(await patchMe({ origin: ORIGIN }, { name: 'x' }), 401, 'unauthenticated');
  });
});

describe('API tokens', () => {
  test('POST /tokens: 201 {token: {id, name, secret}}; only a hash is kept and the secret is never shown again', async () => {
    const p = await signUp(h.app);
    const res = await as(h.app, p).post('/api/v1/tokens', { name: '  Ci bot  ' });
    expect(res.statusCode).toBe(201);
    const { token } = res.json();
    expect(token).toEqual({ id: expect.any(String), name: 'Ci bot', secret: expect.any(String) });
    expect(token.secret.length).toBeGreaterThanOrEqual(32);

    const rows = await h.db.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', p.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token.secret);

    const list = await as(h.app, p).get('/api/v1/tokens');
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ id: token.id, name: 'Ci bot' })]);
    expect(list.body).not.toContain(token.secret);
  });

  test('Bearer authenticates, and Bearer writes need no Origin (CSRF-exempt)', async () => {
    const p = await signUp(h.app);
    const token = await apiToken(h.app, p);
    const who = await me(token.headers);
    expect(who.statusCode).toBe(200);
    expect(who.json().user).toMatchObject({ id: p.id, email: p.email });

    const created = await as(h.app, token).post('/api/v1/groups', { name: 'Made by a bot' });
    expect(created.statusCode).toBe(201);
    const foreign = await h.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { ...token.headers, origin: 'https://elsewhere.example' },
      payload: { name: 'Bot-renamed' },
    });
    expect(foreign.statusCode).toBe(200);
    expect(foreign.json().user.name).toBe('Bot-renamed');
  });

  test('DELETE /tokens/:id: 204, after which the token is refused; a second DELETE is 404', async () => {
    const p = await signUp(h.app);
    const token = await apiToken(h.app, p);
    const keep = await apiToken(h.app, p, 'kept');
    const del = await as(h.app, p).delete(`/api/v1/tokens/${token.id}`);
    expect(del.statusCode).toBe(204);
    expectError(await me(token.headers), 401, 'unauthenticated');
    expect((await me(keep.headers)).statusCode).toBe(200);
    const again = await as(h.app, p).delete(`/api/v1/tokens/${token.id}`);
    expectError(again, 404, 'not_found');
  });

  test('a token can revoke itself over Bearer', async () => {
    const p = await signUp(h.app);
    const token = await apiToken(h.app, p);
    const del = await as(h.app, token).delete(`/api/v1/tokens/${token.id}`);
    expect(del.statusCode).toBe(204);
    expectError(await me(token.headers), 401, 'unauthenticated');
  });

  test("404 for a malformed id and for someone else's token, which keeps working", async () => {
    const owner = await signUp(h.app);
    const other = await signUp(h.app);
    const token = await apiToken(h.app, owner);
    expectError(await as(h.app, other).delete(`/api/v1/tokens/${token.id}`), 404, 'not_found');
    expectError(await as(h.app, owner).delete('/api/v1/tokens/not-an-id'), 404, 'not_found');
    expect((await me(token.headers)).statusCode).toBe(200);
  });

  test.each([
    ['missing name', {}],
    ['empty name', { name: '' }],
    ['blank name', { name: '   ' }],
    ['name a number', { name: 3 }],
    ['name over 200 characters', { name: 'n'.repeat(201) }],
  ])('POST /tokens 400 for %s; no token is stored', async (_label, payload) => {
    const p = await signUp(h.app);
    const res = await as(h.app, p).post('/api/v1/tokens', payload);
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toEqual(['/name']);
    const rows = await h.db.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('user_id', '=', p.id)
      .execute();
    expect(rows).toHaveLength(0);
  });

  test('401 without a session; 403 csrf_rejected for a cookie without Origin', async () => {
    const p = await signUp(h.app);
    expectError(await as(h.app, null).post('/api/v1/tokens', { name: 'x' }), 401, 'unauthenticated');
    expectError(
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie: p.headers.cookie },
        payload: { name: 'x' },
      }),
      403,
      'csrf_rejected',
    );
  });

  // Issue #10: API tokens no longer outlive a password change (whoever learnt the old password
  // could have made one); test/api/account-security.test.ts covers the rest.
  test('a password change revokes API tokens too', async () => {
    const p = await signUp(h.app);
    const token = await apiToken(h.app, p);
    const res = await patchMe(p.headers, { password: 'another new password', currentPassword: p.password });
    expect(res.statusCode).toBe(200);
    expectError(await me(token.headers), 401, 'unauthenticated');
  });
});

describe('served over https (PUBLIC_URL)', () => {
  const PUBLIC = 'https://plenary.example.org';
  let hs: Harness;
  beforeAll(async () => {
    hs = await startApp({ PUBLIC_URL: PUBLIC });
  });
  afterAll(() => hs?.close());

  test('the session cookie is Secure, HttpOnly and SameSite=Lax', async () => {
    const res = await as(hs.app, null).post('/api/v1/auth/register', {
      email: uniqueEmail('secure'),
      name: 'Secure Sam',
      password: 'long enough password',
    });
    expect(res.statusCode).toBe(201);
    const cookie = setCookieHeader(res);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
  });

  test("a cookie write must carry PUBLIC_URL's origin, not the Host's", async () => {
    const p = await signUp(hs.app);
    const cookie = p.headers.cookie;
    const viaHost = await hs.app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      headers: { cookie, origin: ORIGIN },
      payload: { name: 'Wrong origin' },
    });
    expectError(viaHost, 403, 'csrf_rejected');
    const good = await hs.app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      headers: { cookie, origin: PUBLIC },
      payload: { name: 'Right origin' },
    });
    expect(good.statusCode).toBe(201);
    const groups = await hs.app.inject({ url: '/api/v1/groups', headers: { cookie } });
    expect(groups.json().items.map((g: { name: string }) => g.name)).toEqual(['Right origin']);
  });

  test('invitation links use PUBLIC_URL', async () => {
    const p = await signUp(hs.app);
    const cookie = p.headers.cookie;
    const g = await createGroup(hs.app, { ...p, headers: { cookie, origin: PUBLIC } });
    const res = await hs.app.inject({
      method: 'POST',
      url: `/api/v1/groups/${g.id}/invitations`,
      headers: { cookie, origin: PUBLIC },
      payload: {},
    });
    expect(res.statusCode).toBe(201);
    const { invitation } = res.json();
    expect(invitation.url).toBe(`${PUBLIC}/invite/${invitation.token}`);
  });
});
