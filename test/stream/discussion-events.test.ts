import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StreamEvent } from '../../shared/schemas/stream';
import { createGroup, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { as } from '../helpers/requests';
import { eventsOn, listenOn, openStream, type StreamClient, subscribeAs } from '../helpers/stream';
import { getThread, notifications, postComment, startThread, timeline } from '../helpers/threads';

let h: Harness;
let base: string;
let ada: Person;
let bo: Person;
let outsider: Person;
let groupId: string;

beforeAll(async () => {
  h = await startApp();
  base = await listenOn(h.app);
  ada = await signUp(h.app, { name: 'Ada' });
  bo = await signUp(h.app, { name: 'Bo' });
  outsider = await signUp(h.app, { name: 'Out Sider' });
  groupId = (await createGroup(h.app, ada)).id;
  await join(h.app, ada, groupId, bo);
});
afterAll(() => h?.close());

const listen = (person: Person, ...topics: string[]) => subscribeAs(base, person, ...topics);

async function nextEvent(ws: StreamClient, topic: string, kind: string): Promise<StreamEvent> {
  const frame = await ws.waitFor((m) => m.type === 'event' && m.topic === topic && m.event.kind === kind);
  return (frame as { event: StreamEvent }).event;
}

/**
 * Sends a ping and waits for the pong: whatever the hub had already sent this
 * socket has arrived by then (one socket is first in, first out).
 */
async function settle(ws: StreamClient) {
  const pongs = ws.messages.filter((m) => m.type === 'pong').length;
  ws.send({ type: 'ping' });
  await ws.waitForCount((m) => m.type === 'pong', pongs + 1);
}

function comment(person: Person, id: string) {
  return as(h.app, person)
    .get(`/api/v1/comments/${id}`)
    .then((r) => r.json().comment);
}

describe('thread events', () => {
  test('thread.created and thread.updated carry the thread as HTTP shows it, on the group topic', async () => {
    const ws = await listen(bo, `group:${groupId}`);
    const thread = await startThread(h.app, ada, groupId, { title: 'Live', body: 'now' });
    const created = await nextEvent(ws, `group:${groupId}`, 'thread.created');
    expect(created).toMatchObject({ groupId, threadId: thread.id, actor: { id: ada.id, name: 'Ada' } });
    // What the viewer may do (`permissions`) is their own, so events leave it out; the rest is as HTTP shows it.
    const { permissions, ...asShown } = await getThread(h.app, bo, thread.id);
    expect(permissions).toEqual({ edit: false, pin: false, close: false, reopen: false });
    expect(created.data).toEqual({ thread: asShown });

    await as(h.app, ada).patch(`/api/v1/threads/${thread.id}`, { title: 'Live and renamed', pinned: true });
    const updated = await nextEvent(ws, `group:${groupId}`, 'thread.updated');
    expect(updated).toMatchObject({ groupId, threadId: thread.id });
    // Every subscriber shares it, so the per-reader fields are left out; the rest is the thread.
    const {
      unreadCount: _u,
      lastReadEventId: _l,
      permissions: _p,
      ...shared
    } = await getThread(h.app, bo, thread.id);
    expect(updated.data).toEqual({ thread: shared, changed: ['title', 'pinned'] });

    await as(h.app, ada).patch(`/api/v1/threads/${thread.id}`, { closed: true });
    const closed = (
      await ws.waitForCount((m) => m.type === 'event' && m.event.kind === 'thread.updated', 2)
    )[1]!;
    const closedData = (closed as { event: StreamEvent }).event.data;
    expect(closedData).toMatchObject({ thread: { closedAt: expect.any(String) }, changed: ['closedAt'] });
    await ws.close();
  });
});

describe('comment events', () => {
  let threadId: string;
  beforeAll(async () => {
    threadId = (await startThread(h.app, ada, groupId, { title: 'Comments live' })).id;
  });

  test('comment.created on the group and thread topics; its id is the timeline entry', async () => {
    const ws = await listen(bo, `group:${groupId}`, `thread:${threadId}`);
    const c = await postComment(h.app, ada, threadId, 'hello live');
    const onThread = await nextEvent(ws, `thread:${threadId}`, 'comment.created');
    const onGroup = await nextEvent(ws, `group:${groupId}`, 'comment.created');
    expect(onThread.id).toBe(onGroup.id);
    expect(onThread).toMatchObject({ groupId, threadId, actor: { id: ada.id } });
    expect(onThread.data).toEqual({ comment: await comment(bo, c.id) });
    const page = await timeline(h.app, bo, threadId, 'latest=true');
    expect(page.items.at(-1)).toMatchObject({ eventId: onThread.id, kind: 'comment', comment: { id: c.id } });
    await ws.close();
  });

  test('reaction.changed shows `mine` to each viewer as HTTP does', async () => {
    const c = await postComment(h.app, ada, threadId, 'react here');
    const [adaWs, boWs] = [await listen(ada, `thread:${threadId}`), await listen(bo, `thread:${threadId}`)];
    const res = await as(h.app, bo).put(`/api/v1/comments/${c.id}/reactions/${encodeURIComponent('👍')}`);
    expect(res.statusCode).toBe(200);
    const forBo = await nextEvent(boWs, `thread:${threadId}`, 'reaction.changed');
    const forAda = await nextEvent(adaWs, `thread:${threadId}`, 'reaction.changed');
    expect(forBo.id).toBe(forAda.id);
    expect(forBo.data.comment).toEqual(await comment(bo, c.id));
    expect(forAda.data.comment).toEqual(await comment(ada, c.id));
    expect((forBo.data.comment as { reactions: { mine: boolean }[] }).reactions[0]!.mine).toBe(true);
    expect((forAda.data.comment as { reactions: { mine: boolean }[] }).reactions[0]!.mine).toBe(false);
    // A repeat changes nothing and streams nothing.
    await as(h.app, bo).put(`/api/v1/comments/${c.id}/reactions/${encodeURIComponent('👍')}`);
    // Events arrive in order: once a later one is here, an event for the repeat would be too.
    await postComment(h.app, ada, threadId, 'later');
    await nextEvent(boWs, `thread:${threadId}`, 'comment.created');
    expect(eventsOn(boWs, `thread:${threadId}`).filter((e) => e.kind === 'reaction.changed')).toHaveLength(1);
    await Promise.all([adaWs.close(), boWs.close()]);
  });

  test('replayed events are shaped per viewer too', async () => {
    const c = await postComment(h.app, ada, threadId, 'replay me');
    const ws = await listen(ada, `thread:${threadId}`);
    const since = (ws.messages.find((m) => m.type === 'subscribed') as { lastEventId: number }).lastEventId;
    await ws.close();
    await as(h.app, ada).put(`/api/v1/comments/${c.id}/reactions/${encodeURIComponent('🎉')}`);
    const again = await openStream(base, { cookie: ada.headers.cookie });
    again.send({ type: 'subscribe', topic: `thread:${threadId}`, since });
    const replayed = await nextEvent(again, `thread:${threadId}`, 'reaction.changed');
    expect(replayed.data.comment).toEqual(await comment(ada, c.id));
    await again.close();
  });

  test('comment.updated and comment.deleted carry the comment as it now is', async () => {
    const c = await postComment(h.app, bo, threadId, 'draft');
    await as(h.app, ada).put(`/api/v1/comments/${c.id}/reactions/${encodeURIComponent('👀')}`);
    const ws = await listen(ada, `thread:${threadId}`);
    await as(h.app, bo).patch(`/api/v1/comments/${c.id}`, { body: 'final' });
    const updated = await nextEvent(ws, `thread:${threadId}`, 'comment.updated');
    expect(updated.data).toEqual({ comment: await comment(ada, c.id) });
    expect(updated.data.comment).toMatchObject({ body: 'final', editedAt: expect.any(String) });
    await as(h.app, ada).delete(`/api/v1/comments/${c.id}`);
    const deleted = await nextEvent(ws, `thread:${threadId}`, 'comment.deleted');
    expect(deleted).toMatchObject({ actor: { id: ada.id }, threadId, groupId });
    expect(deleted.data).toEqual({ comment: await comment(ada, c.id) });
    expect(deleted.data.comment).toMatchObject({ body: '', deletedAt: expect.any(String), reactions: [] });
    await ws.close();
  });

  test('outsiders get not_found for the thread and none of its events; refused writes stream nothing', async () => {
    const ws = await openStream(base, { cookie: outsider.headers.cookie });
    ws.send({ type: 'subscribe', topic: `thread:${threadId}` });
    await ws.waitFor((m) => m.type === 'error' && m.code === 'not_found');
    const member = await listen(bo, `thread:${threadId}`);
    const refused = await as(h.app, bo).post(`/api/v1/threads/${threadId}/comments`, { body: '   ' });
    expect(refused.statusCode).toBe(400);
    await postComment(h.app, ada, threadId, 'members only');
    await nextEvent(member, `thread:${threadId}`, 'comment.created');
    expect(eventsOn(member, `thread:${threadId}`)).toHaveLength(1);
    await settle(ws);
    expect(ws.messages.filter((m) => m.type === 'event')).toEqual([]);
    await Promise.all([ws.close(), member.close()]);
  });
});

describe('notification.created', () => {
  test('arrives on the recipient’s `me` topic as GET /notifications shows it, and nowhere else', async () => {
    const thread = await startThread(h.app, ada, groupId, { title: 'Pinging' });
    const [boWs, adaWs] = [await listen(bo, 'me', `group:${groupId}`), await listen(ada, 'me')];
    await postComment(h.app, ada, thread.id, `@${bo.handle} look`);
    const event = await nextEvent(boWs, 'me', 'notification.created');
    const [latest] = (await notifications(h.app, bo)).items;
    expect(event.data).toEqual({ notification: latest });
    expect(latest).toMatchObject({ kind: 'mentioned', threadId: thread.id });
    await settle(boWs);
    await settle(adaWs);
    expect(eventsOn(boWs, `group:${groupId}`).map((e) => e.kind)).toEqual(['comment.created']);
    expect(eventsOn(adaWs, 'me')).toEqual([]);
    await Promise.all([boWs.close(), adaWs.close()]);
  });
});
