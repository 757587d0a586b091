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
