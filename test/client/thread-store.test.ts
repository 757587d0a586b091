import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Comment } from '../../client/data/comments';
import { NotificationStore } from '../../client/data/notifications';
import type { StreamEvent } from '../../client/data/stream';
import { buildTimeline, PENDING_EVENT_ID, ThreadStore } from '../../client/data/thread-store';
import type { Thread, TimelineItem, TimelinePage } from '../../client/data/threads';

const T = 'thread-1';
const ME = 'me';
const at = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();

function comment(id: string, patch: Partial<Comment> = {}): Comment {
  return {
    id,
    threadId: T,
    parentId: null,
    author: { id: 'ada', name: 'Ada', handle: 'ada' },
    body: `body of ${id}`,
    createdAt: at(1),
    editedAt: null,
    deletedAt: null,
    reactions: [],
    ...patch,
  };
}

const item = (eventId: number, c: Comment): TimelineItem => ({
  eventId,
  kind: 'comment',
  at: at(eventId),
  comment: c,
});

const thread: Thread = {
  id: T,
  groupId: 'g',
  title: 'Budget',
  body: '',
  author: { id: 'ada', name: 'Ada', handle: 'ada' },
  createdAt: at(0),
  updatedAt: at(0),
  pinned: false,
  closedAt: null,
  commentCount: 3,
  unreadCount: 1,
  lastActivityAt: at(3),
  openProposalCount: 0,
  lastReadEventId: 2,
};

const event = (id: number, kind: string, data: Record<string, unknown>): StreamEvent => ({
  id,
  kind,
  groupId: 'g',
  threadId: T,
  actor: null,
  at: at(id),
  data,
});

/** A fake API: answers by path, records what was asked. */
function fakeApi(routes: Record<string, (url: URL, init: RequestInit) => unknown | Promise<unknown>>) {
  const calls: string[] = [];
  const fetch = vi.fn(async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://x');
    calls.push(`${init.method ?? 'GET'} ${url.pathname}${url.search}`);
    const key = Object.keys(routes).find((k) => `${init.method ?? 'GET'} ${url.pathname}`.startsWith(k));
    if (!key)
      return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no route' } }), {
        status: 404,
      });
    const body = await routes[key]!(url, init);
    return body === undefined
      ? new Response(null, { status: 204 })
      : new Response(JSON.stringify(body), { status: 200 });
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

const page = (
  items: TimelineItem[],
  lastEventId: number,
  prevCursor: string | null = null,
): TimelinePage => ({
  items,
  nextCursor: null,
  prevCursor,
  lastEventId,
});

describe('ThreadStore', () => {
  afterEach(() => vi.unstubAllGlobals());

  let store: ThreadStore;
  beforeEach(() => {
    store = new ThreadStore(T);
    store.viewerId = ME;
  });

  test('loads the newest page, then ignores stream events it already reflects', async () => {
    fakeApi({
      [`GET /api/v1/threads/${T}/timeline`]: () =>
        page([item(2, comment('a')), item(3, comment('b'))], 3, '2'),
      [`GET /api/v1/threads/${T}`]: () => ({ thread }),
    });
    await store.beginVisit();
    expect(store.value.status).toBe('ready');
    expect(store.value.items.map((i) => i.eventId)).toEqual([2, 3]);
    expect(store.value.olderCursor).toBe(2);
    expect(store.value.arrivedReadMarker).toBe(2);

    store.absorb(event(3, 'comment.created', { comment: comment('b') })); // in the page already
    store.absorb(event(4, 'comment.created', { comment: comment('c') }));
    store.absorb(event(4, 'comment.created', { comment: comment('c') })); // twice
    expect(store.value.items.map((i) => i.comment!.id)).toEqual(['a', 'b', 'c']);
    expect(store.value.thread!.commentCount).toBe(4);
  });

  test('holds events that arrive while a page loads, then applies only the newer ones', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    fakeApi({
      [`GET /api/v1/threads/${T}/timeline`]: async () => {
        await gate;
        return page([item(2, comment('a')), item(3, comment('b'))], 3);
      },
      [`GET /api/v1/threads/${T}`]: () => ({ thread }),
    });
    const loading = store.beginVisit();
    store.absorb(event(3, 'comment.created', { comment: comment('b') }));
    store.absorb(
      event(5, 'reaction.changed', {
        comment: comment('a', {
          reactions: [{ emoji: '👍', count: 1, mine: false, users: [{ id: ME, name: 'Me' }] }],
        }),
      }),
    );
    store.absorb(event(6, 'comment.created', { comment: comment('d', { parentId: 'a' }) }));
    release();
    await loading;
    const items = store.value.items;
    expect(items.map((i) => i.comment!.id)).toEqual(['a', 'b', 'd']);
    expect(items[0]!.comment!.reactions[0]).toMatchObject({ count: 1, mine: true });
    expect(store.value.lastEventId).toBe(6);
  });

  test('a posted comment shows at once and its event puts it in place, once', async () => {
    fakeApi({
      [`GET /api/v1/threads/${T}/timeline`]: () => page([item(2, comment('a'))], 2),
      [`GET /api/v1/threads/${T}`]: () => ({ thread }),
    });
    await store.beginVisit();
    store.showPosted(comment('mine', { author: { id: ME, name: 'Me', handle: 'me' } }));
    expect(store.value.items.at(-1)!.eventId).toBe(PENDING_EVENT_ID);
    store.absorb(event(7, 'comment.created', { comment: comment('x') }));
    store.absorb(
      event(8, 'comment.created', {
        comment: comment('mine', { author: { id: ME, name: 'Me', handle: 'me' } }),
      }),
    );
    expect(store.value.items.map((i) => [i.comment!.id, i.eventId])).toEqual([
      ['a', 2],
      ['x', 7],
      ['mine', 8],
    ]);
    expect(store.newestEventId()).toBe(8);
  });

  test('edits, deletions and thread changes apply in place; per-reader fields stay', async () => {
    fakeApi({
      [`GET /api/v1/threads/${T}/timeline`]: () => page([item(2, comment('a')), item(3, comment('b'))], 3),
      [`GET /api/v1/threads/${T}`]: () => ({ thread }),
    });
    await store.beginVisit();
    store.absorb(event(4, 'comment.updated', { comment: comment('a', { body: 'new', editedAt: at(4) }) }));
    store.absorb(event(5, 'comment.deleted', { comment: comment('b', { body: '', deletedAt: at(5) }) }));
    store.absorb(
      event(6, 'thread.updated', {
        thread: {
          ...thread,
          title: 'Budget 2025',
          closedAt: at(6),
          unreadCount: undefined,
          lastReadEventId: undefined,
        },
      }),
    );
    expect(store.value.items[0]!.comment!.body).toBe('new');
    expect(store.value.items[1]!.comment!.deletedAt).toBe(at(5));
    expect(store.value.thread).toMatchObject({
      title: 'Budget 2025',
      closedAt: at(6),
      unreadCount: 1,
      lastReadEventId: 2,
    });
    expect(store.value.thread!.commentCount).toBe(3); // from the thread.updated event, the server's count
  });

  test('an edit shows the server’s answer at once, for this viewer, and its event changes nothing more', async () => {
    const mine = { id: ME, name: 'Me', handle: 'me' };
    const answer = comment('a', {
      author: mine,
      body: 'better',
      editedAt: at(5),
      reactions: [{ emoji: '👍', count: 1, mine: false, users: [{ id: ME, name: 'Me' }] }],
    });
    const calls = fakeApi({
      [`GET /api/v1/threads/${T}/timeline`]: () => page([item(2, comment('a', { author: mine }))], 2),
      [`GET /api/v1/threads/${T}`]: () => ({ thread }),
      'PATCH /api/v1/comments/a': () => ({ comment: answer }),
    });
    await store.beginVisit();
    const edited = await store.editComment('a', 'better');
    expect(edited.body).toBe('better');
    expect(calls).toContain('PATCH /api/v1/comments/a');
    const shown = () => store.value.items[0]!.comment!;
    expect(shown()).toMatchObject({ body: 'better', editedAt: at(5) });
    expect(shown().reactions[0]!.mine).toBe(true);
    store.absorb(event(5, 'comment.updated', { comment: answer }));
    expect(store.value.items).toHaveLength(1);
    expect(shown()).toMatchObject({ body: 'better', editedAt: at(5) });
  });

  test('loads older pages before the oldest shown, without duplicates', async () => {
    const calls = fakeApi({
      [`GET /api/v1/threads/${T}/timeline`]: (url) =>
        url.searchParams.get('before') === '3'
          ? page([item(1, comment('z')), item(2, comment('a'))], 9, null)
          : page([item(3, comment('b')), item(4, comment('c'))], 4, '3'),
      [`GET /api/v1/threads/${T}`]: () => ({ thread }),
    });
    await store.beginVisit();
    await Promise.all([store.loadOlder(), store.loadOlder()]);
    expect(calls.filter((c) => c.includes('before=')).length).toBe(1);
    expect(store.value.items.map((i) => i.eventId)).toEqual([1, 2, 3, 4]);
    expect(store.value.olderCursor).toBeNull();
    await store.loadOlder(); // nothing older: no request
    expect(calls.filter((c) => c.includes('before=')).length).toBe(1);
  });

  test('marks read up to the newest event once, and again only after a newer one', async () => {
    const calls = fakeApi({
      [`GET /api/v1/threads/${T}/timeline`]: () => page([item(2, comment('a')), item(3, comment('b'))], 3),
      [`GET /api/v1/threads/${T}`]: () => ({ thread }),
      [`POST /api/v1/threads/${T}/read`]: () => undefined,
    });
    await store.beginVisit();
    await store.markRead();
    await store.markRead();
    store.absorb(event(9, 'comment.created', { comment: comment('n') }));
    await store.markRead();
    expect(calls.filter((c) => c.startsWith('POST'))).toEqual([
      `POST /api/v1/threads/${T}/read`,
      `POST /api/v1/threads/${T}/read`,
    ]);
    expect(store.value.thread!.unreadCount).toBe(0);
  });
});

describe('buildTimeline', () => {
  const viewer = { readMarker: 3, arrivedUpTo: 9, viewerId: ME };

  test('nests replies under their top-level comment and shows orphans on their own', () => {
    const rows = buildTimeline(
      [
        { eventId: 1, kind: 'thread', at: at(1) },
        item(2, comment('a')),
        item(3, comment('x', { parentId: 'gone' })),
        item(4, comment('b')),
        item(5, comment('r1', { parentId: 'a' })),
        item(6, comment('r2', { parentId: 'a', author: { id: ME, name: 'Me', handle: 'me' } })),
      ],
      viewer,
    );
    const shape = rows.map((r) =>
      r.type === 'comment'
        ? `${r.entry.comment.id}${r.orphan ? '?' : ''}[${r.replies.map((x) => x.comment.id)}]`
        : r.type,
    );
    expect(shape).toEqual(['thread', 'a[r1,r2]', 'x?[]', 'divider', 'b[]']);
    const a = rows[1] as Extract<(typeof rows)[number], { type: 'comment' }>;
    expect(a.replies.map((r) => r.isNew)).toEqual([true, false]); // the viewer's own reply is not "new"
    expect(rows[3]).toMatchObject({ type: 'divider', count: 2 });
  });

  test('no divider on a first visit, or when nothing is new, or for items that came in live', () => {
    const items = [item(2, comment('a')), item(4, comment('b'))];
    expect(buildTimeline(items, { ...viewer, readMarker: null }).some((r) => r.type === 'divider')).toBe(
      false,
    );
    expect(buildTimeline(items, { ...viewer, readMarker: 4 }).some((r) => r.type === 'divider')).toBe(false);
    expect(buildTimeline(items, { ...viewer, arrivedUpTo: 2 }).some((r) => r.type === 'divider')).toBe(false);
  });

  test('a divider on top when everything shown is new and older items are not loaded', () => {
    const items = [item(5, comment('a')), item(6, comment('b'))];
    expect(buildTimeline(items, viewer)[0]!.type).toBe('comment');
    expect(buildTimeline(items, { ...viewer, olderHidden: true })[0]).toMatchObject({
      type: 'divider',
      count: 2,
    });
  });
});

describe('NotificationStore', () => {
  afterEach(() => vi.unstubAllGlobals());
  const n = (id: string, readAt: string | null = null) => ({
    id,
    kind: 'mentioned' as const,
    at: at(Number(id)),
    readAt,
    actor: null,
    groupId: 'g',
    threadId: T,
    commentId: null,
    proposalId: null,
    text: `n${id}`,
  });

  test('absorbs new notifications once, newest first, counting unread', async () => {
    fakeApi({
      'GET /api/v1/notifications': () => ({
        items: [n('2'), n('1', at(1))],
        nextCursor: null,
        unreadCount: 1,
      }),
    });
    const store = new NotificationStore();
    await store.refresh();
    store.absorb(event(10, 'notification.created', { notification: n('3') }));
    store.absorb(event(11, 'notification.created', { notification: n('3') }));
    store.absorb(event(12, 'comment.created', {}));
    expect(store.value.items.map((x) => x.id)).toEqual(['3', '2', '1']);
    expect(store.value.unreadCount).toBe(2);
  });

  test('marking read shows at once and tells the server', async () => {
    const calls = fakeApi({
      'GET /api/v1/notifications': () => ({ items: [n('3'), n('2')], nextCursor: null, unreadCount: 2 }),
      'POST /api/v1/notifications/read': () => undefined,
    });
    const store = new NotificationStore();
    await store.refresh();
    await store.markRead(['3']);
    expect(store.value.unreadCount).toBe(1);
    await store.markRead();
    expect(store.value.unreadCount).toBe(0);
    expect(store.value.items.every((x) => x.readAt)).toBe(true);
    expect(calls.filter((c) => c.startsWith('POST')).length).toBe(2);
  });
});
