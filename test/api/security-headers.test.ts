import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp, CLIENT_DIST } from '../../server/app';
import { loadConfig } from '../../server/config';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { as } from '../helpers/requests';

// The headers a browser relies on to refuse injected scripts, framing, MIME
// sniffing and foreign images. The page itself is served, so the client must
// be built (`npm test` builds it first).

const INDEX = path.join(CLIENT_DIST, 'index.html');
if (!existsSync(INDEX))
  throw new Error(`The built client is missing (${INDEX}): run "npx vite build" first.`);

let app: Awaited<ReturnType<typeof buildApp>>;
let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  const config = loadConfig({
    SESSION_SECRET: 'test-secret-test-secret-test-secret-42',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'plenary-test-')),
    LOG_LEVEL: 'silent',
  });
  app = await buildApp({ config, database: db.database, serveClient: true, logger: false });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** The CSP header as directive name → sources. */
function csp(res: LightMyRequestResponse): Record<string, string[]> {
  const header = res.headers['content-security-policy'];
  expect(typeof header, 'a Content-Security-Policy header').toBe('string');
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

function expectCommonHeaders(res: LightMyRequestResponse) {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  // Not no-referrer: browsers then send `Origin: null` on POSTs, and the CSRF check refuses them.
  expect(res.headers['referrer-policy']).toBe('same-origin');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(csp(res)['frame-ancestors']).toEqual(["'none'"]);
}

describe('security headers', () => {
  test.each(['/', '/threads/some-thread'])('the web client at %s: a strict policy', async (url) => {
    const res = await as(app, null).get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectCommonHeaders(res);
    const policy = csp(res);
    expect(policy['default-src']).toEqual(["'self'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['script-src-attr']).toEqual(["'none'"]);
    expect(policy['style-src']).toEqual(["'self'"]);
    expect(policy['img-src']).toEqual(["'self'", 'data:', 'blob:']);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['base-uri']).toEqual(["'self'"]);
    // Served over plain http too (localhost, a LAN): upgrading every request would break the page.
    expect(policy).not.toHaveProperty('upgrade-insecure-requests');
  });

  test('the built page has no inline script for the policy to block', () => {
    const html = readFileSync(INDEX, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/[^"]+"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/<style\b|\sstyle=/i);
  });

  test('a script asset carries the same headers', async () => {
    const html = readFileSync(INDEX, 'utf8');
    const src = /<script\b[^>]*\bsrc="(\/[^"]+)"/.exec(html)![1]!;
    const res = await as(app, null).get(src);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expectCommonHeaders(res);
  });

  test('API answers, errors included, carry them', async () => {
    for (const [url, status] of [
      ['/api/v1/me', 401],
      ['/api/v1/nothing-here', 404],
      ['/healthz', 200],
    ] as const) {
      const res = await as(app, null).get(url);
      expect(res.statusCode, url).toBe(status);
      expectCommonHeaders(res);
      expect(csp(res)['default-src']).toEqual(["'self'"]);
    }
  });

  test('the API docs: their own policy allows Swagger UI its inline styles, nothing more', async () => {
    for (const url of ['/api/docs', '/api/docs/', '/api/docs/static/swagger-initializer.js']) {
      const res = await as(app, null).get(url);
      expect(res.statusCode, url).toBe(200);
      expectCommonHeaders(res);
      const policy = csp(res);
      expect(policy['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
      expect(policy['script-src']).toEqual(["'self'"]);
      expect(policy['img-src']).toEqual(["'self'", 'data:', 'blob:']);
    }
    const page = await as(app, null).get('/api/docs');
    // Every script of the docs page is a file of its own, as script-src 'self' requires.
    for (const [, attributes, body] of page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(body!.trim()).toBe('');
    }
  });
});
