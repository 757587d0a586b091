import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isSingleEmoji } from '../../server/services/comments';
import {
  createGroup,
  eventRows,
  expectError,
  type Harness,
  join,
  MISSING_ID,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { as } from '../helpers/requests';
import { getThread, postComment, startThread, timeline } from '../helpers/threads';

let h: Harness;
let facilitator: Person;
let author: Person;
let other: Person;
let outsider: Person;
let groupId: string;
let threadId: string;

beforeAll(async () => {
  h = await startApp();
  facilitator = await signUp(h.app, { name: 'Ada Facilitator' });
  author = await signUp(h.app, { name: 'Bo Author' });
  other = await signUp(h.app, { name: 'Cy Other' });
  outsider = await signUp(h.app, { name: 'Di Outsider' });
  groupId = (await createGroup(h.app, facilitator)).id;
  await join(h.app, facilitator, groupId, author);
  await join(h.app, facilitator, groupId, other);
  threadId = (await startThread(h.app, facilitator, groupId)).id;
});
afterAll(() => h?.close());

function comment(person: Person, payload: unknown, thread = threadId) {
  return as(h.app, person).post(`/api/v1/threads/${thread}/comments`, payload as object);
}
function edit(person: Person, id: string, payload: unknown) {
  return as(h.app, person).patch(`/api/v1/comments/${id}`, payload as object);
}
function remove(person: Person, id: string) {
  return as(h.app, person).delete(`/api/v1/comments/${id}`);
}
function react(person: Person, id: string, emoji: string, method: 'PUT' | 'DELETE' = 'PUT') {
  return h.app.inject({
    method,
    url: `/api/v1/comments/${id}/reactions/${encodeURIComponent(emoji)}`,
    headers: person.headers,
  });
}

/** Row counts of every table a comment request can write. */
async function counts() {
  const db = h.db.database.db;
  const n = async (table: 'comments' | 'comment_versions' | 'reactions' | 'threads') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const thread = await db
    .selectFrom('threads')
    .select(['comment_count', 'last_activity_at'])
    .where('id', '=', threadId)
    .executeTakeFirstOrThrow();
  return {
    ...(await rowCounts(h)),
    comments: await n('comments'),
    versions: await n('comment_versions'),
    reactions: await n('reactions'),
    thread,
  };
}

async function expectNoChange(act: () => Promise<unknown>) {
  const before = await counts();
  await act();
  expect(await counts()).toEqual(before);
}

describe('POST /threads/:id/comments', () => {
  test('a member comments; the answer is the contract Comment; the thread counts it', async () => {
    const before = await getThread(h.app, author, threadId);
    const res = await comment(other, { body: 'I can host at **the library**.', stray: true });
    expect(res.statusCode).toBe(201);
    expect(res.json().comment).toEqual({
      id: expect.any(String),
      threadId,
      parentId: null,
      author: { id: other.id, name: 'Cy Other', handle: other.handle },
      body: 'I can host at **the library**.',
      createdAt: expect.any(String),
      editedAt: null,
      deletedAt: null,
      reactions: [],
    });
    const after = await getThread(h.app, author, threadId);
    expect(after.commentCount).toBe(before.commentCount + 1);
    expect(Date.parse(after.lastActivityAt)).toBeGreaterThan(Date.parse(before.lastActivityAt));
    // Its creation event is recorded on the row, for the timeline.
    const [event] = (await eventRows(h, { kind: 'comment.created' })).slice(-1);
    const row = await h.db.database.db
      .selectFrom('comments')
      .select('event_id')
      .where('id', '=', res.json().comment.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.event_id)).toBe(Number(event!.id));
  });

  test('bodies must say something, up to 100,000 characters; types are strict', async () => {
    expect((await comment(author, { body: 'x'.repeat(100_000) })).statusCode).toBe(201);
    await expectNoChange(async () => {
      expectError(await comment(author, { body: 'x'.repeat(100_001) }), 400, 'validation_failed');
      expectError(await comment(author, { body: ' \n\t ' }), 400, 'validation_failed');
      expectError(await comment(author, { body: 5 }), 400, 'validation_failed');
      expectError(await comment(author, {}), 400, 'validation_failed');
      expectError(await comment(author, { body: 'ok', parentId: 7 }), 400, 'validation_failed');
    });
  });

  test('outsiders, malformed and unknown threads get 404', async () => {
    await expectNoChange(async () => {
      expectError(await comment(outsider, { body: 'probe' }), 404, 'not_found');
      expectError(await comment(author, { body: 'probe' }, 'zzz'), 404, 'not_found');
      expectError(await comment(author, { body: 'probe' }, MISSING_ID), 404, 'not_found');
    });
  });

  test('a closed thread takes no comment: 409 thread_closed, nothing written', async () => {
    const closed = await startThread(h.app, author, groupId, { title: 'Closing soon' });
    await as(h.app, author).patch(`/api/v1/threads/${closed.id}`, { closed: true });
    await expectNoChange(async () =>
      expectError(await comment(other, { body: 'too late' }, closed.id), 409, 'thread_closed'),
    );
    expect((await getThread(h.app, author, closed.id)).commentCount).toBe(0);
  });

  test('replies are one level deep: a reply to a reply attaches to the top-level comment', async () => {
    const top = await postComment(h.app, author, threadId, 'top');
    const reply = await postComment(h.app, other, threadId, 'reply', top.id);
    const nested = await postComment(h.app, facilitator, threadId, 'reply to the reply', reply.id);
    expect(reply.parentId).toBe(top.id);
    expect(nested.parentId).toBe(top.id);
  });

  test('the parent must be a live comment of the same thread (404 at /parentId)', async () => {
    const elsewhere = await startThread(h.app, author, groupId, { title: 'Elsewhere' });
    const foreign = await postComment(h.app, author, elsewhere.id, 'in another thread');
    const gone = await postComment(h.app, author, threadId, 'soon deleted');
    expect((await remove(author, gone.id)).statusCode).toBe(204);
    await expectNoChange(async () => {
      for (const parentId of [foreign.id, gone.id, MISSING_ID, 'not-an-id']) {
        const error = expectError(await comment(other, { body: 'reply', parentId }), 404, 'not_found');
        expect(error.details).toEqual([{ path: '/parentId', message: expect.any(String) }]);
      }
    });
    // `parentId: null` is a top-level comment.
    expect((await comment(other, { body: 'top', parentId: null })).json().comment.parentId).toBeNull();
  });
});

describe('PATCH /comments/:id and its versions', () => {
  test('the author edits; earlier versions are kept, oldest first', async () => {
    const c = await postComment(h.app, author, threadId, 'first words');
    const res = await edit(author, c.id, { body: 'second words' });
    expect(res.statusCode).toBe(200);
    expect(res.json().comment).toMatchObject({ id: c.id, body: 'second words', createdAt: c.createdAt });
    const editedAt = res.json().comment.editedAt;
    expect(Date.parse(editedAt)).toBeGreaterThanOrEqual(Date.parse(c.createdAt));
    await edit(author, c.id, { body: 'third words' });
    const versions = await as(h.app, other).get(`/api/v1/comments/${c.id}/versions`);
    expect(versions.statusCode).toBe(200);
    expect(versions.json()).toEqual({
      items: [
        { body: 'first words', createdAt: c.createdAt },
        { body: 'second words', createdAt: editedAt },
      ],
      nextCursor: null,
    });
  });

  test('the same text again is no edit: no version, no event', async () => {
    const c = await postComment(h.app, author, threadId, 'steady');
    const events = (await eventRows(h, { kind: 'comment.updated' })).length;
    await expectNoChange(async () => {
      const res = await edit(author, c.id, { body: 'steady' });
      expect(res.json().comment.editedAt).toBeNull();
    });
    expect((await eventRows(h, { kind: 'comment.updated' })).length).toBe(events);
  });

  test('nobody else may edit, facilitators included; outsiders get 404', async () => {
    const c = await postComment(h.app, author, threadId, 'my words');
    await expectNoChange(async () => {
      expectError(await edit(facilitator, c.id, { body: 'their words' }), 403, 'forbidden');
      expectError(await edit(other, c.id, { body: 'their words' }), 403, 'forbidden');
      expectError(await edit(outsider, c.id, { body: 'their words' }), 404, 'not_found');
      expectError(await edit(author, 'nope', { body: 'x' }), 404, 'not_found');
      expectError(await edit(author, c.id, { body: '' }), 400, 'validation_failed');
      expectError(await edit(author, c.id, { body: 1 }), 400, 'validation_failed');
    });
    for (const who of [outsider]) {
      expectError(await as(h.app, who).get(`/api/v1/comments/${c.id}/versions`), 404, 'not_found');
    }
  });
});

describe('DELETE /comments/:id', () => {
  test('the author deletes; it stays in the timeline with no body, versions or reactions', async () => {
    const c = await postComment(h.app, author, threadId, 'regrettable');
    await edit(author, c.id, { body: 'more regrettable' });
    await react(other, c.id, '👍');
    const before = await getThread(h.app, other, threadId);
    expect((await remove(author, c.id)).statusCode).toBe(204);
    const page = await timeline(h.app, other, threadId, 'latest=true&limit=200');
    const item = page.items.find((i) => i.comment?.id === c.id);
    expect(item?.comment).toMatchObject({ body: '', deletedAt: expect.any(String), reactions: [] });
    const versions = await as(h.app, other).get(`/api/v1/comments/${c.id}/versions`);
    expect(versions.json().items).toEqual([]);
    expect((await getThread(h.app, other, threadId)).commentCount).toBe(before.commentCount - 1);
    const stored = await h.db.database.db
      .selectFrom('comments')
      .select('body')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(stored.body).toBe('');
  });

  test('facilitators delete anyone’s; other members get 403; twice is 404', async () => {
    const c = await postComment(h.app, author, threadId, 'off topic');
    await expectNoChange(async () => {
      expectError(await remove(other, c.id), 403, 'forbidden');
      expectError(await remove(outsider, c.id), 404, 'not_found');
    });
    expect((await remove(facilitator, c.id)).statusCode).toBe(204);
    await expectNoChange(async () => expectError(await remove(facilitator, c.id), 404, 'not_found'));
  });

  test('a deleted comment can no longer be edited or reacted to', async () => {
    const c = await postComment(h.app, author, threadId, 'going');
    await remove(author, c.id);
    await expectNoChange(async () => {
      expectError(await edit(author, c.id, { body: 'back' }), 404, 'not_found');
      expectError(await react(other, c.id, '👍'), 404, 'not_found');
    });
  });
});

describe('reactions', () => {
  test('PUT and DELETE are idempotent; `mine` and `users` follow the caller', async () => {
    const c = await postComment(h.app, author, threadId, 'react to me');
    const events = (await eventRows(h, { kind: 'reaction.changed' })).length;
    const first = await react(other, c.id, '🎉');
    expect(first.statusCode).toBe(200);
    expect(first.json().comment.reactions).toEqual([
      { emoji: '🎉', count: 1, mine: true, users: [{ id: other.id, name: 'Cy Other' }] },
    ]);
    await expectNoChange(async () =>
      expect((await react(other, c.id, '🎉')).json().comment.reactions[0].count).toBe(1),
    );
    const second = await react(facilitator, c.id, '🎉');
    expect(second.json().comment.reactions).toEqual([
      {
        emoji: '🎉',
        count: 2,
        mine: true,
        users: [
          { id: other.id, name: 'Cy Other' },
          { id: facilitator.id, name: 'Ada Facilitator' },
        ],
      },
    ]);
    await react(author, c.id, '👍🏽');
    // Seen by the author: grouped in the order first given, `mine` only on their own.
    const seen = await as(h.app, author).get(`/api/v1/comments/${c.id}`);
    expect(
      seen.json().comment.reactions.map((r: { emoji: string; mine: boolean }) => [r.emoji, r.mine]),
    ).toEqual([
      ['🎉', false],
      ['👍🏽', true],
    ]);
    const removed = await react(other, c.id, '🎉', 'DELETE');
    expect(removed.json().comment.reactions[0]).toMatchObject({ emoji: '🎉', count: 1, mine: false });
    await expectNoChange(async () => expect((await react(other, c.id, '🎉', 'DELETE')).statusCode).toBe(200));
    // Four changes, four events; the repeats wrote none.
    expect((await eventRows(h, { kind: 'reaction.changed' })).length).toBe(events + 4);
  });

  test('one emoji, of any shape: sequences, skin tones, flags, keycaps, even 105 characters URL-encoded', async () => {
    const c = await postComment(h.app, author, threadId, 'so many');
    for (const emoji of [
      '👨‍👩‍👧‍👦',
      '🧑🏽‍🤝‍🧑🏻',
      '👍🏿',
      '🏳️‍🌈',
      '🇺🇦',
      '#️⃣',
      '🏴󠁧󠁢󠁳󠁣󠁴󠁿',
      '❤️',
      '❤️‍🔥',
      '🫠',
      '👩🏻‍❤️‍💋‍👨🏼',
    ]) {
      const res = await react(other, c.id, emoji);
      expect(res.statusCode, emoji).toBe(200);
    }
    const emojis = (await react(other, c.id, '❤️'))
      .json()
      .comment.reactions.map((r: { emoji: string }) => r.emoji);
    expect(emojis).toHaveLength(11);
  });

  test('anything but exactly one emoji is 400, and changes nothing', async () => {
    const c = await postComment(h.app, author, threadId, 'strict');
    await expectNoChange(async () => {
      for (const text of ['abc', '👍👍', 'a', '1', ':+1:', '👍 ', '🇺', '🇺🇦🇺', '©', '<b>', '🏽🏽', '\u200d']) {
        expectError(await react(other, c.id, text), 400, 'validation_failed');
      }
    });
  });

  test('the same emoji with or without a redundant VS16 is one reaction', async () => {
    const c = await postComment(h.app, author, threadId, 'variation');
    await react(other, c.id, '👍');
    const res = await react(facilitator, c.id, '👍\uFE0F');
    expect(res.json().comment.reactions).toEqual([expect.objectContaining({ emoji: '👍', count: 2 })]);
  });

  test('outsiders and unknown comments get 404', async () => {
    const c = await postComment(h.app, author, threadId, 'private');
    await expectNoChange(async () => {
      expectError(await react(outsider, c.id, '👍'), 404, 'not_found');
      expectError(await react(other, MISSING_ID, '👍'), 404, 'not_found');
      expectError(await react(other, 'abc', '👍'), 404, 'not_found');
    });
  });
});

describe('isSingleEmoji', () => {
  test('accepts single emoji and rejects text and pairs', () => {
    for (const ok of ['😀', '👋🏼', '🧑‍🚀', '👁️‍🗨️', '🇯🇵', '*️⃣', '☝🏽', '©️', '🐻‍❄️'])
      expect(isSingleEmoji(ok), ok).toBe(true);
    for (const bad of ['', 'x', '😀😀', '😀x', 'x😀', '☝', '🇯', '\uFE0F', '1', '👍\u200d', '😀🏽']) {
      expect(isSingleEmoji(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
