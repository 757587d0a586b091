import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import {
  type ApiPerson,
  browserSuite,
  callApi,
  describeInBrowser,
  joinThroughApi,
  registerThroughApi,
} from '../helpers/browser';

/** What axe found that is serious or critical, one line each: rule, impact, where. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.slice(0, 3).map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${v.help}`),
    );
}

// #12: every screen passes axe-core with no serious or critical violation, signed out and in,
// with the thread page holding open and closed proposals of several kinds and delegation on.
describeInBrowser('accessibility of every screen (axe-core)', () => {
  const pages = browserSuite();

  test('the check sees into the elements’ shadow roots: an image without a text alternative there is found', {
    timeout: 60_000,
  }, async () => {
    const page = await pages.open(null, '/login');
    await page.locator('h1').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.evaluate(() => {
      const host = document.querySelector('pl-app')!;
      const img = document.createElement('img');
      img.src = '/missing.png';
      (host.shadowRoot ?? host).appendChild(img);
    });
    expect((await seriousViolations(page)).join('\n')).toMatch(/^image-alt \(critical\)/m);
  });

  test('no serious or critical violation on any screen', { timeout: 240_000 }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Facilitator');
    const bea = await registerThroughApi(pages.server, 'Bea Member');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'Platform Co-op',
    });
    await joinThroughApi(pages.server, ann, group.id, [bea]);
    await callApi(pages.server, ann, 'PATCH', `/groups/${group.id}`, { settings: { delegation: true } });
    const { thread } = await callApi<{ thread: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Should we ally with #BuyTwitter?', body: 'A **draft** statement is below.' },
    );
    await callApi(pages.server, bea, 'POST', `/threads/${thread.id}/comments`, { body: 'I agree, @ann.' });
    const closesAt = new Date(Date.now() + 3_600_000).toISOString();
    const proposals = [
      { kind: 'proposal', title: 'Ally with the campaign', quorumPercent: 50 },
      {
        kind: 'poll',
        title: 'Which name?',
        options: [{ label: 'Union' }, { label: 'Circle' }],
        maxChoices: 2,
      },
      {
        kind: 'ranked_choice',
        title: 'Spokesperson',
        options: [{ label: 'Ann' }, { label: 'Bea' }, { label: 'Cy' }],
      },
      { kind: 'score', title: 'Rate the plans', options: [{ label: 'Plan A' }, { label: 'Plan B' }] },
      { kind: 'dot_vote', title: 'Spend our dots', options: [{ label: 'Servers' }, { label: 'Legal' }] },
      {
        kind: 'meeting',
        title: 'When do we meet?',
        options: [
          { label: 'Monday', startsAt: closesAt },
          { label: 'Tuesday', startsAt: closesAt },
        ],
      },
    ];
    const ids: string[] = [];
    for (const body of proposals) {
      const { proposal } = await callApi<{ proposal: { id: string } }>(
        pages.server,
        ann,
        'POST',
        `/threads/${thread.id}/proposals`,
        { closesAt, ...body },
      );
      ids.push(proposal.id);
    }
    await callApi(pages.server, bea, 'PUT', `/proposals/${ids[0]}/vote`, {
      choices: [{ optionId: 'agree' }],
    });
    await callApi(pages.server, ann, 'POST', `/proposals/${ids[0]}/close`, {
      outcome: { statement: 'We ally.' },
    });
    const { invitation } = await callApi<{ invitation: { token: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/invitations`,
      {},
    );

    const screens: [string, ApiPerson | null, string, string][] = [
      ['sign in', null, '/login', 'h1'],
      ['sign up', null, '/signup', 'h1'],
      ['forgot password', null, '/forgot-password', 'h1'],
      ['invitation', null, `/invite/${invitation.token}`, 'h1'],
      ['home', bea, '/', 'h1'],
      ['group', ann, `/groups/${group.id}`, 'h1'],
      ['group settings', ann, `/groups/${group.id}/settings`, 'h1'],
      ['thread with proposals', bea, `/threads/${thread.id}`, 'pl-proposal-card'],
      ['decision log', bea, `/groups/${group.id}/decisions`, 'h1'],
      ['search', bea, '/search?q=statement', 'h1'],
      ['account settings', bea, '/settings/account', 'h1'],
      ['email settings', bea, '/settings/email', 'h1'],
    ];
    const found: Record<string, string[]> = {};
    for (const [name, who, path, ready] of screens) {
      const page = await pages.open(who, path);
      await page.locator(ready).first().waitFor();
      // Let the page settle: live data, lazy elements.
      await page.waitForLoadState('networkidle').catch(() => {});
      const problems = await seriousViolations(page);
      if (problems.length > 0) found[name] = problems;
    }
    expect(found).toEqual({});
  });
});
