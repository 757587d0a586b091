import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import {
  browserSuite,
  callApi,
  describeInBrowser,
  joinThroughApi,
  registerThroughApi,
} from '../helpers/browser';

const VIEWPORT = { width: 1280, height: 900 };
const DRILL = 'Buy a cordless drill with two spare batteries, a charger and a case for the shelf';

/** Whether the whole of `locator`'s element is inside the viewport. */
async function inViewport(locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  return Boolean(box && box.y >= 0 && box.y + box.height <= VIEWPORT.height && box.height > 0);
}

/** The focused element, through shadow roots: its tag and the custom elements it sits in. */
function deepFocus(page: Page): Promise<{ tag: string; hosts: string[] }> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const hosts: string[] = [];
    for (let node: Node | null = el; node; ) {
      const root = node.getRootNode();
      node = root instanceof ShadowRoot ? root.host : null;
      if (node) hosts.push((node as Element).localName);
    }
    return { tag: el?.localName ?? '', hosts };
  });
}

// The thread page leads readers to the open votes: pinned at the top, within reach while reading, live;
// and closed proposals collapse to what was decided.
describeInBrowser('open proposals on the thread page, in the browser', () => {
  const pages = browserSuite();

  test('a returning reader lands at the first unread comment with "Vote now" in view, votes, and others see the count move', {
    timeout: 180_000,
  }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Facilitator');
    const bea = await registerThroughApi(pages.server, 'Bea Reader');
    const cy = await registerThroughApi(pages.server, 'Cy Talker');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'Tool Library',
    });
    await joinThroughApi(pages.server, ann, group.id, [bea, cy]);
    const { thread } = await callApi<{ thread: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Running the library', body: 'What we decide about the library.' },
    );
    const propose = (title: string) =>
      callApi<{ proposal: { id: string } }>(pages.server, ann, 'POST', `/threads/${thread.id}/proposals`, {
        kind: 'proposal',
        title,
        closesAt: new Date(Date.now() + 5.5 * 3_600_000).toISOString(),
      });

    // Decided earlier: painted green, with an outcome.
    const { proposal: paint } = await propose('Paint the hall');
    await callApi(pages.server, cy, 'PUT', `/proposals/${paint.id}/vote`, {
      choices: [{ optionId: 'agree' }],
    });
    await callApi(pages.server, ann, 'POST', `/proposals/${paint.id}/close`, {
      outcome: { statement: 'We paint the hall green in June.' },
    });
    // Open now: buying a drill.
    const { proposal: drill } = await propose(DRILL);
    for (let n = 1; n <= 40; n++) {
      await callApi(pages.server, cy, 'POST', `/threads/${thread.id}/comments`, {
        body: `Comment ${n}: ${'a thought about tools and who looks after them. '.repeat(3)}`,
      });
    }
    // Bea read up to comment 20 on an earlier visit.
    const timeline = await callApi<{ items: { eventId: number; comment?: { body: string } }[] }>(
      pages.server,
      bea,
      'GET',
      `/threads/${thread.id}/timeline?latest=true`,
    );
    const marker = timeline.items.find((i) => i.comment?.body.startsWith('Comment 20:'))!.eventId;
    await callApi(pages.server, bea, 'POST', `/threads/${thread.id}/read`, { lastEventId: marker });

    // Cy keeps the thread open: the panel's count follows Bea's vote.
    const c = await pages.open(cy, `/threads/${thread.id}`);
    const cyPanel = c.locator('pl-open-proposals');
    await cyPanel.getByText('0 of 3 members have voted · closes in 5 h').waitFor();

    // Bea comes back: she lands at the divider, and the bar at the bottom offers her the vote.
    const b = await pages.open(bea, `/threads/${thread.id}`);
    const divider = b.locator('li.divider');
    await divider.waitFor();
    expect(await divider.textContent()).toMatch(/New since your last visit \(20\)/);
    const bar = b.locator('pl-open-proposals-bar');
    const voteNow = bar.getByRole('button', { name: /Vote now/ });
    await voteNow.waitFor();
    await expect.poll(() => inViewport(divider)).toBe(true);
    expect(await inViewport(voteNow)).toBe(true);
    expect(await inViewport(b.locator('pl-open-proposals'))).toBe(false);
    expect(await bar.locator('aside').textContent()).toMatch(
      /Buy a cordless drill with two spare batteries, a charger and a case for the shelf\s*·\s*0 of 3 voted · closes in 5 h/,
    );
    await b.screenshot({ path: '/tmp/plenary-thread-proposals-bar.png' });

    // On a phone too, however long the title, without widening the page.
    const phone = await pages.open(bea, `/threads/${thread.id}`, { viewport: { width: 390, height: 800 } });
    const phoneVote = phone.locator('pl-open-proposals-bar').getByRole('button', { name: /Vote now/ });
    await phoneVote.waitFor();
    expect(await inViewport(phoneVote)).toBe(true);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // "Vote now" reaches the ballot: in view, its first choice focused.
    await voteNow.click();
    const card = b.locator('pl-proposal-card').filter({ hasText: 'Buy a cordless drill' });
    const agree = card.getByLabel(/Agree/);
    await expect.poll(() => deepFocus(b)).toMatchObject({ tag: 'input' });
    expect((await deepFocus(b)).hosts.slice(0, 2)).toEqual(['pl-vote-form', 'pl-proposal-card']);
    expect(await inViewport(agree)).toBe(true);

    await b.keyboard.press('Space');
    await card.getByRole('button', { name: 'Cast my vote' }).click();
    await card.getByRole('button', { name: 'Change my vote' }).waitFor();

    // Live, for Cy: the panel's count moves; for Bea, the panel says she voted.
    await cyPanel.getByText('1 of 3 members have voted · closes in 5 h').waitFor();
    await b.locator('pl-open-proposals').getByText('You voted').waitFor();

    // Closing it takes it off both panels.
    await callApi(pages.server, ann, 'POST', `/proposals/${drill.id}/close`, {});
    await expect.poll(() => cyPanel.getByRole('button', { name: /Vote now/ }).count()).toBe(0);
    await expect.poll(() => bar.getByRole('button').count()).toBe(0);
    expect(pages.pageErrors).toEqual([]);
  });

  test('a closed proposal shows what was decided, the outcome once, and expands to its full card', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Closer');
    const bea = await registerThroughApi(pages.server, 'Bea Looker');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'Food Co-op',
    });
    await joinThroughApi(pages.server, ann, group.id, [bea]);
    const { thread } = await callApi<{ thread: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Opening hours', body: 'When are we open?' },
    );
    const create = (title: string) =>
      callApi<{ proposal: { id: string } }>(pages.server, ann, 'POST', `/threads/${thread.id}/proposals`, {
        kind: 'proposal',
        title,
        closesAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
    const { proposal: sundays } = await create('Open on Sundays');
    await callApi(pages.server, bea, 'PUT', `/proposals/${sundays.id}/vote`, {
      choices: [{ optionId: 'agree' }],
    });
    await callApi(pages.server, ann, 'POST', `/proposals/${sundays.id}/close`, {
      outcome: { statement: 'We open on Sundays from ten to two.' },
    });
    await create('Open late on Fridays');

    const b = await pages.open(bea, `/threads/${thread.id}`);
    // The header's count leads to the panel.
    await b.locator('pl-thread-header').getByRole('button', { name: '1 open proposal' }).click();
    await expect
      .poll(() => deepFocus(b))
      .toMatchObject({ tag: 'h2', hosts: ['pl-open-proposals', 'pl-thread-page', 'pl-app'] });

    const summary = b.locator('pl-closed-proposal').filter({ hasText: 'Open on Sundays' });
    await summary.getByText('Closed', { exact: true }).waitFor();
    await summary.getByText('Winner: Agree').waitFor();
    await summary.getByText('1 of 2 members voted').waitFor();
    const statement = b.getByText('We open on Sundays from ten to two.');
    await statement.first().waitFor();
    expect(await statement.count()).toBe(1);
    await b.getByText('Ann Closer stated the outcome of “Open on Sundays”').waitFor();
    // Only the open one is in the panel, and the closed one is no full card until asked for.
    expect(await b.locator('pl-open-proposals li').count()).toBe(1);
    expect(await b.locator('pl-proposal-card').filter({ hasText: 'Open on Sundays' }).count()).toBe(0);

    const expand = summary.getByRole('button', { name: /Show results and votes/ });
    expect(await expand.getAttribute('aria-expanded')).toBe('false');
    await expand.click();
    const card = b.locator('pl-proposal-card').filter({ hasText: 'Open on Sundays' });
    await card.getByText('Final results').waitFor();
    expect(await statement.count()).toBe(1);
    const collapse = summary.getByRole('button', { name: /Show less/ });
    expect(await collapse.getAttribute('aria-expanded')).toBe('true');
    await collapse.click();
    await summary.getByText('Winner: Agree').waitFor();
    expect(pages.pageErrors).toEqual([]);
  });
});
