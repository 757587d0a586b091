import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { UserRow } from '../../server/db/schema';
import { createComment, setReaction } from '../../server/services/comments';
import { writeTransaction } from '../../server/services/context';
import type { TimelineItem, TimelinePage } from '../../shared/schemas/threads';
import {
  createGroup,
  expectError,
  type Harness,
  join,
  MISSING_ID,
  type Person,
  signUp,
  startApp,
} from '../helpers/app';
import { as } from '../helpers/requests';
import { postComment, startThread, timeline } from '../helpers/threads';

let h: Harness;
let facilitator: Person;
let member: Person;
let outsider: Person;
let groupId: string;

beforeAll(async () => {
  h = await startApp();
  facilitator = await signUp(h.app, { name: 'Ada Facilitator' });
  member = await signUp(h.app, { name: 'Bo Member' });
  outsider = await signUp(h.app, { name: 'Di Outsider' });
  groupId = (await createGroup(h.app, facilitator)).id;
  await join(h.app, facilitator, groupId, member);
});
afterAll(() => h?.close());

async function userRow(person: Person): Promise<UserRow> {
  return h.db.database.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', person.id)
    .executeTakeFirstOrThrow();
}

function expectAscending(items: TimelineItem[]) {
  for (let i = 1; i < items.length; i++) expect(items[i]!.eventId).toBeGreaterThan(items[i - 1]!.eventId);
}

describe('a long thread', () => {
  const COMMENTS = 2_000;
  let threadId: string;
  let created: string[];

  beforeAll(async () => {
    threadId = (await startThread(h.app, facilitator, groupId, { title: 'The long one' })).id;
    const [ada, bo] = [await userRow(facilitator), await userRow(member)];
    created = [];
    // Mostly in bulk, 100 comments a transaction, each with its own event exactly as
    // `createComment` emits it; between batches a comment and a reaction through the service
    // itself, whose events take ids too, which the timeline must step over without a gap.
    while (created.length < COMMENTS) {
      const batch = await writeTransaction(h.app.ctx, async (trx, emit) => {
        const rows = await trx
          .insertInto('comments')
          .values(
            Array.from({ length: 99 }, (_, i) => ({
              thread_id: threadId,
              group_id: groupId,
              author_id: i % 2 ? ada.id : bo.id,
              body: `bulk comment ${created.length + i}`,
            })),
          )
          .returning('id')
          .execute();
        for (const { id } of rows) {
          emit({
            kind: 'comment.created',
            groupId,
            threadId,
            actorId: bo.id,
            subjectId: id,
            recordIdIn: { table: 'comments', id },
          });
        }
        return rows.map((r) => r.id);
      });
      created.push(...batch);
      const single = await createComment(h.app.ctx, threadId, ada, { body: `comment ${created.length}` });
      created.push(single.id);
      await setReaction(h.app.ctx, single.id, bo, '👍', true);
    }
  }, 60_000);

  test('pages forward through every comment once, in order', async () => {
    const seen: TimelineItem[] = [];
    let query = 'limit=200';
    for (;;) {
      const page = await timeline(h.app, member, threadId, query);
      expect(page.items.length).toBeLessThanOrEqual(200);
      seen.push(...page.items);
      if (!page.nextCursor) break;
      query = `limit=200&after=${page.nextCursor}`;
    }
    expect(seen[0]).toMatchObject({ kind: 'thread' });
    expectAscending(seen);
    expect(seen.slice(1).map((i) => i.comment?.id)).toEqual(created);
  });

  test('pages backward from the newest through every comment once, and cursors chain both ways', async () => {
    const pages: TimelineItem[][] = [];
    let page = await timeline(h.app, member, threadId, 'latest=true');
    expect(page.nextCursor).toBeNull();
    expect(page.items).toHaveLength(50);
    pages.unshift(page.items);
    while (page.prevCursor) {
      const older = await timeline(h.app, member, threadId, `before=${page.prevCursor}`);
      // The older page's nextCursor leads back to where it came from.
      expect(older.nextCursor).toBe(String(older.items[older.items.length - 1]!.eventId));
      const again = await timeline(h.app, member, threadId, `after=${older.nextCursor}&limit=50`);
      expect(again.items[0]).toEqual(page.items[0]);
      page = older;
      pages.unshift(page.items);
    }
    const all = pages.flat();
    expectAscending(all);
    expect(all.filter((i) => i.kind === 'comment').map((i) => i.comment!.id)).toEqual(created);
    expect(all[0]).toMatchObject({ kind: 'thread' });
  });

  test('a limit above 200 is treated as 200', async () => {
    expect((await timeline(h.app, member, threadId, 'limit=5000')).items).toHaveLength(200);
  });
});

describe('paging rules', () => {
  let threadId: string;
  let items: TimelineItem[];

  beforeAll(async () => {
    threadId = (await startThread(h.app, facilitator, groupId, { title: 'Short' })).id;
    for (let i = 0; i < 5; i++) await postComment(h.app, member, threadId, `c${i}`);
    items = (await timeline(h.app, member, threadId)).items;
  });

  test('the first page starts at the thread, oldest first, with no cursors when it is all', async () => {
    const page = await timeline(h.app, member, threadId);
    expect(page.items.map((i) => i.kind)).toEqual([
      'thread',
      'comment',
      'comment',
      'comment',
      'comment',
      'comment',
    ]);
    expect(page).toMatchObject({ nextCursor: null, prevCursor: null });
    expect(page.items[0]).toEqual({ eventId: expect.any(Number), kind: 'thread', at: expect.any(String) });
    expect(page.lastEventId).toBeGreaterThanOrEqual(page.items[5]!.eventId);
  });

  test('after and before are exclusive, and report what lies beyond', async () => {
    const mid = items[2]!.eventId;
    const after = await timeline(h.app, member, threadId, `after=${mid}&limit=2`);
    expect(after.items).toEqual(items.slice(3, 5));
    expect(after).toMatchObject({
      nextCursor: String(items[4]!.eventId),
      prevCursor: String(items[3]!.eventId),
    });
    const before = await timeline(h.app, member, threadId, `before=${mid}&limit=1`);
    expect(before.items).toEqual(items.slice(1, 2));
    expect(before).toMatchObject({
      nextCursor: String(items[1]!.eventId),
      prevCursor: String(items[1]!.eventId),
    });
    const start = await timeline(h.app, member, threadId, `before=${items[1]!.eventId}`);
    expect(start.items).toEqual(items.slice(0, 1));
    expect(start.prevCursor).toBeNull();
    const end = await timeline(h.app, member, threadId, `after=${items[5]!.eventId}`);
    expect(end).toMatchObject({ items: [], nextCursor: null, prevCursor: null });
  });

  test('`cursor` works as `after`, so a `nextCursor` can be passed either way', async () => {
    const first = await timeline(h.app, member, threadId, 'limit=2');
    const viaCursor = await timeline(h.app, member, threadId, `limit=2&cursor=${first.nextCursor}`);
    const viaAfter = await timeline(h.app, member, threadId, `limit=2&after=${first.nextCursor}`);
    expect(viaCursor.items).toEqual(viaAfter.items);
    expect(viaCursor.items).toEqual(items.slice(2, 4));
  });

  test('conflicting or malformed parameters are 400', async () => {
    for (const query of [
      'after=1&before=9',
      'after=1&latest=true',
      'before=9&latest=true',
      'after=1&cursor=2',
      'after=abc',
      'before=0',
      'after=-1',
      'latest=maybe',
      'cursor=x1',
      'limit=0',
    ]) {
      const res = await as(h.app, member).get(`/api/v1/threads/${threadId}/timeline?${query}`);
      expectError(res, 400, 'validation_failed');
    }
  });

  test('outsiders and unknown threads get 404', async () => {
    for (const [who, id] of [
      [outsider, threadId],
      [member, 'x'],
      [member, MISSING_ID],
    ] as const) {
      expectError(await as(h.app, who).get(`/api/v1/threads/${id}/timeline`), 404, 'not_found');
    }
  });
});

describe('proposals and outcomes in the timeline', () => {
  test('appear where they happened, with the proposal as the viewer sees it', async () => {
    const threadId = (await startThread(h.app, facilitator, groupId, { title: 'Decide' })).id;
    await postComment(h.app, member, threadId, 'before the proposal');
    const created = await as(h.app, facilitator).post(`/api/v1/threads/${threadId}/proposals`, {
      kind: 'proposal',
      title: 'Meet at the library',
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(created.statusCode).toBe(201);
    const proposalId = created.json().proposal.id;
    await postComment(h.app, member, threadId, 'between');
    const closed = await as(h.app, facilitator).post(`/api/v1/proposals/${proposalId}/close`, {
      outcome: { statement: 'We meet at the library.' },
    });
    expect(closed.statusCode).toBe(200);
    await postComment(h.app, member, threadId, 'after');

    const page = await timeline(h.app, member, threadId);
    expect(page.items.map((i) => i.kind)).toEqual([
      'thread',
      'comment',
      'proposal',
      'comment',
      'outcome',
      'comment',
    ]);
    expectAscending(page.items);
    const proposal = page.items[2]!;
    expect(proposal.proposal).toMatchObject({ id: proposalId, title: 'Meet at the library', threadId });
    const outcome = page.items[4]!;
    expect(outcome.proposal).toMatchObject({ id: proposalId, closedAt: expect.any(String) });
    expect(outcome.outcome).toMatchObject({
      statement: 'We meet at the library.',
      author: { id: facilitator.id, name: 'Ada Facilitator' },
    });
  });
});

describe('a page read again', () => {
  // Pages are kept per process while the thread has no newer event; these are the
  // changes a reader must still see at once, and the parts that are each reader's own.
  let threadId: string;
  let commentId: string;
  let third: Person;

  beforeAll(async () => {
    threadId = (await startThread(h.app, facilitator, groupId, { title: 'Read twice' })).id;
    commentId = (await postComment(h.app, member, threadId, 'first words')).id;
    third = await signUp(h.app, { name: 'Cy Third' });
    await join(h.app, facilitator, groupId, third);
  });

  const commentOn = (page: TimelinePage) => page.items.find((i) => i.comment?.id === commentId)!.comment!;

  test('shows each reader their own reactions, and everyone the change at once', async () => {
    const before = await timeline(h.app, third, threadId);
    expect(commentOn(before).reactions).toEqual([]);
    const react = await as(h.app, facilitator).put(
      `/api/v1/comments/${commentId}/reactions/${encodeURIComponent('👍')}`,
    );
    expect(react.statusCode).toBe(200);
    const forReactor = commentOn(await timeline(h.app, facilitator, threadId));
    const forOther = commentOn(await timeline(h.app, third, threadId));
    expect(forReactor.reactions).toEqual([
      { emoji: '👍', count: 1, mine: true, users: [{ id: facilitator.id, name: 'Ada Facilitator' }] },
    ]);
    expect(forOther.reactions).toEqual([{ ...forReactor.reactions[0], mine: false }]);
    // And in the other order of readers, on a page read for someone else first.
    expect(commentOn(await timeline(h.app, facilitator, threadId)).reactions[0]!.mine).toBe(true);
  });

  test('edits, deletions and new comments show on the next read', async () => {
    const first = await timeline(h.app, third, threadId);
    const edit = await as(h.app, member).patch(`/api/v1/comments/${commentId}`, { body: 'second thoughts' });
    expect(edit.statusCode).toBe(200);
    const edited = await timeline(h.app, third, threadId);
    expect(commentOn(edited)).toMatchObject({ body: 'second thoughts', editedAt: expect.any(String) });
    expect(edited.lastEventId).toBeGreaterThan(first.lastEventId);

    const added = await postComment(h.app, member, threadId, 'one more');
    const after = await timeline(h.app, third, threadId);
    expect(after.items.at(-1)!.comment!.id).toBe(added.id);

    const removed = await as(h.app, member).delete(`/api/v1/comments/${added.id}`);
    expect(removed.statusCode).toBe(204);
    expect((await timeline(h.app, third, threadId)).items.at(-1)!.comment).toMatchObject({
      id: added.id,
      body: '',
      deletedAt: expect.any(String),
    });
  });

  test('a new name shows on the next read, though the thread did not change', async () => {
    const lastEventId = (await timeline(h.app, third, threadId)).lastEventId;
    const renamed = await as(h.app, member).patch('/api/v1/me', { name: 'Bo Renamed' });
    expect(renamed.statusCode).toBe(200);
    const page = await timeline(h.app, third, threadId);
    expect(page.lastEventId).toBe(lastEventId);
    expect(commentOn(page).author).toMatchObject({ id: member.id, name: 'Bo Renamed' });
  });

  test('a member who left gets 404 for a page they read a moment ago', async () => {
    const leaver = await signUp(h.app, { name: 'Ed Leaving' });
    await join(h.app, facilitator, groupId, leaver);
    await timeline(h.app, leaver, threadId);
    const left = await as(h.app, leaver).delete(`/api/v1/groups/${groupId}/members/${leaver.id}`);
    expect(left.statusCode).toBe(204);
    expectError(await as(h.app, leaver).get(`/api/v1/threads/${threadId}/timeline`), 404, 'not_found');
  });

  test("a proposal on the page carries each reader's own vote and the current count", async () => {
    const created = await as(h.app, facilitator).post(`/api/v1/threads/${threadId}/proposals`, {
      kind: 'proposal',
      title: 'Pin it',
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(created.statusCode).toBe(201);
    const proposalId = created.json().proposal.id;
    const proposalOn = (page: TimelinePage) => page.items.find((i) => i.kind === 'proposal')!.proposal!;
    expect(proposalOn(await timeline(h.app, third, threadId))).toMatchObject({ voterCount: 0, myVote: null });
    const vote = await as(h.app, third).put(`/api/v1/proposals/${proposalId}/vote`, {
      choices: [{ optionId: 'agree' }],
    });
    expect(vote.statusCode).toBe(200);
    expect(proposalOn(await timeline(h.app, third, threadId))).toMatchObject({
      voterCount: 1,
      myVote: { choices: [{ optionId: 'agree' }] },
    });
    expect(proposalOn(await timeline(h.app, member, threadId))).toMatchObject({
      voterCount: 1,
      myVote: null,
    });
  });
});
