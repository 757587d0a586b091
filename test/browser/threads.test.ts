import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ApiPerson,
  BrowserPages,
  callApi,
  describeInBrowser,
  joinThroughApi,
  launchBrowser,
  registerThroughApi,
  startServer,
  type TestServer,
} from '../helpers/browser';

/** Where screenshots go, for looking at the pages by eye. */
const SHOTS = process.env.PLENARY_SCREENSHOTS ?? '/tmp';

interface Thread {
  id: string;
  groupId: string;
  unreadCount: number;
  lastReadEventId: number | null;
}

describeInBrowser('threads in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const pages = new BrowserPages(() => ({ browser, server }));
  const pageErrors = pages.pageErrors;
  const dialogs: string[] = [];
  let ada: ApiPerson;
  let bea: ApiPerson;
  let groupId: string;

  const api = <T>(person: ApiPerson | null, method: string, path: string, body?: unknown) =>
    callApi<T>(server, person, method, path, body);

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    // Two members of one group, set up through the API.
    [ada, bea] = await Promise.all([
      registerThroughApi(server, 'Ada Okafor'),
      registerThroughApi(server, 'Bea Lindqvist'),
    ]);
    const { group } = await api<{ group: { id: string } }>(ada, 'POST', '/groups', {
      name: 'Riders Union Leeds',
    });
    groupId = group.id;
    await joinThroughApi(server, ada, groupId, [bea]);
  });

  afterAll(async () => {
    await pages.close();
    await browser?.close();
    await server?.stop();
  });

  /** A browser context signed in as `person`, on `path`; the page is marked to prove it never reloads. */
  async function pageFor(
    person: ApiPerson,
    path: string,
    viewport = { width: 1280, height: 900 },
  ): Promise<Page> {
    const page = await pages.open(person, path, { viewport });
    await page.evaluate(() => {
      (window as unknown as { plNoReload: boolean }).plNoReload = true;
    });
    return page;
  }

  const stillSamePage = (page: Page) =>
    page.evaluate(() => (window as unknown as { plNoReload?: boolean }).plNoReload === true);

  const comment = (page: Page, text: string) => page.locator('pl-comment').filter({ hasText: text });

  test('two members discuss live: comments, replies, mentions, reactions, edits, deletions, notifications, inert HTML, search, drafts, closing', {
    timeout: 120_000,
  }, async () => {
    const { thread } = await api<{ thread: Thread }>(ada, 'POST', `/groups/${groupId}/threads`, {
      title: 'Should we join the federation?',
      body: 'The **national federation** asked us to join. Dues are *2%* of income.\n\n- pros\n- cons',
    });

    // --- Both open the thread, in two browser contexts; each sees the other is here.
    const a = await pageFor(ada, `/threads/${thread.id}`);
    const b = await pageFor(bea, `/threads/${thread.id}`, { width: 390, height: 844 });
    for (const page of [a, b]) {
      await page.getByRole('heading', { level: 1, name: 'Should we join the federation?' }).waitFor();
      await page.locator('.context strong', { hasText: 'national federation' }).waitFor();
    }
    await a.getByRole('group', { name: `${bea.name} is here now` }).waitFor();
    await b.getByRole('group', { name: `${ada.name} is here now` }).waitFor();

    // --- Ada comments (Ctrl+Enter), mentioning Bea through the @ picker.
    const adaBox = a.getByLabel('Add a comment');
    await adaBox.click();
    await adaBox.pressSequentially('I think we should, @Be');
    const option = a.getByRole('option', { name: new RegExp(bea.name) });
    await option.waitFor();
    await adaBox.press('Enter');
    expect(await adaBox.inputValue()).toBe(`I think we should, @${bea.handle} `);
    await adaBox.pressSequentially('what do you think?');
    await adaBox.press('Control+Enter');
    const first = `I think we should, @${bea.handle} what do you think?`;
    await comment(a, first).waitFor();
    expect(await adaBox.inputValue()).toBe('');

    // Bea sees it arrive live, once, with the mention marked; her bell counts it.
    await comment(b, first).waitFor();
    expect(await comment(b, first).count()).toBe(1);
    await comment(b, first)
      .locator('.mention', { hasText: `@${bea.handle}` })
      .waitFor();
    await b.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();

    // --- Ada replies to her own comment; Bea sees the reply nested under it.
    await comment(a, first)
      .getByRole('button', { name: `Reply to ${ada.name}` })
      .click();
    const replyBox = a.getByLabel(`Reply to ${ada.name}`);
    await replyBox.fill('Dues could come from the hardship fund surplus.');
    await a.getByRole('button', { name: 'Reply', exact: true }).click();
    const reply = 'Dues could come from the hardship fund surplus.';
    await a.locator('ol.replies pl-comment').filter({ hasText: reply }).waitFor();
    await b.locator('ol.replies pl-comment').filter({ hasText: reply }).waitFor();
    expect(await comment(b, reply).count()).toBe(1);
    expect(await b.locator('ol.rows > li.conversation').count()).toBe(1);

    // --- Bea reacts with 👍 to Ada's comment; Ada's count changes live.
    const beaFirst = comment(b, first);
    await beaFirst.getByRole('button', { name: 'Add a reaction' }).click();
    await beaFirst.getByRole('button', { name: 'thumbs up' }).click();
    await beaFirst.getByRole('button', { name: '👍 1, including you' }).waitFor();
    await comment(a, first).getByRole('button', { name: '👍 1', exact: true }).waitFor();
    expect(
      await comment(a, first).getByRole('button', { name: '👍 1', exact: true }).getAttribute('title'),
    ).toBe(`${bea.name} reacted with 👍`);
    // …and Ada adds hers: 2, live on Bea's side.
    await comment(a, first).getByRole('button', { name: '👍 1', exact: true }).click();
    await beaFirst.getByRole('button', { name: '👍 2, including you' }).waitFor();

    // --- Bea posts HTML and a javascript: link; both render inert everywhere.
    const hostile = [
      'Look <img src=x onerror=alert(1)> here',
      '[x](javascript:alert(1)) and [y](JaVaScRiPt:alert(2)) and [z](data:text/html,<script>alert(3)</script>)',
      '<script>alert(4)</script><a href="javascript:alert(5)" onclick="alert(6)">click</a>',
      '<svg onload=alert(7)></svg> ![i](javascript:alert(8)) [ok](https://example.org/safe)',
    ].join('\n\n');
    const beaBox = b.getByLabel('Add a comment');
    await beaBox.fill(hostile);
    await b.getByRole('button', { name: 'Post comment' }).click();
    for (const page of [a, b]) {
      const hostileComment = comment(page, 'Look <img src=x onerror=alert(1)> here');
      await hostileComment.waitFor();
      const safe = hostileComment.getByRole('link', { name: 'ok' });
      await safe.waitFor();
      expect(await safe.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await safe.getAttribute('target')).toBe('_blank');
      expect(await inertProblems(page)).toEqual([]);
    }

    // --- Ada searches from the app bar; matched words come back marked, nothing else.
    const search = a.getByRole('searchbox', { name: 'Search threads and comments' }).first();
    await search.fill('hardship fund');
    await search.press('Enter');
    await a.waitForURL(/\/search\?q=hardship/);
    const results = a.getByRole('list', { name: 'Search results' });
    await results.getByRole('link', { name: 'Should we join the federation?' }).first().waitFor();
    expect(await results.locator('mark').count()).toBeGreaterThan(0);
    expect(await results.locator('.snippet *:not(mark)').count()).toBe(0);
    await a.screenshot({ path: `${SHOTS}/plenary-search.png`, fullPage: true });
    await a.goBack();
    await comment(a, first).waitFor();

    // --- Bea opens her notification and lands on the comment.
    await b.getByRole('button', { name: 'Notifications, 1 unread' }).click();
    await b.getByRole('link', { name: /mentioned you/ }).click();
    await b.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    expect(b.url()).toContain('#comment-');

    // --- Ada edits her reply: Bea sees "edited" live and can read what it said before.
    await comment(a, reply).getByRole('button', { name: 'Edit your comment' }).click();
    const editBox = a.getByLabel('Edit your comment');
    await editBox.fill('Dues could come from the hardship fund surplus, if the members agree.');
    await editBox.press('Control+Enter');
    const beaEdited = comment(b, 'if the members agree');
    await beaEdited.getByRole('button', { name: 'edited' }).click();
    await beaEdited.locator('.versions').getByText(reply).waitFor();

    // --- Bea deletes her HTML comment; Ada sees it deleted live.
    await comment(b, 'Look <img').getByRole('button', { name: 'Delete your comment' }).click();
    await b.getByRole('dialog').getByRole('button', { name: 'Delete comment' }).click();
    await comment(a, 'This comment was deleted.').waitFor();
    expect(await comment(a, 'Look <img').count()).toBe(0);

    // --- A draft survives a reload and is cleared once posted.
    await beaBox.fill('A thought I will finish later');
    await b.reload();
    await expect.poll(() => b.getByLabel('Add a comment').inputValue()).toBe('A thought I will finish later');
    await b.getByLabel('Add a comment').press('Control+Enter');
    await comment(a, 'A thought I will finish later').waitFor();
    // Ada can see it live before Bea's own answer has arrived: reload only once Bea's
    // composer has taken the answer (and emptied), or the reload races the post.
    await expect.poll(() => b.getByLabel('Add a comment').inputValue()).toBe('');
    await b.reload();
    await b.getByRole('heading', { level: 1, name: 'Should we join the federation?' }).waitFor();
    expect(await b.getByLabel('Add a comment').inputValue()).toBe('');

    // --- Ada closes the thread; Bea's composer says so at once.
    await a.getByRole('button', { name: 'Close thread' }).click();
    await a.getByRole('dialog').getByRole('button', { name: 'Close thread' }).click();
    await b.getByText('This thread is closed, so it takes no new comments.').waitFor();
    expect(await b.getByLabel('Add a comment').isDisabled()).toBe(true);

    await a.screenshot({ path: `${SHOTS}/plenary-thread.png`, fullPage: true });
    await b.screenshot({ path: `${SHOTS}/plenary-thread-narrow.png`, fullPage: true });
    expect(await stillSamePage(a)).toBe(true);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test('a thread of 2,000 comments opens on its newest page, loads older ones on scrolling up, and marks the new since the last visit', {
    timeout: 240_000,
  }, async () => {
    const { thread } = await api<{ thread: Thread }>(ada, 'POST', `/groups/${groupId}/threads`, {
      title: 'Budget line by line',
    });
    const started = Date.now();
    const total = 2000;
    const post = (n: number) =>
      api(ada, 'POST', `/threads/${thread.id}/comments`, { body: `Line item ${n}` });
    // In batches of concurrent requests (their order within a batch is the server's), then the
    // last 100 one by one, so that the pages the test looks at are in a known order.
    for (let from = 1; from <= total - 100; from += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => post(from + i)));
    }
    for (let n = total - 99; n <= total; n++) await post(n);
    const seeding = Date.now() - started;
    // Bea read up to item 1,995 on an earlier visit.
    const page = await api<{ items: { eventId: number; comment?: { body: string } }[] }>(
      bea,
      'GET',
      `/threads/${thread.id}/timeline?latest=true&limit=10`,
    );
    const marker = page.items.find((i) => i.comment?.body === 'Line item 1995')!.eventId;
    await api(bea, 'POST', `/threads/${thread.id}/read`, { lastEventId: marker });

    // The group page lists it with Bea's unread count.
    const b = await pageFor(bea, `/groups/${groupId}`);
    const row = b
      .getByRole('list', { name: 'Open threads' })
      .getByRole('link', { name: /Budget line by line/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/5 unread/);
    await b.screenshot({ path: `${SHOTS}/plenary-group-threads.png`, fullPage: true });
    await row.click();

    // The newest page first: item 2,000 is there, item 1 is not; the divider sits above item 1,996.
    await comment(b, 'Line item 2000').waitFor();
    const count = () => b.locator('pl-comment').count();
    expect(await count()).toBe(50);
    expect(await comment(b, 'Line item 1950').count()).toBe(0);
    expect(await comment(b, 'Line item 1951').count()).toBe(1);
    const divider = b.locator('li.divider');
    await divider.waitFor();
    expect(await divider.textContent()).toMatch(/New since your last visit \(5\)/);
    expect(
      await b.evaluate(() => {
        const root = document.querySelector('pl-app')!.shadowRoot!.querySelector('pl-thread-page')!
          .shadowRoot!;
        const next = root.querySelector('li.divider')!.nextElementSibling!;
        return (next.querySelector('pl-comment') as unknown as { comment: { body: string } }).comment.body;
      }),
    ).toBe('Line item 1996');
    await b.screenshot({ path: `${SHOTS}/plenary-long-thread.png` });

    // Having seen the newest item, Bea's marker moves to the end.
    await b.locator('pl-composer').scrollIntoViewIfNeeded();
    await expect
      .poll(
        async () => (await api<{ thread: Thread }>(bea, 'GET', `/threads/${thread.id}`)).thread.unreadCount,
      )
      .toBe(0);

    // Scrolling up to the top loads the page before, keeping Bea's place.
    const anchor = comment(b, 'Line item 1951');
    await b.mouse.wheel(0, -200_000);
    // Which of items 1,901–2,000 are not on the page (a list, so a failure says which).
    const missing = () =>
      b.evaluate(() => {
        const page = document.querySelector('pl-app')!.shadowRoot!.querySelector('pl-thread-page')!
          .shadowRoot!;
        const shown = new Set(
          [...page.querySelectorAll('pl-comment')].map(
            (c) => (c as unknown as { comment: { body: string } }).comment.body,
          ),
        );
        return Array.from({ length: 100 }, (_, i) => 1901 + i).filter((n) => !shown.has(`Line item ${n}`));
      });
    await expect.poll(missing, { timeout: 10_000 }).toEqual([]);
    const top = await anchor.evaluate((el) => el.getBoundingClientRect().top);
    expect(top).toBeGreaterThan(0); // still in view, not pushed out by what came in above

    expect(await stillSamePage(b)).toBe(true);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    console.info(`seeded ${total} comments in ${(seeding / 1000).toFixed(1)} s`);
  });
});

/**
 * Anything in the page's body (through every shadow root) that could run script:
 * script elements, on* attributes, javascript:/data:/vbscript: URLs.
 */
function inertProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const visit = (root: Element | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.tagName === 'SCRIPT') problems.push('script element');
        for (const attr of el.getAttributeNames()) {
          const value = el.getAttribute(attr) ?? '';
          if (/^on/i.test(attr)) problems.push(`${el.tagName} ${attr}="${value}"`);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore them in URLs, so must this
          if (/^(javascript|data|vbscript):/i.test(value.replace(/[\u0000-\u0020]/g, ''))) {
            problems.push(`${el.tagName} ${attr}="${value}"`);
          }
        }
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    visit(document.body);
    return problems;
  });
}
