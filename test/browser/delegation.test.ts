import { expect, test } from 'vitest';
import {
  browserSuite,
  callApi,
  describeInBrowser,
  joinThroughApi,
  registerThroughApi,
} from '../helpers/browser';

// #13, delegation: a member lends their vote to someone they trust on the group page, sees whose
// vote theirs follows as the delegate votes, and takes it back by voting themselves; the delegate
// sees how many members their vote carries, live.
describeInBrowser('delegation, in the browser', () => {
  const pages = browserSuite();

  test('a member delegates, the delegate votes, the delegator sees it and overrides it', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Facilitator');
    const bea = await registerThroughApi(pages.server, 'Bea Delegator');
    const cy = await registerThroughApi(pages.server, 'Cy Delegate');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'Platform Co-op',
    });
    await joinThroughApi(pages.server, ann, group.id, [bea, cy]);

    // Ann turns delegation on in the group's settings.
    const settings = await pages.open(ann, `/groups/${group.id}/settings`);
    await settings.getByLabel('Members can delegate their vote').check();
    await settings.getByRole('button', { name: /Save/ }).click();
    await settings.getByText(/saved/i).waitFor();

    const { thread } = await callApi<{ thread: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Ally with #BuyTwitter?', body: 'Shall we join the crowdfunding campaign?' },
    );
    const { proposal } = await callApi<{ proposal: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/threads/${thread.id}/proposals`,
      {
        kind: 'proposal',
        title: 'Ally with the crowdfunding campaign',
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    );

    // Bea lends her vote in the group to Cy, on the group page.
    const groupPage = await pages.open(bea, `/groups/${group.id}`);
    const delegation = groupPage.locator('pl-group-delegation');
    await delegation.getByLabel('Let my vote in this group follow').selectOption({ label: cy.name });
    await delegation.getByRole('button', { name: 'Delegate' }).click();
    await delegation.getByText(`In this group your vote follows ${cy.name}’s`).waitFor();
    await delegation
      .getByRole('listitem')
      .filter({ hasText: `${bea.name} → ${cy.name}` })
      .waitFor();

    // Bea and Cy both look at the proposal; Cy votes, and Bea's card follows live.
    const b = await pages.open(bea, `/threads/${thread.id}`);
    const c = await pages.open(cy, `/threads/${thread.id}`);
    const cardB = b.locator('pl-proposal-card').filter({ hasText: 'Ally with the crowdfunding campaign' });
    const cardC = c.locator('pl-proposal-card').filter({ hasText: 'Ally with the crowdfunding campaign' });
    await cardB.getByText(`Your vote follows ${cy.name} in this group, who has not voted yet`).waitFor();

    await cardC.getByRole('radio', { name: /Agree/ }).check();
    await cardC.getByRole('button', { name: 'Cast my vote' }).click();
    await cardC.getByText('Your vote carries 2 members').waitFor();
    await cardB.getByText(`Your vote follows ${cy.name}’s`).waitFor();
    await cardB.locator('pl-delegation-panel').getByText('Agree', { exact: true }).waitFor();
    await cardB.getByText('1 of 3 members have voted').waitFor();
    await cardB.getByText('2 represented, with delegated votes').waitFor();

    // Bea overrides: she votes herself, and Cy's vote carries only Cy again, live on Cy's screen.
    await cardB.getByRole('radio', { name: /Disagree/ }).check();
    await cardB.getByRole('button', { name: 'Cast my vote' }).click();
    await cardB.getByText('You voted yourself').waitFor();
    await cardC.getByText('You voted yourself').waitFor();

    const seen = await callApi<{
      proposal: { representedCount: number; results: { options: { optionId: string; count: number }[] } };
    }>(pages.server, ann, 'GET', `/proposals/${proposal.id}`);
    expect(seen.proposal.representedCount).toBe(2);
    expect(Object.fromEntries(seen.proposal.results.options.map((o) => [o.optionId, o.count]))).toMatchObject(
      { agree: 1, disagree: 1 },
    );
  });
});
