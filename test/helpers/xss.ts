import { readFileSync } from 'node:fs';
import type { BrowserContext, Page, Request } from 'playwright-core';

/** test/data/xss-payloads.json: published XSS payloads, each naming its source. */
export interface PayloadFile {
  description: string;
  sources: Record<string, { title: string; url: string }>;
  payloads: { id: string; category: string; source: string; payload: string; note?: string }[];
}

export const payloadFile = JSON.parse(
  readFileSync(new URL('../data/xss-payloads.json', import.meta.url), 'utf8'),
) as PayloadFile;

/**
 * Payloads joined with spaces into as few strings as first-fit packing (longest first) finds,
 * each at most `max` characters (or passing `max` when it is a test): a name or title holds 200,
 * so each such field carries several payloads and every payload lands in some field. A payload
 * that fails the test on its own gets a string of its own.
 */
export function pack(payloads: string[], max: number | ((text: string) => boolean)): string[] {
  const fits = typeof max === 'number' ? (text: string) => text.length <= max : max;
  const bins: string[] = [];
  for (const p of payloads.map((raw) => raw.trim()).sort((a, b) => b.length - a.length)) {
    if (typeof max === 'number' && p.length > max)
      throw new Error(`a payload is longer than ${max} characters: ${p}`);
    const i = bins.findIndex((bin) => fits(`${bin} ${p}`));
    if (i === -1) bins.push(p);
    else bins[i] = `${bins[i]} ${p}`;
  }
  return bins;
}

/** Words as the server's search counts them (at most 20 to a query). */
export const searchWords = (text: string) => text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;

/** `items` split into runs of `size`. */
export function split<T>(items: T[], size: number): T[][] {
  const runs: T[][] = [];
  for (let i = 0; i < items.length; i += size) runs.push(items.slice(i, i + size));
  return runs;
}

/** Runs `fn` over `items`, `width` at a time (the server is one process on a shared machine). */
export async function inBatches<T, R>(items: T[], width: number, fn: (item: T, i: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Whitespace collapsed, as a comparison of rendered text needs. */
export const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Installed in every frame before any of the page's scripts: records calls of the functions the
 * payloads call (alert and friends still open their dialog, which the test also listens for) and
 * the CSP violations the page reports. A string, so that nothing the test compiler adds reaches it.
 */
export const PROBE_SCRIPT = `(() => {
  const calls = [];
  Object.defineProperty(window, '__xssCalls', { value: calls });
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    const original = window[name];
    window[name] = function (...args) {
      calls.push(name + '(' + String(args[0] ?? '') + ')');
      return name === 'print' || name === 'open' ? null : original.apply(this, args);
    };
  }
  const violations = [];
  Object.defineProperty(window, '__cspViolations', { value: violations });
  addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI), true);
})();`;

/** The page's text through every shadow root, with form values and the document title. */
export function deepText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [document.title];
    const visit = (root: Node) => {
      for (const node of root.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
        else if (node instanceof Element) {
          if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) parts.push(node.value);
          if (node.shadowRoot) visit(node.shadowRoot);
          visit(node);
        }
      }
    };
    visit(document.body);
    return parts.join(' ');
  });
}

/** Waits until every string in `texts` shows (whitespace collapsed), through shadow roots. */
export async function waitForTexts(page: Page, texts: string[], timeout = 15_000): Promise<void> {
  const wanted = texts.map(squash);
  const deadline = Date.now() + timeout;
  let missing: string[] = wanted;
  while (Date.now() < deadline) {
    const text = squash(await deepText(page));
    missing = wanted.filter((t) => !text.includes(t));
    if (missing.length === 0) return;
    await page.waitForTimeout(60);
  }
  throw new Error(
    `not shown within ${timeout} ms on ${page.url()}: ${missing.map((m) => m.slice(0, 80)).join(' | ')}`,
  );
}

/**
 * Waits for Markdown to be rendered and for lists to load (no `.markdown-pending`, no
 * `aria-busy`), opens every `<details>`, makes lazy images load now (so that a remote image
 * shows up as a request), and, with `hover`, moves the mouse over the page for any injected
 * mouseover handler. Returns what still looked busy after `timeout`, if anything.
 */
export async function settle(page: Page, { timeout = 8_000, hover = false } = {}): Promise<string | null> {
  const still = await page.evaluate(async (timeout) => {
    const busy = () => {
      const found: string[] = [];
      const visit = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll('*')) {
          // Only what shows: a closed panel may keep its "Loading…" until it is opened.
          const pending =
            el.classList.contains('markdown-pending') || el.getAttribute('aria-busy') === 'true';
          if (pending && el.checkVisibility())
            found.push(`still loading: ${el.textContent?.trim().slice(0, 60)}`);
          if (el.shadowRoot) visit(el.shadowRoot);
        }
      };
      visit(document);
      return found;
    };
    const deadline = Date.now() + timeout;
    let found = busy();
    while (found.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 30));
      found = busy();
    }
    const reveal = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLImageElement && el.loading === 'lazy') el.loading = 'eager';
        if (el instanceof HTMLDetailsElement) el.open = true;
        if (el.shadowRoot) reveal(el.shadowRoot);
      }
    };
    reveal(document);
    return found;
  }, timeout);
  if (hover) {
    const { width, height } = page.viewportSize() ?? { width: 1280, height: 900 };
    for (const [fx, fy] of [
      [0.1, 0.1],
      [0.5, 0.3],
      [0.9, 0.5],
      [0.5, 0.7],
      [0.1, 0.9],
      [0.9, 0.1],
    ] as const) {
      await page.mouse.move(Math.round(width * fx!), Math.round(height * fy!));
    }
  }
  return still.length > 0 ? still.slice(0, 3).join('; ') : null;
}

/**
 * Whatever in the page (every shadow root, every frame's globals) shows a payload at work: the
 * marker global, hooked calls, elements that run script or load things, script URLs, handlers, a
 * base element, a foreign origin in an attribute that loads by itself; also CSP reports, and
 * whether the page is still the one the test loaded. `remoteImages` lists `<img>` from other
 * hosts apart: Markdown allows https images on purpose, and whether they load is the CSP's
 * img-src (checked by the request log), not the markup's.
 */
export async function inspect(
  page: Page,
): Promise<{ problems: string[]; remoteImages: string[]; cspViolations: string[] }> {
  const problems: string[] = [];
  for (const frame of page.frames().slice(1)) {
    problems.push(`a frame was created: ${frame.url()}`);
    const calls = await frame
      .evaluate(() => {
        const w = window as unknown as { __xss?: unknown; __xssCalls?: string[] };
        return [
          ...(w.__xssCalls ?? []),
          ...(w.__xss === undefined ? [] : [`window.__xss = ${String(w.__xss)}`]),
        ];
      })
      .catch(() => [] as string[]);
    for (const call of calls) problems.push(`in a frame: ${call}`);
  }
  const dom = await page.evaluate(async () => {
    // Handlers of anything injected (onerror, onload) fire after a round trip.
    await new Promise((r) => setTimeout(r, 30));
    const w = window as unknown as {
      __xss?: unknown;
      __xssCalls: string[];
      __cspViolations: string[];
      plSamePage?: boolean;
    };
    const found: string[] = w.__xssCalls.map((c) => `${c} was called`);
    if (w.__xss !== undefined) found.push(`window.__xss = ${String(w.__xss)}`);
    if (w.plSamePage !== true) found.push('the page was reloaded or replaced');
    const remote: string[] = [];
    const SVG = 'http://www.w3.org/2000/svg';
    // Elements the client never renders itself: any of them in the page came from a payload.
    const FOREIGN_TAGS = new Set(
      [
        'script iframe frame frameset object embed applet base meta link style noscript template math',
        'foreignobject animate animatemotion animatetransform set use discard video audio source track',
        'isindex bgsound xml marquee xss x plaintext xmp listing noembed html head body image',
      ]
        .join(' ')
        .split(' '),
    );
    const URL_ATTRS = new Set(
      'href src xlink:href action formaction data poster background dynsrc lowsrc codebase srcset values from to'.split(
        ' ',
      ),
    );
    const LOADING_ATTRS = new Set(['src', 'srcset', 'poster', 'data', 'background', 'dynsrc', 'lowsrc']);
    const describe = (el: Element) => `<${el.tagName.toLowerCase()}>`;
    const visit = (root: Element | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        const tag = el.tagName.toLowerCase();
        const inSvg = el.namespaceURI === SVG;
        if (FOREIGN_TAGS.has(tag)) found.push(`element ${describe(el)}`);
        if (tag === 'title' && !inSvg) found.push('element <title> in the body');
        for (const attr of el.getAttributeNames()) {
          const value = el.getAttribute(attr) ?? '';
          // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore them in URLs, so must this
          const bare = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
          if (/^on/i.test(attr)) found.push(`${describe(el)} ${attr}="${value}"`);
          if (attr === 'srcdoc' || attr === 'formaction') found.push(`${describe(el)} ${attr}="${value}"`);
          if (URL_ATTRS.has(attr) && /^(javascript|data|vbscript|livescript):/i.test(bare)) {
            found.push(`${describe(el)} ${attr}="${value}"`);
          }
          if (attr === 'style' && /expression\s*\(|javascript:|url\s*\(|binding|behavio/i.test(value)) {
            found.push(`${describe(el)} style="${value}"`);
          }
          const loads = LOADING_ATTRS.has(attr) || (attr.endsWith('href') && tag !== 'a');
          if (loads && value) {
            let url: URL | null = null;
            try {
              url = new URL(value, document.baseURI);
            } catch {
              // not a URL: nothing to load
            }
            if (url && /^(https?|wss?):$/.test(url.protocol) && url.origin !== location.origin) {
              (tag === 'img' && attr === 'src' ? remote : found).push(`${describe(el)} ${attr}="${value}"`);
            }
          }
        }
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    // index.html's own <noscript> sits beside <pl-app>; everything the app renders is inside it.
    const app = document.querySelector('pl-app');
    if (app) {
      visit(app);
      if (app.shadowRoot) visit(app.shadowRoot);
      if (document.body.querySelectorAll(':scope > :not(pl-app, noscript)').length > 0) {
        found.push('an element beside <pl-app> in the body');
      }
    } else {
      visit(document.body); // not the app: a JSON answer opened as a page
    }
    if (document.querySelector('base')) found.push('a <base> element in the document');
    if (document.querySelector('meta[http-equiv]')) found.push('a <meta http-equiv> in the document');
    if (new URL(document.baseURI).origin !== location.origin)
      found.push(`document.baseURI is ${document.baseURI}`);
    return { found, remote, csp: w.__cspViolations.splice(0) };
  });
  problems.push(...dom.found);
  return { problems, remoteImages: dom.remote, cspViolations: dom.csp };
}

/**
 * Records every request of `context` for another origin than `origin`. Chromium reports a request
 * the CSP stopped too (it fails, reason `csp`, before anything is sent): those
 * are `blocked`, the others `leaks`. `where` names the screen, for the messages.
 */
export function watchRequests(context: BrowserContext, origin: string, where: () => string) {
  const seen = new Map<Request, string>();
  const blocked: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:image/svg+xml,%3Csvg')) return; // index.html's own favicon
    if (new URL(url).origin !== origin) seen.set(request, where());
  });
  context.on('requestfailed', (request) => {
    const label = seen.get(request);
    const reason = request.failure()?.errorText;
    if (label !== undefined && (reason === 'csp' || reason === 'net::ERR_BLOCKED_BY_CSP')) {
      seen.delete(request);
      blocked.push(`${label}: ${request.url()}`);
    }
  });
  return {
    blocked,
    leaks: () =>
      [...seen].map(
        ([r, label]) => `${label}: a request for ${r.url()} (${r.failure()?.errorText ?? 'sent'})`,
      ),
  };
}

/** Waits until an `h1` (or `tag`) anywhere in the page, shadow roots included, reads `text`. */
export async function waitForHeading(page: Page, text: string, tag = 'h1'): Promise<void> {
  await page.waitForFunction(
    ({ want, tag }) => {
      const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
      const visit = (root: Document | ShadowRoot): boolean => {
        for (const el of root.querySelectorAll('*')) {
          if (el.tagName.toLowerCase() === tag && squash(el.textContent ?? '') === want) return true;
          if (el.shadowRoot && visit(el.shadowRoot)) return true;
        }
        return false;
      };
      return visit(document);
    },
    { want: squash(text), tag },
    { timeout: 15_000 },
  );
}

/**
 * Opens what a thread page keeps behind a button: ballots with their reasons, who has not voted,
 * the earlier version of an edited comment. Clicked from inside the page: one round trip.
 */
/** Expands every closed proposal, which the thread page shows as its outcome until asked for more. */
export async function expandClosedProposals(page: Page): Promise<void> {
  await page.evaluate(() => {
    const open = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        const text = el.textContent?.trim() ?? '';
        if (
          el instanceof HTMLButtonElement &&
          el.getAttribute('aria-expanded') === 'false' &&
          text.startsWith('Show results and votes')
        )
          el.click();
        if (el.shadowRoot) open(el.shadowRoot);
      }
    };
    open(document);
  });
}

export async function openHiddenParts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const open = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        const text = el.textContent?.trim() ?? '';
        const wanted = /^(Show how people voted|Who has not voted)/.test(text) || text === 'edited';
        if (el instanceof HTMLButtonElement && el.getAttribute('aria-expanded') === 'false' && wanted)
          el.click();
        if (el.shadowRoot) open(el.shadowRoot);
      }
    };
    open(document);
  });
}
