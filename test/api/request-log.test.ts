import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { requestIdGenerator } from '../../server/plugins/request-log';
import { apiToken, createGroup, logIn, ORIGIN, type Person, signUp, type TestApp } from '../helpers/app';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { as } from '../helpers/requests';
import { listenOn, openStream } from '../helpers/stream';
import { startThread } from '../helpers/threads';

/** Every line the app logged, as written. */
const written: string[] = [];
let app: TestApp;
let db: TestDatabase;
let base: string;

beforeAll(async () => {
  db = await freshDatabase();
  const config = loadConfig({
    SESSION_SECRET: 'test-secret-test-secret-test-secret-42',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'plenary-test-')),
    LOG_LEVEL: 'info',
  });
  app = await buildApp({
    config,
    database: db.database,
    serveClient: false,
    logger: { level: 'info', stream: { write: (line: string) => void written.push(line) } },
  });
  await app.ready();
  base = await listenOn(app);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

interface RequestLine {
  level: number;
  reqId: string;
  method: string;
  route: string | null;
  status: number;
  ms: number;
  msg: string;
}

/** The request lines written since `from` (an index into `written`). */
function requestLines(from: number): RequestLine[] {
  return written
    .slice(from)
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.msg === 'request');
}

/** The one line logged for `res`, found by its X-Request-Id. */
function lineOf(res: LightMyRequestResponse, from: number): RequestLine {
  const id = res.headers['x-request-id'];
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const lines = requestLines(from).filter((line) => line.reqId === id);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('the request log', () => {
  let person: Person;
  let threadId: string;

  beforeAll(async () => {
    person = await signUp(app, { password: 'Sw0rdfish-password-in-the-body' });
    threadId = (await startThread(app, person, (await createGroup(app, person)).id)).id;
  });

  test('writes one line per request at info: method, route pattern, status, milliseconds, request id', async () => {
    const from = written.length;
    const res = await as(app, person).get(`/api/v1/threads/${threadId}?include=secret-query-value`);
    expect(res.statusCode).toBe(200);
    const line = lineOf(res, from);
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/api/v1/threads/:id',
      status: 200,
      msg: 'request',
    });
    expect(line.ms).toBeGreaterThanOrEqual(0);
    expect(Object.keys(line).sort()).toEqual(
      ['hostname', 'level', 'method', 'ms', 'msg', 'pid', 'reqId', 'route', 'status', 'time'].sort(),
    );
    expect(requestLines(from)).toHaveLength(1);
    expect(written.slice(from).join('')).not.toContain(threadId);
  });

  test('one line per request, whatever the answer, each with its own id', async () => {
    const from = written.length;
    const answers = [
      await as(app, null).get(`/api/v1/threads/${threadId}`),
      await as(app, person).get('/no/such/page'),
      await as(app, person).post(`/api/v1/groups/${threadId}/threads`, { title: '' }),
      await app.inject({ method: 'GET', url: '/healthz' }),
    ];
    expect(answers.map((res) => res.statusCode)).toEqual([401, 404, 400, 200]);
    const lines = answers.map((res) => lineOf(res, from));
    expect(lines.map(({ route, status }) => ({ route, status }))).toEqual([
      { route: '/api/v1/threads/:id', status: 401 },
      { route: null, status: 404 },
      { route: '/api/v1/groups/:id/threads', status: 400 },
      { route: '/healthz', status: 200 },
    ]);
    expect(requestLines(from)).toHaveLength(answers.length);
    expect(new Set(lines.map((line) => line.reqId)).size).toBe(answers.length);
  });

  test('never holds a password, a cookie, a token or a query string', async () => {
    const from = written.length;
    const password = 'Another-secret-passphrase-42';
    const someone = await signUp(app, { password });
    const session = await logIn(app, someone);
    const cookieValue = session.cookie.split('=')[1]!;
    const token = await apiToken(app, someone);
    expect((await as(app, token).get('/api/v1/me')).statusCode).toBe(200);
    expect((await as(app, { headers: session }).get('/api/v1/me?token=query-secret-value')).statusCode).toBe(
      200,
    );
    const socket = await openStream(base, { token: token.secret });
    await socket.close();
    const log = written.slice(from).join('');
    expect(requestLines(from).length).toBeGreaterThanOrEqual(6);
    for (const secret of [password, cookieValue, token.secret, 'query-secret-value']) {
      expect(log).not.toContain(secret);
    }
    // Not even the names: the request lines hold no header and no body.
    const lines = requestLines(from).map((line) => JSON.stringify(line));
    expect(lines.join('\n')).not.toMatch(/cookie|authorization|password|email|token=/i);
  });

  test('logs a websocket once, when it opens (101), with its id in the 101', async () => {
    const from = written.length;
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/stream`, {
      headers: { cookie: person.headers.cookie! },
    });
    const upgradeId = await new Promise<string | undefined>((resolve, reject) => {
      let id: string | undefined;
      socket.once('upgrade', (res) => {
        id = res.headers['x-request-id'] as string | undefined;
      });
      socket.once('open', () => resolve(id));
      socket.once('error', reject);
    });
    socket.close();
    await once(socket, 'close');
    const lines = requestLines(from);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, method: 'GET', route: '/api/v1/stream', status: 101 });
    expect(lines[0]!.reqId).toBe(upgradeId);
  });

  test('answers the X-Request-Id it logged, over a real socket too', async () => {
    const from = written.length;
    const res = await fetch(`${base}/api/v1/threads/${threadId}`, {
      headers: { cookie: person.headers.cookie!, origin: ORIGIN, 'x-request-id': 'chosen-by-the-client' },
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    // No TRUST_PROXY: a client's X-Request-Id is not believed.
    expect(id).not.toBe('chosen-by-the-client');
    expect(requestLines(from).map((line) => line.reqId)).toEqual([id]);
  });
});

describe('X-Request-Id from a proxy', () => {
  const raw = (id?: string) =>
    ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;

  test('is taken behind TRUST_PROXY when it has the strict shape', () => {
    const generate = requestIdGenerator(['10.0.0.1']);
    expect(generate(raw('edge-7f3a.19_2'))).toBe('edge-7f3a.19_2');
    expect(generate(raw('a'.repeat(64)))).toBe('a'.repeat(64));
    for (const bad of ['a'.repeat(65), 'two words', 'id\nforged: line', '', 'ünïcode']) {
      expect(generate(raw(bad))).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(generate(raw())).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('is ignored without TRUST_PROXY', () => {
    expect(requestIdGenerator(false)(raw('edge-7f3a'))).toMatch(/^[0-9a-f-]{36}$/);
  });
});
