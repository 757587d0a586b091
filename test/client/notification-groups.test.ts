import { describe, expect, test } from 'vitest';
import { groupKey, groupNotifications } from '../../client/data/notification-groups';
import type { Notification } from '../../shared/schemas/threads';

const ANA = { id: 'u-ana', name: 'Ana' };
const BEN = { id: 'u-ben', name: 'Ben' };
const CY = { id: 'u-cy', name: 'Cy' };
const DEE = { id: 'u-dee', name: 'Dee' };

let serial = 0;
/** A notification at minute `minute` of the day (later minutes are newer). */
function n(
  minute: number,
  kind: Notification['kind'],
  where: { thread?: string; proposal?: string; comment?: string; group?: string } = {},
  options: { read?: boolean; actor?: { id: string; name: string } | null; text?: string } = {},
): Notification {
  serial += 1;
  const at = new Date(Date.UTC(2026, 11, 3, 10, minute)).toISOString();
  return {
    id: `n-${String(serial).padStart(4, '0')}`,
    kind,
    at,
    readAt: options.read ? at : null,
    actor: options.actor === undefined ? ANA : options.actor,
    groupId: where.group ?? 'g-1',
    threadId: where.thread ?? null,
    commentId: where.comment ?? null,
    proposalId: where.proposal ?? null,
    text: options.text ?? `${kind} at ${minute}`,
  };
}

/** Newest first, as the API lists them. */
const newestFirst = (items: Notification[]) => [...items].sort((a, b) => (a.at < b.at ? 1 : -1));
const keys = (items: Notification[]) => groupNotifications(newestFirst(items)).map((e) => e.key);

describe('groupNotifications', () => {
  test('nothing gives no entries; one notification gives one entry with no summary', () => {
    expect(groupNotifications([])).toEqual([]);
    const only = n(1, 'invited', {}, { text: 'Ana invited you to join **Commons Circle**' });
    const [entry] = groupNotifications([only]);
    expect(entry).toMatchObject({
      key: `notification:${only.id}`,
      items: [only],
      shown: only,
      target: only,
      at: only.at,
      unreadIds: [only.id],
      summary: null,
    });
  });

  test('invitations and role changes stand alone, even in the same group', () => {
    const items = [n(1, 'invited'), n(2, 'role_changed'), n(3, 'role_changed')];
    const entries = groupNotifications(newestFirst(items));
    expect(entries).toHaveLength(3);
    expect(entries.map((e) => e.items.length)).toEqual([1, 1, 1]);
  });

  test('three mentions in one thread are one entry: newest time, count and who', () => {
    const a = n(1, 'mentioned', { thread: 't-1', comment: 'c-1' }, { actor: ANA });
    const b = n(2, 'mentioned', { thread: 't-1', comment: 'c-2' }, { actor: BEN });
    const c = n(3, 'mentioned', { thread: 't-1', comment: 'c-3' }, { actor: ANA });
    const [entry, ...rest] = groupNotifications(newestFirst([a, b, c]));
    expect(rest).toEqual([]);
    expect(entry!.items).toEqual([c, b, a]);
    expect(entry!.at).toBe(c.at);
    expect(entry!.shown).toBe(c);
    expect(entry!.summary).toBe('3 mentions, from Ana and Ben');
    // Leads to where the news begins: the oldest unread.
    expect(entry!.target).toBe(a);
    expect(entry!.unreadIds.sort()).toEqual([a.id, b.id, c.id].sort());
  });

  test('replies name their authors: one, two, or two and the number of others', () => {
    const thread = { thread: 't-1' };
    const one = [n(1, 'replied', thread, { actor: ANA }), n(2, 'replied', thread, { actor: ANA })];
    expect(groupNotifications(newestFirst(one))[0]!.summary).toBe('2 replies, from Ana');
    const four = [ANA, BEN, CY, DEE].map((actor, i) => n(10 + i, 'replied', thread, { actor }));
    expect(groupNotifications(newestFirst(four))[0]!.summary).toBe('4 replies, from Dee, Cy and 2 others');
    const three = [ANA, BEN, CY].map((actor, i) => n(20 + i, 'replied', thread, { actor }));
    expect(groupNotifications(newestFirst(three))[0]!.summary).toBe('3 replies, from Cy, Ben and 1 other');
    const nobody = [n(30, 'replied', thread, { actor: null }), n(31, 'replied', thread, { actor: null })];
    expect(groupNotifications(newestFirst(nobody))[0]!.summary).toBe('2 replies');
  });

  test('a mention and a reply in one thread stay apart: each says what it is', () => {
    const items = [
      n(1, 'mentioned', { thread: 't-1' }),
      n(2, 'replied', { thread: 't-1' }),
      n(3, 'mentioned', { thread: 't-1' }),
    ];
    const entries = groupNotifications(newestFirst(items));
    expect(entries.map((e) => [e.key, e.items.length])).toEqual([
      ['thread:t-1:mentioned', 2],
      ['thread:t-1:replied', 1],
    ]);
    expect(entries[1]!.summary).toBeNull();
  });

  test('a mention never folds into the thread’s other news or its proposal', () => {
    const items = [
      n(1, 'proposal_created', { thread: 't-1', proposal: 'p-1' }),
      n(2, 'mentioned', { thread: 't-1' }),
      n(3, 'proposal_closing_soon', { thread: 't-1', proposal: 'p-1' }, { actor: null }),
    ];
    expect(keys(items)).toEqual(['proposal:p-1', 'thread:t-1:mentioned']);
  });

  test('interleaved threads: each thread is one entry, placed by its newest notification', () => {
    const items = [
      n(1, 'replied', { thread: 't-a' }),
      n(2, 'replied', { thread: 't-b' }),
      n(3, 'replied', { thread: 't-a' }),
      n(4, 'invited'),
      n(5, 'replied', { thread: 't-b' }),
      n(6, 'replied', { thread: 't-c' }),
      n(7, 'replied', { thread: 't-a' }),
    ];
    const entries = groupNotifications(newestFirst(items));
    expect(entries.map((e) => [e.key, e.items.length])).toEqual([
      ['thread:t-a:replied', 3],
      ['thread:t-c:replied', 1],
      ['thread:t-b:replied', 2],
      [`notification:${items[3]!.id}`, 1],
    ]);
    // Each entry's time is its newest; every notification is in exactly one entry.
    expect(entries.map((e) => e.at)).toEqual([items[6]!.at, items[5]!.at, items[4]!.at, items[3]!.at]);
    expect(entries.flatMap((e) => e.items.map((i) => i.id)).sort()).toEqual(items.map((i) => i.id).sort());
  });

  test('the input order does not matter: entries and their items come out newest first', () => {
    const items = [
      n(1, 'replied', { thread: 't-a' }),
      n(2, 'replied', { thread: 't-b' }),
      n(3, 'replied', { thread: 't-a' }),
    ];
    const shuffled = [items[0]!, items[2]!, items[1]!];
    const entries = groupNotifications(shuffled);
    expect(entries.map((e) => e.key)).toEqual(['thread:t-a:replied', 'thread:t-b:replied']);
    expect(entries[0]!.items).toEqual([items[2], items[0]]);
  });

  test('read and unread mixed: unread while any is, leading to the oldest unread', () => {
    const t = { thread: 't-1' };
    const oldRead = n(1, 'mentioned', t, { read: true });
    const unreadA = n(2, 'mentioned', t);
    const readAgain = n(3, 'mentioned', t, { read: true });
    const unreadB = n(4, 'mentioned', t);
    const [entry] = groupNotifications(newestFirst([oldRead, unreadA, readAgain, unreadB]));
    expect(entry!.unreadIds).toEqual([unreadB.id, unreadA.id]);
    expect(entry!.target).toBe(unreadA);
    expect(entry!.shown).toBe(unreadB);
  });

  test('all read: the entry is read and leads to the newest', () => {
    const t = { thread: 't-1' };
    const a = n(1, 'replied', t, { read: true });
    const b = n(2, 'replied', t, { read: true });
    const [entry] = groupNotifications(newestFirst([a, b]));
    expect(entry!.unreadIds).toEqual([]);
    expect(entry!.target).toBe(b);
  });

  test.each([
    ['closed, then outcome', ['proposal_closed', 'outcome_created']],
    ['outcome, then closed', ['outcome_created', 'proposal_closed']],
  ] as const)('%s of one proposal: one entry showing the outcome, "Voting closed" beside it', (_, order) => {
    const where = { thread: 't-1', proposal: 'p-1' };
    const items = order.map((kind, i) => n(1 + i, kind, where));
    const [entry, ...rest] = groupNotifications(newestFirst(items));
    expect(rest).toEqual([]);
    expect(entry!.shown.kind).toBe('outcome_created');
    expect(entry!.summary).toBe('Voting closed');
    expect(entry!.unreadIds).toHaveLength(2);
  });

  test('a proposal’s whole life is one entry; closed and outcome count as one update', () => {
    const where = { thread: 't-1', proposal: 'p-1' };
    const created = n(1, 'proposal_created', where);
    const soon = n(2, 'proposal_closing_soon', where, { actor: null });
    const closed = n(3, 'proposal_closed', where, { actor: null });
    const outcome = n(4, 'outcome_created', where);
    const [entry] = groupNotifications(newestFirst([created, soon, closed, outcome]));
    expect(entry!.items).toHaveLength(4);
    expect(entry!.shown).toBe(outcome);
    expect(entry!.summary).toBe('Voting closed · 3 updates on this proposal');
    // Without an outcome: the newest shows.
    const [open] = groupNotifications(newestFirst([created, soon]));
    expect(open!.shown).toBe(soon);
    expect(open!.summary).toBe('2 updates on this proposal');
  });

  test('closed without an outcome, and an outcome restated: the newest outcome shows', () => {
    const where = { thread: 't-1', proposal: 'p-1' };
    const [closedOnly] = groupNotifications([n(1, 'proposal_closed', where)]);
    expect(closedOnly!.summary).toBeNull();
    const first = n(2, 'outcome_created', where, { text: 'first outcome' });
    const again = n(3, 'outcome_created', where, { text: 'restated outcome' });
    const [entry] = groupNotifications(newestFirst([first, again]));
    expect(entry!.shown).toBe(again);
    expect(entry!.summary).toBe('2 updates on this proposal');
  });

  test('two proposals in one thread are two entries', () => {
    const items = [
      n(1, 'proposal_closed', { thread: 't-1', proposal: 'p-1' }),
      n(2, 'proposal_closed', { thread: 't-1', proposal: 'p-2' }),
      n(3, 'outcome_created', { thread: 't-1', proposal: 'p-1' }),
    ];
    expect(keys(items)).toEqual(['proposal:p-1', 'proposal:p-2']);
  });

  test('other news about a thread (kinds added later) shares one entry per thread', () => {
    const later = (minute: number, thread: string) =>
      ({ ...n(minute, 'replied', { thread }), kind: 'commented' }) as unknown as Notification;
    const items = [later(1, 't-1'), later(2, 't-1'), later(3, 't-1'), n(4, 'replied', { thread: 't-1' })];
    const entries = groupNotifications(newestFirst(items));
    expect(entries.map((e) => [e.key, e.items.length, e.summary])).toEqual([
      ['thread:t-1:replied', 1, null],
      ['thread:t-1', 3, '3 updates in this thread'],
    ]);
  });

  test('a notification arriving later joins its entry, which moves to the top', () => {
    const t = { thread: 't-1' };
    const before = [n(1, 'mentioned', t, { read: true }), n(2, 'invited')];
    expect(keys(before)).toEqual([`notification:${before[1]!.id}`, 'thread:t-1:mentioned']);
    const arrived = n(3, 'mentioned', t);
    const entries = groupNotifications([arrived, ...newestFirst(before)]);
    expect(entries.map((e) => e.key)).toEqual(['thread:t-1:mentioned', `notification:${before[1]!.id}`]);
    expect(entries[0]!.unreadIds).toEqual([arrived.id]);
    expect(entries[0]!.summary).toBe('2 mentions, from Ana');
  });

  test('groupKey: personal kinds by thread and kind, proposals by proposal, the rest alone', () => {
    expect(groupKey(n(1, 'mentioned', { thread: 't', comment: 'c' }))).toBe('thread:t:mentioned');
    expect(groupKey(n(1, 'replied', { thread: 't', comment: 'c' }))).toBe('thread:t:replied');
    expect(groupKey(n(1, 'outcome_created', { thread: 't', proposal: 'p' }))).toBe('proposal:p');
    const alone = n(1, 'role_changed');
    expect(groupKey(alone)).toBe(`notification:${alone.id}`);
  });
});
