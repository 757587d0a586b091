import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { safeSnippet } from '../../server/services/search';
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
import { postComment, startThread } from '../helpers/threads';

let h: Harness;
let ada: Person;
let bo: Person;
let cy: Person;
let groupA: string;
let groupB: string;
let secretGroup: string;

interface Hit {
  type: 'thread' | 'comment';
  id: string;
  threadId: string;
  groupId: string;
  title: string;
  snippet: string;
}

beforeAll(async () => {
  h = await startApp();
  ada = await signUp(h.app, { name: 'Ada' });
  bo = await signUp(h.app, { name: 'Bo' });
  cy = await signUp(h.app, { name: 'Cy' });
  groupA = (await createGroup(h.app, ada, 'Allotment')).id;
  groupB = (await createGroup(h.app, ada, 'Bakery')).id;
  secretGroup = (await createGroup(h.app, cy, 'Secret')).id;
  await join(h.app, ada, groupA, bo);
  await join(h.app, ada, groupB, bo);
});
afterAll(() => h?.close());

async function search(person: Person, query: string) {
  const res = await as(h.app, person).get(`/api/v1/search?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: Hit[]; nextCursor: string | null };
}

describe('GET /search', () => {
  let compost: { id: string };
  let sourdough: { id: string };
  let commentId: string;

  beforeAll(async () => {
    compost = await startThread(h.app, ada, groupA, {
      title: 'Compost rota',
      body: 'Who turns the heaps this month? The bins by the shed are full.',
    });
    sourdough = await startThread(h.app, ada, groupB, {
      title: 'Sourdough starter',
      body: 'Feeding schedule.',
    });
    commentId = (await postComment(h.app, bo, compost.id, 'I can turn the compost heaps on Saturdays.')).id;
    await startThread(h.app, cy, secretGroup, {
      title: 'Compost conspiracy',
      body: 'compost compost compost',
    });
  });

  test('finds thread titles, thread bodies and comments, with stemming', async () => {
    const { items } = await search(bo, 'q=compost');
    expect(items.map((i) => [i.type, i.id]).sort()).toEqual(
      [
        ['comment', commentId],
        ['thread', compost.id],
      ].sort(),
    );
    const comment = items.find((i) => i.type === 'comment')!;
    expect(comment).toEqual({
      type: 'comment',
      id: commentId,
      threadId: compost.id,
      groupId: groupA,
      title: 'Compost rota',
      snippet: expect.stringContaining('<mark>compost</mark>'),
    });
    // "heaps" matches "heap"; "turning" matches "turns" and "turn".
    expect((await search(bo, 'q=turning%20heap')).items.map((i) => i.id).sort()).toEqual(
      [compost.id, commentId].sort(),
    );
    expect((await search(bo, 'q=schedule')).items.map((i) => i.id)).toEqual([sourdough.id]);
  });

  test('web search syntax: quotes and minus', async () => {
    expect((await search(bo, `q=${encodeURIComponent('"compost heaps"')}`)).items.map((i) => i.id)).toEqual([
      commentId,
    ]);
    expect(
      (await search(bo, `q=${encodeURIComponent('compost -saturdays')}`)).items.map((i) => i.id),
    ).toEqual([compost.id]);
  });

  test('only the caller’s groups; groupId narrows; another group’s id is 404', async () => {
    expect((await search(cy, 'q=compost')).items.map((i) => i.groupId)).toEqual([secretGroup]);
    expect((await search(bo, `q=compost&groupId=${groupB}`)).items).toEqual([]);
    expect((await search(bo, `q=sourdough&groupId=${groupB}`)).items).toHaveLength(1);
    for (const id of [secretGroup, 'nope', MISSING_ID]) {
      expectError(await as(h.app, bo).get(`/api/v1/search?q=compost&groupId=${id}`), 404, 'not_found');
    }
  });

  test('a member who leaves no longer finds the group’s threads', async () => {
    const leaver = await signUp(h.app, { name: 'Leaver' });
    await join(h.app, ada, groupB, leaver);
    expect((await search(leaver, 'q=sourdough')).items).toHaveLength(1);
    await as(h.app, leaver).delete(`/api/v1/groups/${groupB}/members/${leaver.id}`);
    expect((await search(leaver, 'q=sourdough')).items).toEqual([]);
  });

  test('deleted comments are not found', async () => {
    const c = await postComment(h.app, bo, sourdough.id, 'The rye flour arrived.');
    expect((await search(bo, 'q=rye')).items.map((i) => i.id)).toEqual([c.id]);
    await as(h.app, bo).delete(`/api/v1/comments/${c.id}`);
    expect((await search(bo, 'q=rye')).items).toEqual([]);
  });

  test('snippets escape the text’s own HTML; the only markup is our <mark>', async () => {
    const t = await startThread(h.app, ada, groupA, {
      title: 'Markup',
      body: 'Beware <script>alert("x")</script> & <mark>fake</mark> \uE000zucchini\uE001 zucchini & "quotes" it\'s',
    });
    const hit = (await search(bo, 'q=zucchini')).items.find((i) => i.id === t.id)!;
    expect(hit.snippet).not.toMatch(/<(?!\/?mark>)/);
    expect(hit.snippet).not.toContain('\uE000');
    expect(hit.snippet).not.toContain('<mark>fake');
    expect(hit.snippet.match(/<mark>zucchini<\/mark>/g)).toHaveLength(2);
    expect(hit.snippet).toContain('&amp;');
    expect(hit.snippet).toMatch(/&quot;quotes&quot;|quotes/);
  });

  test('a thread found by its title shows its title as the snippet', async () => {
    const t = await startThread(h.app, ada, groupA, {
      title: 'Beekeeping licence',
      body: 'Nothing relevant here.',
    });
    const hit = (await search(bo, 'q=beekeeping')).items.find((i) => i.id === t.id)!;
    expect(hit.snippet).toBe('<mark>Beekeeping</mark> licence');
  });

  test('pages by cursor with no repeats', async () => {
    const t = await startThread(h.app, ada, groupA, { title: 'Pumpkins', body: 'pumpkin' });
    for (let i = 0; i < 5; i++) await postComment(h.app, bo, t.id, `pumpkin number ${i}`);
    const all = (await search(bo, 'q=pumpkin')).items.map((i) => i.id);
    expect(all).toHaveLength(6);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(bo, `q=pumpkin&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });

  test('q is required and must say something; the signed-out get 401', async () => {
    for (const query of ['', 'q=', 'q=%20%20', `q=${'x'.repeat(501)}`, 'q=a&cursor=bogus']) {
      expectError(await as(h.app, bo).get(`/api/v1/search?${query}`), 400, 'validation_failed');
    }
    expectError(await as(h.app, null).get('/api/v1/search?q=compost'), 401, 'unauthenticated');
    // Only stop words: a valid question with no answer.
    expect((await search(bo, 'q=the')).items).toEqual([]);
  });
});

describe('safeSnippet', () => {
  test('escapes everything, then turns only the sentinels into <mark>', () => {
    expect(safeSnippet('a <b> & \uE000c\uE001 "d" \'e\'')).toBe(
      'a &lt;b&gt; &amp; <mark>c</mark> &quot;d&quot; &#39;e&#39;',
    );
  });
});
