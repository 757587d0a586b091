import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import webpush from 'web-push';
import { ConfigError, loadConfig } from '../../server/config';
import {
  addMembers,
  createGroup,
  expectError,
  type Harness,
  type Person,
  signUp,
  startApp,
} from '../helpers/app';
import { browserKeys, type PushService, startPushService, verifyVapid } from '../helpers/push-service';
import { as } from '../helpers/requests';
import { postComment, startThread } from '../helpers/threads';

// Web Push (#12): a member's devices, and the notifications they chose pushed to them, signed (VAPID,
// RFC 8292) and encrypted to the browser (RFC 8291), through a push service standing in on loopback.

const SUBSCRIPTIONS = '/api/v1/me/push-subscriptions';
const keys = browserKeys();
const subscription = (endpoint: string, k: { p256dh: string; auth: string } = keys) => ({
  endpoint,
  expirationTime: null,
  keys: { p256dh: k.p256dh, auth: k.auth },
});

describe('push subscriptions', () => {
  let h: Harness;
  let ann: Person;
  let bea: Person;

  beforeAll(async () => {
    // As in production: https endpoints only.
    h = await startApp();
    [ann, bea] = [await signUp(h.app), await signUp(h.app)];
  });
  afterAll(() => h?.close());

  test('the key browsers subscribe with is a P-256 public key, the same on every ask', async () => {
    const first = await as(h.app, ann).get('/api/v1/push/key');
    expect(first.statusCode).toBe(200);
    const raw = Buffer.from(first.json().publicKey, 'base64url');
    expect({ length: raw.length, form: raw[0] }).toEqual({ length: 65, form: 4 });
    expect((await as(h.app, bea).get('/api/v1/push/key')).json()).toEqual(first.json());
  });

  test('anonymous callers get 401 from every push route', async () => {
    const anon = as(h.app, null);
    for (const res of [
      await anon.get('/api/v1/push/key'),
      await anon.get(SUBSCRIPTIONS),
      await anon.post(SUBSCRIPTIONS, subscription('https://push.example.org/a')),
      await anon.delete(`${SUBSCRIPTIONS}/00000000-0000-4000-8000-000000000000`),
    ]) {
      expectError(res, 401, 'unauthenticated');
    }
  });

  test('a device is registered, listed and deleted by its owner only', async () => {
    const created = await as(h.app, ann).post(SUBSCRIPTIONS, subscription('https://push.example.org/ann-1'));
    expect(created.statusCode, created.body).toBe(201);
    const sub = created.json().subscription;
    expect(sub).toEqual({
      id: expect.any(String),
      endpoint: 'https://push.example.org/ann-1',
      createdAt: expect.any(String),
    });
    expect((await as(h.app, ann).get(SUBSCRIPTIONS)).json()).toEqual({ items: [sub], nextCursor: null });
    expect((await as(h.app, bea).get(SUBSCRIPTIONS)).json()).toEqual({ items: [], nextCursor: null });

    expectError(await as(h.app, bea).delete(`${SUBSCRIPTIONS}/${sub.id}`), 404, 'not_found');
    expectError(await as(h.app, ann).delete(`${SUBSCRIPTIONS}/not-an-id`), 404, 'not_found');
    expect((await as(h.app, ann).get(SUBSCRIPTIONS)).json().items).toHaveLength(1);
    expect((await as(h.app, ann).delete(`${SUBSCRIPTIONS}/${sub.id}`)).statusCode).toBe(204);
    expect((await as(h.app, ann).get(SUBSCRIPTIONS)).json().items).toEqual([]);
    expectError(await as(h.app, ann).delete(`${SUBSCRIPTIONS}/${sub.id}`), 404, 'not_found');
  });

  test('an endpoint registered again, by someone else on that browser, moves to them', async () => {
    const endpoint = 'https://push.example.org/shared-browser';
    await as(h.app, ann).post(SUBSCRIPTIONS, subscription(endpoint));
    const moved = await as(h.app, bea).post(SUBSCRIPTIONS, subscription(endpoint, browserKeys()));
    expect(moved.statusCode).toBe(201);
    expect((await as(h.app, ann).get(SUBSCRIPTIONS)).json().items).toEqual([]);
    expect((await as(h.app, bea).get(SUBSCRIPTIONS)).json().items).toEqual([moved.json().subscription]);
  });

  test('what cannot be pushed to is refused with the field named', async () => {
    const bad: [unknown, string][] = [
      [subscription('http://push.example.org/plain'), '/endpoint'],
      [subscription('not a url'), '/endpoint'],
      [subscription('https://127.0.0.1/inside'), '/endpoint'],
      [subscription('https://localhost/inside'), '/endpoint'],
      [subscription('https://push.example.org/x', { ...keys, p256dh: 'AAAA' }), '/keys/p256dh'],
      [subscription('https://push.example.org/x', { ...keys, auth: keys.p256dh }), '/keys/auth'],
      [{ endpoint: 'https://push.example.org/x' }, '/keys'],
    ];
    for (const [body, path] of bad) {
      const error = expectError(
        await as(h.app, ann).post(SUBSCRIPTIONS, body as object),
        400,
        'validation_failed',
      );
      expect({ body, paths: error.details?.map((d) => d.path) }).toEqual({ body, paths: [path] });
    }
    expect((await as(h.app, ann).get(SUBSCRIPTIONS)).json().items).toEqual([]);
  });
});

describe('pushing notifications', () => {
  let h: Harness;
  let service: PushService;
  let ann: Person;
  let bea: Person;
  let cy: Person;
  let groupId: string;
  let threadId: string;
  const beaKeys = browserKeys();
  const cyKeys = browserKeys();

  beforeAll(async () => {
    [h, service] = await Promise.all([startApp({ PUSH_ALLOW_HTTP: 'true' }), startPushService()]);
    ann = await signUp(h.app, { name: 'Ann Facilitator' });
    groupId = (await createGroup(h.app, ann)).id;
    [bea, cy] = await addMembers(h.app, ann, groupId, 2);
    threadId = (await startThread(h.app, ann, groupId, { title: 'Spring assembly' })).id;
    for (const [who, k, path] of [
      [bea, beaKeys, '/push/bea'],
      [cy, cyKeys, '/push/cy'],
    ] as const) {
      const res = await as(h.app, who).post(SUBSCRIPTIONS, subscription(`${service.url}${path}`, k));
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(async () => {
    await h?.close();
    await service?.close();
  });

  test('a mention reaches the member’s device, signed by the server and readable only with its keys', async () => {
    const comment = await postComment(h.app, ann, threadId, `@${bea.handle} can you book the hall?`);
    const push = await service.waitFor('/push/bea');

    const { claims, key } = verifyVapid(push.headers.authorization);
    const { publicKey } = (await as(h.app, bea).get('/api/v1/push/key')).json();
    expect(key).toBe(publicKey);
    expect(claims.aud).toBe(service.url);
    expect(claims.sub).toMatch(/^(mailto:|https:\/\/)/);
    expect(claims.exp * 1000).toBeGreaterThan(Date.now());
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(push.headers.ttl)).toBeGreaterThanOrEqual(3600);

    expect(() => cyKeys.decrypt(push.body)).toThrow();
    expect(JSON.parse(beaKeys.decrypt(push.body))).toEqual({
      title: 'Plenary',
      body: 'Ann Facilitator mentioned you in a comment in “Spring assembly”',
      url: `/threads/${threadId}#comment-${comment.id}`,
      tag: `thread:${threadId}`,
    });
    await h.app.ctx.push!.idle();
    const row = await h.db.database.db
      .selectFrom('push_subscriptions')
      .select(['last_sent_at', 'failure_count'])
      .where('endpoint', '=', `${service.url}/push/bea`)
      .executeTakeFirstOrThrow();
    expect({ sent: row.last_sent_at !== null, failures: row.failure_count }).toEqual({
      sent: true,
      failures: 0,
    });
    // Cy was not mentioned.
    expect(service.received.filter((r) => r.path === '/push/cy')).toEqual([]);
  });

  test('a kind the member turned off is not pushed; the same comment still reaches who wants it', async () => {
    const prefs = await as(h.app, bea).patch('/api/v1/me/preferences', { groups: { [groupId]: 'none' } });
    expect(prefs.statusCode, prefs.body).toBe(200);
    const beaBefore = service.received.filter((r) => r.path === '/push/bea').length;

    await postComment(h.app, ann, threadId, `@${bea.handle} @${cy.handle} the hall is booked`);
    const toCy = await service.waitFor('/push/cy');
    await h.app.ctx.push!.idle();

    expect(JSON.parse(cyKeys.decrypt(toCy.body)).body).toContain('mentioned you');
    expect(service.received.filter((r) => r.path === '/push/bea')).toHaveLength(beaBefore);
    // The notification itself is still there to read in the app.
    const inbox = await as(h.app, bea).get('/api/v1/notifications');
    expect(inbox.json().items[0].text).toBe(
      'Ann Facilitator mentioned you in a comment in “Spring assembly”',
    );
  });

  test('a device the push service has forgotten (410) is deleted; other failures are counted', async () => {
    service.answerWith(500);
    await postComment(h.app, ann, threadId, `@${cy.handle} one more thing`);
    await service.waitFor('/push/cy', 2);
    await h.app.ctx.push!.idle();
    const failed = await as(h.app, cy).get(SUBSCRIPTIONS);
    expect(failed.json().items).toHaveLength(1);
    const count = await h.db.database.db
      .selectFrom('push_subscriptions')
      .select('failure_count')
      .where('user_id', '=', cy.id)
      .executeTakeFirstOrThrow();
    expect(count.failure_count).toBe(1);

    service.answerWith(410);
    await postComment(h.app, ann, threadId, `@${cy.handle} and another`);
    await service.waitFor('/push/cy', 3);
    await h.app.ctx.push!.idle();
    expect((await as(h.app, cy).get(SUBSCRIPTIONS)).json().items).toEqual([]);
    service.answerWith(201);
  });
});

describe('push configuration', () => {
  const base = { SESSION_SECRET: 'test-secret-test-secret-test-secret-42', DATA_DIR: '/nonexistent/unused' };

  test('a configured VAPID pair is used as given; half a pair or a malformed key stops the start', () => {
    const pair = webpush.generateVAPIDKeys();
    const env = { ...base, VAPID_PUBLIC_KEY: pair.publicKey, VAPID_PRIVATE_KEY: pair.privateKey };
    expect(loadConfig(env).push.vapidKeys).toEqual(pair);
    expect(loadConfig(base).push.vapidKeys).toBeNull();
    expect(() => loadConfig({ ...base, VAPID_PUBLIC_KEY: pair.publicKey })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, VAPID_PRIVATE_KEY: 'c2hvcnQ' })).toThrow(/VAPID_PRIVATE_KEY/);
  });

  test('the subject push services may write to: as set, else the sender, else an https site', () => {
    const subject = (env: Record<string, string>) => loadConfig({ ...base, ...env }).push.subject;
    expect(subject({ EMAIL_FROM: 'Co-op <votes@example.coop>' })).toBe('mailto:votes@example.coop');
    expect(subject({ PUBLIC_URL: 'https://vote.example.coop' })).toBe('https://vote.example.coop');
    expect(subject({ PUBLIC_URL: 'http://localhost:3000' })).toBe('mailto:plenary@localhost');
    expect(subject({ VAPID_SUBJECT: 'https://example.coop/contact' })).toBe('https://example.coop/contact');
    expect(() => subject({ VAPID_SUBJECT: 'http://example.coop' })).toThrow(/VAPID_SUBJECT/);
    expect(loadConfig(base).push.allowHttp).toBe(false);
    expect(() => subject({ PUSH_ALLOW_HTTP: 'yes' })).toThrow(/PUSH_ALLOW_HTTP/);
  });
});
