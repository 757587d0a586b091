import { expect, test } from 'vitest';
import {
  browserSuite,
  callApi,
  describeInBrowser,
  joinThroughApi,
  registerThroughApi,
} from '../helpers/browser';

// #12, the composer everywhere: a thread's context and a proposal's details are written in the
// same Markdown editor as comments (Preview, mentions, drafts kept across a reload), the proposal
// form keeps its draft and has Cancel, and a poll's ballot stops at its maximum.
describeInBrowser('one editor for every long text, in the browser', () => {
  const pages = browserSuite();

  test('a thread’s context: preview, a mention, and the draft back after a reload', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Writer');
    const bea = await registerThroughApi(pages.server, 'Bea Reader');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'Statement Drafters',
    });
    await joinThroughApi(pages.server, ann, group.id, [bea]);

    const page = await pages.open(ann, `/groups/${group.id}`);
    await page
      .getByRole('button', { name: /New thread|Start a thread/ })
      .first()
      .click();
    const context = page.getByLabel('Context (optional)');
    await context.fill('We need a **short** public statement. Ask @');
    await page
      .getByRole('listbox', { name: 'Members to mention' })
      .getByRole('option')
      .filter({
        hasText: bea.name,
      })
      .click();
    await expect.poll(() => context.inputValue()).toMatch(/Ask @\S+ $/);
    await page.getByRole('tab', { name: 'Preview' }).click();
    await page.locator('pl-thread-list').locator('strong', { hasText: 'short' }).waitFor();

    await page.reload();
    await page
      .getByRole('button', { name: /New thread|Start a thread/ })
      .first()
      .click();
    await expect
      .poll(() => page.getByLabel('Context (optional)').inputValue())
      .toMatch(/^We need a \*\*short\*\* public statement\. Ask @/);
    await page.getByLabel('Title', { exact: true }).fill('Our public statement');
    await page.getByRole('button', { name: 'Start thread' }).click();
    await page.getByRole('heading', { name: 'Our public statement' }).waitFor();
    await page.locator('strong', { hasText: 'short' }).first().waitFor();
  });

  test('the proposal form keeps its draft across a reload, Cancel discards it; a poll stops at its maximum', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Proposer');
    const bea = await registerThroughApi(pages.server, 'Bea Voter');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'User Union',
    });
    await joinThroughApi(pages.server, ann, group.id, [bea]);
    const { thread } = await callApi<{ thread: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'What do we ask for?', body: '' },
    );

    const page = await pages.open(ann, `/threads/${thread.id}`);
    await page.getByRole('button', { name: 'New proposal', exact: true }).click();
    const form = page.locator('pl-proposal-form');
    await form.getByLabel('Title').fill('Form a user union');
    await form.getByLabel('Details (optional)').fill('See the *draft* charter.');
    await form.getByRole('tab', { name: 'Preview' }).click();
    await form.locator('em', { hasText: 'draft' }).waitFor();

    await page.reload();
    await page.getByRole('button', { name: 'New proposal', exact: true }).click();
    await form.getByText('Your unsent draft is back.').waitFor();
    expect(await form.getByLabel('Title').inputValue()).toBe('Form a user union');
    expect(await form.getByLabel('Details (optional)').inputValue()).toBe('See the *draft* charter.');

    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'New proposal', exact: true }).click();
    expect(await form.getByLabel('Title').inputValue()).toBe('');

    // A poll allowing two choices: the third box is disabled once two are ticked.
    await callApi(pages.server, ann, 'POST', `/threads/${thread.id}/proposals`, {
      kind: 'poll',
      title: 'Which two demands first?',
      options: [{ label: 'Data portability' }, { label: 'Fair moderation' }, { label: 'A say in rules' }],
      minChoices: 1,
      maxChoices: 2,
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const b = await pages.open(bea, `/threads/${thread.id}`);
    const poll = b.locator('pl-proposal-card').filter({ hasText: 'Which two demands first?' });
    await poll.getByRole('checkbox', { name: 'Data portability' }).check();
    await poll.getByRole('checkbox', { name: 'Fair moderation' }).check();
    expect(await poll.getByRole('checkbox', { name: 'A say in rules' }).isDisabled()).toBe(true);
    await poll.getByText('Untick one to choose another.').waitFor();
    await poll.getByRole('checkbox', { name: 'Fair moderation' }).uncheck();
    expect(await poll.getByRole('checkbox', { name: 'A say in rules' }).isDisabled()).toBe(false);
  });
});
