import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  apiToken,
  createGroup,
  detailPaths,
  expectError,
  type Harness,
  invite,
  join,
  logIn,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { createProposal, inSeconds } from '../helpers/factories';
import { as } from '../helpers/requests';
import { startThread } from '../helpers/threads';

// Contract 1.1: "Text containing U+0000 or unpaired surrogates, and numbers outside a field's range
// (event ids, cursors, limits), are 400 validation_failed, never 500." And: a rejected request
// changes nothing. Every registered route is tried, so a route added later is covered too.

const NUL = 'Plenary\u0000text';
const LONE_SURROGATE = 'Plenary\ud800text';

let h: Harness;
let facilitator: Person;
let member: Person;
let ids: {
  group: string;
  thread: string;
  proposal: string;
  option: string;
  comment: string;
  token: string;
  invitation: string;
  invitationToken: string;
};

beforeAll(async () => {
  h = await startApp({ RATE_LIMITS: 'off' });
  facilitator = await signUp(h.app, { name: 'Robin Facilitator' });
  member = await signUp(h.app, { name: 'Sam Member' });
  const group = await createGroup(h.app, facilitator, 'Bad Input Co-op');
  await join(h.app, facilitator, group.id, member);
  const thread = await startThread(h.app, facilitator, group.id);
  const proposal = await createProposal(h.app, facilitator, thread.id, {
    kind: 'poll',
    options: [{ label: 'Yes' }, { label: 'No' }],
  });
  const comment = await as(h.app, facilitator).post(`/api/v1/threads/${thread.id}/comments`, {
    body: 'A first comment.',
  });
  expect(comment.statusCode).toBe(201);
  const token = await apiToken(h.app, facilitator);
  const invitation = await invite(h.app, facilitator, group.id, { maxUses: 10 });
  ids = {
    group: group.id,
    thread: thread.id,
    proposal: proposal.id,
    option: proposal.options[0]!.id,
    comment: comment.json().comment.id,
    token: token.id,
    invitation: invitation.id,
    invitationToken: invitation.token,
  };
});
afterAll(() => h?.close());

interface Route {
  method: string;
  path: string;
}

/** Every route the app registered, from Fastify's own route tree (HEAD mirrors GET). */
function registeredRoutes(): Route[] {
  const routes: Route[] = [];
  const stack = [''];
  for (const line of h.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = line.match(/^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const parent = stack[depth - 1] ?? '';
    // The tree prints a wildcard child of `/api/docs` as `*`, without its slash.
    const path = m[2] === '*' && !parent.endsWith('/') ? `${parent}/*` : `${parent}${m[2]}`;
    stack.length = depth;
    stack[depth] = path;
    for (const method of m[3]?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push({ method, path });
    }
  }
  // Signing out last, so that a route letting the input through cannot end the session early.
  const signOut = (r: Route) => (r.path === '/api/v1/auth/logout' ? 1 : 0);
  return routes.sort((a, b) => signOut(a) - signOut(b));
}

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  minimum?: number;
  nullable?: boolean;
}
interface Operation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
}

/** The route's OpenAPI operation: the schemas Fastify validates it with. */
function operation(route: Route): Operation {
  const spec = (
    h.app as unknown as { swagger(): { paths: Record<string, Record<string, Operation>> } }
  ).swagger();
  const path = route.path.replace(/:(\w+)/g, '{$1}');
  return spec.paths[path]?.[route.method.toLowerCase()] ?? {};
}

/** A real id for each path parameter, so that without validation a request would reach the database. */
function paramValue(path: string, name: string): string {
  if (name === 'userId') return member.id;
  if (name === 'invitationId') return ids.invitation;
  if (name === 'token') return ids.invitationToken;
  if (name === 'emoji') return '👍';
  if (name === '*') return 'index.html';
  const resource = path.match(/\/(groups|threads|proposals|comments|tokens)\/:id/)?.[1];
  const byResource: Record<string, string> = {
    groups: ids.group,
    threads: ids.thread,
    proposals: ids.proposal,
    comments: ids.comment,
    tokens: ids.token,
  };
  return byResource[resource ?? ''] ?? ids.group;
}

function branches(schema: JsonSchema): JsonSchema[] {
  return (schema.anyOf ?? schema.oneOf ?? [schema]).filter((s) => s.type !== 'null');
}

/** Paths (as property names) of every string a body schema holds, through unions, objects and arrays. */
function stringLeaves(schema: JsonSchema, at: string[] = []): string[][] {
  const leaves: string[][] = [];
  for (const s of branches(schema)) {
    if (s.type === 'string' && s.const === undefined && !s.enum) leaves.push(at);
    for (const [key, child] of Object.entries(s.properties ?? {}))
      leaves.push(...stringLeaves(child, [...at, key]));
    if (s.type === 'array' && s.items) leaves.push(...stringLeaves(s.items, [...at, '0']));
  }
  const seen = new Set<string>();
  return leaves.filter((l) => !seen.has(l.join('/')) && seen.add(l.join('/')));
}

/** A value the schema accepts; along `focus`, optional fields are filled in and the leaf is `poison`. */
function build(schema: JsonSchema, focus: string[] | null, poison: string): unknown {
  const options = branches(schema);
  if (focus && focus.length === 0) return poison;
  const s =
    (focus
      ? options.find((o) => (o.type === 'array' ? focus[0] === '0' : o.properties?.[focus[0]!]))
      : null) ?? options[0]!;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(s.properties ?? {})) {
        if (focus?.[0] === key) value[key] = build(child, focus.slice(1), poison);
        else if (s.required?.includes(key)) value[key] = build(child, null, poison);
      }
      return value;
    }
    case 'array':
      return focus?.[0] === '0' && s.items ? [build(s.items, focus.slice(1), poison)] : [];
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'date-time') return inSeconds(86_400);
      if (s.format === 'date') return '2031-01-01';
      if (s.format === 'email') return `someone-${Date.now()}@example.org`;
      return 'x'.repeat(Math.max(s.minLength ?? 1, 10));
    default:
      return null;
  }
}

/** Bodies that are valid apart from the poisoned field, where a schema alone cannot say what is. */
function baseBody(route: Route): Record<string, unknown> {
  const key = `${route.method} ${route.path}`;
  if (key === 'PUT /api/v1/proposals/:id/vote') return { choices: [{ optionId: ids.option }] };
  if (key === 'POST /api/v1/threads/:id/proposals')
    return { kind: 'poll', options: [{ label: 'A' }, { label: 'B' }], closesAt: inSeconds(86_400) };
  if (key === 'POST /api/v1/threads/:id/read') return { lastEventId: 1 };
  return {};
}

interface Attempt {
  label: string;
  request: InjectOptions;
  /** The JSON pointer the answer's details must name. */
  pointer: string;
}

/** One request per path parameter, query parameter and string body field, each poisoned in turn. */
function attempts(route: Route, headers: Record<string, string>): Attempt[] {
  const op = operation(route);
  const params = [...route.path.matchAll(/:(\w+)|\*$/g)].map((m) => m[1] ?? '*');
  const urlWith = (poisoned?: string) =>
    route.path.replace(/:(\w+)|\*$/g, (_, name: string | undefined) => {
      const param = name ?? '*';
      return encodeURIComponent(param === poisoned ? NUL : paramValue(route.path, param));
    });
  const url = urlWith();
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const send = (overrides: InjectOptions & { url: string }): InjectOptions => ({
    method: route.method as 'GET',
    headers,
    ...(bodySchema ? { payload: { ...(build(bodySchema, null, '') as object), ...baseBody(route) } } : {}),
    ...overrides,
  });
  const list: Attempt[] = params.map((name) => ({
    label: `path parameter ${name}`,
    request: send({ url: urlWith(name) }),
    pointer: `/${name}`,
  }));
  const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  for (const name of query.length > 0 ? query : ['note']) {
    list.push({
      label: `query ${name}`,
      request: send({ url: `${url}?${name}=${encodeURIComponent(NUL)}` }),
      pointer: `/${name}`,
    });
  }
  if (bodySchema) {
    for (const leaf of stringLeaves(bodySchema)) {
      for (const [what, poison] of [
        ['U+0000', NUL],
        ['a lone surrogate', LONE_SURROGATE],
      ] as const) {
        const payload = build(bodySchema, leaf, poison) as Record<string, unknown>;
        const base = baseBody(route);
        for (const key of Object.keys(base)) if (key !== leaf[0]) payload[key] = base[key];
        list.push({
          label: `${what} in body ${leaf.join('/')}`,
          request: send({ url, payload }),
          pointer: `/${leaf.join('/')}`,
        });
      }
    }
  }
  return list;
}

const serverErrors: string[] = [];
function noServerError(label: string, res: LightMyRequestResponse) {
  if (res.statusCode >= 500) serverErrors.push(`${label}: ${res.statusCode} ${res.body}`);
}

describe('text with U+0000 or a lone surrogate', () => {
  test('a lone surrogate in a vote reason is 400 validation_failed at /reason; no vote is stored', async () => {
    const before = await rowCounts(h);
    const res = await as(h.app, member).put(`/api/v1/proposals/${ids.proposal}/vote`, {
      choices: [{ optionId: ids.option }],
      reason: 'Because \udc00',
    });
    noServerError('vote reason', res);
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toEqual(['/reason']);
    expect(await rowCounts(h)).toEqual(before);
  });

  test('a surrogate pair (an emoji) is ordinary text and is kept', async () => {
    const res = await as(h.app, member).put(`/api/v1/proposals/${ids.proposal}/vote`, {
      choices: [{ optionId: ids.option }],
      reason: 'Yes 🗳️ please',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().vote.reason).toBe('Yes 🗳️ please');
  });

  test('U+0000 inside a forged cursor is 400 validation_failed, not a database error', async () => {
    const cursor = Buffer.from(
      JSON.stringify({ updatedAt: new Date().toISOString(), key: 'a\u0000b' }),
    ).toString('base64url');
    const before = await rowCounts(h);
    const res = await as(h.app, facilitator).get(`/api/v1/proposals/${ids.proposal}/votes?cursor=${cursor}`);
    noServerError('forged cursor', res);
    expectError(res, 400, 'validation_failed');
    expect(await rowCounts(h)).toEqual(before);
  });
});

describe('numbers outside a field’s range', () => {
  const timeline = (query: string) =>
    as(h.app, facilitator).get(`/api/v1/threads/${ids.thread}/timeline?${query}`);

  test.each([
    ['after=99999999999999999999', '/after'],
    ['before=9223372036854775807', '/before'],
    ['after=9007199254740992', '/after'],
    ['before=1e400', '/before'],
    ['after=-1', '/after'],
    ['before=0', '/before'],
  ])('GET /threads/:id/timeline?%s is 400 validation_failed at %s', async (query, pointer) => {
    const res = await timeline(query);
    noServerError(query, res);
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain(pointer);
  });

  test('the largest event id a client can hold (2^53 - 1) is an ordinary, empty page', async () => {
    for (const query of ['after=9007199254740991', 'before=9007199254740991', 'cursor=999999999999999']) {
      const res = await timeline(query);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 200 });
    }
    expect((await timeline('after=9007199254740991')).json().items).toEqual([]);
  });

  // Written as JSON text: the first one is the Postgres bigint maximum, which no JS number holds.
  test.each(['9223372036854775807', '1e20', '9007199254740992', '0', '-5'])(
    'POST /threads/:id/read {lastEventId: %s} is 400 validation_failed; no read marker moves',
    async (lastEventId) => {
      const before = await rowCounts(h);
      const res = await h.app.inject({
        method: 'POST',
        url: `/api/v1/threads/${ids.thread}/read`,
        headers: { ...member.headers, 'content-type': 'application/json' },
        payload: `{"lastEventId": ${lastEventId}}`,
      });
      noServerError(`lastEventId ${lastEventId}`, res);
      expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain('/lastEventId');
      expect(await rowCounts(h)).toEqual(before);
    },
  );

  test('a limit far above 200 is treated as 200; one beyond 2^53 - 1 is 400 validation_failed', async () => {
    for (const url of [
      `/api/v1/groups/${ids.group}/threads`,
      `/api/v1/groups/${ids.group}/proposals`,
      `/api/v1/groups/${ids.group}/members`,
      `/api/v1/threads/${ids.thread}/timeline`,
      `/api/v1/proposals/${ids.proposal}/votes`,
      '/api/v1/notifications',
      '/api/v1/groups',
    ]) {
      const large = await as(h.app, facilitator).get(`${url}?limit=1000000`);
      expect({ url, status: large.statusCode }).toEqual({ url, status: 200 });
      for (const limit of ['99999999999999999999', '9007199254740992', '1e400']) {
        const res = await as(h.app, facilitator).get(`${url}?limit=${limit}`);
        noServerError(url, res);
        expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain('/limit');
      }
    }
  });
});

describe('malformed ids in query parameters', () => {
  test('GET /groups/:id/proposals?threadId=xyz is 400 validation_failed, not a database error', async () => {
    const res = await as(h.app, facilitator).get(`/api/v1/groups/${ids.group}/proposals?threadId=xyz`);
    noServerError('threadId', res);
    expectError(res, 400, 'validation_failed');
  });

  test('GET /search?groupId=xyz is 404, as a malformed id is not found', async () => {
    const res = await as(h.app, facilitator).get('/api/v1/search?q=comment&groupId=xyz');
    expectError(res, 404, 'not_found');
  });
});

test('an anonymous caller still gets 401 first where a route asks for a session before reading input', async () => {
  const res = await h.app.inject({
    method: 'PATCH',
    url: `/api/v1/groups/${ids.group}`,
    headers: { origin: 'http://localhost:80' },
    payload: { name: NUL },
  });
  expectError(res, 401, 'unauthenticated');
});
// Last, on a session of its own: should a route let the input through, logging out or
// deleting a token would otherwise spoil the tests after it.
describe('every registered route', () => {
  test('every route answers 400 validation_failed naming the field, with no 5xx, and nothing changes', async () => {
    const routes = registeredRoutes();
    // The tree parser found the routes the contract names, not an empty or garbled list.
    expect(routes).toContainEqual({ method: 'PUT', path: '/api/v1/proposals/:id/vote' });
    expect(routes).toContainEqual({ method: 'GET', path: '/api/v1/proposals/:id/votes' });
    expect(routes).toContainEqual({ method: 'PUT', path: '/api/v1/comments/:id/reactions/:emoji' });
    expect(routes).toContainEqual({ method: 'GET', path: '/healthz' });
    expect(routes.length).toBeGreaterThan(40);

    const headers = await logIn(h.app, facilitator);
    const before = await rowCounts(h);
    const wrong: string[] = [];
    let tried = 0;
    for (const route of routes) {
      for (const attempt of attempts(route, headers)) {
        tried += 1;
        const label = `${route.method} ${route.path}: ${attempt.label}`;
        const res = await h.app.inject(attempt.request);
        noServerError(label, res);
        const body = res.statusCode === 400 ? res.json() : null;
        if (body?.error?.code !== 'validation_failed' || !detailPaths(body.error).includes(attempt.pointer)) {
          wrong.push(`${label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        }
      }
    }
    expect({ serverErrors, wrong }).toEqual({ serverErrors: [], wrong: [] });
    expect(tried).toBeGreaterThan(150);
    expect(await rowCounts(h)).toEqual(before);
  });
});
