import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ApiPerson,
  callApi,
  describeInBrowser,
  joinThroughApi,
  launchBrowser,
  registerThroughApi,
  startServer,
  type TestServer,
} from '../helpers/browser';

/** A 1×1 transparent PNG. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** A server on another port of loopback, so another origin: what a tracking pixel's host would see. */
async function startTracker() {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'image/png' }).end(PIXEL);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, origin: `http://${host}`, seen, close: () => new Promise((r) => server.close(r)) };
}

describeInBrowser('security headers and foreign images in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let tracker: Awaited<ReturnType<typeof startTracker>>;
  const contexts: BrowserContext[] = [];
  let ada: ApiPerson;
  let bea: ApiPerson;
  let groupId: string;

  const api = <T>(person: ApiPerson | null, method: string, path: string, body?: unknown) =>
    callApi<T>(server, person, method, path, body);

  beforeAll(async () => {
    [server, browser, tracker] = await Promise.all([startServer(), launchBrowser(), startTracker()]);
    [ada, bea] = await Promise.all([
      registerThroughApi(server, 'Ada Okafor'),
      registerThroughApi(server, 'Bea Lindqvist'),
    ]);
    groupId = (await api<{ group: { id: string } }>(ada, 'POST', '/groups', { name: 'Riders Union Leeds' }))
      .group.id;
    await joinThroughApi(server, ada, groupId, [bea]);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await browser?.close();
    await server?.stop();
    await tracker?.close();
  });

  interface Watched {
    page: Page;
    /** Content-Security-Policy violations: console reports and `securitypolicyviolation` events. */
    violations(): Promise<string[]>;
    /** Every URL the page requested. */
    requests: string[];
  }

  /** A signed-in page that records every request it makes and every CSP violation. */
  async function watchedPage(person: ApiPerson): Promise<Watched> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: server.url });
    contexts.push(context);
    context.setDefaultTimeout(10_000);
    await context.addCookies([{ ...person.cookie, url: server.url }]);
    const page = await context.newPage();
    const requests: string[] = [];
    const console: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) console.push(msg.text());
    });
    page.on('pageerror', (err) => console.push(`page error: ${err.message}`));
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener(
        'securitypolicyviolation',
        (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
        true,
      );
    });
    const violations = async () => [
      ...console,
      ...(await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [])),
    ];
    return { page, violations, requests };
  }

  test('a foreign image is a link, never fetched; our own images load; the live page, its bars and the docs break no policy', {
    timeout: 120_000,
  }, async () => {
    const pixel = `${tracker.origin}/pixel.png?reader=ada`;
    const { thread } = await api<{ thread: { id: string } }>(ada, 'POST', `/groups/${groupId}/threads`, {
      title: 'Banner for the march',
      body: `Draft: ![the banner](${pixel})\n\nOur own copy: ![our chart](/files/chart.png)`,
    });
    const { proposal } = await api<{ proposal: { id: string; options: { id: string }[] } }>(
      ada,
      'POST',
      `/threads/${thread.id}/proposals`,
      {
        kind: 'poll',
        title: 'Which banner?',
        options: [{ label: 'Red' }, { label: 'Green' }],
        closesAt: new Date(Date.now() + 3600_000).toISOString(),
      },
    );
    await api(bea, 'PUT', `/proposals/${proposal.id}/vote`, {
      choices: [{ optionId: proposal.options[0]!.id }],
    });

    const { page, violations, requests } = await watchedPage(ada);
    // The same-origin image: answered here so that it is a real image of this origin.
    await page.route(`${server.url}/files/chart.png`, (route) =>
      route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL }),
    );
    const response = await page.goto(`/threads/${thread.id}`);
    expect(response!.headers()['content-security-policy']).toContain("img-src 'self' data: blob:");
    await page.getByRole('heading', { level: 1, name: 'Banner for the march' }).waitFor();

    // --- The foreign image: a link naming its host, opening in a new tab without a referrer.
    const link = page.getByRole('link', { name: `the banner (image on ${tracker.host})`, exact: true });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(pixel);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await page.locator('img[alt="the banner"]').count()).toBe(0);

    // --- Our own image loads.
    const ours = page.locator('img[alt="our chart"]');
    await ours.waitFor();
    await expect
      .poll(() => ours.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(1);

    // --- The poll's bars are sized through the CSSOM, which the policy allows (a style attribute it would not).
    const meter = page.locator('pl-proposal-card .meter span');
    await meter.waitFor({ state: 'attached' });
    await expect.poll(() => meter.evaluate((el: HTMLElement) => el.style.width)).toBe('50%');

    // --- The websocket (connect-src 'self') brings Bea's comment, foreign image and all, live.
    await api(bea, 'POST', `/threads/${thread.id}/comments`, {
      body: `Or this one ![](${tracker.origin}/other.gif)`,
    });
    await page.getByRole('link', { name: `Image on ${tracker.host}`, exact: true }).waitFor();

    // --- A post from the page passes the CSRF check under this Referrer-Policy (the Origin is sent).
    const box = page.getByLabel('Add a comment');
    await box.fill('Red it is.');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('pl-comment').filter({ hasText: 'Red it is.' }).waitFor();
    expect(await box.inputValue()).toBe('');

    expect(tracker.seen).toEqual([]);
    expect(requests.filter((url) => url.startsWith(tracker.origin))).toEqual([]);
    expect(await violations()).toEqual([]);

    // --- Clicking the link is the reader's choice: the image opens in a tab of its own, with no referrer.
    const [popup] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(pixel);
    const opened = tracker.seen.find((r) => r.url === '/pixel.png?reader=ada');
    expect(opened).toBeDefined();
    expect(opened!.headers.referer).toBeUndefined();
    await popup.close();

    // --- The API docs render under their own policy, without a violation.
    const docs = await watchedPage(ada);
    await docs.page.goto('/api/docs');
    await docs.page.locator('.swagger-ui .info .title', { hasText: 'Plenary API' }).waitFor();
    await docs.page.locator('.opblock-summary-path', { hasText: '/api/v1/search' }).first().waitFor();
    expect(await docs.violations()).toEqual([]);
  });
});
