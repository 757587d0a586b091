import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { browserSuite, describeInBrowser, groupThreadThroughApi, isFocused } from '../helpers/browser';

/** A real 1×1 PNG. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/**
 * Holds back the Markdown editor's code on `page` until `release()`: what a
 * slow network does to someone who starts writing the moment the page shows.
 * `requests` lists each time the page asked for it.
 */
async function holdEditor(page: Page) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const requests: string[] = [];
  await page.route(/\/assets\/pl-markdown-editor-[^/]+\.js$/, async (route) => {
    requests.push(route.request().url());
    await held;
    await route.continue();
  });
  return { release, requests };
}

// #12: a thread page loads the comment editor's code only when someone reaches for the composer.
// Until it is there the composer draws the same frame with a working text area, and whatever was
// typed, pasted or clicked there carries over to the editor: text, caret, draft, tab, files.
describeInBrowser('the comment composer before its editor has loaded', () => {
  const pages = browserSuite();

  test('typing, mentions, drafts, the Preview tab, a pasted file and posting all carry over', {
    timeout: 120_000,
  }, async () => {
    const {
      facilitator: ann,
      member: bea,
      threadId,
    } = await groupThreadThroughApi(
      pages.server,
      { facilitator: 'Ann Writer', member: 'Bea Reader', groupName: 'Tenants Union' },
      { title: 'Rent strike timing' },
    );
    const thread = { id: threadId };
    const threadPath = `/threads/${thread.id}`;
    const comment = (page: Page, text: string) => page.locator('pl-comment').filter({ hasText: text });

    // Requests for page chunks must reach `page.route`, not a service worker's cache.
    const page = await pages.open(ann, '/', { serviceWorkers: 'block' });
    let editor = await holdEditor(page);
    await page.goto(threadPath);
    await page.getByRole('heading', { level: 1, name: 'Rent strike timing' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(editor.requests).toEqual([]);

    // --- Typed before the editor is here: the draft is kept, and a reload brings it back.
    const box = page.getByLabel('Add a comment');
    await box.click();
    await box.pressSequentially('Before May? ');
    expect(editor.requests).toHaveLength(1);
    expect(await page.getByRole('tab', { name: 'Write' }).getAttribute('aria-selected')).toBe('true');
    editor.release();
    await page.reload();
    editor = await holdEditor(page);
    await expect.poll(() => page.getByLabel('Add a comment').inputValue()).toBe('Before May? ');

    // --- Mid-mention when it arrives: focus and caret carry over, and the list of members opens.
    await box.click();
    await box.press('End');
    await box.pressSequentially('Ask @Be');
    editor.release();
    const option = page.getByRole('option', { name: new RegExp(bea.name) });
    await option.waitFor();
    expect(await isFocused(box)).toBe(true);
    await box.press('Enter');
    expect(await box.inputValue()).toBe(`Before May? Ask @${bea.handle} `);
    await box.pressSequentially('about it.');
    await box.press('Control+Enter');
    const posted = `Before May? Ask @${bea.handle} about it.`;
    await comment(page, posted).waitFor();
    expect(await box.inputValue()).toBe('');

    // --- A fresh page: a file pasted and the Preview tab clicked are done once the editor is in.
    const second = await pages.open(ann, '/', { serviceWorkers: 'block' });
    editor = await holdEditor(second);
    await second.goto(threadPath);
    const secondBox = second.getByLabel('Add a comment');
    await secondBox.fill('The plan: ');
    await secondBox.evaluate((el, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const clipboard = new DataTransfer();
      clipboard.items.add(new File([bytes], 'plan.png', { type: 'image/png' }));
      el.dispatchEvent(
        new ClipboardEvent('paste', {
          clipboardData: clipboard,
          bubbles: true,
          cancelable: true,
          composed: true,
        }),
      );
    }, PNG_BASE64);
    await second.getByRole('tab', { name: 'Preview' }).click();
    expect(editor.requests).toHaveLength(1);
    editor.release();
    await expect
      .poll(() => secondBox.inputValue())
      .toMatch(/^The plan: !\[plan\.png\]\(\/api\/v1\/attachments\/[0-9a-f-]{36}\)$/);
    await expect
      .poll(() => second.getByRole('tab', { name: 'Preview' }).getAttribute('aria-selected'))
      .toBe('true');
    await second.locator('pl-composer img[alt="plan.png"]').waitFor();

    // --- And posting needs no editor at all: Ctrl+Enter, or the button, while it is still held.
    const third = await pages.open(ann, '/', { serviceWorkers: 'block' });
    editor = await holdEditor(third);
    await third.goto(threadPath);
    const thirdBox = third.getByLabel('Add a comment');
    await thirdBox.fill('Posted from the stand-in.');
    await thirdBox.press('Control+Enter');
    await comment(third, 'Posted from the stand-in.').waitFor();
    expect(await thirdBox.inputValue()).toBe('');
    await thirdBox.fill('And with the button.');
    await third.getByRole('button', { name: 'Post comment' }).click();
    await comment(third, 'And with the button.').waitFor();
    editor.release();

    expect(pages.pageErrors).toEqual([]);
  });
});
