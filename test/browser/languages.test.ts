import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { browserSuite, describeInBrowser, registerThroughApi } from '../helpers/browser';
import { seedEveryScreen } from '../helpers/every-screen';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';

// #12, languages: a Spanish browser sees Spanish on every screen and in its emails; a member who
// chooses Spanish in their settings sees the app change at once and keeps it on the next visit.

const catalogue = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../shared/locales/es.json'), 'utf8'),
) as Record<string, string>;
/** The Spanish of an English message, as the catalogue has it (the test fails here if it has none). */
function es(english: string): string {
  const spanish = catalogue[english];
  if (spanish === undefined) throw new Error(`no Spanish for ${english}`);
  return spanish;
}

/**
 * English that would show if a string escaped the catalogue: every message
 * without placeholders, of two words or more, that Spanish says differently.
 */
const english = new Set(
  Object.entries(catalogue)
    .filter(([en, spanish]) => !en.includes('{') && /\s/.test(en.trim()) && en !== spanish)
    .map(([en]) => en.trim()),
);

/** Every piece of text a reader or a screen reader meets, through shadow roots: text nodes and labelling attributes. */
function textsOnPage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const visit = (root: Document | ShadowRoot | Element) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE') continue;
        for (const attr of ['aria-label', 'title', 'placeholder', 'alt']) {
          const value = el.getAttribute(attr);
          if (value) found.push(value);
        }
        for (const node of el.childNodes) {
          if (node.nodeType === Node.TEXT_NODE && node.textContent?.trim()) found.push(node.textContent);
        }
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    visit(document);
    return found.map((t) => t.replace(/\s+/g, ' ').trim());
  });
}

describeInBrowser('languages, in the browser', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink?.stop());
  // The server starts after the sink (hooks run in order), so the function sees its URL.
  const pages = browserSuite((url) => ({
    SMTP_URL: sink.url,
    PUBLIC_URL: url,
    EMAIL_POLL_MS: '100',
  }));

  const missing: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message: ConsoleMessage) => {
      if (message.text().startsWith('Missing translation')) missing.push(message.text());
    });
    return page;
  };

  test('a Spanish browser sees Spanish on every screen: no English message, no message the catalogue lacks', {
    timeout: 240_000,
  }, async () => {
    const { screens } = await seedEveryScreen(pages.server);
    const leftovers: Record<string, string[]> = {};
    for (const [name, who, where, ready] of screens) {
      const page = watch(await pages.open(who, where, { locale: 'es-ES' }));
      await page.locator(ready).first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => {});
      expect(await page.evaluate(() => document.documentElement.lang), name).toBe('es');
      const inEnglish = (await textsOnPage(page)).filter((text) => english.has(text));
      if (inEnglish.length > 0) leftovers[name] = [...new Set(inEnglish)];
    }
    expect(leftovers).toEqual({});
    expect(missing).toEqual([]);
    expect(pages.pageErrors).toEqual([]);
  });

  test('signing up from a Spanish browser: the form, the home page and the confirmation email are Spanish', {
    timeout: 120_000,
  }, async () => {
    const page = watch(await pages.open(null, '/signup', { locale: 'es-ES' }));
    await page.getByRole('heading', { name: es('Create your account') }).waitFor();
    const email = `lucia-${Date.now()}@example.org`;
    await page.getByLabel(es('Your name')).fill('Lucía Pérez');
    await page.getByLabel(es('Email')).fill(email);
    await page.getByLabel(es('Password')).fill('una contraseña bastante larga');
    const before = sink.messages.length;
    await page.getByRole('button', { name: es('Create account') }).click();
    await page.getByRole('heading', { name: es('Your groups') }).waitFor();

    const [message] = (await sink.waitFor(before + 1)).filter((m) => m.to.includes(email));
    expect(message!.subject).toBe(es('Confirm your email address'));
    expect(message!.text).toContain(es('Confirm my address'));
    expect(message!.text).not.toContain('Confirm my address');
    expect(message!.html).toMatch(/<html[^>]* lang="es"/);
    expect(missing).toEqual([]);
  });

  test('a member who chooses Spanish sees it at once, on every visit, until they go back to their browser’s', {
    timeout: 120_000,
  }, async () => {
    const bea = await registerThroughApi(pages.server, 'Bea Bilingual');
    const page = watch(await pages.open(bea, '/settings/account', { locale: 'en-GB' }));
    const setting = page.locator('pl-language-setting');
    await setting.getByRole('heading', { name: 'Language' }).waitFor();

    await setting.getByRole('combobox').selectOption({ label: 'Español' });
    await setting.getByRole('heading', { name: es('Language') }).waitFor();
    await page
      .locator('pl-app-bar')
      .getByRole('button', { name: es('Sign out') })
      .waitFor();
    expect(await page.title()).toBe(`${es('Account')} · Plenary`);

    await page.goto('/');
    await page.getByRole('heading', { name: es('Your groups') }).waitFor();

    await page.goto('/settings/account');
    await setting.getByRole('combobox').selectOption({ index: 0 });
    await setting.getByRole('heading', { name: 'Language' }).waitFor();
    await page.reload();
    await page.locator('pl-language-setting').getByRole('heading', { name: 'Language' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(missing).toEqual([]);
    expect(pages.pageErrors).toEqual([]);
  });
});
