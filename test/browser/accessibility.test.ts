import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { browserSuite, describeInBrowser } from '../helpers/browser';
import { seedEveryScreen } from '../helpers/every-screen';

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
    const { screens } = await seedEveryScreen(pages.server);
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
