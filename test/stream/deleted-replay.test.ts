import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { up as redactEarlierDeletions } from '../../migrations/0009_redact_deleted_comment_events';
import type { StreamEvent } from '../../shared/schemas/stream';
import { createGroup, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { as } from '../helpers/requests';
import { eventsOn, listenOn, openStream, type StreamClient, subscribeAs } from '../helpers/stream';
import { postComment, startThread, timeline } from '../helpers/threads';

let h: Harness;
let base: string;
let ada: Person;
let bo: Person;
let groupId: string;

beforeAll(async () => {
  h = await startApp();
  base = await listenOn(h.app);
  ada = await signUp(h.app, { name: 'Ada' });
  bo = await signUp(h.app, { name: 'Bo' });
  groupId = (await createGroup(h.app, ada)).id;
  await join(h.app, ada, groupId, bo);
});
afterAll(() => h?.close());

/** Whatever the hub had sent this socket before the pong has arrived once the pong has. */
async function settle(ws: StreamClient) {
  const pongs = ws.messages.filter((m) => m.type === 'pong').length;
  ws.send({ type: 'ping' });
  await ws.waitForCount((m) => m.type === 'pong', pongs + 1);
}

/** Opens a socket and subscribes to each topic with `since: 0`, waiting for the replay to end. */
async function replayFromStart(person: Person, topics: string[], commentId: string) {
  const ws = await openStream(base, { cookie: person.headers.cookie });
  for (const topic of topics) ws.send({ type: 'subscribe', topic, since: 0 });
  await ws.waitForCount(
    (m) => m.type === 'event' && m.event.kind === 'comment.deleted' && m.event.data.comment !== undefined,
    topics.length,
  );
  await settle(ws);
  for (const topic of topics) {
    const about = eventsOn(ws, topic).filter(
      (e: StreamEvent) => (e.data.comment as { id?: string } | undefined)?.id === commentId,
    );
    expect(about.map((e) => e.kind)).toEqual([
      'comment.created',
      'reaction.changed',
      'comment.updated',
      'comment.deleted',
    ]);
    for (const e of about) {
      expect(e.data.comment).toMatchObject({ id: commentId, body: '', deletedAt: expect.any(String) });
    }
    // One deletion time throughout, the one HTTP shows.
    expect(new Set(about.map((e) => (e.data.comment as { deletedAt: string }).deletedAt)).size).toBe(1);
  }
  return ws;
}

test('a deleted comment replays with an empty body and deletedAt, and its texts are gone from the database', async () => {
  const original = 'ORIGINAL-words-nobody-should-read-again';
  const edited = 'EDITED-words-nobody-should-read-again';
  const thread = await startThread(h.app, ada, groupId, { title: 'Budget' });
  const watcher = await subscribeAs(base, ada, `thread:${thread.id}`);
  const c = await postComment(h.app, bo, thread.id, original);
  const reacted = await as(h.app, ada).put(`/api/v1/comments/${c.id}/reactions/${encodeURIComponent('👍')}`);
  expect(reacted.statusCode).toBe(200);
  const edit = await as(h.app, bo).patch(`/api/v1/comments/${c.id}`, { body: edited });
  expect(edit.statusCode).toBe(200);
  // Read (and cached) while the texts were there.
  expect(JSON.stringify(await timeline(h.app, ada, thread.id))).toContain(edited);

  const deleted = await as(h.app, bo).delete(`/api/v1/comments/${c.id}`);
  expect(deleted.statusCode).toBe(204);
  const live = await watcher.waitFor((m) => m.type === 'event' && m.event.kind === 'comment.deleted');
  expect(live).toMatchObject({ event: { data: { comment: { body: '', deletedAt: expect.any(String) } } } });
  await watcher.close();

  // Someone who joins after the deletion replays the whole thread and the whole group.
  const cy = await signUp(h.app, { name: 'Cy' });
  await join(h.app, ada, groupId, cy);
  const newcomer = await replayFromStart(cy, [`thread:${thread.id}`, `group:${groupId}`], c.id);
  // And someone who was there all along, replaying again.
  const oldHand = await replayFromStart(ada, [`thread:${thread.id}`], c.id);
  for (const ws of [newcomer, oldHand]) {
    const frames = JSON.stringify(ws.messages);
    expect(frames).not.toContain(original);
    expect(frames).not.toContain(edited);
    await ws.close();
  }

  for (const person of [ada, cy]) {
    const page = JSON.stringify(await timeline(h.app, person, thread.id));
    expect(page).not.toContain(original);
    expect(page).not.toContain(edited);
  }
  const versions = await as(h.app, ada).get(`/api/v1/comments/${c.id}/versions`);
  expect(versions.json()).toEqual({ items: [], nextCursor: null });

  // Nothing in the database still holds either text.
  const db = h.db.database.db;
  for (const text of [original, edited]) {
    const pattern = `%${text}%`;
    const { rows } = await sql<{ n: string }>`
      select (select count(*) from events where data::text like ${pattern})
           + (select count(*) from comments where body like ${pattern})
           + (select count(*) from comment_versions where body like ${pattern}) as n`.execute(db);
    expect(Number(rows[0]!.n)).toBe(0);
  }
});

test('comments deleted before the upgrade lose their words from the log too', async () => {
  const original = 'OLD-original-words-from-before-the-upgrade';
  const edited = 'OLD-edited-words-from-before-the-upgrade';
  const thread = await startThread(h.app, ada, groupId, { title: 'Older times' });
  const c = await postComment(h.app, bo, thread.id, original);
  await as(h.app, bo).patch(`/api/v1/comments/${c.id}`, { body: edited });
  const kept = await postComment(h.app, bo, thread.id, 'words that stay');
  // What a deletion used to leave behind: the row emptied, its events untouched.
  const db = h.db.database.db;
  await sql`delete from comment_versions where comment_id = ${c.id}`.execute(db);
  await sql`update comments set body = '', deleted_at = now() where id = ${c.id}`.execute(db);

  await redactEarlierDeletions(db);

  const { rows } = await sql<{ n: string }>`
    select count(*) as n from events where data::text like ${`%${original}%`} or data::text like ${`%${edited}%`}`.execute(
    db,
  );
  expect(Number(rows[0]!.n)).toBe(0);
  const deletedAt = (await as(h.app, ada).get(`/api/v1/comments/${c.id}`)).json().comment.deletedAt;
  const ws = await openStream(base, { cookie: ada.headers.cookie });
  ws.send({ type: 'subscribe', topic: `thread:${thread.id}`, since: 0 });
  await ws.waitFor((m) => m.type === 'subscribed');
  // Replay is in id order: once the later comment's event is here, the deleted one's are too.
  await ws.waitFor(
    (m) => m.type === 'event' && (m.event.data as { comment?: { id: string } }).comment?.id === kept.id,
  );
  const comments = eventsOn(ws, `thread:${thread.id}`).flatMap((e) =>
    e.data.comment ? [e.data.comment as { id: string; body: string; deletedAt: string | null }] : [],
  );
  expect(comments.filter((x) => x.id === c.id)).toEqual([
    expect.objectContaining({ body: '', deletedAt }),
    expect.objectContaining({ body: '', deletedAt }),
  ]);
  expect(comments.find((x) => x.id === kept.id)).toMatchObject({ body: 'words that stay', deletedAt: null });
  await ws.close();
});
