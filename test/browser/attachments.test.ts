import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import {
  browserSuite,
  callApi,
  describeInBrowser,
  joinThroughApi,
  registerThroughApi,
} from '../helpers/browser';

/** A real 1×1 PNG, so the preview has something to decode. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** Every byte value, twice, and some text: a download that changed one byte would not match. */
const SHEET = Buffer.concat([
  Buffer.from('budget,2026\n'),
  Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256)),
]);

// Files on threads: pasted or attached in the composer, linked in the comment, listed live on the
// group page, downloaded byte for byte; and uploaded pages and SVGs that never run as the site.
describeInBrowser('attachments, in the browser', () => {
  const pages = browserSuite();

  test('a file pasted into a comment appears for another member live and downloads byte-identical', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(pages.server, 'Ann Facilitator');
    const bea = await registerThroughApi(pages.server, 'Bea Member');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, ann, 'POST', '/groups', {
      name: 'Allotment Society',
    });
    await joinThroughApi(pages.server, ann, group.id, [bea]);
    const { thread } = await callApi<{ thread: { id: string } }>(
      pages.server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Next year’s budget' },
    );

    const beaPage = await pages.open(bea, `/groups/${group.id}`);
    const files = beaPage.locator('pl-group-files');
    await files.getByText('No files yet.').waitFor();

    const annPage = await pages.open(ann, `/threads/${thread.id}`);
    const composer = annPage.locator('pl-composer');
    const textbox = composer.getByRole('textbox', { name: 'Add a comment' });
    await textbox.fill('The chart: ');
    // Pasted, as from a screenshot tool: a File on the clipboard.
    await textbox.evaluate((el, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const clipboard = new DataTransfer();
      clipboard.items.add(new File([bytes], 'chart.png', { type: 'image/png' }));
      el.dispatchEvent(
        new ClipboardEvent('paste', {
          clipboardData: clipboard,
          bubbles: true,
          cancelable: true,
          composed: true,
        }),
      );
    }, PNG_BASE64);
    await expect
      .poll(() => textbox.inputValue())
      .toMatch(/^The chart: !\[chart\.png\]\(\/api\/v1\/attachments\/[0-9a-f-]{36}\)$/);
    // And one chosen with "Attach a file".
    await composer.locator('input[type=file]').setInputFiles({
      name: 'budget.csv',
      mimeType: 'text/csv',
      buffer: SHEET,
    });
    await expect
      .poll(() => textbox.inputValue())
      .toMatch(/\[budget\.csv\]\(\/api\/v1\/attachments\/[0-9a-f-]{36}\)$/);
    await composer.getByRole('button', { name: 'Post comment' }).click();

    // The image shows in the comment, loaded from this origin.
    const image = annPage.locator('pl-comment img[alt="chart.png"]');
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);

    // Bea's group page lists both, without a reload, with where they are used.
    const sheetLink = files.getByRole('link', { name: 'budget.csv' });
    await sheetLink.waitFor();
    await files.getByRole('link', { name: 'chart.png' }).waitFor();
    await files.getByRole('link', { name: 'Next year’s budget' }).first().waitFor();
    const [download] = await Promise.all([beaPage.waitForEvent('download'), sheetLink.click()]);
    expect(download.suggestedFilename()).toBe('budget.csv');
    expect(Buffer.compare(readFileSync((await download.path())!), SHEET)).toBe(0);
    expect(pages.pageErrors).toEqual([]);
  });

  test('an uploaded page or SVG opened by its URL runs nothing: a sandboxed download', {
    timeout: 120_000,
  }, async () => {
    const cy = await registerThroughApi(pages.server, 'Cy Member');
    const { group } = await callApi<{ group: { id: string } }>(pages.server, cy, 'POST', '/groups', {
      name: 'Tenants',
    });
    const upload = async (filename: string, type: string, body: string) => {
      const res = await fetch(
        `${pages.server.url}/api/v1/groups/${group.id}/attachments?filename=${encodeURIComponent(filename)}`,
        {
          method: 'POST',
          headers: {
            origin: pages.server.url,
            cookie: `${cy.cookie.name}=${cy.cookie.value}`,
            'content-type': type,
          },
          body,
        },
      );
      expect(res.status).toBe(201);
      return ((await res.json()) as { attachment: { url: string } }).attachment.url;
    };
    const script =
      "window.parent.pwned = true; window.top.document.title = 'pwned'; document.title = 'pwned';";
    const htmlUrl = await upload(
      'invoice.html',
      'text/html',
      `<html><body><script>${script}</script>hi</body></html>`,
    );
    const svgUrl = await upload(
      'logo.svg',
      'image/svg+xml',
      `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>${script}</script><rect width="10" height="10"/></svg>`,
    );

    const page = await pages.open(cy, `/groups/${group.id}`);
    await page.locator('pl-group-files').getByRole('link', { name: 'logo.svg' }).waitFor();
    const title = await page.title();

    for (const url of [htmlUrl, svgUrl]) {
      // Opened by its URL: the browser downloads it instead of showing it.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.evaluate((u) => window.open(u), url),
      ]);
      expect(download.url()).toBe(`${pages.server.url}${url}`);
      // Framed in the app's own page, and as an image: nothing runs, nothing renders.
      const framed = await page.evaluate(async (u) => {
        const frame = document.createElement('iframe');
        frame.src = u;
        document.body.append(frame);
        const img = new Image();
        const loaded = await new Promise<boolean>((resolve) => {
          img.onload = () => resolve(true);
          img.onerror = () => resolve(false);
          img.src = u;
        });
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const res = await fetch(u);
        return {
          pwned: (window as { pwned?: boolean }).pwned ?? false,
          imageLoaded: loaded,
          type: res.headers.get('content-type'),
          disposition: res.headers.get('content-disposition'),
          csp: res.headers.get('content-security-policy'),
          nosniff: res.headers.get('x-content-type-options'),
        };
      }, url);
      expect(framed).toMatchObject({
        pwned: false,
        imageLoaded: false,
        type: 'application/octet-stream',
        csp: "sandbox; default-src 'none'",
        nosniff: 'nosniff',
      });
      expect(framed.disposition).toMatch(/^attachment; /);
      expect(await page.title()).toBe(title);
    }
    for (const other of page.context().pages()) {
      if (other !== page) expect(await other.title()).not.toBe('pwned');
    }
    expect(pages.pageErrors).toEqual([]);
  });
});
