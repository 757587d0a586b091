import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createGroup, type Harness, join, MISSING_ID, type Person, signUp, startApp } from '../helpers/app';
import { as } from '../helpers/requests';
import { eventsOn, listenOn, openStream } from '../helpers/stream';

let h: Harness;
let base: string;
let facilitator: Person;
let member: Person;
let outsider: Person;
let groupId: string;

beforeAll(async () => {
  h = await startApp();
  base = await listenOn(h.app);
  facilitator = await signUp(h.app, { name: 'Ada Facilitator' });
  member = await signUp(h.app, { name: 'Bo Member' });
  outsider = await signUp(h.app, { name: 'Cy Outsider' });
  groupId = (await createGroup(h.app, facilitator)).id;
  await join(h.app, facilitator, groupId, member);
});
afterAll(() => h?.close());

/** One change in the group: renames it, writing one `group.updated` event. */
async function rename(name: string, person: Person = facilitator) {
  const res = await as(h.app, person).patch(`/api/v1/groups/${groupId}`, { name });
  expect(res.statusCode).toBe(200);
}

describe('subscribing', () => {
  test('refuses an unauthenticated socket', async () => {
    await expect(openStream(base, {})).rejects.toThrow(/401/);
  });

  test('a member receives the group events live, in order, with the actor', async () => {
    const ws = await openStream(base, { cookie: member.headers.cookie });
    ws.send({ type: 'subscribe', topic: `group:${groupId}` });
    const subscribed = await ws.waitFor((m) => m.type === 'subscribed');
    expect(subscribed).toMatchObject({ topic: `group:${groupId}` });
    expect((subscribed as { lastEventId: number }).lastEventId).toBeGreaterThan(0);
    await rename('Renamed once');
    await rename('Renamed twice');
    const events = await ws.waitForCount((m) => m.type === 'event', 2);
    const ids = events.map((m) => (m.type === 'event' ? m.event.id : 0));
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    expect(events[0]).toMatchObject({
      type: 'event',
      topic: `group:${groupId}`,
      event: { kind: 'group.updated', groupId, actor: { id: facilitator.id, name: 'Ada Facilitator' } },
    });
    await ws.close();
  });

  test('an API token authenticates the socket, and ping gets pong', async () => {
    const created = await as(h.app, member).post('/api/v1/tokens', { name: 'bot' });
    const ws = await openStream(base, { token: created.json().token.secret });
    ws.send({ type: 'ping' });
    await ws.waitFor((m) => m.type === 'pong');
    await ws.close();
  });

  test('a non-member gets not_found and none of the group events', async () => {
    const ws = await openStream(base, { cookie: outsider.headers.cookie });
    ws.send({ type: 'subscribe', topic: `group:${groupId}` });
    const error = await ws.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ type: 'error', topic: `group:${groupId}`, code: 'not_found' });
    ws.send({ type: 'subscribe', topic: 'group:not-a-uuid' });
    ws.send({ type: 'subscribe', topic: `thread:${MISSING_ID}` });
    await ws.waitForCount((m) => m.type === 'error', 3);
    await rename('Outsiders never see this');
    ws.send({ type: 'ping' });
    await ws.waitFor((m) => m.type === 'pong');
    expect(ws.messages.filter((m) => m.type === 'event')).toHaveLength(0);
    await ws.close();
  });

  test('a malformed frame gets a validation error and the socket stays usable', async () => {
    const ws = await openStream(base, { cookie: member.headers.cookie });
    ws.socket.send('not json');
    ws.send({ type: 'subscribe', topic: 'elsewhere' });
    ws.send({ type: 'subscribe', topic: `group:${groupId}`, since: 'yesterday' });
    const errors = await ws.waitForCount((m) => m.type === 'error', 3);
    expect(errors.every((e) => e.type === 'error' && e.code === 'validation_failed')).toBe(true);
    ws.send({ type: 'ping' });
    await ws.waitFor((m) => m.type === 'pong');
    await ws.close();
  });

  test('a member removed mid-stream receives nothing more', async () => {
    const leaver = await signUp(h.app, { name: 'Di Leaver' });
    await join(h.app, facilitator, groupId, leaver);
    const ws = await openStream(base, { cookie: leaver.headers.cookie });
    ws.send({ type: 'subscribe', topic: `group:${groupId}` });
    await ws.waitFor((m) => m.type === 'subscribed');
    await rename('Before removal');
    await ws.waitFor((m) => m.type === 'event');
    const removed = await as(h.app, facilitator).delete(`/api/v1/groups/${groupId}/members/${leaver.id}`);
    expect(removed.statusCode).toBe(204);
    const error = await ws.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'not_found', topic: `group:${groupId}` });
    await rename('After removal');
    ws.send({ type: 'ping' });
    await ws.waitFor((m) => m.type === 'pong');
    const kinds = eventsOn(ws, `group:${groupId}`).map((e) => e.kind);
    expect(kinds).toEqual(['group.updated']);
    // Subscribing again is refused too.
    ws.send({ type: 'subscribe', topic: `group:${groupId}` });
    await ws.waitForCount((m) => m.type === 'error', 2);
    await ws.close();
  });

  test('role changes notify the member on the `me` topic', async () => {
    const ws = await openStream(base, { cookie: member.headers.cookie });
    ws.send({ type: 'subscribe', topic: 'me' });
    await ws.waitFor((m) => m.type === 'subscribed');
    const res = await as(h.app, facilitator).patch(`/api/v1/groups/${groupId}/members/${member.id}`, {
      role: 'facilitator',
    });
    expect(res.statusCode).toBe(200);
    const event = await ws.waitFor((m) => m.type === 'event');
    expect(event).toMatchObject({ topic: 'me', event: { kind: 'notification.created' } });
    await ws.close();
  });
});

describe('replay with since', () => {
  test('a client that missed 500 events from 10 concurrent writers gets all of them, in order, once', async () => {
    const ws = await openStream(base, { cookie: facilitator.headers.cookie });
    ws.send({ type: 'subscribe', topic: `group:${groupId}` });
    const { lastEventId } = await ws.waitFor<{ type: 'subscribed'; topic: string; lastEventId: number }>(
      (m) => m.type === 'subscribed',
    );
    await ws.close();

    // 10 writers, 50 changes each, all at once.
    await Promise.all(
      Array.from({ length: 10 }, async (_, writer) => {
        for (let i = 0; i < 50; i++) await rename(`Writer ${writer} change ${i}`);
      }),
    );

    const again = await openStream(base, { cookie: facilitator.headers.cookie });
    again.send({ type: 'subscribe', topic: `group:${groupId}`, since: lastEventId });
    // Live events keep coming while the replay is sent.
    const live = rename('Live after reconnect');
    await again.waitForCount((m) => m.type === 'event', 501, 20_000);
    await live;
    const ids = eventsOn(again, `group:${groupId}`).map((e) => e.id);
    expect(ids).toHaveLength(501);
    expect(new Set(ids).size).toBe(501);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(ids[0]).toBeGreaterThan(lastEventId);
    // Nothing in the log for this topic was skipped.
    const logged = await h.db.database.db
      .selectFrom('events')
      .select('id')
      .where('group_id', '=', groupId)
      .where('recipient_id', 'is', null)
      .where('id', '>', String(lastEventId) as never)
      .orderBy('id')
      .execute();
    expect(ids).toEqual(logged.map((r) => Number(r.id)));
    await again.close();
  });

  test('too much missed gets reset, then live events', async () => {
    await Promise.all(
      Array.from({ length: 4 }, async (_, writer) => {
        for (let i = 0; i < 260; i++) await rename(`Burst ${writer}-${i}`);
      }),
    );
    const ws = await openStream(base, { cookie: facilitator.headers.cookie });
    ws.send({ type: 'subscribe', topic: `group:${groupId}`, since: 1 });
    await ws.waitFor((m) => m.type === 'reset');
    await rename('After the reset');
    const event = await ws.waitFor((m) => m.type === 'event');
    expect(event).toMatchObject({ event: { kind: 'group.updated' } });
    expect(ws.messages.filter((m) => m.type === 'event')).toHaveLength(1);
    await ws.close();
  });
});
