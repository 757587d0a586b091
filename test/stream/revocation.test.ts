import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import {
  apiToken,
  createGroup,
  type Harness,
  join,
  logIn,
  type Person,
  signUp,
  startApp,
} from '../helpers/app';
import { freshDatabase, TEST_DB_KIND, type TestDatabase } from '../helpers/database';
import { NATS_URL, natsForTests } from '../helpers/nats';
import { as } from '../helpers/requests';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { listenOn, openStream, type StreamClient } from '../helpers/stream';

// The contract (1.1): revoking a credential closes or cuts off every socket it opened within 5 s,
// in every server process; the socket gets no further events and `since` replays nothing more.
const WITHIN_MS = 5_000;
const REVOKED = { code: 4001, reason: 'credential revoked' };

interface Watched extends StreamClient {
  /** Resolves when the socket closes, with how and when. */
  closed: Promise<{ code: number; reason: string; at: number }>;
}

/** Opens a socket (cookie, `?token=` or a Bearer header), subscribes to `topics` and waits until it has. */
async function watch(
  baseUrl: string,
  auth: { cookie?: string; token?: string; bearer?: string },
  ...topics: string[]
): Promise<Watched> {
  const ws = await openStream(baseUrl, auth);
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
  );
  for (const topic of topics) ws.send({ type: 'subscribe', topic });
  await ws.waitForCount((m) => m.type === 'subscribed', topics.length);
  return Object.assign(ws, { closed });
}

/** Sends a ping and waits for its pong: everything sent before has arrived. */
async function settle(ws: StreamClient) {
  const pongs = ws.messages.filter((m) => m.type === 'pong').length;
  ws.send({ type: 'ping' });
  await ws.waitForCount((m) => m.type === 'pong', pongs + 1);
}

/** The socket closes as revoked, within 5 s of `revokedAt`. */
async function expectClosedWithin(ws: Watched, revokedAt: number) {
  const late = new Promise<null>((resolve) => setTimeout(() => resolve(null), WITHIN_MS + 1_000));
  const closed = await Promise.race([ws.closed, late]);
  expect(closed, 'the socket is still open').not.toBeNull();
  expect({ code: closed!.code, reason: closed!.reason }).toEqual(REVOKED);
  expect(closed!.at - revokedAt).toBeLessThan(WITHIN_MS);
}

/**
 * Right after a revocation answered: the socket asks for the whole history again, as a thief
 * holding it would. It must close within 5 s with nothing more served: no event, no `subscribed`.
 */
async function expectCutOff(ws: Watched, revokedAt: number, topics: string[]) {
  const before = ws.messages.length;
  for (const topic of topics) {
    try {
      ws.send({ type: 'subscribe', topic, since: 0 });
    } catch {
      // already closing
    }
  }
  await expectClosedWithin(ws, revokedAt);
  const after = ws.messages.slice(before);
  expect(after.filter((m) => m.type === 'event' || m.type === 'subscribed')).toEqual([]);
}

const eventCount = (ws: StreamClient) => ws.messages.filter((m) => m.type === 'event').length;

describe('one server process', () => {
  let h: Harness;
  let base: string;
  let ada: Person;
  let groupId: string;
  let group: string;

  beforeAll(async () => {
    h = await startApp();
    base = await listenOn(h.app);
    ada = await signUp(h.app, { name: 'Ada' });
    groupId = (await createGroup(h.app, ada)).id;
    group = `group:${groupId}`;
  });
  afterAll(() => h?.close());

  async function rename(name: string) {
    const res = await as(h.app, ada).patch(`/api/v1/groups/${groupId}`, { name });
    expect(res.statusCode).toBe(200);
  }

  /** A member of the group with two sessions (two devices). */
  async function member(name: string) {
    const person = await signUp(h.app, { name });
    await join(h.app, ada, groupId, person);
    return { person, other: await logIn(h.app, person) };
  }

  test('logout closes the sockets of that session within 5 s; another session keeps its own', async () => {
    const { person: bo, other } = await member('Bo');
    const leaving = await watch(base, { cookie: bo.headers.cookie }, group, 'me');
    const staying = await watch(base, { cookie: other.cookie }, group);
    await rename('Before logout');
    await leaving.waitFor((m) => m.type === 'event');
    await settle(leaving);

    const res = await as(h.app, bo).post('/api/v1/auth/logout');
    expect(res.statusCode).toBe(204);
    await expectCutOff(leaving, Date.now(), [group, 'me']);

    const seen = eventCount(staying);
    await rename('After logout');
    await staying.waitForCount((m) => m.type === 'event', seen + 1);
    await expect(openStream(base, { cookie: bo.headers.cookie })).rejects.toThrow(/401/);
    await staying.close();
  });

  test('deleting an API token closes every socket it opened; the owner keeps the others', async () => {
    const { person: cy } = await member('Cy');
    const token = await apiToken(h.app, cy);
    const byQuery = await watch(base, { token: token.secret }, group);
    const byHeader = await watch(base, { bearer: token.secret }, group);
    const byCookie = await watch(base, { cookie: cy.headers.cookie }, group);
    // A live token keeps its sockets open past a check of the credentials.
    await new Promise((r) => setTimeout(r, 2_500));
    await settle(byQuery);
    await settle(byHeader);

    const res = await as(h.app, cy).delete(`/api/v1/tokens/${token.id}`);
    expect(res.statusCode).toBe(204);
    const at = Date.now();
    await Promise.all([expectCutOff(byQuery, at, [group]), expectCutOff(byHeader, at, [group])]);

    const seen = eventCount(byCookie);
    await rename('After token deletion');
    await byCookie.waitForCount((m) => m.type === 'event', seen + 1);
    await expect(openStream(base, { token: token.secret })).rejects.toThrow(/401/);
    await byCookie.close();
  });

  test("a password change closes the other sessions' sockets; the session that made it keeps its own", async () => {
    const { person: di, other } = await member('Di');
    const elsewhere = await watch(base, { cookie: other.cookie }, group);
    const here = await watch(base, { cookie: di.headers.cookie }, group);

    const res = await as(h.app, di).patch('/api/v1/me', {
      password: 'a brand new passphrase',
      currentPassword: di.password,
    });
    expect(res.statusCode).toBe(200);
    await expectCutOff(elsewhere, Date.now(), [group]);

    const seen = eventCount(here);
    await rename('After password change');
    await here.waitForCount((m) => m.type === 'event', seen + 1);
    await here.close();
  });

  test('a revocation whose notification never arrived still cuts the socket off, and closes it within 5 s', async () => {
    const { person: eve } = await member('Eve');
    const idle = await watch(base, { cookie: eve.headers.cookie }, group);
    const asking = await watch(base, { cookie: eve.headers.cookie });
    // Straight in the database, as if the notice between processes were lost.
    await sql`update sessions set revoked_at = now() where user_id = ${eve.id}`.execute(h.db.database.db);
    const at = Date.now();
    // A socket that asks for the history at once gets none of it; one that waits is closed by the next check.
    await Promise.all([expectCutOff(asking, at, [group]), expectClosedWithin(idle, at)]);
    await rename('After the silent revocation');
    expect(eventCount(idle)).toBe(0);
  });

  test("removal from a group ends that group's topics, and since=0 replays nothing of it", async () => {
    const { person: fay } = await member('Fay');
    const threadId = (
      await as(h.app, ada).post(`/api/v1/groups/${groupId}/threads`, { title: 'Before Fay left' })
    ).json().thread.id;
    const thread = `thread:${threadId}`;
    const ws = await watch(base, { cookie: fay.headers.cookie }, group, thread, 'me');
    const removed = await as(h.app, ada).delete(`/api/v1/groups/${groupId}/members/${fay.id}`);
    expect(removed.statusCode).toBe(204);
    await ws.waitForCount((m) => m.type === 'error' && m.code === 'not_found', 2);
    const before = ws.messages.length;
    ws.send({ type: 'subscribe', topic: group, since: 0 });
    ws.send({ type: 'subscribe', topic: thread, since: 0 });
    await ws.waitForCount((m) => m.type === 'error' && m.code === 'not_found', 4);
    await rename('After Fay left');
    await settle(ws);
    const after = ws.messages.slice(before);
    expect(after.filter((m) => m.type === 'event' || m.type === 'subscribed')).toEqual([]);
    await ws.close();
  });
});

// Several processes can share only a real Postgres; PGlite lives inside one process.
const BUSES = TEST_DB_KIND === 'postgres' ? ['postgres', ...((await natsForTests()) ? [NATS_URL] : [])] : [];

describe.each(BUSES)('revoked through one process, socket on another (EVENT_BUS=%s)', (bus) => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.database.close();
    a = await spawnServer({ DATABASE_URL: db.url!, EVENT_BUS: bus });
    b = await spawnServer({ DATABASE_URL: db.url!, EVENT_BUS: bus });
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  async function call(server: ServerProcess, method: string, path: string, cookie: string, body?: unknown) {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), cookie, origin: server.url },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: res.status === 204 ? null : await res.json() };
  }

  let count = 0;
  /** Someone registered through A, with a second session (logged in through A too). */
  async function person(name: string) {
    count += 1;
    const email = `${name.toLowerCase()}-${count}-${Date.now()}@example.org`;
    const password = 'correct horse battery';
    const cookieOf = (res: Response) => res.headers.getSetCookie()[0]!.split(';')[0]!;
    const post = (path: string, body: unknown) =>
      fetch(`${a.url}/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const reg = await post('/auth/register', { name, email, password });
    const id = (await reg.json()).user.id as string;
    const other = cookieOf(await post('/auth/login', { email, password }));
    return { id, password, cookie: cookieOf(reg), other };
  }

  async function groupOf(owner: { cookie: string }) {
    return (await call(a, 'POST', '/groups', owner.cookie, { name: 'Across' })).json.group.id as string;
  }

  test('logout through A closes the socket on B within 5 s', async () => {
    const ada = await person('Ada');
    const group = `group:${await groupOf(ada)}`;
    const ws = await watch(b.url, { cookie: ada.cookie }, group, 'me');
    const staying = await watch(b.url, { cookie: ada.other }, group);
    expect((await call(a, 'POST', '/auth/logout', ada.cookie)).status).toBe(204);
    await expectCutOff(ws, Date.now(), [group, 'me']);
    await settle(staying);
    expect(staying.socket.readyState).toBe(WebSocket.OPEN);
    await staying.close();
  });

  test('deleting a token through A closes the socket it opened on B within 5 s', async () => {
    const bo = await person('Bo');
    const group = `group:${await groupOf(bo)}`;
    const token = (await call(a, 'POST', '/tokens', bo.cookie, { name: 'bot' })).json.token;
    const ws = await watch(b.url, { token: token.secret }, group);
    expect((await call(a, 'DELETE', `/tokens/${token.id}`, bo.cookie)).status).toBe(204);
    await expectCutOff(ws, Date.now(), [group]);
  });

  test("a password change through A closes the other session's socket on B within 5 s", async () => {
    const cy = await person('Cy');
    const group = `group:${await groupOf(cy)}`;
    const ws = await watch(b.url, { cookie: cy.other }, group);
    const here = await watch(b.url, { cookie: cy.cookie }, group);
    const changed = await call(a, 'PATCH', '/me', cy.cookie, {
      password: 'a brand new passphrase',
      currentPassword: cy.password,
    });
    expect(changed.status).toBe(200);
    await expectCutOff(ws, Date.now(), [group]);
    await settle(here);
    expect(here.socket.readyState).toBe(WebSocket.OPEN);
    await here.close();
  });

  test("removal through A ends the group's topics on B, and since=0 replays nothing", async () => {
    const di = await person('Di');
    const eve = await person('Eve');
    const groupId = await groupOf(di);
    const group = `group:${groupId}`;
    const invitation = (await call(a, 'POST', `/groups/${groupId}/invitations`, di.cookie, {})).json
      .invitation;
    expect((await call(a, 'POST', `/invitations/${invitation.token}/accept`, eve.cookie)).status).toBe(200);
    const threadId = (await call(a, 'POST', `/groups/${groupId}/threads`, di.cookie, { title: 'T' })).json
      .thread.id;
    const thread = `thread:${threadId}`;
    const ws = await watch(b.url, { cookie: eve.cookie }, group, thread);
    expect((await call(a, 'DELETE', `/groups/${groupId}/members/${eve.id}`, di.cookie)).status).toBe(204);
    await ws.waitForCount((m) => m.type === 'error' && m.code === 'not_found', 2, WITHIN_MS);
    const before = ws.messages.length;
    ws.send({ type: 'subscribe', topic: group, since: 0 });
    ws.send({ type: 'subscribe', topic: thread, since: 0 });
    await ws.waitForCount((m) => m.type === 'error' && m.code === 'not_found', 4);
    await call(a, 'PATCH', `/groups/${groupId}`, di.cookie, { name: 'After Eve left' });
    await call(a, 'POST', `/threads/${threadId}/comments`, di.cookie, { body: 'Eve must not read this' });
    await new Promise((r) => setTimeout(r, 500));
    await settle(ws);
    const after = ws.messages.slice(before);
    expect(after.filter((m) => m.type === 'event' || m.type === 'subscribed')).toEqual([]);
    await ws.close();
  });
});
