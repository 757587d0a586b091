import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
import { getThread, postComment, startThread } from '../helpers/threads';

let h: Harness;
let facilitator: Person;
let member: Person;
let other: Person;
let outsider: Person;
let groupId: string;

beforeAll(async () => {
  h = await startApp();
  facilitator = await signUp(h.app, { name: 'Ada Facilitator' });
  member = await signUp(h.app, { name: 'Bo Member' });
  other = await signUp(h.app, { name: 'Cy Member' });
  outsider = await signUp(h.app, { name: 'Di Outsider' });
  groupId = (await createGroup(h.app, facilitator)).id;
  await join(h.app, facilitator, groupId, member);
  await join(h.app, facilitator, groupId, other);
});
afterAll(() => h?.close());

function patch(person: Person, threadId: string, payload: unknown) {
  return as(h.app, person).patch(`/api/v1/threads/${threadId}`, payload as object);
}

function create(person: Person, payload: unknown, group = groupId) {
  return as(h.app, person).post(`/api/v1/groups/${group}/threads`, payload as object);
}

async function threadRowCount() {
  const row = await h.db.database.db
    .selectFrom('threads')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Runs `act` and checks it was refused and that nothing at all was written. */
async function expectNoChange(act: () => Promise<unknown>) {
  const before = { ...(await rowCounts(h)), threads: await threadRowCount() };
  await act();
  expect({ ...(await rowCounts(h)), threads: await threadRowCount() }).toEqual(before);
}

describe('POST /groups/:id/threads', () => {
  test('a member starts a thread; the answer is the contract Thread', async () => {
    const res = await create(member, {
      title: '  Spring assembly venue  ',
      body: 'Options *below*.',
      stray: 1,
    });
    expect(res.statusCode).toBe(201);
    const { thread } = res.json();
    expect(thread).toEqual({
      id: expect.any(String),
      groupId,
      title: 'Spring assembly venue',
      body: 'Options *below*.',
      author: { id: member.id, name: 'Bo Member', handle: member.handle },
      createdAt: expect.any(String),
      updatedAt: thread.createdAt,
      pinned: false,
      closedAt: null,
      commentCount: 0,
      unreadCount: 0,
      lastActivityAt: thread.createdAt,
      openProposalCount: 0,
      lastReadEventId: null,
      // Its author may edit and close it; pinning and reopening are for facilitators.
      permissions: { edit: true, pin: false, close: true, reopen: false },
    });
    // The created event is in the log, and the thread records it as its timeline entry.
    const [event] = await eventRows(h, { kind: 'thread.created', groupId });
    const row = await h.db.database.db
      .selectFrom('threads')
      .select('event_id')
      .where('id', '=', thread.id)
      .executeTakeFirst();
    expect(Number(row?.event_id)).toBe(Number(event!.id));
  });

  test('the body is optional and stored exactly as written', async () => {
    const bare = await create(member, { title: 'No body' });
    expect(bare.json().thread.body).toBe('');
    const markdown = '  <script>alert(1)</script>\n\n# Heading  \n';
    const raw = await create(member, { title: 'Raw', body: markdown });
    expect(raw.json().thread.body).toBe(markdown);
  });

  test('titles are 1–200 characters after trimming; bodies up to 100,000', async () => {
    expect((await create(member, { title: ` ${'t'.repeat(200)} ` })).statusCode).toBe(201);
    expect((await create(member, { title: '🗳'.repeat(200) })).statusCode).toBe(201);
    expect((await create(member, { title: 'b', body: 'x'.repeat(100_000) })).statusCode).toBe(201);
    await expectNoChange(async () => {
      expect(
        expectError(await create(member, { title: 't'.repeat(201) }), 400, 'validation_failed').details,
      ).toEqual([{ path: '/title', message: expect.any(String) }]);
      expectError(await create(member, { title: '   ' }), 400, 'validation_failed');
      expectError(await create(member, { title: '' }), 400, 'validation_failed');
      expectError(await create(member, { title: 'ok', body: 'x'.repeat(100_001) }), 400, 'validation_failed');
      expectError(await create(member, {}), 400, 'validation_failed');
    });
  });

  test('JSON types are strict', async () => {
    await expectNoChange(async () => {
      expectError(await create(member, { title: 42 }), 400, 'validation_failed');
      expectError(await create(member, { title: 'ok', body: null }), 400, 'validation_failed');
      expectError(await create(member, { title: ['a'] }), 400, 'validation_failed');
    });
  });

  test('outsiders and malformed group ids get 404, the signed-out 401', async () => {
    await expectNoChange(async () => {
      expectError(await create(outsider, { title: 'Probe' }), 404, 'not_found');
      expectError(await create(member, { title: 'Probe' }, 'not-a-uuid'), 404, 'not_found');
      expectError(await create(member, { title: 'Probe' }, MISSING_ID), 404, 'not_found');
      const anon = await as(h.app, null).post(`/api/v1/groups/${groupId}/threads`, { title: 'x' });
      expectError(anon, 401, 'unauthenticated');
    });
  });

  test('with membersCanStartThreads off, members get 403 and facilitators may still start one', async () => {
    const own = await createGroup(h.app, facilitator, 'Closed shop');
    await join(h.app, facilitator, own.id, member);
    const off = await as(h.app, facilitator).patch(`/api/v1/groups/${own.id}`, {
      settings: { membersCanStartThreads: false },
    });
    expect(off.statusCode).toBe(200);
    await expectNoChange(async () =>
      expectError(await create(member, { title: 'Not allowed' }, own.id), 403, 'forbidden'),
    );
    expect((await create(facilitator, { title: 'Allowed' }, own.id)).statusCode).toBe(201);
  });
});

describe('GET /threads/:id', () => {
  test('members see it; outsiders, malformed and unknown ids get 404', async () => {
    const thread = await startThread(h.app, member, groupId);
    expect(await getThread(h.app, other, thread.id)).toMatchObject({ id: thread.id, title: thread.title });
    for (const [who, id] of [
      [outsider, thread.id],
      [member, 'nope'],
      [member, MISSING_ID],
    ] as const) {
      expectError(await as(h.app, who).get(`/api/v1/threads/${id}`), 404, 'not_found');
    }
  });
});

describe('PATCH /threads/:id', () => {
  test('the author and facilitators edit title and body; other members get 403', async () => {
    const thread = await startThread(h.app, member, groupId, { title: 'Draft', body: 'v1' });
    const byAuthor = await patch(member, thread.id, { title: ' Final ', body: 'v2' });
    expect(byAuthor.statusCode).toBe(200);
    expect(byAuthor.json().thread).toMatchObject({ title: 'Final', body: 'v2', createdAt: thread.createdAt });
    expect(Date.parse(byAuthor.json().thread.updatedAt)).toBeGreaterThan(Date.parse(thread.updatedAt));
    // PATCH changes only the fields given.
    const byFacilitator = await patch(facilitator, thread.id, { body: 'v3' });
    expect(byFacilitator.json().thread).toMatchObject({ title: 'Final', body: 'v3' });
    await expectNoChange(async () => {
      expectError(await patch(other, thread.id, { title: 'Hijack' }), 403, 'forbidden');
      expectError(await patch(outsider, thread.id, { title: 'Hijack' }), 404, 'not_found');
      expectError(await patch(member, thread.id, { title: '  ' }), 400, 'validation_failed');
      expectError(await patch(member, thread.id, { pinned: 'yes' }), 400, 'validation_failed');
    });
    expect((await getThread(h.app, other, thread.id)).title).toBe('Final');
  });

  test('only facilitators pin; pinning does not count as an edit', async () => {
    const thread = await startThread(h.app, member, groupId);
    await expectNoChange(async () =>
      expectError(await patch(member, thread.id, { pinned: true }), 403, 'forbidden'),
    );
    const pinned = await patch(facilitator, thread.id, { pinned: true });
    expect(pinned.json().thread).toMatchObject({ pinned: true, updatedAt: thread.updatedAt });
    expect((await patch(facilitator, thread.id, { pinned: false })).json().thread.pinned).toBe(false);
  });

  test('the author may close but not reopen; facilitators do both; closing twice keeps the first time', async () => {
    const thread = await startThread(h.app, member, groupId);
    await expectNoChange(async () =>
      expectError(await patch(other, thread.id, { closed: true }), 403, 'forbidden'),
    );
    const closed = await patch(member, thread.id, { closed: true });
    expect(closed.statusCode).toBe(200);
    const closedAt = closed.json().thread.closedAt;
    expect(closedAt).toEqual(expect.any(String));
    expect((await patch(facilitator, thread.id, { closed: true })).json().thread.closedAt).toBe(closedAt);
    await expectNoChange(async () =>
      expectError(await patch(member, thread.id, { closed: false }), 403, 'forbidden'),
    );
    expect((await patch(facilitator, thread.id, { closed: false })).json().thread.closedAt).toBeNull();
  });

  test('one refused field refuses the whole request', async () => {
    const thread = await startThread(h.app, member, groupId, { title: 'Keep me' });
    await expectNoChange(async () =>
      expectError(await patch(member, thread.id, { title: 'Changed', pinned: true }), 403, 'forbidden'),
    );
    expect((await getThread(h.app, member, thread.id)).title).toBe('Keep me');
  });

  test('a patch that changes nothing writes no event', async () => {
    const thread = await startThread(h.app, member, groupId, { title: 'Same' });
    const before = (await eventRows(h, { kind: 'thread.updated' })).length;
    expect((await patch(member, thread.id, {})).statusCode).toBe(200);
    expect((await patch(member, thread.id, { title: 'Same ' })).statusCode).toBe(200);
    expect((await eventRows(h, { kind: 'thread.updated' })).length).toBe(before);
    expect((await patch(member, thread.id, { title: 'Different' })).statusCode).toBe(200);
    expect((await eventRows(h, { kind: 'thread.updated' })).length).toBe(before + 1);
  });
});

describe('GET /groups/:id/threads', () => {
  let listGroup: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    listGroup = (await createGroup(h.app, facilitator, 'Listing')).id;
    await join(h.app, facilitator, listGroup, member);
    await join(h.app, facilitator, listGroup, other);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      ids[name] = (await startThread(h.app, member, listGroup, { title: `Thread ${name}` })).id;
    }
    // Activity order now: e d c b a. A comment on b brings it to the top; c is pinned; d closed.
    await postComment(h.app, other, ids.b!, 'bump');
    await patch(facilitator, ids.c!, { pinned: true });
    await patch(facilitator, ids.d!, { closed: true });
  });

  async function list(person: Person, query = '') {
    const res = await as(h.app, person).get(`/api/v1/groups/${listGroup}/threads?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { items: { id: string; title: string }[]; nextCursor: string | null };
  }

  test('pinned first, then by last activity, newest first', async () => {
    const titles = (await list(member)).items.map((t) => t.title);
    expect(titles).toEqual(['Thread c', 'Thread b', 'Thread e', 'Thread d', 'Thread a']);
  });

  test('status filters open and closed threads', async () => {
    expect((await list(member, 'status=closed')).items.map((t) => t.title)).toEqual(['Thread d']);
    expect((await list(member, 'status=open')).items.map((t) => t.title)).toEqual([
      'Thread c',
      'Thread b',
      'Thread e',
      'Thread a',
    ]);
    expectError(
      await as(h.app, member).get(`/api/v1/groups/${listGroup}/threads?status=all`),
      400,
      'validation_failed',
    );
  });

  test('pages by cursor with no repeats and no gaps', async () => {
    const all = (await list(member)).items.map((t) => t.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(member, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expectError(
      await as(h.app, member).get(`/api/v1/groups/${listGroup}/threads?cursor=forged`),
      400,
      'validation_failed',
    );
  });

  test('each thread carries its counts, per reader', async () => {
    const items = (await list(member)).items as unknown as Record<string, unknown>[];
    const b = items.find((t) => t.id === ids.b)!;
    expect(b).toMatchObject({ commentCount: 1, unreadCount: 1, lastReadEventId: null, openProposalCount: 0 });
    // The commenter has nothing unread there: it is their own comment.
    const theirs = ((await list(other)).items as unknown as Record<string, unknown>[]).find(
      (t) => t.id === ids.b,
    )!;
    expect(theirs).toMatchObject({ commentCount: 1, unreadCount: 0 });
  });

  test('openProposalCount counts the proposals still open', async () => {
    const db = h.db.database.db;
    const closesAt = new Date(Date.now() + 86_400_000);
    for (const closed of [false, false, true]) {
      await db
        .insertInto('proposals')
        .values({
          thread_id: ids.a!,
          group_id: listGroup,
          author_id: member.id,
          kind: 'proposal',
          title: 'Adopt it?',
          closes_at: closesAt,
          closed_at: closed ? new Date() : null,
        })
        .execute();
    }
    const a = (await list(member)).items.find((t) => t.id === ids.a) as unknown as {
      openProposalCount: number;
    };
    expect(a.openProposalCount).toBe(2);
    expect((await getThread(h.app, member, ids.a!)).openProposalCount).toBe(2);
  });

  test('outsiders get 404', async () => {
    expectError(await as(h.app, outsider).get(`/api/v1/groups/${listGroup}/threads`), 404, 'not_found');
  });
});

describe('unread counts and POST /threads/:id/read', () => {
  function read(person: Person, threadId: string, payload: unknown) {
    return as(h.app, person).post(`/api/v1/threads/${threadId}/read`, payload as object);
  }

  test('comments by others after the marker are unread; own and deleted ones are not', async () => {
    const thread = await startThread(h.app, member, groupId);
    const c1 = await postComment(h.app, other, thread.id, 'one');
    await postComment(h.app, other, thread.id, 'two');
    await postComment(h.app, member, thread.id, 'mine');
    expect((await getThread(h.app, member, thread.id)).unreadCount).toBe(2);

    // Read up to the first comment: its event id is what the timeline gives.
    const timeline = (await as(h.app, member).get(`/api/v1/threads/${thread.id}/timeline`)).json();
    const firstId = timeline.items.find((i: { comment?: { id: string } }) => i.comment?.id === c1.id).eventId;
    expect((await read(member, thread.id, { lastEventId: firstId })).statusCode).toBe(204);
    expect(await getThread(h.app, member, thread.id)).toMatchObject({
      unreadCount: 1,
      lastReadEventId: firstId,
    });

    // Never backwards.
    expect((await read(member, thread.id, { lastEventId: 1 })).statusCode).toBe(204);
    expect((await getThread(h.app, member, thread.id)).lastReadEventId).toBe(firstId);

    // A deleted comment is not unread.
    const c3 = await postComment(h.app, other, thread.id, 'three');
    expect((await getThread(h.app, member, thread.id)).unreadCount).toBe(2);
    await as(h.app, other).delete(`/api/v1/comments/${c3.id}`);
    expect((await getThread(h.app, member, thread.id)).unreadCount).toBe(1);
  });

  test('a marker beyond the newest event is held there, so later comments are still unread', async () => {
    const thread = await startThread(h.app, member, groupId);
    await postComment(h.app, other, thread.id, 'before');
    expect((await read(member, thread.id, { lastEventId: 9_000_000 })).statusCode).toBe(204);
    const afterRead = await getThread(h.app, member, thread.id);
    expect(afterRead.unreadCount).toBe(0);
    expect(afterRead.lastReadEventId).toBeLessThan(9_000_000);
    await postComment(h.app, other, thread.id, 'after');
    expect((await getThread(h.app, member, thread.id)).unreadCount).toBe(1);
  });

  test('the marker is per reader', async () => {
    const thread = await startThread(h.app, member, groupId);
    await postComment(h.app, facilitator, thread.id, 'hello');
    await read(member, thread.id, { lastEventId: 9_000_000 });
    expect((await getThread(h.app, member, thread.id)).unreadCount).toBe(0);
    expect(await getThread(h.app, other, thread.id)).toMatchObject({ unreadCount: 1, lastReadEventId: null });
  });

  test('strict body, member-only', async () => {
    const thread = await startThread(h.app, member, groupId);
    await expectNoChange(async () => {
      expectError(await read(member, thread.id, { lastEventId: '5' }), 400, 'validation_failed');
      expectError(await read(member, thread.id, { lastEventId: 0 }), 400, 'validation_failed');
      expectError(await read(member, thread.id, {}), 400, 'validation_failed');
      expectError(await read(outsider, thread.id, { lastEventId: 5 }), 404, 'not_found');
    });
    const markers = await h.db.database.db
      .selectFrom('thread_reads')
      .selectAll()
      .where('thread_id', '=', thread.id)
      .execute();
    expect(markers).toEqual([]);
  });
});
