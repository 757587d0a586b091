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

/*
 * Issue #11 in the app: the email settings page every email links to, and the notification list
 * that renders Markdown safely and folds notifications about one thing into one entry.
 */
describeInBrowser('email settings and grouped notifications in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const pages = new BrowserPages(() => ({ browser, server }));
  const pageErrors = pages.pageErrors;
  let ann: ApiPerson;
  let bea: ApiPerson;
  let commons: string;
  let garden: string;

  const api = <T>(person: ApiPerson | null, method: string, path: string, body?: unknown) =>
    callApi<T>(server, person, method, path, body);

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    [ann, bea] = await Promise.all([
      registerThroughApi(server, 'Ann Achebe'),
      registerThroughApi(server, 'Bea Lindqvist'),
    ]);
    const made = await Promise.all(
      ['Commons Circle', 'Garden Club'].map((name) =>
        api<{ group: { id: string } }>(ann, 'POST', '/groups', { name }),
      ),
    );
    [commons, garden] = made.map((m) => m.group.id) as [string, string];
    await joinThroughApi(server, ann, commons, [bea]);
  });

  afterAll(async () => {
    await pages.close();
    await browser?.close();
    await server?.stop();
  });

  async function pageFor(person: ApiPerson | null, path: string): Promise<Page> {
    // A browser in Berlin, so the page can offer that zone instead of the stored UTC.
    return pages.open(person, path, { timezoneId: 'Europe/Berlin' });
  }

  const preferences = async () =>
    (await api<{ preferences: Record<string, unknown> }>(ann, 'GET', '/me/preferences')).preferences;

  test('a signed-out visitor is sent to sign in, and comes back to the settings', {
    timeout: 60_000,
  }, async () => {
    const email = `cy-${Date.now()}@example.org`;
    await registerThroughApi(server, 'Cy Okafor', email);
    const page = await pageFor(null, '/settings/email');
    await page.waitForURL(/\/login\?next=%2Fsettings%2Femail$/);
    await page.getByRole('heading', { level: 1, name: 'Sign in to Plenary' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/settings\/email$/);
    await page.getByRole('heading', { level: 1, name: 'Email settings' }).waitFor();
    // Cy is in no group yet.
    await page.getByText('You are not in any group yet.').waitFor();
    expect(pageErrors).toEqual([]);
  });

  test('choose important, a daily digest at 7 in Berlin and one group muted: it all persists', {
    timeout: 90_000,
  }, async () => {
    const page = await pageFor(ann, '/');
    await page.getByRole('heading', { level: 1, name: 'Your groups' }).waitFor();
    await page.getByRole('link', { name: 'Email settings' }).click();
    await page.waitForURL(/\/settings\/email$/);
    await page.getByRole('heading', { level: 1, name: 'Email settings' }).waitFor();
    expect(await page.title()).toBe('Email settings · Plenary');

    // What is stored: all, no digest, UTC. Each level says what it sends.
    const level = page.getByRole('group', { name: 'How much email' });
    await expect.poll(() => level.getByLabel('All', { exact: true }).isChecked()).toBe(true);
    await level.getByText('Mentions, replies to you, new proposals, closing reminders').waitFor();
    expect(await page.getByLabel('Time zone').inputValue()).toBe('UTC');

    // The browser's zone is offered, not saved.
    await page.getByRole('button', { name: 'Use Europe/Berlin' }).click();
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');
    expect((await preferences()).timeZone).toBe('UTC');

    // Keyboard: the level radios move with the arrow keys.
    await level.getByLabel('All', { exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await level.getByLabel('Important', { exact: true }).isChecked()).toBe(true);
    await page.getByRole('group', { name: 'Digest' }).getByLabel('Daily', { exact: true }).check();
    await page.getByLabel('Send at').selectOption('7');
    const gardenSelect = page.getByLabel('Garden Club');
    // "Use my default" names the default it follows.
    expect(await gardenSelect.locator('option:checked').textContent()).toBe('Use my default (Important)');
    await gardenSelect.selectOption('none');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const saved = {
      email: 'important',
      digest: 'daily',
      digestHour: 7,
      timeZone: 'Europe/Berlin',
      groups: { [garden]: 'none' },
    };
    expect(await preferences()).toEqual(saved);

    // After a reload the page shows what is stored.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Email settings' }).waitFor();
    await expect.poll(() => level.getByLabel('Important', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByRole('group', { name: 'Digest' }).getByLabel('Daily').isChecked()).toBe(true);
    expect(await page.getByLabel('Send at').inputValue()).toBe('7');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');
    expect(await page.getByLabel('Garden Club').inputValue()).toBe('none');
    expect(await page.getByLabel('Commons Circle').inputValue()).toBe('');
    // No zone is offered once one is chosen.
    expect(await page.getByRole('button', { name: /^Use / }).count()).toBe(0);

    // Back to the default for the group: the override is dropped.
    await page.getByLabel('Garden Club').selectOption('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await preferences()).toEqual({ ...saved, groups: {} });

    // A zone the server does not know is shown beside the field, and nothing changes.
    await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const zone = page.getByLabel('Time zone');
    await expect.poll(() => zone.getAttribute('aria-invalid')).toBe('true');
    expect(await zone.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    expect((await preferences()).timeZone).toBe('Europe/Berlin');
    expect(pageErrors).toEqual([]);
  });

  test('notifications render their Markdown and fold by proposal and by thread; new ones join live', {
    timeout: 90_000,
  }, async () => {
    const { thread } = await api<{ thread: { id: string } }>(bea, 'POST', `/groups/${commons}/threads`, {
      title: 'Transport',
      body: 'How do we get to the fair?',
    });
    // A proposal Bea opens and closes with an outcome: three notifications for Ann, one entry.
    const { proposal } = await api<{ proposal: { id: string } }>(
      bea,
      'POST',
      `/threads/${thread.id}/proposals`,
      {
        kind: 'proposal',
        title: 'Rent a van',
        details: 'One van for everyone.',
        closesAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      },
    );
    await api(bea, 'POST', `/proposals/${proposal.id}/close`, {
      outcome: { statement: 'We **share** one van <img src=x onerror=alert(1)>' },
    });
    // Three comments that mention Ann: one entry of three.
    const mentions: string[] = [];
    for (const text of ['first', 'second', 'third']) {
      const { comment } = await api<{ comment: { id: string } }>(
        bea,
        'POST',
        `/threads/${thread.id}/comments`,
        {
          body: `@${ann.handle} the ${text} point`,
        },
      );
      mentions.push(comment.id);
    }

    const page = await pageFor(ann, '/');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // The count is of notifications: 3 about the proposal, 3 mentions.
    await page.getByRole('button', { name: 'Notifications, 6 unread' }).click();
    const panel = page.locator('#notifications-panel');
    await panel.getByRole('heading', { name: 'Notifications' }).waitFor();
    const entries = panel.getByRole('listitem');
    await expect.poll(() => entries.count()).toBe(2);

    const outcome = entries.filter({ hasText: 'Outcome of' });
    await outcome.locator('strong', { hasText: 'share' }).waitFor();
    const outcomeText = (await outcome.textContent()) ?? '';
    expect(outcomeText).not.toContain('**');
    expect(outcomeText).toContain('Voting closed');
    // The tag in the statement is text, and nothing ran.
    expect(await outcome.locator('img').count()).toBe(0);
    const mention = entries.filter({ hasText: 'mentioned you' });
    await mention.getByText(`3 mentions, from ${bea.name}`).waitFor();

    // Opening the entry marks all three read and lands on the first of them.
    await mention.getByRole('link').click();
    await page.waitForURL(new RegExp(`/threads/${thread.id}#comment-${mentions[0]}$`));
    await page.getByRole('button', { name: 'Notifications, 3 unread' }).waitFor();

    // While the list is open, a fourth mention arrives and joins its entry.
    await page.getByRole('button', { name: 'Notifications, 3 unread' }).click();
    await mention.getByText(`3 mentions, from ${bea.name}`).waitFor();
    await api(bea, 'POST', `/threads/${thread.id}/comments`, { body: `@${ann.handle} one more` });
    await mention.getByText(`4 mentions, from ${bea.name}`).waitFor();
    await page.getByRole('button', { name: 'Notifications, 4 unread' }).waitFor();
    expect(await entries.count()).toBe(2);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
