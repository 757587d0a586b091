import { describe, expect, test, vi } from 'vitest';

// The router reads the page's location when it loads; these are pure functions of their input.
vi.stubGlobal('location', new URL('https://vote.example.coop/'));
const { authPath, parseRoute, safeNext } = await import('../../client/router');

/** Where a browser on `origin` would really go if it followed `path`. */
function landsOn(path: string, origin = 'https://vote.example.coop'): string {
  return new URL(path, origin).origin;
}

describe('safeNext: after signing in, only this site', () => {
  test.each(['/threads/abc', '/groups/1/decisions?format=md', '/invite/tok#top'])('keeps %s', (path) =>
    expect(safeNext(path)).toBe(path),
  );

  // Each of these once sent the user to another site (tabs and line breaks vanish in URLs).
  test.each([
    '//evil.example',
    '/\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '\t//evil.example',
    '/%09/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '',
    null,
    undefined,
  ])('refuses %j', (path) => {
    const next = safeNext(path);
    expect(landsOn(next)).toBe('https://vote.example.coop');
    expect(next.startsWith('/')).toBe(true);
    expect(next.startsWith('//')).toBe(false);
  });

  test('the login route decodes next= and still keeps the user home', () => {
    for (const query of ['%2F%09%2Fevil.example', '%2F%0A%2Fevil.example', '%2F%0D%0A%2Fevil.example']) {
      const route = parseRoute('/login', `?next=${query}`);
      expect(route).toMatchObject({ name: 'login' });
      expect(landsOn((route as { next: string }).next)).toBe('https://vote.example.coop');
    }
  });

  test('authPath carries only safe paths', () => {
    expect(authPath('login', '/\t/evil.example')).toBe('/login');
    expect(authPath('signup', '/threads/1')).toBe('/signup?next=%2Fthreads%2F1');
  });
});

describe('parseRoute: email settings', () => {
  test('/settings/email (every email links there) is a page for the signed in only', async () => {
    const { PUBLIC_ROUTES } = await import('../../client/router');
    expect(parseRoute('/settings/email')).toEqual({ name: 'email-settings' });
    expect(parseRoute('/settings/email/')).toEqual({ name: 'email-settings' });
    expect(parseRoute('/settings')).toEqual({ name: 'not-found' });
    expect(parseRoute('/settings/email/x')).toEqual({ name: 'not-found' });
    expect(PUBLIC_ROUTES.has('email-settings')).toBe(false);
    // A signed-out visitor is sent to sign in, and comes back here.
    expect(authPath('login', '/settings/email')).toBe('/login?next=%2Fsettings%2Femail');
  });
});

describe('parseRoute: the pages emailed account links open', () => {
  test.each([
    ['/forgot-password', '', { name: 'forgot-password' }],
    ['/reset-password', '?token=abc_DEF-123', { name: 'reset-password', token: 'abc_DEF-123' }],
    ['/reset-password', '', { name: 'reset-password', token: '' }],
    ['/verify-email', '?token=t0k3n', { name: 'verify-email', token: 't0k3n' }],
    ['/confirm-email/', '?token=t0k3n', { name: 'confirm-email', token: 't0k3n' }],
    ['/settings/account', '', { name: 'account-settings' }],
    ['/reset-password/x', '?token=t', { name: 'not-found' }],
  ])('%s%s', (path, search, route) => expect(parseRoute(path, search)).toEqual(route));

  test('a signed-out visitor may open them, but not the account settings', async () => {
    const { PUBLIC_ROUTES } = await import('../../client/router');
    for (const name of ['forgot-password', 'reset-password', 'verify-email', 'confirm-email'] as const)
      expect(PUBLIC_ROUTES.has(name)).toBe(true);
    expect(PUBLIC_ROUTES.has('account-settings')).toBe(false);
  });
});
