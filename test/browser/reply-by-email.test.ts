import nodemailer from 'nodemailer';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ApiPerson,
  callApi,
  describeInBrowser,
  freePort,
  joinThroughApi,
  launchBrowser,
  registerThroughApi,
  startServer,
  type TestServer,
} from '../helpers/browser';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';

describeInBrowser('reply by email, seen in the browser', () => {
  let sink: SmtpSink;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let inboundPort: number;
  let ada: ApiPerson;
  let bea: ApiPerson;
  let groupId: string;

  const api = <T>(person: ApiPerson | null, method: string, path: string, body?: unknown) =>
    callApi<T>(server, person, method, path, body);

  beforeAll(async () => {
    sink = await startSmtpSink();
    inboundPort = await freePort();
    [server, browser] = await Promise.all([
      startServer((url) => ({
        SMTP_URL: sink.url,
        PUBLIC_URL: url,
        EMAIL_POLL_MS: '100',
        INBOUND_SMTP_PORT: String(inboundPort),
        REPLY_DOMAIN: 'reply.localhost',
      })),
      launchBrowser(),
    ]);
    [ada, bea] = await Promise.all([
      registerThroughApi(server, 'Ada Okafor'),
      registerThroughApi(server, 'Bea Lindqvist'),
    ]);
    groupId = (await api<{ group: { id: string } }>(ada, 'POST', '/groups', { name: 'Riders Union Leeds' }))
      .group.id;
    await joinThroughApi(server, ada, groupId, [bea]);
    // The server alone may take up to 90 s to be ready on a loaded machine (test/helpers/browser.ts).
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    await sink?.stop();
  });

  test('a reply sent by email appears live, nested under the comment it answers, in a member’s open thread', {
    timeout: 120_000,
  }, async () => {
    const { thread } = await api<{ thread: { id: string } }>(ada, 'POST', `/groups/${groupId}/threads`, {
      title: 'Night shift pay',
    });
    const question = `@${bea.handle} could you check the rota for next week?`;
    await api(ada, 'POST', `/threads/${thread.id}/comments`, { body: question });

    // Ada has the thread open; the page is marked to prove it is never reloaded.
    context = await browser.newContext({ baseURL: server.url });
    context.setDefaultTimeout(15_000);
    await context.addCookies([{ ...ada.cookie, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`/threads/${thread.id}`);
    await page.locator('pl-comment').filter({ hasText: 'could you check the rota' }).waitFor();
    await page.evaluate(() => {
      (window as unknown as { plNoReload: boolean }).plNoReload = true;
    });

    // Bea's notification email, and her answer to it from her mail client.
    const isMention = (m: SinkMessage) => m.subject.includes('mentioned you');
    while (!sink.messages.some(isMention)) await sink.waitFor(sink.messages.length + 1);
    const mention = sink.messages.find(isMention)!;
    const replyTo = mention.headers['reply-to']!;
    expect(replyTo).toMatch(/^reply\+[a-z2-7]{42}@reply\.localhost$/);
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: inboundPort, secure: false, ignoreTLS: true })
      .sendMail({
        from: 'Bea Lindqvist <bea@example.org>',
        to: replyTo,
        subject: `Re: ${mention.subject}`,
        inReplyTo: mention.messageId,
        text: [
          'Checked: two nights are still open, Tuesday and Friday.',
          '',
          `On Thu, 3 Dec 2026 at 16:30, Plenary <plenary@localhost> wrote:`,
          ...mention.text.split('\n').map((l) => `> ${l}`),
        ].join('\n'),
      });

    const answer = page
      .locator('ol.replies pl-comment')
      .filter({ hasText: 'Checked: two nights are still open, Tuesday and Friday.' });
    await answer.waitFor();
    // By Bea, with nothing of the quoted email (the locators reach into the component's shadow root).
    await answer.getByText(bea.name).first().waitFor();
    expect(await answer.getByText('wrote:').count()).toBe(0);
    expect(await answer.getByText('mentioned you').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { plNoReload?: boolean }).plNoReload)).toBe(true);
  });
});
