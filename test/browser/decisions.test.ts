import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { verifyDecisionFile } from '../../server/domain/decision-record';
import {
  BrowserPages,
  callApi,
  describeInBrowser,
  joinThroughApi,
  launchBrowser,
  registerThroughApi,
  startServer,
  type TestServer,
} from '../helpers/browser';

// #13, decisions members can trust: a proposal's quorum and pass threshold, set in the form, its verdict
// line following the votes live, and the decision log's record, downloaded and verified.
describeInBrowser('decisions members can trust, in the browser', () => {
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

  test('the verdict line says where a proposal stands and changes as votes arrive', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(server, 'Ann Facilitator');
    const voters = await Promise.all(
      ['Bea', 'Cy', 'Di'].map((name) => registerThroughApi(server, `${name} Member`)),
    );
    const { group } = await callApi<{ group: { id: string } }>(server, ann, 'POST', '/groups', {
      name: 'User Union',
    });
    await joinThroughApi(server, ann, group.id, voters);
    const { thread } = await callApi<{ thread: { id: string } }>(
      server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      {
        title: 'Forming a union',
        body: 'Shall we?',
      },
    );

    const page = await pages.open(ann, `/threads/${thread.id}`);
    await page.getByRole('button', { name: 'New proposal', exact: true }).click();
    const form = page.locator('pl-proposal-form');
    await form.getByLabel('Title').fill('Form a user union');
    await form.getByLabel('Quorum (%)').fill('50');
    await form.getByLabel('Passes at (%)').fill('60');
    await form.getByRole('button', { name: 'Put it to a vote' }).click();
    const card = page.locator('pl-proposal-card').filter({ hasText: 'Form a user union' });
    const verdict = card.locator('.verdict');
    await verdict.getByText('No quorum yet: 0 of 4 voted, 2 needed').waitFor();

    const { items } = await callApi<{ items: { id: string; title: string }[] }>(
      server,
      ann,
      'GET',
      `/groups/${group.id}/proposals?status=open`,
    );
    const proposalId = items.find((p) => p.title === 'Form a user union')!.id;
    const cast = (i: number, optionId: string) =>
      callApi(server, voters[i]!, 'PUT', `/proposals/${proposalId}/vote`, { choices: [{ optionId }] });

    await cast(0, 'agree');
    await verdict.getByText('No quorum yet: 1 of 4 voted, 2 needed').waitFor();
    await cast(1, 'disagree');
    await verdict
      .getByText('Not passing so far: 50% agree (60% needed), quorum reached (2 of 4 represented)')
      .waitFor();
    await cast(2, 'agree');
    await verdict.getByText('Passing so far: 66.7% agree, quorum reached (3 of 4 represented)').waitFor();
    expect(await verdict.getAttribute('data-verdict')).toBe('passed');

    await card.getByRole('button', { name: 'Close voting…' }).click();
    await card.getByRole('button', { name: 'Close voting', exact: true }).click();
    await verdict.getByText('Passed: 66.7% agree, quorum reached (3 of 4 represented)').waitFor();

    // The decision log shows the verdict and downloads the record, which counts again to the same result.
    await page.goto(`${server.url}/groups/${group.id}/decisions`);
    const entry = page.locator('article').filter({ hasText: 'Form a user union' });
    await entry.getByText('Passed: 66.7% agree, quorum reached (3 of 4 represented)').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      entry.getByRole('link', { name: /Decision record #1/ }).click(),
    ]);
    const record = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(record).toMatchObject({
      format: 'plenary-decision-record',
      sequence: 1,
      proposal: { id: proposalId },
    });
    expect(record.results.verdict).toBe('passed');
    expect(verifyDecisionFile(record).problems).toEqual([]);
  });

  test("a facilitator starts from a ready-made process and saves a proposal as the group's own template", {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(server, 'Ann Templater');
    const { group } = await callApi<{ group: { id: string } }>(server, ann, 'POST', '/groups', {
      name: 'Template Co-op',
    });
    const { thread } = await callApi<{ thread: { id: string } }>(
      server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      {
        title: 'How we decide',
        body: 'Processes.',
      },
    );
    const page = await pages.open(ann, `/threads/${thread.id}`);
    await page.getByRole('button', { name: 'New proposal', exact: true }).click();
    let form = page.locator('pl-proposal-form');
    await form
      .getByLabel('Start from a template (optional)')
      .selectOption({ label: 'Gradients of agreement' });
    await form.getByText('eight steps from whole-hearted endorsement').waitFor();
    expect(await form.getByLabel('Option 8', { exact: true }).inputValue()).toBe('Veto');
    await form.getByLabel('Title').fill('Adopt the new bylaws');
    await form.getByRole('button', { name: 'Put it to a vote' }).click();
    const card = page.locator('pl-proposal-card').filter({ hasText: 'Adopt the new bylaws' });
    await card.getByText('Whole-hearted endorsement').first().waitFor();

    await card.getByRole('button', { name: 'Save as template' }).click();
    await card.getByText('Saved: "Adopt the new bylaws" is now among this group\'s templates.').waitFor();

    // A new form offers it, under the group's own.
    await page.getByRole('button', { name: 'New proposal', exact: true }).click();
    form = page.locator('pl-proposal-form');
    const picker = form.getByLabel('Start from a template (optional)');
    await picker
      .locator('optgroup[label="This group\'s templates"] option', { hasText: 'Adopt the new bylaws' })
      .waitFor({ state: 'attached' });
  });
});
