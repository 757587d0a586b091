import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type ApiPerson,
  BrowserPages,
  callApi,
  describeInBrowser,
  launchBrowser,
  registerThroughApi,
  startServer,
  type TestServer,
} from '../helpers/browser';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';

/*
 * Issue #11, invitations by email: a facilitator invites addresses from the group page, the
 * invitee follows the emailed link in a browser of their own, signs up and lands in the group;
 * the facilitator's screen lists what is pending, and resends or revokes it.
 */
describeInBrowser('invitations by email in the browser', () => {
  let sink: SmtpSink;
  let server: TestServer;
  let browser: Browser;
  const pages = new BrowserPages(() => ({ browser, server }));
  const pageErrors = pages.pageErrors;
  let ann: ApiPerson;
  let groupId: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    [server, browser] = await Promise.all([
      startServer((url) => ({ SMTP_URL: sink.url, PUBLIC_URL: url, EMAIL_POLL_MS: '100' })),
      launchBrowser(),
    ]);
    ann = await registerThroughApi(server, 'Ann Achebe');
    groupId = (
      await callApi<{ group: { id: string } }>(server, ann, 'POST', '/groups', { name: 'Commons Circle' })
    ).group.id;
  });

  afterAll(async () => {
    await pages.close();
    await browser?.close();
    await server?.stop();
    await sink?.stop();
  });

  async function pageFor(
    person: ApiPerson | null,
    path: string,
    viewport = { width: 1280, height: 900 },
  ): Promise<Page> {
    return pages.open(person, path, { viewport });
  }

  /** The invitation link in the latest invitation delivered to `to`, once it has arrived. */
  async function linkSentTo(to: string, count = 1): Promise<string> {
    for (;;) {
      const mails = sink.messages.filter((m) => m.to.includes(to) && m.subject.includes('invited you'));
      if (mails.length >= count) {
        const link = mails[count - 1]!.text.match(/https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/)?.[0];
        if (!link) throw new Error(`no invitation link in: ${mails[count - 1]!.text}`);
        return link;
      }
      await sink.waitFor(sink.messages.length + 1);
    }
  }

  const sentList = (page: Page) => page.getByRole('list', { name: /Sent by email/ });

  test('a facilitator invites two addresses; one follows the emailed link, signs up and joins', {
    timeout: 120_000,
  }, async () => {
    const stamp = Date.now();
    const bea = { name: 'Bea Lindqvist', email: `bea-${stamp}@example.org`, password: 'bea-secret-password' };
    const cy = `cy-${stamp}@example.org`;

    const a = await pageFor(ann, `/groups/${groupId}`);
    await a.getByRole('heading', { level: 1, name: 'Commons Circle' }).waitFor();
    const addresses = a.getByLabel('Email addresses');
    await addresses.fill(`Bea Lindqvist <${bea.email.toUpperCase()}>, ${cy}\n${bea.email}`);
    // Counted as typed, each address once.
    await a.getByText('2 addresses', { exact: true }).waitFor();
    await a
      .getByLabel('Personal message (optional)')
      .fill('We decide the rota on <Friday> & would love you there.');
    await a.getByRole('button', { name: 'Send 2 invitations' }).click();
    await a.getByText('2 invitations sent.').waitFor();
    expect(await addresses.inputValue()).toBe('');

    // Both are listed as pending, with Resend and Revoke.
    const list = sentList(a);
    await list.getByRole('listitem').filter({ hasText: bea.email }).waitFor();
    expect(await list.getByRole('listitem').count()).toBe(2);
    expect(await list.getByRole('listitem').filter({ hasText: cy }).textContent()).toMatch(/pending until/);

    const link = await linkSentTo(bea.email);
    expect(link.startsWith(`${server.url}/invite/`)).toBe(true);
    const mail = sink.messages.find((m) => m.to.includes(bea.email))!;
    expect(mail.subject).toBe('Ann Achebe invited you to Commons Circle');
    expect(mail.html).toContain('We decide the rota on &lt;Friday&gt; &amp; would love you there.');

    // Bea, in a browser of her own, follows the link, signs up with the invited address and joins.
    const b = await pageFor(null, link, { width: 390, height: 844 });
    await b.getByRole('heading', { level: 1, name: 'Commons Circle' }).waitFor();
    await b.getByRole('link', { name: 'Sign up to join' }).click();
    await b.getByLabel('Your name').fill(bea.name);
    await b.getByLabel('Email').fill(bea.email);
    await b.getByLabel('Password').fill(bea.password);
    await b.getByRole('button', { name: 'Create account' }).click();
    // Signing up from the invitation continues into the group.
    await b.waitForURL(/\/groups\/[^/]+$/);
    expect(new URL(b.url()).pathname).toBe(`/groups/${groupId}`);
    await b.getByRole('list', { name: 'Members' }).getByText(bea.name).waitFor();

    // The link admitted her: opened again, it no longer works.
    const again = await pageFor(null, link);
    await again.getByText('This invitation has expired or has been used up').waitFor();
    expect(pageErrors).toEqual([]);
  });

  test('a link alone never joins: someone already signed in who opens it is asked first', {
    timeout: 60_000,
  }, async () => {
    const dan = await registerThroughApi(server, 'Dan Okafor');
    const { invitation } = await callApi<{ invitation: { url: string } }>(
      server,
      ann,
      'POST',
      `/groups/${groupId}/invitations`,
      {},
    );
    const d = await pageFor(dan, invitation.url);
    const join = d.getByRole('button', { name: 'Join Commons Circle' });
    await join.waitFor();
    // Nothing joined behind the button's back.
    const members = await callApi<{ items: { user: { id: string } }[] }>(
      server,
      ann,
      'GET',
      `/groups/${groupId}/members`,
    );
    expect(members.items.map((m) => m.user.id)).not.toContain(dan.id);
    await join.click();
    await d.waitForURL(`${server.url}/groups/${groupId}`);
  });

  test('the facilitator resends a pending invitation (not twice in ten minutes) and revokes it', {
    timeout: 90_000,
  }, async () => {
    const dee = `dee-${Date.now()}@example.org`;
    await callApi(server, ann, 'POST', `/groups/${groupId}/invitations`, { emails: [dee] });
    const link = await linkSentTo(dee);

    const a = await pageFor(ann, `/groups/${groupId}`);
    const row = sentList(a).getByRole('listitem').filter({ hasText: dee });
    await row.waitFor();
    // Sent a moment ago: a resend now is refused, and says when it will be possible.
    await row.getByRole('button', { name: `Resend the invitation to ${dee}` }).click();
    await a
      .getByRole('alert')
      .filter({ hasText: /try again in 10 minutes/ })
      .waitFor();

    await row.getByRole('button', { name: `Revoke the invitation to ${dee}` }).click();
    await a.getByText(`Invitation to ${dee} revoked: its link no longer works.`).waitFor();
    await expect.poll(() => row.count()).toBe(0);

    const d = await pageFor(null, link);
    await d.getByRole('heading', { level: 1, name: 'This invitation link does not work' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
