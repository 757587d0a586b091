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

describeInBrowser('reminding those who have not voted, in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const pages = new BrowserPages(() => ({ browser, server }));

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await pages.close();
    await browser?.close();
    await server?.stop();
  });

  async function pageFor(person: ApiPerson, path: string): Promise<Page> {
    return pages.open(person, path);
  }

  test('a facilitator reminds, sees how many, and is told to wait when trying again; members see no button', async () => {
    const ann = await registerThroughApi(server, 'Ann Facilitator');
    const bea = await registerThroughApi(server, 'Bea Member');
    const cy = await registerThroughApi(server, 'Cy Member');
    const { group } = await callApi<{ group: { id: string } }>(server, ann, 'POST', '/groups', {
      name: 'Commons Circle',
    });
    await joinThroughApi(server, ann, group.id, [bea, cy]);
    const { thread } = await callApi<{ thread: { id: string } }>(
      server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Transport', body: 'Vans or bikes?' },
    );
    const { proposal } = await callApi<{ proposal: { id: string } }>(
      server,
      ann,
      'POST',
      `/threads/${thread.id}/proposals`,
      {
        kind: 'proposal',
        title: 'Buy a cargo bike',
        closesAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    );
    await callApi(server, bea, 'PUT', `/proposals/${proposal.id}/vote`, { choices: [{ optionId: 'agree' }] });

    const a = await pageFor(ann, `/threads/${thread.id}`);
    const card = a.locator('pl-proposal-card').filter({ hasText: 'Buy a cargo bike' });
    const button = card.getByRole('button', { name: 'Remind those who have not voted' });
    await button.click();
    // Cy alone: Bea voted, and Ann sent it.
    await card.getByRole('status').filter({ hasText: 'Reminded 1 member.' }).waitFor();
    await button.click();
    await card
      .getByRole('alert')
      .filter({ hasText: /less than an hour ago/ })
      .waitFor();

    const c = await pageFor(cy, `/threads/${thread.id}`);
    const cyCard = c.locator('pl-proposal-card').filter({ hasText: 'Buy a cargo bike' });
    await cyCard.getByText('1 of 3 members have voted').waitFor();
    expect(await cyCard.getByRole('button', { name: 'Remind those who have not voted' }).count()).toBe(0);
    const { items } = await callApi<{ items: { kind: string; text: string }[] }>(
      server,
      cy,
      'GET',
      '/notifications',
    );
    expect(items.filter((n) => n.kind === 'proposal_closing_soon').map((n) => n.text)).toEqual([
      'Ann Facilitator reminds you to vote on "Buy a cargo bike", which closes in 24 hours',
    ]);
  });
});
