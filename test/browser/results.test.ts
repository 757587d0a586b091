import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import {
  type ApiPerson,
  browserSuite,
  callApi,
  describeInBrowser,
  joinThroughApi,
  registerThroughApi,
} from '../helpers/browser';

/** Six options with long labels, one a single unbreakable word, as a phone must still fit. */
const LABELS = [
  'Commons Circle of the Northern Allotments and Riverside Gardens',
  'Tech Stewards for Shared Infrastructure and the Community Server',
  'Ward Assembly with Rotating Facilitation and Open Minutes for All',
  'Neighbourhood Food Cooperative Purchasing and Distribution Group',
  'Intergenerational Skills Exchange and Repair Café Collective',
  'Superlongunbrokenwordthatcouldoverflowanarrownphonescreenifunwrapped',
];

// Results people read at a glance: "Leading" until the close, the runoff in words, a ranked-choice
// count of six long options on a 390 px phone without the page scrolling sideways, dot shares, and
// voters with avatars.
describeInBrowser('results at a glance, in the browser', () => {
  const pages = browserSuite();

  /** How far the page reaches sideways, beyond the viewport if anything overflows. */
  const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

  test('a ranked-choice count of six long options fits a 390 px phone and reads as leading, then won', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Facilitator');
    const voters: ApiPerson[] = [];
    for (const name of ['Bea Member', 'Cy Member', 'Di Member', 'Ed Member', 'Flo Member']) {
      voters.push(await registerThroughApi(pages.server, name));
    }
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'Allotment Federation',
    });
    await joinThroughApi(pages.server, ann, group.id, voters);
    const { thread } = await callApi<{ thread: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Who runs the federation?', body: 'Rank them.' },
    );
    const { proposal } = await callApi<{ proposal: { id: string; options: { id: string }[] } }>(
      pages.server,
      ann,
      'POST',
      `/threads/${thread.id}/proposals`,
      {
        kind: 'ranked_choice',
        title: 'Choose the stewarding body',
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        options: LABELS.map((label) => ({ label })),
      },
    );
    const [a, b, c, d] = proposal.options.map((o) => o.id);
    const rank = (person: ApiPerson, ...ids: (string | undefined)[]) =>
      callApi(pages.server, person, 'PUT', `/proposals/${proposal.id}/vote`, {
        choices: ids.map((optionId, i) => ({ optionId, rank: i + 1 })),
      });
    // Four rounds: the two options nobody ranked, a three-way tie for last, a ballot exhausted, a majority.
    await rank(ann, a);
    await rank(voters[0]!, a);
    await rank(voters[1]!, a);
    await rank(voters[2]!, b);
    await rank(voters[3]!, c, b);
    await rank(voters[4]!, d, c, b);

    const page = await pages.open(ann, `/threads/${thread.id}`, { viewport: { width: 390, height: 844 } });
    const card = page.locator('pl-proposal-card').filter({ hasText: 'Choose the stewarding body' });
    const rounds = card.locator('pl-irv-rounds');
    await rounds.getByRole('table').waitFor();
    await rounds.getByRole('columnheader', { name: 'Round 4' }).waitFor();
    await page.screenshot({ path: '/tmp/plenary-results-phone-open.png', fullPage: true });
    await card.locator('pl-proposal-results').screenshot({ path: '/tmp/plenary-results-irv-phone.png' });
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);

    // Open: leading, never winner, in the bars, the table and the words.
    expect(await text(card.locator('pl-results-bars .leader'))).toBe(`Leading: ${LABELS[0]}`);
    expect(await text(card.locator('pl-proposal-results'))).not.toMatch(/Winner|\bwon\b/);
    expect(await text(rounds.locator('tr.win th'))).toContain('Leading');
    const story = rounds.getByRole('list', { name: 'The rounds in words' }).getByRole('listitem');
    expect(await story.count()).toBe(4);
    expect(await text(story.nth(0))).toBe(
      `Round 1. ${LABELS[4]} and ${LABELS[5]} had no votes and were eliminated; they had no votes to pass on.`,
    );
    expect(await text(story.nth(1))).toBe(
      `Round 2. ${LABELS[1]}, ${LABELS[2]} and ${LABELS[3]} tied for the fewest votes (1 each) and ${LABELS[3]}, listed last of them, was eliminated; its 1 vote moved to ${LABELS[2]}.`,
    );
    expect(await text(story.nth(2))).toBe(
      `Round 3. ${LABELS[1]} had the fewest votes and was eliminated; its 1 vote was exhausted (no further preference).`,
    );
    expect(await text(story.nth(3))).toBe(
      `Round 4. ${LABELS[0]} leads with 3 of 5 votes; 1 ballot was exhausted.`,
    );
    expect(await text(rounds)).not.toMatch(/✕|× out/);

    // The table scrolls inside its own box instead of widening the page.
    const box = rounds.getByRole('region', { name: 'Instant-runoff rounds' });
    const [inner, outer] = await box.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(inner).toBeGreaterThan(outer!);

    // Closed: the winner is called one.
    await callApi(pages.server, ann, 'POST', `/proposals/${proposal.id}/close`, {});
    await card.getByText('Final results').waitFor();
    await card.locator('pl-results-bars .leader').getByText(`Winner: ${LABELS[0]}`).waitFor();
    expect(await text(rounds.locator('tr.win th'))).toContain('Winner');
    expect(await text(story.nth(3))).toBe(
      `Round 4. ${LABELS[0]} won with 3 of 5 votes; 1 ballot was exhausted.`,
    );
    expect(await text(card.locator('pl-proposal-results'))).not.toMatch(/Leading/);
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);

    // The decision log on the phone: the same words, the page still no wider than the screen.
    await page.goto(`/groups/${group.id}/decisions`);
    const entry = page.getByRole('article').filter({ hasText: 'Choose the stewarding body' });
    await entry.locator('p.result').getByText(`Winner: ${LABELS[0]}`, { exact: true }).waitFor();
    await entry.getByText('Final results').click();
    await entry.locator('pl-irv-rounds').getByRole('table').waitFor();
    await page.screenshot({ path: '/tmp/plenary-results-phone-log.png', fullPage: true });
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    expect(pages.pageErrors).toEqual([]);
  });

  test('dot votes show their share of all dots; the voters list shows each voter with a steady avatar', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Dotter');
    const bea = await registerThroughApi(pages.server, 'Bea Okafor');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'Dot Co-op',
    });
    await joinThroughApi(pages.server, ann, group.id, [bea]);
    const { thread } = await callApi<{ thread: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Spending the grant', body: 'Spread your dots.' },
    );
    const { proposal } = await callApi<{ proposal: { id: string; options: { id: string }[] } }>(
      pages.server,
      ann,
      'POST',
      `/threads/${thread.id}/proposals`,
      {
        kind: 'dot_vote',
        title: 'Where the grant goes',
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        dotsPerVoter: 10,
        options: [{ label: 'Garden' }, { label: 'Kitchen' }, { label: 'Yes!' }],
      },
    );
    const [garden, kitchen, yes] = proposal.options.map((o) => o.id);
    const spread = (person: ApiPerson, dots: [string | undefined, number][]) =>
      callApi(pages.server, person, 'PUT', `/proposals/${proposal.id}/vote`, {
        choices: dots.map(([optionId, score]) => ({ optionId, score })),
      });
    await spread(ann, [
      [garden, 7],
      [kitchen, 3],
    ]);
    await spread(bea, [
      [garden, 5],
      [kitchen, 4],
      [yes, 1],
    ]);

    const page = await pages.open(ann, `/threads/${thread.id}`);
    const card = page.locator('pl-proposal-card').filter({ hasText: 'Where the grant goes' });
    const bars = card.locator('pl-results-bars li');
    await bars.first().waitFor();
    expect(await Promise.all([0, 1, 2].map((i) => text(bars.nth(i))))).toEqual([
      'Garden Leading 12 dots · 60% of dots',
      'Kitchen 7 dots · 35% of dots',
      'Yes! 1 dot · 5% of dots',
    ]);

    const avatarsOf = async (where: Locator) => {
      await where.getByRole('button', { name: /Show how people voted/ }).click();
      const items = where.locator('pl-proposal-votes li');
      await items.nth(1).waitFor();
      return items.evaluateAll((lis) =>
        lis.map((li) => {
          const avatar = li.querySelector('.avatar') as HTMLElement;
          return {
            who: li.querySelector('.who')?.textContent?.trim(),
            initials: avatar.textContent?.trim(),
            hue: avatar.dataset.hue,
            background: getComputedStyle(avatar).backgroundColor,
            round: getComputedStyle(avatar).borderRadius,
          };
        }),
      );
    };
    const first = await avatarsOf(card);
    await card.locator('pl-proposal-votes').screenshot({ path: '/tmp/plenary-results-voters.png' });
    const byName = new Map(first.map((v) => [v.who, v]));
    expect(byName.get('Ann Dotter')).toMatchObject({ initials: 'AD', round: '50%' });
    expect(byName.get('Bea Okafor')).toMatchObject({ initials: 'BO', round: '50%' });
    for (const v of first) {
      expect(v.hue).toMatch(/^\d{1,3}$/);
      expect(v.background).not.toBe('rgba(0, 0, 0, 0)');
    }

    // The colour comes from the user id: the same on another page, for another viewer.
    const other = await pages.open(bea, `/threads/${thread.id}`);
    const again = await avatarsOf(
      other.locator('pl-proposal-card').filter({ hasText: 'Where the grant goes' }),
    );
    expect(new Map(again.map((v) => [v.who, v.hue]))).toEqual(new Map(first.map((v) => [v.who, v.hue])));
    expect(new Map(again.map((v) => [v.who, v.background]))).toEqual(
      new Map(first.map((v) => [v.who, v.background])),
    );
    expect(pages.pageErrors).toEqual([]);
  });
});

/** Visible text, whitespace collapsed. */
async function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the text as shown (spaced by layout) is what is checked
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}
