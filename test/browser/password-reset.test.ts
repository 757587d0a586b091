import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  describedBy,
  describeInBrowser,
  launchBrowser,
  startServer,
  type TestServer,
} from '../helpers/browser';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';

describeInBrowser('account recovery in the browser', () => {
  let sink: SmtpSink;
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    [server, browser] = await Promise.all([
      startServer((url) => ({ SMTP_URL: sink.url, PUBLIC_URL: url, EMAIL_POLL_MS: '100' })),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await browser?.close();
    await server?.stop();
    await sink?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: server.url });
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return page;
  }

  /** The link to `page` in the first email to `to` about `subject`, as the in-process SMTP server got it. */
  async function emailedLink(to: string, subject: string, page: string): Promise<string> {
    const find = () => sink.messages.find((m) => m.to.includes(to) && m.subject.includes(subject));
    let mail: SinkMessage | undefined = find();
    while (!mail) {
      await sink.waitFor(sink.messages.length + 1, 30_000);
      mail = find();
    }
    const link = mail.text.match(new RegExp(`${server.url}/${page}\\?token=[A-Za-z0-9_-]+`))?.[0];
    expect(link, `a ${page} link in "${mail.subject}"`).toBeTruthy();
    return link!;
  }

  test('a member who forgot their password resets it from the emailed link and is signed in', {
    timeout: 180_000,
  }, async () => {
    const stamp = Date.now();
    const ada = {
      name: 'Ada Forgetful',
      email: `ada-${stamp}@example.org`,
      password: 'first secret phrase 1',
    };
    const newPassword = 'second secret phrase 2';

    // Ada signs up; her address is not confirmed until she follows the emailed link.
    const page = await newPage();
    await page.goto('/signup');
    await page.getByLabel('Your name').fill(ada.name);
    await page.getByLabel('Email').fill(ada.email);
    await page.getByLabel('Password').fill(ada.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your groups' }).waitFor();
    await page.goto(await emailedLink(ada.email, 'Confirm your email address', 'verify-email'));
    await page.getByRole('heading', { level: 1, name: 'Your email address is confirmed' }).waitFor();

    // She signs out and has forgotten her password.
    await page.getByRole('link', { name: 'Go to Plenary' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Plenary' }).waitFor();
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    await page.getByLabel('Email').fill(ada.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByText(`If an account exists for ${ada.email}, we've sent a link`).waitFor();

    // The link from the email opens the page to choose a new one.
    const link = await emailedLink(ada.email, 'Reset your Plenary password', 'reset-password');
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    const again = page.getByLabel('Type it again');
    await page.getByLabel('New password').fill(newPassword);
    await again.fill('something else entirely');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect.poll(() => again.getAttribute('aria-invalid')).toBe('true');
    expect(await describedBy(again)).toMatch(/The two passwords differ/);
    // The server's own rule (no passwords built from the account) is shown beside the field.
    await page.getByLabel('New password').fill(`${ada.email} 123`);
    await again.fill(`${ada.email} 123`);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    const password = page.getByLabel('New password');
    await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
    expect(await describedBy(password)).toMatch(/email/i);

    await password.fill(newPassword);
    await again.fill(newPassword);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your groups' }).waitFor();
    await page.getByRole('banner').getByText(ada.name).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');

    // The link worked once.
    await page.goto(link);
    await page.getByLabel('New password').fill('third secret phrase 3');
    await page.getByLabel('Type it again').fill('third secret phrase 3');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'This link does not work' }).waitFor();

    // Signed out, the new password signs her in and the old one does not.
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Exact: until signing out has finished, the app bar's "Email settings" link is on the page too.
    await page.getByLabel('Email', { exact: true }).fill(ada.email);
    await page.getByLabel('Password').fill(ada.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That email and password do not match an account.').waitFor();
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your groups' }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  test('a member moves to a new address, which changes only once that address confirms', {
    timeout: 180_000,
  }, async () => {
    const stamp = Date.now();
    const bo = { name: 'Bo Moving', email: `bo-${stamp}@example.org`, password: 'harbour lantern 48 kite' };
    const newEmail = `bo-new-${stamp}@example.org`;
    const page = await newPage();
    await page.goto('/signup');
    await page.getByLabel('Your name').fill(bo.name);
    await page.getByLabel('Email').fill(bo.email);
    await page.getByLabel('Password').fill(bo.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your groups' }).waitFor();

    await page.goto('/settings/account');
    await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
    await page.getByText(bo.email, { exact: true }).waitFor();
    await page.getByText('Not confirmed yet').waitFor();
    await page.getByLabel('New email address').fill(newEmail);
    await page.getByLabel('Your password').fill('not my password at all');
    await page.getByRole('button', { name: 'Send a confirmation link' }).click();
    const current = page.getByLabel('Your password');
    await expect.poll(() => current.getAttribute('aria-invalid')).toBe('true');
    await current.fill(bo.password);
    await page.getByRole('button', { name: 'Send a confirmation link' }).click();
    await page.getByText(`We've sent a link to ${newEmail}`).waitFor();
    await page.getByText(bo.email, { exact: true }).waitFor();

    await page.goto(await emailedLink(newEmail, 'Confirm your new email address', 'confirm-email'));
    await page.getByRole('button', { name: 'Use this address' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your new address is confirmed' }).waitFor();
    await page.goto('/settings/account');
    await page.getByText(newEmail, { exact: true }).waitFor();
    await page.getByText('Confirmed.').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
