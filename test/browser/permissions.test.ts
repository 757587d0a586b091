import { readFileSync } from 'node:fs';
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

// The page shows controls from the permissions the server sends with each resource (#15);
// when a facilitator changes someone's role, that person's open page follows without a reload.
describeInBrowser('permissions from the server, in the browser', () => {
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

  test('a member promoted while reading gains the facilitator controls, and loses them when stepped down', async () => {
    const ann = await registerThroughApi(server, 'Ann Facilitator');
    const bea = await registerThroughApi(server, 'Bea Member');
    const { group } = await callApi<{ group: { id: string } }>(server, ann, 'POST', '/groups', {
      name: 'Commons Circle',
    });
    await joinThroughApi(server, ann, group.id, [bea]);
    const { thread } = await callApi<{ thread: { id: string } }>(
      server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      {
        title: 'Transport',
        body: 'Vans or bikes?',
      },
    );
    await callApi(server, ann, 'POST', `/threads/${thread.id}/proposals`, {
      kind: 'proposal',
      title: 'Buy a cargo bike',
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    });

    const b = await pageFor(bea, `/threads/${thread.id}`);
    const actions = b.getByRole('group', { name: 'Thread actions' });
    const card = b.locator('pl-proposal-card').filter({ hasText: 'Buy a cargo bike' });
    await card.getByRole('heading', { name: 'Buy a cargo bike' }).waitFor();
    // A member who did not start the thread: no Pin, no Close, no managing Ann's proposal.
    await actions.getByRole('button', { name: 'New proposal' }).waitFor();
    expect(await actions.getByRole('button', { name: 'Pin' }).count()).toBe(0);
    expect(await actions.getByRole('button', { name: 'Close thread' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Close voting' }).count()).toBe(0);

    await callApi(server, ann, 'PATCH', `/groups/${group.id}/members/${bea.id}`, { role: 'facilitator' });
    await actions.getByRole('button', { name: 'Pin' }).waitFor();
    await actions.getByRole('button', { name: 'Close thread' }).waitFor();
    await card.getByRole('button', { name: 'Close voting' }).waitFor();

    await callApi(server, ann, 'PATCH', `/groups/${group.id}/members/${bea.id}`, { role: 'member' });
    await actions.getByRole('button', { name: 'Pin' }).waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'Close voting' }).waitFor({ state: 'detached' });
    expect(await actions.getByRole('button', { name: 'Close thread' }).count()).toBe(0);
  });

  test('a facilitator can download the whole group; a member is not offered it', async () => {
    const ann = await registerThroughApi(server, 'Ann Exporter');
    const bea = await registerThroughApi(server, 'Bea Reader');
    const { group } = await callApi<{ group: { id: string } }>(server, ann, 'POST', '/groups', {
      name: 'Moving Co-op',
    });
    await joinThroughApi(server, ann, group.id, [bea]);

    const a = await pageFor(ann, `/groups/${group.id}`);
    const link = a.getByRole('link', { name: 'Export group' });
    const [download] = await Promise.all([a.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/plenary-export\.json$/);
    const archive = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(archive).toMatchObject({ format: 'plenary-group', version: 2, group: { name: 'Moving Co-op' } });

    const b = await pageFor(bea, `/groups/${group.id}`);
    await b.getByRole('link', { name: 'Decision log' }).waitFor();
    expect(await b.getByRole('link', { name: 'Export group' }).count()).toBe(0);
  });
});
