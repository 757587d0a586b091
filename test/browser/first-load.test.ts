import { expect, test } from 'vitest';
import { browserSuite, callApi, describeInBrowser, groupThreadThroughApi } from '../helpers/browser';

/** The chunks a thread page of plain talk has no use for until something on it needs them. */
const ON_DEMAND = {
  markdown: /\/assets\/markdown-templates-[^/]+\.js$/,
  editor: /\/assets\/pl-markdown-editor-[^/]+\.js$/,
  proposals: /\/assets\/proposal-elements-[^/]+\.js$/,
  ballot: /\/assets\/pl-vote-form-[^/]+\.js$/,
  confirm: /\/assets\/pl-confirm-dialog-[^/]+\.js$/,
};

// #12: a thread page's first load fetches the code its first screen shows and nothing else. Plain
// comments need no Markdown parser, a thread without proposals no ballot; each loads, and works,
// the moment the page shows something that needs it.
describeInBrowser('what a thread page loads, and when', () => {
  const pages = browserSuite();

  test('plain talk loads no parser, editor, proposal or dialog code; each arrives when needed', {
    timeout: 120_000,
  }, async () => {
    const {
      facilitator: ann,
      member: bea,
      threadId,
    } = await groupThreadThroughApi(
      pages.server,
      { facilitator: 'Ann Organiser', member: 'Bea Member', groupName: 'Food Co-op' },
      { title: 'Opening hours', body: 'Should we open on Sundays?\nThe volunteers are split. ' },
    );
    const thread = { id: threadId };
    await callApi(pages.server, bea, 'POST', `/threads/${thread.id}/comments`, {
      body: `Yes, from noon. @${ann.handle}, can you ask the others?`,
    });

    // Requests for page chunks must reach the page, not a service worker's cache.
    const page = await pages.open(ann, '/', { serviceWorkers: 'block' });
    const fetched: string[] = [];
    page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
    const loaded = (chunk: RegExp) => fetched.some((path) => chunk.test(path));
    await page.goto(`/threads/${thread.id}`);
    const comment = page.locator('pl-comment').filter({ hasText: 'Yes, from noon.' });
    await comment.locator('.mention', { hasText: `@${ann.handle}` }).waitFor();
    await page.locator('pl-thread-header').getByText('The volunteers are split.').waitFor();
    await page.waitForLoadState('networkidle');
    for (const [name, chunk] of Object.entries(ON_DEMAND))
      expect([name, loaded(chunk)]).toEqual([name, false]);
    expect(await page.locator('.markdown-pending').count()).toBe(0);

    // A comment with Markdown arrives live: the parser loads and draws it.
    await callApi(pages.server, bea, 'POST', `/threads/${thread.id}/comments`, {
      body: 'Agreed, **but** only [if the rota works](https://example.org/rota).',
    });
    const link = page.locator('pl-comment').getByRole('link', { name: 'if the rota works' });
    await link.waitFor();
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await page.locator('pl-comment strong', { hasText: 'but' }).waitFor();
    expect(loaded(ON_DEMAND.markdown)).toBe(true);

    // A proposal arrives live: its card, and its ballot, load and take a vote.
    await callApi(pages.server, bea, 'POST', `/threads/${thread.id}/proposals`, {
      kind: 'poll',
      title: 'Sunday hours',
      options: [{ label: 'Noon to four' }, { label: 'Closed' }],
      closesAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    const card = page.locator('pl-proposal-card');
    await card.getByRole('heading', { name: 'Sunday hours' }).waitFor();
    await page
      .locator('pl-open-proposals')
      .getByRole('button', { name: /Vote now/ })
      .click();
    await card.getByRole('radio', { name: 'Noon to four' }).check();
    await card.getByRole('button', { name: 'Cast my vote' }).click();
    await card
      .getByText(/You voted/)
      .first()
      .waitFor();
    expect(loaded(ON_DEMAND.proposals) && loaded(ON_DEMAND.ballot)).toBe(true);

    // Deleting a comment asks first: the dialog loads then.
    await page.locator('pl-comment').filter({ hasText: 'Agreed,' }).waitFor();
    expect(loaded(ON_DEMAND.confirm)).toBe(false);
    await page
      .locator('pl-comment')
      .filter({ hasText: 'Yes, from noon.' })
      .getByRole('button', { name: /Delete/ })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete comment' }).click();
    await page.getByText('The comment was deleted.').waitFor({ state: 'attached' });
    expect(loaded(ON_DEMAND.confirm)).toBe(true);

    expect(pages.pageErrors).toEqual([]);
  });
});
