import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mentionedHandles } from '../../server/services/mentions';
import { createGroup, expectError, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { as } from '../helpers/requests';
import { notifications, postComment, startThread } from '../helpers/threads';

let h: Harness;
let ada: Person;
let bo: Person;
let cy: Person;
let outsider: Person;
let groupId: string;

beforeAll(async () => {
  h = await startApp();
  ada = await signUp(h.app, { name: 'Ada' });
  bo = await signUp(h.app, { name: 'Bo' });
  cy = await signUp(h.app, { name: 'Cy' });
  outsider = await signUp(h.app, { name: 'Out Sider' });
  groupId = (await createGroup(h.app, ada, 'Food co-op')).id;
  await join(h.app, ada, groupId, bo);
  await join(h.app, ada, groupId, cy);
});
afterAll(() => h?.close());

/** Notifications `person` has about one comment or thread text, oldest first. */
async function about(person: Person, where: { threadId: string; commentId?: string | null }) {
  const rows = await h.db.database.db
    .selectFrom('notifications')
    .select(['kind', 'comment_id'])
    .where('user_id', '=', person.id)
    .where('thread_id', '=', where.threadId)
    .orderBy('created_at')
    .execute();
  return rows
    .filter((r) => where.commentId === undefined || r.comment_id === where.commentId)
    .map((r) => r.kind);
}

function editComment(person: Person, id: string, body: string) {
  return as(h.app, person).patch(`/api/v1/comments/${id}`, { body });
}

describe('mentions', () => {
  test('an @handle of a member in a comment notifies them, once, and not the writer', async () => {
    const thread = await startThread(h.app, ada, groupId, { title: 'Orders' });
    const c = await postComment(
      h.app,
      ada,
      thread.id,
      `@${bo.handle} and @${ada.handle}, and again @${bo.handle}.`,
    );
    expect(await about(bo, { threadId: thread.id, commentId: c.id })).toEqual(['mentioned']);
    expect(await about(ada, { threadId: thread.id })).toEqual([]);
    const [latest] = (await notifications(h.app, bo)).items;
    expect(latest).toEqual({
      id: expect.any(String),
      kind: 'mentioned',
      at: expect.any(String),
      readAt: null,
      actor: { id: ada.id, name: 'Ada' },
      groupId,
      threadId: thread.id,
      commentId: c.id,
      proposalId: null,
      text: expect.stringContaining('Ada mentioned you'),
    });
  });

  test('an edit notifies only people newly mentioned', async () => {
    const thread = await startThread(h.app, ada, groupId, { title: 'Edits' });
    const c = await postComment(h.app, ada, thread.id, `cc @${bo.handle}`);
    expect((await editComment(ada, c.id, `cc @${bo.handle} (typo fixed)`)).statusCode).toBe(200);
    expect((await editComment(ada, c.id, `cc @${bo.handle} @${cy.handle}`)).statusCode).toBe(200);
    expect((await editComment(ada, c.id, 'nobody')).statusCode).toBe(200);
    expect((await editComment(ada, c.id, `cc @${bo.handle} @${cy.handle}`)).statusCode).toBe(200);
    expect(await about(bo, { threadId: thread.id, commentId: c.id })).toEqual(['mentioned']);
    expect(await about(cy, { threadId: thread.id, commentId: c.id })).toEqual(['mentioned']);
  });

  test('thread text mentions notify on creation and on edits, once each', async () => {
    const thread = await startThread(h.app, ada, groupId, { title: 'Hello', body: `Welcome @${cy.handle}` });
    expect(await about(cy, { threadId: thread.id, commentId: null })).toEqual(['mentioned']);
    const patched = await as(h.app, ada).patch(`/api/v1/threads/${thread.id}`, {
      body: `Welcome @${cy.handle} and @${bo.handle}`,
    });
    expect(patched.statusCode).toBe(200);
    expect(await about(cy, { threadId: thread.id, commentId: null })).toEqual(['mentioned']);
    expect(await about(bo, { threadId: thread.id, commentId: null })).toEqual(['mentioned']);
  });

  test('non-members, unknown handles, code, emails and URLs mention nobody', async () => {
    const thread = await startThread(h.app, ada, groupId, { title: 'Quiet' });
    await postComment(
      h.app,
      ada,
      thread.id,
      `@${outsider.handle} @nobody-here \`@${bo.handle}\` ${cy.handle}@example.org https://x.test/@${cy.handle}\n\`\`\`\n@${cy.handle}\n\`\`\``,
    );
    for (const person of [outsider, bo, cy]) expect(await about(person, { threadId: thread.id })).toEqual([]);
  });

  test('mentionedHandles reads handles the way people write them', () => {
    expect(mentionedHandles('Hi @Ada, @bo-2 and @cy_3! (@dee) @e')).toEqual(['ada', 'bo-2', 'cy_3', 'dee']);
    expect(mentionedHandles('mail ada@example.org, see `@bo` or\n```\n@cy\n```\n@dee.')).toEqual(['dee']);
    expect(mentionedHandles('@@ada @ada')).toEqual(['ada']);
  });
});

describe('replies', () => {
  test('a reply notifies the author replied to and the top-level author, not the replier', async () => {
    const thread = await startThread(h.app, ada, groupId, { title: 'Replies' });
    const top = await postComment(h.app, ada, thread.id, 'top');
    const reply = await postComment(h.app, bo, thread.id, 'reply', top.id);
    expect(await about(ada, { threadId: thread.id, commentId: reply.id })).toEqual(['replied']);
    const nested = await postComment(h.app, cy, thread.id, 'to Bo', reply.id);
    expect(await about(bo, { threadId: thread.id, commentId: nested.id })).toEqual(['replied']);
    expect(await about(ada, { threadId: thread.id, commentId: nested.id })).toEqual(['replied']);
    const own = await postComment(h.app, ada, thread.id, 'answering myself', top.id);
    expect(await about(ada, { threadId: thread.id, commentId: own.id })).toEqual([]);
  });

  test('replied to and mentioned in one comment, or in its edit, is told once', async () => {
    const thread = await startThread(h.app, ada, groupId, { title: 'Once' });
    const top = await postComment(h.app, ada, thread.id, 'top');
    const reply = await postComment(h.app, bo, thread.id, `@${ada.handle} yes`, top.id);
    await editComment(bo, reply.id, `@${ada.handle} yes, definitely`);
    expect(await about(ada, { threadId: thread.id, commentId: reply.id })).toEqual(['replied']);
  });
});

describe('GET /notifications and POST /notifications/read', () => {
  let reader: Person;
  let readerGroup: string;

  beforeAll(async () => {
    reader = await signUp(h.app, { name: 'Reader' });
    readerGroup = (await createGroup(h.app, ada, 'Readers')).id;
    await join(h.app, ada, readerGroup, reader);
    const thread = await startThread(h.app, ada, readerGroup, { title: 'Many' });
    for (let i = 0; i < 5; i++) await postComment(h.app, ada, thread.id, `@${reader.handle} number ${i}`);
  });

  function markRead(person: Person, payload: unknown) {
    return as(h.app, person).post('/api/v1/notifications/read', payload as object);
  }

  test('newest first, paged by cursor, with the unread count beside the items', async () => {
    const all = await notifications(h.app, reader);
    // Joining by invitation notified nobody, so these are the five mentions, newest first.
    expect(all.items.map((n) => n.kind)).toEqual(Array(5).fill('mentioned'));
    expect(all.unreadCount).toBe(5);
    const times = all.items.map((n) => (n as unknown as { at: string }).at);
    expect([...times].sort().reverse()).toEqual(times);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await notifications(h.app, reader, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.unreadCount).toBe(5);
      paged.push(...page.items.map((n) => n.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.items.map((n) => n.id));
  });

  test('marking some read; others’ and malformed ids are ignored; unread=true filters', async () => {
    const all = await notifications(h.app, reader);
    const others = await notifications(h.app, bo);
    const res = await markRead(reader, {
      ids: [all.items[0]!.id, all.items[1]!.id, others.items[0]!.id, 'nope'],
    });
    expect(res.statusCode).toBe(204);
    const after = await notifications(h.app, reader);
    expect(after.unreadCount).toBe(3);
    expect(after.items.slice(0, 2).every((n) => n.readAt !== null)).toBe(true);
    const unread = await notifications(h.app, reader, 'unread=true');
    expect(unread.items.map((n) => n.id)).toEqual(all.items.slice(2).map((n) => n.id));
    // Bo's notification is untouched.
    expect((await notifications(h.app, bo)).items[0]!.readAt).toBeNull();
    // Marking again keeps the first time it was read.
    const readAt = after.items[0]!.readAt;
    await markRead(reader, { ids: [all.items[0]!.id] });
    expect((await notifications(h.app, reader)).items[0]!.readAt).toBe(readAt);
  });

  test('without ids, marks all read', async () => {
    expect((await markRead(reader, {})).statusCode).toBe(204);
    expect((await notifications(h.app, reader)).unreadCount).toBe(0);
    expect((await notifications(h.app, reader, 'unread=true')).items).toEqual([]);
  });

  test('strict bodies; the signed-out get 401', async () => {
    expectError(await markRead(reader, { ids: 'all' }), 400, 'validation_failed');
    expectError(await markRead(reader, { ids: [1] }), 400, 'validation_failed');
    expectError(await as(h.app, null).get('/api/v1/notifications'), 401, 'unauthenticated');
    expectError(await as(h.app, reader).get('/api/v1/notifications?unread=maybe'), 400, 'validation_failed');
    expectError(await as(h.app, reader).get('/api/v1/notifications?cursor=abc'), 400, 'validation_failed');
  });

  test('a rejected comment notifies nobody', async () => {
    const thread = await startThread(h.app, ada, readerGroup, { title: 'Closed' });
    await as(h.app, ada).patch(`/api/v1/threads/${thread.id}`, { closed: true });
    const res = await as(h.app, ada).post(`/api/v1/threads/${thread.id}/comments`, {
      body: `@${reader.handle} hello?`,
    });
    expectError(res, 409, 'thread_closed');
    expect(await about(reader, { threadId: thread.id })).toEqual([]);
  });
});
