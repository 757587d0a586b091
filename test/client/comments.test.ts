import { describe, expect, test } from 'vitest';
import {
  applyToggle,
  type Comment,
  clearDraft,
  commentForViewer,
  type DraftStorage,
  draftKey,
  insertMention,
  loadDraft,
  matchMentions,
  mentionAt,
  reactionSummary,
  saveDraft,
} from '../../client/data/comments';
import { absoluteTime, initials, relativeTime } from '../../client/ui/format';

const people = [
  { id: '1', name: 'Ada Okafor', handle: 'ada' },
  { id: '2', name: 'Bea Lindqvist', handle: 'bea-l' },
  { id: '3', name: 'Abdul Bakr', handle: 'abakr' },
  { id: '4', name: 'Cyrus Adams', handle: 'cyrus' },
];

describe('mentions', () => {
  test('finds the @word being typed at the caret', () => {
    expect(mentionAt('hi @be', 6)).toEqual({ start: 3, query: 'be' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('(@ad', 4)).toEqual({ start: 1, query: 'ad' });
    expect(mentionAt('line\n@a', 7)).toEqual({ start: 5, query: 'a' });
  });

  test('ignores email addresses, finished words and text after the caret', () => {
    expect(mentionAt('mail ada@example.org', 20)).toBeNull();
    expect(mentionAt('hi @bea there', 13)).toBeNull();
    expect(mentionAt('hi @bea there', 2)).toBeNull();
    expect(mentionAt('x@y', 3)).toBeNull();
  });

  test('inserts the handle with one space after it and puts the caret there', () => {
    const text = 'thanks @be and more';
    const m = mentionAt(text, 10)!;
    expect(insertMention(text, 10, m, 'bea-l')).toEqual({ text: 'thanks @bea-l and more', caret: 14 });
    expect(insertMention('hi @a', 5, mentionAt('hi @a', 5)!, 'ada')).toEqual({ text: 'hi @ada ', caret: 8 });
  });

  test('matches handles and names, best first', () => {
    expect(matchMentions(people, 'a').map((p) => p.handle)).toEqual(['abakr', 'ada', 'cyrus', 'bea-l']);
    expect(matchMentions(people, 'lind').map((p) => p.handle)).toEqual(['bea-l']);
    expect(matchMentions(people, '').length).toBe(4);
    expect(matchMentions(people, 'zz')).toEqual([]);
    expect(matchMentions(people, '', 2).length).toBe(2);
  });
});

describe('reactions', () => {
  const base = {
    emoji: '👍',
    count: 2,
    mine: false,
    users: [
      { id: '1', name: 'Ada' },
      { id: '2', name: 'Bea' },
    ],
  };

  test('marks the viewer’s own from the users the stream sends', () => {
    const comment = { reactions: [base] } as unknown as Comment;
    expect(commentForViewer(comment, '2').reactions[0]!.mine).toBe(true);
    expect(commentForViewer(comment, '3').reactions[0]!.mine).toBe(false);
  });

  test('toggling adds, counts and removes, idempotently', () => {
    expect(applyToggle([base], '👍', true)).toEqual([{ ...base, count: 3, mine: true }]);
    expect(applyToggle([{ ...base, mine: true }], '👍', true)).toEqual([{ ...base, mine: true }]);
    expect(applyToggle([{ ...base, count: 1, mine: true }], '👍', false)).toEqual([]);
    expect(applyToggle([], '🎉', true)).toEqual([{ emoji: '🎉', count: 1, mine: true, users: [] }]);
    expect(applyToggle([{ ...base, emoji: '❤' }], '❤️', true)[0]!.count).toBe(3);
  });

  test('says who reacted', () => {
    expect(reactionSummary(base)).toBe('Ada and Bea reacted with 👍');
    expect(reactionSummary({ ...base, count: 1, users: [base.users[0]!] })).toBe('Ada reacted with 👍');
    expect(reactionSummary({ ...base, count: 5 }, 1)).toBe('Ada and 4 others reacted with 👍');
  });
});

describe('drafts', () => {
  function memory(): DraftStorage & { map: Map<string, string> } {
    const map = new Map<string, string>();
    return {
      map,
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => void map.set(k, v),
      removeItem: (k) => void map.delete(k),
    };
  }

  test('are kept per thread and per reply, and cleared', () => {
    const s = memory();
    expect(draftKey('t1')).not.toBe(draftKey('t1', 'c1'));
    saveDraft(draftKey('t1'), 'hello', s);
    saveDraft(draftKey('t1', 'c1'), 'reply', s);
    expect(loadDraft(draftKey('t1'), s)).toBe('hello');
    expect(loadDraft(draftKey('t1', 'c1'), s)).toBe('reply');
    saveDraft(draftKey('t1'), '   ', s);
    expect(s.map.has(draftKey('t1'))).toBe(false);
    clearDraft(draftKey('t1', 'c1'), s);
    expect(loadDraft(draftKey('t1', 'c1'), s)).toBe('');
  });

  test('survive a storage that throws (blocked, or full)', () => {
    const broken: DraftStorage = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {
        throw new Error('blocked');
      },
    };
    expect(loadDraft('k', broken)).toBe('');
    expect(() => saveDraft('k', 'x', broken)).not.toThrow();
    expect(() => clearDraft('k', broken)).not.toThrow();
  });
});

describe('format', () => {
  const now = Date.parse('2025-03-12T14:00:00Z');
  test('relative times', () => {
    expect(relativeTime('2025-03-12T13:59:40Z', now)).toBe('just now');
    expect(relativeTime('2025-03-12T13:55:00Z', now)).toBe('5 min ago');
    expect(relativeTime('2025-03-12T11:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime('2025-03-11T10:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('2025-03-08T10:00:00Z', now)).toBe('4 days ago');
    expect(relativeTime('2025-02-01T10:00:00Z', now, 'en-GB')).toBe('1 Feb');
    expect(relativeTime('2023-02-01T10:00:00Z', now, 'en-GB')).toBe('1 Feb 2023');
    expect(relativeTime('nonsense', now)).toBe('');
    expect(absoluteTime('nonsense')).toBe('');
  });
  test('initials', () => {
    expect(initials('Ada Okafor')).toBe('AO');
    expect(initials('cyrus')).toBe('C');
    expect(initials('Mary Ann de la Cruz')).toBe('MC');
    expect(initials('  ')).toBe('?');
  });
});
