import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SEARCH_LIMITS, searchGate } from '../../server/services/search';
import { createGroup, expectError, type Harness, type Person, signUp, startApp } from '../helpers/app';
import { as } from '../helpers/requests';
import { startThread } from '../helpers/threads';

// Issue #10: one member's searches over long comments must not stall everyone
// else. What is checked is the mechanism (a bounded number of searches at once,
// the rest waiting or turned away), never how fast anything was.

const COMMENTS = 150;
const BODY_CHARS = 99_000;
/** Comments whose one "marigold" sits near the end of their 99 KB. */
const DEEP = [7, 42, 99, 120, 149];
const WORDS =
  'assembly budget compost garden meeting rota bakery flour oven kitchen member vote proposal consent delegate council treasury harvest season shed water tools seeds market stall festival volunteer schedule review'.split(
    ' ',
  );

/** About 99 KB of words, every comment different, "allotment" in all of them. */
function longBody(i: number): string {
  const words: string[] = [];
  let length = 0;
  let n = i * 7919 + 1;
  while (length < BODY_CHARS) {
    n = (n * 1103515245 + 12345) % 2147483648;
    const word = length % 4000 < 10 ? 'allotment' : WORDS[n % WORDS.length]!;
    words.push(word);
    length += word.length + 1;
  }
  if (DEEP.includes(i)) words.splice(words.length - 40, 0, 'Marigold');
  return words.join(' ');
}

let h: Harness;
let ada: Person;
let bo: Person;
let groupId: string;
const deepIds: string[] = [];

beforeAll(async () => {
  h = await startApp();
  ada = await signUp(h.app, { name: 'Ada' });
  bo = await signUp(h.app, { name: 'Bo' });
  groupId = (await createGroup(h.app, ada, 'Allotment society')).id;
  const thread = await startThread(h.app, ada, groupId, { title: 'Minutes', body: 'All of them.' });
  // Straight into the table: 15 MB through the API would only slow the file down.
  const db = h.db.database.db;
  for (let i = 0; i < COMMENTS; i += 10) {
    const rows = await db
      .insertInto('comments')
      .values(
        Array.from({ length: Math.min(10, COMMENTS - i) }, (_, k) => ({
          thread_id: thread.id,
          group_id: groupId,
          author_id: ada.id,
          body: longBody(i + k),
        })),
      )
      .returning('id')
      .execute();
    rows.forEach((r, k) => {
      if (DEEP.includes(i + k)) deepIds.push(r.id);
    });
  }
}, 240_000);
afterAll(() => h?.close());

interface Hit {
  type: string;
  id: string;
  groupId: string;
  snippet: string;
}

const searchAs = (person: Person, q: string) =>
  as(h.app, person).get(`/api/v1/search?q=${encodeURIComponent(q)}`);

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe('search over long comments', () => {
  test('ten searches at once: at most a few run, all answer correctly, and another member is answered meanwhile', async () => {
    searchGate.resetPeak();
    const finished: number[] = [];
    const searches = Array.from({ length: 10 }, (_, i) =>
      searchAs(ada, i % 2 === 0 ? 'allotment' : 'marigold').then((res) => {
        finished.push(i);
        return res;
      }),
    );
    await until(() => searchGate.running > 0);
    const me = await as(h.app, bo).get('/api/v1/me');
    const finishedWhenMeAnswered = finished.length;
    const answers = await Promise.all(searches);

    expect(me.statusCode).toBe(200);
    expect(me.json().user.id).toBe(bo.id);
    // Bo was answered while Ada's searches were still in flight, not after all of them.
    expect(finishedWhenMeAnswered).toBeLessThan(10);
    expect(searchGate.peak).toBeLessThanOrEqual(SEARCH_LIMITS.concurrency);

    for (const [i, res] of answers.entries()) {
      expect(res.statusCode, res.body).toBe(200);
      const { items, nextCursor } = res.json() as { items: Hit[]; nextCursor: string | null };
      expect(items.every((hit) => hit.groupId === groupId && hit.type === 'comment')).toBe(true);
      if (i % 2 === 0) {
        expect(items).toHaveLength(50);
        expect(nextCursor).not.toBeNull();
        expect(items.every((hit) => hit.snippet.includes('<mark>allotment</mark>'))).toBe(true);
      } else {
        expect(items.map((hit) => hit.id).sort()).toEqual([...deepIds].sort());
        expect(nextCursor).toBeNull();
        // The one match sits 98 KB into the text; the snippet still shows it.
        for (const hit of items) expect(hit.snippet).toContain('<mark>Marigold</mark>');
      }
    }
  });

  test('when the queue is full a search is turned away with 503 and Retry-After', async () => {
    const { concurrency, maxWaiting } = SEARCH_LIMITS;
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    // Occupy every slot and every place in the queue, as a flood of searches would.
    const occupants = Array.from({ length: concurrency + maxWaiting }, () => searchGate.run(() => held));
    try {
      await until(() => searchGate.running === concurrency && searchGate.waiting === maxWaiting);
      const res = await searchAs(bo, 'marigold');
      expectError(res, 503, 'busy');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // The rest of the API is not held up by the full queue.
      expect((await as(h.app, bo).get('/api/v1/me')).statusCode).toBe(200);
    } finally {
      release();
      await Promise.all(occupants);
    }
    const after = await searchAs(bo, 'marigold');
    expect(after.statusCode).toBe(200);
  });

  test('words with punctuation, accents or other scripts find their text and mark it', async () => {
    const text =
      'Notes from the café: C++ and a\\b (x) go to treasurer.elect@example.org; 日本語 naïve_idea 🙂 re-use';
    const thread = await startThread(h.app, ada, groupId, { title: 'Odd words', body: text });
    for (const q of [
      'café',
      'C++',
      'a\\b',
      '(x)',
      'treasurer.elect@example.org',
      '日本語',
      'naïve_idea',
      're-use',
      '"the café"',
    ]) {
      const res = await searchAs(ada, q);
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
      const hit = (res.json().items as Hit[]).find((i) => i.id === thread.id);
      expect(hit, q).toBeDefined();
      expect(hit!.snippet, q).toContain('<mark>');
    }
    expect((await searchAs(ada, '🙂')).statusCode).toBe(200);
  });

  test('a query of too many words is refused before it reaches the database', async () => {
    const words = Array.from({ length: SEARCH_LIMITS.maxWords + 1 }, (_, i) => `word${i}`).join(' ');
    const error = expectError(await searchAs(bo, words), 400, 'validation_failed');
    expect(error.details?.map((d) => d.path)).toEqual(['/q']);
    const enough = Array.from({ length: SEARCH_LIMITS.maxWords }, (_, i) => `word${i}`).join(' ');
    expect((await searchAs(bo, enough)).statusCode).toBe(200);
  });
});
