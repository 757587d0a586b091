import { readFile } from 'node:fs/promises';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  BrowserPages,
  describeInBrowser,
  joinThroughApi,
  launchBrowser,
  startServer,
  type TestServer,
} from '../helpers/browser';

/** Someone signed up through the API, with the session cookie to hand to a browser context. */
interface Person {
  id: string;
  name: string;
  cookie: { name: string; value: string };
}

describeInBrowser('proposals and decisions in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const pages = new BrowserPages(() => ({ browser, server }));
  const pageErrors = pages.pageErrors;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterAll(async () => {
    await pages.close();
    await browser?.close();
    await server?.stop();
  });

  /** Calls the API as `person` (cookie + Origin, as a browser would). */
  async function api<T>(person: Person | null, method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { origin: server.url };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (person) headers.cookie = `${person.cookie.name}=${person.cookie.value}`;
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    if (method === 'POST' && path === '/auth/register') {
      const [pair] = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
      const [name, value] = pair!.split('=') as [string, string];
      return { ...(JSON.parse(text) as { user: object }).user, cookie: { name, value } } as T;
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function signUp(name: string, stamp: number): Promise<Person> {
    const email = `${name.split(' ')[0]!.toLowerCase()}-${stamp}@example.org`;
    return api<Person>(null, 'POST', '/auth/register', { email, name, password: 'a-long-enough-password' });
  }

  /** A browser context signed in as `person`, on `path`; the page is marked to prove it never reloads. */
  async function pageFor(
    person: Person,
    path: string,
    viewport = { width: 1280, height: 900 },
  ): Promise<Page> {
    const page = await pages.open(person, path, { viewport, acceptDownloads: true });
    await page.evaluate(() => {
      (window as unknown as { plNoReload: boolean }).plNoReload = true;
    });
    return page;
  }

  const stillSamePage = (page: Page) =>
    page.evaluate(() => (window as unknown as { plNoReload?: boolean }).plNoReload === true);

  /** Opens the thread page's proposal form (it closes again once a proposal is created). */
  async function proposalForm(page: Page): Promise<Locator> {
    await page.getByRole('button', { name: 'New proposal', exact: true }).click();
    const form = page.locator('pl-proposal-form');
    await form.getByLabel('Title').waitFor();
    return form;
  }

  test('a facilitator puts a consent proposal and a ranked-choice poll to a vote, members vote, results and the outcome arrive live, and the decision log downloads as CSV', {
    timeout: 180_000,
  }, async () => {
    const stamp = Date.now();
    const ada = await signUp('Ada Okafor', stamp);
    const bea = await signUp('Bea Lindqvist', stamp);
    const cy = await signUp('Cy Moreau', stamp);
    const { group } = await api<{ group: { id: string } }>(ada, 'POST', '/groups', {
      name: 'Riders Union Leeds',
    });
    await joinThroughApi(server, ada, group.id, [bea, cy]);
    const { thread } = await api<{ thread: { id: string } }>(ada, 'POST', `/groups/${group.id}/threads`, {
      title: 'May Day plans',
      body: 'What do we do on 1 May?',
    });
    const threadPath = `/threads/${thread.id}`;

    // --- Ada, facilitator, creates a consent proposal through the UI; a missing title is caught first.
    const a = await pageFor(ada, threadPath);
    let form = await proposalForm(a);
    await form.getByRole('radio', { name: /Consent proposal/ }).check();
    await form.getByRole('button', { name: 'Put it to a vote' }).click();
    await expect.poll(() => form.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Title').fill('Join the city-wide strike on 1 May');
    await form.getByLabel('Details (optional)').fill('We **walk out** with the other unions at 9.');
    await form.getByRole('button', { name: 'Put it to a vote' }).click();
    const consentA = a.locator('pl-proposal-card').filter({ hasText: 'Join the city-wide strike on 1 May' });
    await consentA.waitFor();
    await consentA.getByText('0 of 3 members have voted').waitFor();
    await consentA.locator('.details strong').getByText('walk out').waitFor(); // Markdown, rendered

    // --- …and a ranked-choice poll with three options (one added, one moved up).
    form = await proposalForm(a);
    await form.getByRole('radio', { name: /Ranked choice/ }).check();
    await form.getByLabel('Title').fill('Choose our spokesperson');
    await form.getByLabel('Option 1', { exact: true }).fill('Amira');
    await form.getByLabel('Option 2', { exact: true }).fill('Bongani');
    await form.getByRole('button', { name: 'Add an option' }).click();
    await form.getByLabel('Option 3', { exact: true }).fill('Chen');
    await form.getByRole('button', { name: 'Move Chen up' }).click();
    await form.getByRole('button', { name: 'Put it to a vote' }).click();
    const rankedA = a.locator('pl-proposal-card').filter({ hasText: 'Choose our spokesperson' });
    await rankedA.waitFor();
    expect(await text(rankedA.locator('pl-results-bars ol'))).toMatch(/Amira.*Chen.*Bongani/);

    // --- Bea and Cy, each in their own browser (Cy on a phone), vote on the consent proposal.
    const b = await pageFor(bea, threadPath);
    const c = await pageFor(cy, threadPath, { width: 360, height: 800 });
    const consentB = b.locator('pl-proposal-card').filter({ hasText: 'Join the city-wide strike on 1 May' });
    const consentC = c.locator('pl-proposal-card').filter({ hasText: 'Join the city-wide strike on 1 May' });
    await consentB.getByRole('radio', { name: /Agree/ }).check();
    await consentB.getByLabel(/Reason/).fill('Solidarity matters.');
    await consentB.getByRole('button', { name: 'Cast my vote' }).click();
    await consentB.getByText('Your vote is in.').waitFor();

    // Ada sees the count and the pie change without reloading.
    await consentA.getByText('1 of 3 members have voted').waitFor();
    await expect.poll(() => legend(consentA, 'agree')).toMatch(/Agree 1 100%/);

    await consentC.getByRole('radio', { name: /Block/ }).check();
    await consentC.getByText('A block stops the proposal').waitFor(); // asked for a reason, not forced
    await consentC.getByLabel(/Reason/).fill('We cannot afford the lost wages this month.');
    await consentC.getByRole('button', { name: 'Cast my vote' }).click();
    await consentC.getByText('Your vote is in.').waitFor();

    await consentA.getByText('2 of 3 members have voted').waitFor();
    await expect.poll(() => legend(consentA, 'block')).toMatch(/Block 1 50%/);
    await consentA.getByText('One member blocks this proposal.').waitFor();
    // Who voted what, with reasons (not anonymous); and who has not voted yet.
    await consentA.getByRole('button', { name: /Show how people voted/ }).click();
    await consentA.getByText('We cannot afford the lost wages this month.').waitFor();
    await consentA.getByRole('button', { name: 'Who has not voted?' }).click();
    await consentA.locator('#undecided').getByText(ada.name).waitFor();

    // --- Ranked choice: Bea ranks with the keyboard-operable buttons, Cy ranks one option only.
    const rankedB = b.locator('pl-proposal-card').filter({ hasText: 'Choose our spokesperson' });
    await rankedB.getByRole('button', { name: 'Rank Chen' }).click();
    await rankedB.getByRole('button', { name: 'Rank Bongani' }).click();
    await rankedB.getByRole('button', { name: 'Move Bongani up' }).click();
    await rankedB.getByRole('button', { name: 'Cast my vote' }).click();
    await rankedB.getByText('Your vote is in.').waitFor();
    expect(await text(rankedB.locator('.mine'))).toContain('1. Bongani 2. Chen');
    const rankedC = c.locator('pl-proposal-card').filter({ hasText: 'Choose our spokesperson' });
    await rankedC.getByRole('button', { name: 'Rank Amira' }).click();
    await rankedC.getByRole('button', { name: 'Cast my vote' }).click();
    await rankedC.getByText('Your vote is in.').waitFor();
    await rankedA.getByText('2 of 3 members have voted').waitFor();
    const rounds = rankedA.locator('pl-irv-rounds');
    await rounds.getByRole('table').waitFor();
    expect(await text(rounds.locator('.winners'))).toMatch(/Condorcet \(Schulze\)/);

    await a.screenshot({ path: '/tmp/plenary-proposals-facilitator.png', fullPage: true });
    await c.screenshot({ path: '/tmp/plenary-proposals-phone.png', fullPage: true });

    // --- Ada closes the consent proposal with an outcome; the members see it arrive without reloading.
    await consentA.getByRole('button', { name: 'Close voting…' }).click();
    await consentA
      .getByLabel('Outcome statement (optional)')
      .fill('We join the strike, and the hardship fund covers lost wages.');
    await consentA.getByLabel('Review on (optional)').fill('2026-06-01');
    await consentA.getByRole('button', { name: 'Close voting', exact: true }).click();
    await consentA.locator('pl-outcome').getByText('the hardship fund covers lost wages').waitFor();
    for (const card of [consentB, consentC]) {
      await card.locator('pl-outcome').getByText('the hardship fund covers lost wages').waitFor();
      await card.getByText('Final results').waitFor();
      expect(await card.getByRole('button', { name: 'Cast my vote' }).count()).toBe(0);
    }
    expect(await text(consentB.locator('pl-outcome section'))).toMatch(/Review on/);
    for (const page of [a, b, c]) expect(await stillSamePage(page)).toBe(true);
    await b.screenshot({ path: '/tmp/plenary-proposals-member-outcome.png', fullPage: true });

    // --- The decision log, reached from the group page, lists it and downloads as CSV.
    await a.goto(`/groups/${group.id}`);
    await a.getByRole('link', { name: 'Decision log' }).click();
    await a.getByRole('heading', { level: 1, name: 'Decision log' }).waitFor();
    const entry = a.getByRole('article').filter({ hasText: 'Join the city-wide strike on 1 May' });
    await entry.waitFor();
    expect(await text(entry)).toMatch(/Blocked/);
    await entry.getByText('the hardship fund covers lost wages').waitFor();
    expect(await a.getByRole('article').filter({ hasText: 'Choose our spokesperson' }).count()).toBe(0); // still open
    await a.screenshot({ path: '/tmp/plenary-decision-log.png', fullPage: true });

    const [download] = await Promise.all([
      a.waitForEvent('download'),
      a.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('riders-union-leeds-decisions.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    const [header, row, ...rest] = csv.trim().split('\r\n');
    expect(header).toBe(
      'proposal_id,title,kind,thread,closed_at,voters,eligible,winner,blocked,results,outcome,review_on',
    );
    expect(rest).toEqual([]);
    expect(row).toContain('Join the city-wide strike on 1 May,proposal,May Day plans,');
    expect(row).toContain(',2,3,');
    expect(row).toContain(',true,');
    expect(row).toContain('We join the strike, and the hardship fund covers lost wages.');
    expect(row).toMatch(/,2026-06-01$/);

    expect(pageErrors).toEqual([]);
  });
});

/** Visible text, whitespace collapsed. */
async function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the text as shown (spaced by layout) is what is checked
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/** One line of a pie's legend, e.g. "Agree 1 50%". */
async function legend(card: Locator, position: 'agree' | 'abstain' | 'disagree' | 'block'): Promise<string> {
  return text(card.locator(`pl-results-pie li[data-position="${position}"]`));
}
