import type { FastifyServerOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { type Harness, startApp } from '../helpers/app';

/**
 * Issue #14: the OpenAPI document (`GET /api/docs/json`) names every route the app serves,
 * `/healthz`, `/readyz`, the websocket upgrade and whatever is added later included, and every
 * operation that takes input or needs a signed-in caller documents its failures in the
 * contract's error shape, `{error: {code, message, details?}}`.
 */

// `buildApp` makes its Fastify instance itself, so the route log goes in where Fastify is made:
// an `onRoute` hook on the root instance, added before the first plugin, sees every route of
// every plugin, documented or hidden, exactly as the router gets it.
const registered = vi.hoisted(() => [] as string[]);
vi.mock('fastify', async (importOriginal) => {
  const fastify = await importOriginal<typeof import('fastify')>();
  const withRouteLog = ((options?: FastifyServerOptions) =>
    fastify.default(options).addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.push(`${method} ${route.url}`);
    })) as typeof fastify.default;
  return { ...fastify, default: withRouteLog };
});

/**
 * The only routes the document may leave out: the docs themselves, served by
 * @fastify/swagger-ui (its page, the files @fastify/static serves under it, and this very
 * document as JSON and YAML). The built web client, which @fastify/static serves outside
 * `/api/`, is not loaded in API tests.
 */
const NOT_API_OPERATIONS = new Set([
  'GET /api/docs', // the Swagger UI page
  'GET /api/docs/static/index.html', // its files
  'GET /api/docs/static/swagger-initializer.js',
  'GET /api/docs/static/*',
  'GET /api/docs/json', // the document itself
  'GET /api/docs/yaml',
]);

interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
}
interface Response {
  description: string;
  content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, Response>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

let h: Harness;
let doc: Document;
/** `GET /api/v1/groups/{id}` for each documented operation. */
let documented: Map<string, Operation>;
/** The operations that answer an anonymous caller 401: they need a session or a token. */
let needSignIn: Set<string>;

/** `/api/v1/groups/:id` as OpenAPI writes it. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** `{error: {code: string, message: string, …}}`, both required. */
function isErrorShape(schema: Schema | undefined): boolean {
  const error = schema?.properties?.error;
  return (
    schema?.type === 'object' &&
    !!schema.required?.includes('error') &&
    error?.type === 'object' &&
    error.properties?.code?.type === 'string' &&
    error.properties?.message?.type === 'string' &&
    ['code', 'message'].every((field) => error.required?.includes(field))
  );
}

/** The 4xx statuses an operation documents with a JSON body in the error shape. */
function errorShapedClientErrors(op: Operation): string[] {
  return Object.entries(op.responses ?? {})
    .filter(([status]) => /^4(\d\d|XX)$/.test(status))
    .filter(([, response]) => isErrorShape(response.content?.['application/json']?.schema))
    .map(([status]) => status);
}

beforeAll(async () => {
  h = await startApp();
  const res = await h.app.inject({ method: 'GET', url: '/api/docs/json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
  documented = new Map();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations))
      documented.set(`${method.toUpperCase()} ${path}`, op);
  }
  // Asked of the app, not read from the document: without a credential, what does each answer?
  // (No request here is signed in, so none can change anything but a rate-limit counter.)
  needSignIn = new Set();
  for (const operation of documented.keys()) {
    const [method, path] = operation.split(' ') as [string, string];
    const res = await h.app.inject({
      method: method as 'GET',
      url: path.replace(/\{(\w+)\}/g, 'x'),
      ...(['GET', 'HEAD'].includes(method) ? {} : { payload: {} }),
    });
    if (res.statusCode === 401) needSignIn.add(operation);
  }
});

afterAll(async () => {
  await h?.close();
});

describe('the OpenAPI document', () => {
  test('names every route the app registered (HEAD aside, and the docs themselves)', () => {
    const routes = new Set(registered);
    // The log saw the whole app, not a part of it.
    expect(routes).toContain('GET /api/v1/proposals/:id');
    expect(routes).toContain('GET /api/docs/json');
    expect(routes.size).toBeGreaterThan(60);
    // Every exception is a route that exists: a stale entry would hide nothing, but mislead.
    expect([...NOT_API_OPERATIONS].filter((route) => !routes.has(route))).toEqual([]);

    const missing = [...routes]
      .filter((route) => !NOT_API_OPERATIONS.has(route))
      // Fastify answers HEAD for every GET by itself; the document describes the GET.
      .filter((route) => !(route.startsWith('HEAD ') && routes.has(route.replace(/^HEAD /, 'GET '))))
      .map((route) => {
        const [method, url] = route.split(' ') as [string, string];
        return `${method} ${openApiPath(url)}`;
      })
      .filter((operation) => !documented.has(operation));
    expect(missing).toEqual([]);
  });

  test('names the health checks', () => {
    expect([...documented.keys()]).toEqual(expect.arrayContaining(['GET /healthz', 'GET /readyz']));
  });

  test('names the live stream: a GET answered with 101, its token and its frames described', () => {
    const stream: Operation = documented.get('GET /api/v1/stream') ?? {};
    expect(Object.keys(stream.responses ?? {})).toEqual(expect.arrayContaining(['101', '401']));
    expect(JSON.stringify(stream.parameters)).toContain('"token"');
    expect(stream.responses?.['101']?.description).toMatch(/WebSocket/);
    expect(JSON.stringify(stream)).toContain('docs/api.md');
  });

  test('every operation that takes input or needs sign-in documents a 4xx in the error shape', () => {
    const undocumented = [...documented]
      .filter(([operation, op]) => needSignIn.has(operation) || op.parameters?.length || op.requestBody)
      .filter(([, op]) => errorShapedClientErrors(op).length === 0)
      .map(([operation]) => operation);
    expect(undocumented).toEqual([]);
  });

  test('every operation that answers an anonymous caller 401 documents that 401, in the error shape', () => {
    // The probe found the signed-in routes, not none of them.
    expect(needSignIn).toContain('GET /api/v1/me');
    expect(needSignIn).toContain('GET /api/v1/stream');
    const without401 = [...needSignIn].filter(
      (operation) => !errorShapedClientErrors(documented.get(operation)!).includes('401'),
    );
    expect(without401).toEqual([]);
  });
});
