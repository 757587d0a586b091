import { describe, expect, test } from 'vitest';
import { type SharedTimelinePage, TimelineCache } from '../../server/services/timeline-cache';

const THREAD = 't1';
const GROUP = 'g1';

function page(authorId: string, reactorIds: string[] = []): SharedTimelinePage {
  return {
    items: [
      {
        eventId: 5,
        kind: 'comment',
        at: '2026-11-28T00:00:00.000Z',
        comment: {
          id: 'c1',
          threadId: THREAD,
          parentId: null,
          author: { id: authorId, name: 'Ada', handle: 'ada' },
          body: 'hello',
          createdAt: '2026-11-28T00:00:00.000Z',
          editedAt: null,
          deletedAt: null,
          reactions: reactorIds.length
            ? [{ emoji: '👍', count: reactorIds.length, users: reactorIds.map((id) => ({ id, name: id })) }]
            : [],
        },
      },
    ],
    nextCursor: null,
    prevCursor: null,
    lastEventId: 5,
  };
}

describe('pages', () => {
  test('are served only at the version they were read at', () => {
    const cache = new TimelineCache();
    cache.put('k', 5, cache.epoch(), page('ada'));
    expect(cache.get('k', 5)?.page.lastEventId).toBe(5);
    expect(cache.get('k', 6)).toBeUndefined();
    // The stale entry is gone, not kept for an older version to find.
    expect(cache.get('k', 5)).toBeUndefined();
  });

  test('a rename drops the pages that show the person, and a page read before it is not kept', () => {
    const cache = new TimelineCache();
    cache.put('shows-ada', 5, cache.epoch(), page('ada'));
    cache.put('shows-bo', 5, cache.epoch(), page('bo', ['ada']));
    cache.put('shows-cy', 5, cache.epoch(), page('cy'));
    const readBeforeRename = cache.epoch();
    cache.evictUser('ada');
    expect(cache.get('shows-ada', 5)).toBeUndefined();
    expect(cache.get('shows-bo', 5)).toBeUndefined();
    expect(cache.get('shows-cy', 5)).toBeDefined();
    cache.put('late', 5, readBeforeRename, page('ada'));
    expect(cache.get('late', 5)).toBeUndefined();
  });

  test('know who reacted, so those readers get their own copy', () => {
    const cache = new TimelineCache();
    const entry = cache.put('k', 5, cache.epoch(), page('ada', ['bo']));
    expect(entry.reactorIds.has('bo')).toBe(true);
    expect(entry.reactorIds.has('ada')).toBe(false);
  });
});

describe('access known without a query (sole writer only)', () => {
  test('is never claimed when other processes may write', () => {
    const cache = new TimelineCache(false);
    cache.learnAccess(THREAD, GROUP, 'ada', 5, cache.accessEpoch());
    expect(cache.knownAccess(THREAD, 'ada')).toBeUndefined();
  });

  test("follows the process's own commits: new events on the thread, members leaving", () => {
    const cache = new TimelineCache(true);
    expect(cache.knownAccess(THREAD, 'ada')).toBeUndefined();
    cache.learnAccess(THREAD, GROUP, 'ada', 5, cache.accessEpoch());
    expect(cache.knownAccess(THREAD, 'ada')).toBe(5);
    expect(cache.knownAccess(THREAD, 'bo')).toBeUndefined();
    cache.committed([{ id: 9, kind: 'comment.created', groupId: GROUP, threadId: THREAD }]);
    expect(cache.knownAccess(THREAD, 'ada')).toBe(9);
    cache.committed([{ id: 10, kind: 'member.left', groupId: GROUP, subjectId: 'ada' }]);
    expect(cache.knownAccess(THREAD, 'ada')).toBeUndefined();
  });

  test('an access check that a commit overtook is not learned', () => {
    const cache = new TimelineCache(true);
    // The check reads "member, newest event 5"; before its answer arrives the member leaves.
    const epoch = cache.accessEpoch();
    cache.committed([{ id: 6, kind: 'member.left', groupId: GROUP, subjectId: 'ada' }]);
    cache.learnAccess(THREAD, GROUP, 'ada', 5, epoch);
    expect(cache.knownAccess(THREAD, 'ada')).toBeUndefined();
  });
});
