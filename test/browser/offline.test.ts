import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  BrowserPages,
  callApi,
  describeInBrowser,
  launchBrowser,
  registerThroughApi,
  startServer,
  type TestServer,
} from '../helpers/browser';

// #12, an installable app: the service worker keeps the app shell, so with the server gone the app
// still opens and says it is offline instead of showing a blank page. This file's server is its own:
// the test stops it.
describeInBrowser('the app offline, in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let stopped = false;
  const pages = new BrowserPages(() => ({ browser, server }));

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await pages.close();
    await browser?.close();
    if (!stopped) await server?.stop();
  });

  test('is installable: a manifest, icons, and a service worker at /sw.js that browsers always re-check', async () => {
    const sw = await fetch(`${server.url}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    const code = await sw.text();
    expect(code).not.toMatch(/\bimport\b|__PLENARY_SHELL__/);

    const manifest = await (await fetch(`${server.url}/manifest.webmanifest`)).json();
    expect(manifest).toMatchObject({
      name: 'Plenary',
      start_url: '/',
      display: 'standalone',
      theme_color: '#17735b',
    });
    for (const icon of manifest.icons as { src: string; type: string }[]) {
      const res = await fetch(`${server.url}${icon.src}`);
      expect({ src: icon.src, status: res.status, type: res.headers.get('content-type') }).toEqual({
        src: icon.src,
        status: 200,
        type: expect.stringContaining(icon.type),
      });
    }
  });

  test('with the server gone, the app shell opens from the cache and every page says it is offline', {
    timeout: 120_000,
  }, async () => {
    const ann = await registerThroughApi(server, 'Ann Offline');
    const { group } = await callApi<{ group: { id: string } }>(server, ann, 'POST', '/groups', {
      name: 'Allotment Society',
    });
    const { thread } = await callApi<{ thread: { id: string } }>(
      server,
      ann,
      'POST',
      `/groups/${group.id}/threads`,
      { title: 'Water butts for every plot' },
    );

    const page = await pages.open(ann, '/');
    expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/manifest.webmanifest');
    await page.getByRole('link', { name: 'Allotment Society' }).first().waitFor();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // Installed and active; from the next load on it answers the page's requests.
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(
      `${server.url}/sw.js`,
    );
    await page.getByRole('link', { name: 'Allotment Society' }).first().waitFor();
    await expect(page.getByText('You are offline').count()).resolves.toBe(0);

    // Where push is turned on for this device: a switch, off until the person turns it on.
    await page.goto('/settings/email');
    const push = page.getByRole('switch', { name: 'Push notifications on this device' });
    await page.getByText('Turn on to have this browser show your notifications').waitFor();
    expect({ checked: await push.isChecked(), enabled: await push.isEnabled() }).toEqual({
      checked: false,
      enabled: true,
    });

    await server.stop();
    stopped = true;

    await page.reload();
    await page.locator('pl-app-bar header').waitFor();
    await page.getByText('You are offline').waitFor();
    expect(
      await page
        .locator('pl-app-bar header')
        .getByRole('link', { name: /Plenary/ })
        .count(),
    ).toBeGreaterThan(0);

    // A page opened offline, never loaded before: the shell and the notice, not a blank page.
    await page.goto(`/threads/${thread.id}`);
    await page.locator('pl-app-bar header').waitFor();
    await page.getByText('You are offline').waitFor();

    // The API is never answered from the cache: it fails as the network does.
    const api = await page.evaluate(async () => {
      try {
        return (await fetch('/api/v1/me')).status;
      } catch {
        return 'failed';
      }
    });
    expect(api).toBe('failed');
  });
});
