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

// The home page that tells each member what needs them: proposals awaiting their vote across all
// their groups, voted on in place, and the lists kept live by the groups' streams.
describeInBrowser('the home page, in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const pages = new BrowserPages(() => ({ browser, server }));

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    // The server can take a while to start on a busy machine (it waits up to 90 s itself).
  }, 120_000);
  afterAll(async () => {
    await pages.close();
    await browser?.close();
    await server?.stop();
  });

  const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

  async function groupWithThread(owner: ApiPerson, name: string, title: string) {
    const { group } = await callApi<{ group: { id: string } }>(server, owner, 'POST', '/groups', { name });
    const { thread } = await callApi<{ thread: { id: string } }>(
      server,
      owner,
      'POST',
      `/groups/${group.id}/threads`,
      { title, body: '' },
    );
    return { groupId: group.id, threadId: thread.id };
  }

  async function propose(who: ApiPerson, threadId: string, title: string, hours: number) {
    const { proposal } = await callApi<{ proposal: { id: string } }>(
      server,
      who,
      'POST',
      `/threads/${threadId}/proposals`,
      { kind: 'proposal', title, closesAt: inHours(hours) },
    );
    return proposal.id;
  }

  const section = (page: Page, heading: string | RegExp) =>
    page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: heading }) });
  const item = (page: Page, heading: string | RegExp, title: string) =>
    section(page, heading).locator('pl-home-proposal').filter({ hasText: title });

  test('a member of two groups votes from the home page; the item leaves at once; new proposals arrive live', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(server, 'Ann Facilitator');
    const bo = await registerThroughApi(server, 'Bo Member');
    const cy = await registerThroughApi(server, 'Cy Member');
    const garden = await groupWithThread(ann, 'Community Garden', 'Spring planting');
    const bakery = await groupWithThread(ann, 'Bakery Co-op', 'New oven');
    await joinThroughApi(server, ann, garden.groupId, [bo, cy]);
    await joinThroughApi(server, ann, bakery.groupId, [bo]);
    await propose(ann, garden.threadId, 'Plant tomatoes', 72);
    const ovenId = await propose(ann, bakery.threadId, 'Buy a deck oven', 5);
    await propose(ann, garden.threadId, 'Build a compost bin', 30);

    const page = await pages.open(bo, '/');
    await page.getByRole('heading', { level: 1, name: 'Your groups' }).waitFor();
    const needs = section(page, /^Needs your vote/);
    // Both groups', soonest close first, each with its group, thread and countdown.
    await item(page, /^Needs your vote/, 'Plant tomatoes').waitFor();
    const titles = await needs.locator('pl-home-proposal h3').allTextContents();
    expect(titles.map((t) => t.trim())).toEqual(['Buy a deck oven', 'Build a compost bin', 'Plant tomatoes']);
    const oven = item(page, /^Needs your vote/, 'Buy a deck oven');
    await oven.getByText('Bakery Co-op').waitFor();
    await oven.getByText('New oven').waitFor();
    await oven.getByText(/^Closes in 4 h \d+ min$/).waitFor();
    // Closing within 48 hours: the oven and the compost bin, not the tomatoes.
    const closing = section(page, /^Closing soon/);
    await closing.locator('pl-home-proposal').filter({ hasText: 'Build a compost bin' }).waitFor();
    expect(await closing.locator('pl-home-proposal').count()).toBe(2);

    // Vote right there: the ballot opens in place and the item leaves "Needs your vote" at once.
    await oven.getByRole('button', { name: 'Vote on Buy a deck oven' }).click();
    await oven.locator('pl-vote-form').getByText('Agree', { exact: true }).click();
    await oven.getByRole('button', { name: 'Cast my vote' }).click();
    await oven.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Your vote on “Buy a deck oven” is in.' }).waitFor();
    // Still closing soon, now saying how Bo voted.
    await item(page, /^Closing soon/, 'Buy a deck oven')
      .getByText('You voted Agree.')
      .waitFor();
    const { proposal } = await callApi<{ proposal: { myVote: { choices: unknown[] } | null } }>(
      server,
      bo,
      'GET',
      `/proposals/${ovenId}`,
    );
    expect(proposal.myVote?.choices).toEqual([{ optionId: 'agree' }]);

    // Another member's new proposal in one of Bo's groups appears without a reload.
    await callApi(server, ann, 'PATCH', `/groups/${garden.groupId}`, {
      settings: { membersCanCreateProposals: true },
    });
    await propose(cy, garden.threadId, 'Share the tools', 2);
    const tools = item(page, /^Needs your vote/, 'Share the tools');
    await tools.waitFor();
    await tools.getByText('Community Garden').waitFor();
    const after = await needs.locator('pl-home-proposal h3').allTextContents();
    expect(after.map((t) => t.trim())).toEqual(['Share the tools', 'Build a compost bin', 'Plant tomatoes']);

    // A vote cast elsewhere (another device) takes it away live too.
    const compostId = (
      await callApi<{ items: { id: string; title: string }[] }>(
        server,
        bo,
        'GET',
        `/groups/${garden.groupId}/proposals?status=open`,
      )
    ).items.find((p) => p.title === 'Build a compost bin')!.id;
    await callApi(server, bo, 'PUT', `/proposals/${compostId}/vote`, { choices: [{ optionId: 'disagree' }] });
    await item(page, /^Needs your vote/, 'Build a compost bin').waitFor({ state: 'detached' });

    // A new comment by someone else shows in Recent activity with its unread count.
    await callApi(server, ann, 'POST', `/threads/${bakery.threadId}/comments`, { body: 'Gas or electric?' });
    const activity = section(page, 'Recent activity');
    await activity.getByRole('link', { name: /New oven.*1 unread/ }).waitFor();
    await callApi(server, cy, 'POST', `/threads/${garden.threadId}/comments`, { body: 'I have a spade.' });
    await callApi(server, cy, 'POST', `/threads/${garden.threadId}/comments`, { body: 'And a rake.' });
    await activity.getByRole('link', { name: /Spring planting.*2 unread/ }).waitFor();
    // Newest activity first: the garden thread moved above the bakery's.
    const threads = await activity.locator('.title').allTextContents();
    expect(threads).toEqual(['Spring planting', 'New oven']);
    expect(pages.pageErrors).toEqual([]);
  });

  test('a long list shows its first 20 and its count; "Show all" brings the rest', {
    timeout: 120_000,
  }, async () => {
    const eve = await registerThroughApi(server, 'Eve Busy');
    const fair = await groupWithThread(eve, 'Street Fair', 'Stalls');
    for (let i = 1; i <= 22; i++) await propose(eve, fair.threadId, `Stall ${i}`, 60 + i);

    const page = await pages.open(eve, '/');
    const needs = section(page, /^Needs your vote/);
    await item(page, /^Needs your vote/, 'Stall 20').waitFor();
    expect(await needs.locator('pl-home-proposal').count()).toBe(20);
    await page.getByRole('heading', { level: 2, name: 'Needs your vote (22)' }).waitFor();
    await needs.getByRole('button', { name: 'Show all 22' }).click();
    await item(page, /^Needs your vote/, 'Stall 22').waitFor();
    expect(await needs.locator('pl-home-proposal').count()).toBe(22);
    expect(await needs.getByRole('button', { name: /^Show all/ }).count()).toBe(0);
    expect(pages.pageErrors).toEqual([]);
  });

  test('someone in no group is welcomed and told how to start or join one', { timeout: 60_000 }, async () => {
    const dee = await registerThroughApi(server, 'Dee Newcomer');
    const page = await pages.open(dee, '/');
    await page.getByRole('heading', { level: 2, name: 'Welcome to Plenary' }).waitFor();
    await page.getByText('You are not in any group yet.').waitFor();
    await page.getByText(/invitation link/).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Start a group' }).waitFor();
    expect(await page.getByRole('heading', { name: /^Needs your vote/ }).count()).toBe(0);
    expect(pages.pageErrors).toEqual([]);
  });
});
