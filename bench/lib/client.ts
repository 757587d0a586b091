import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ROOT } from './procs';
import { log, sleep } from './util';

const DIST = path.join(ROOT, 'dist/client');

export interface BundleReport {
  /** The entry script and its modulepreloads, as index.html names them. */
  files: { file: string; bytes: number; gzip: number }[];
  rawBytes: number;
  gzipBytes: number;
  built: boolean;
  /** True when a source file under client/ is newer than dist/client/index.html. */
  stale: boolean;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Script and modulepreload URLs of the built index.html. */
function initialScripts(html: string): string[] {
  const out: string[] = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const isEntry = /^<script/.test(tag) && /type="module"/.test(tag);
    const isPreload = /^<link/.test(tag) && /rel="modulepreload"/.test(tag);
    const ref = tag.match(/\b(?:src|href)="([^"]+)"/)?.[1];
    if ((isEntry || isPreload) && ref && !/^https?:/.test(ref)) out.push(ref);
  }
  return out;
}

/**
 * The first screen's JavaScript as the production build ships it: the entry
 * module plus the modules index.html tells the browser to preload, each
 * gzipped on its own with zlib's default level. Builds once if there is no
 * build (or it misses a file it names).
 */
export function measureBundle(options: { build: boolean }): BundleReport {
  const complete = () => {
    const index = path.join(DIST, 'index.html');
    if (!existsSync(index)) return false;
    return initialScripts(readFileSync(index, 'utf8')).every((ref) => existsSync(path.join(DIST, ref)));
  };
  let built = false;
  if (options.build || !complete()) {
    log('building the client (npx vite build)');
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
      timeout: 180_000,
    });
    built = true;
  }
  const index = path.join(DIST, 'index.html');
  const files = initialScripts(readFileSync(index, 'utf8')).map((ref) => {
    const data = readFileSync(path.join(DIST, ref));
    return { file: ref, bytes: data.length, gzip: gzipSync(data).length };
  });
  return {
    files,
    rawBytes: files.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: files.reduce((n, f) => n + f.gzip, 0),
    built,
    stale: newestMtime(path.join(ROOT, 'client')) > statSync(index).mtimeMs,
  };
}

export interface PaintReport {
  url: string;
  page: 'thread' | 'group';
  /** First contentful paint of each cold load (fresh browser context), ms. */
  fcpMs: number[];
  /** When `contentText` was first visible, ms after navigation start (null: not within 10 s). */
  contentMs: (number | null)[];
  /** JavaScript the browser fetched for the first load (until the network went quiet), bytes on the wire and gzipped. */
  jsWireBytes: number;
  jsGzipBytes: number;
  jsFiles: number;
  /** Each script fetched for the first load: path, bytes on the wire, gzipped bytes. */
  scripts: { path: string; bytes: number; gzip: number }[];
  /** Whether the server sent the JavaScript compressed. */
  compressed: boolean;
  /** Script errors and failed requests seen on the page, and loads that never painted. */
  problems: string[];
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Which page shows a thread, from the client's router; null while it has none. */
export function threadPagePath(groupId: string, threadId: string): string | null {
  const router = readFileSync(path.join(ROOT, 'client/router.ts'), 'utf8');
  if (/seg\[0\] === 'threads'/.test(router)) return `/threads/${threadId}`;
  if (/seg\[2\] === 'threads'/.test(router)) return `/groups/${groupId}/threads/${threadId}`;
  return null;
}

/**
 * Loads `pagePath` in headless Chromium `loads` times, each in a fresh
 * context (cold cache) signed in with `sessionToken`, and reads
 * `first-contentful-paint` from the Paint Timing API.
 */
export async function measurePaint(options: {
  baseUrl: string;
  pagePath: string;
  page: 'thread' | 'group';
  sessionToken: string;
  loads: number;
  /** Text that shows the page's real content is there (a comment body), matched in open shadow roots too. */
  contentText?: RegExp;
}): Promise<PaintReport> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  try {
    const fcpMs: number[] = [];
    const contentMs: (number | null)[] = [];
    let jsWireBytes = 0;
    let jsGzipBytes = 0;
    let jsFiles = 0;
    const scriptList: { path: string; bytes: number; gzip: number }[] = [];
    let compressed = false;
    const problems: string[] = [];
    for (let i = 0; i < options.loads; i++) {
      const context = await browser.newContext();
      await context.addCookies([
        { name: 'plenary_session', value: options.sessionToken, url: options.baseUrl },
      ]);
      const page = await context.newPage();
      page.on(
        'pageerror',
        (err) => problems.length < 5 && problems.push(`page error: ${err.message.slice(0, 200)}`),
      );
      page.on('response', (res) => {
        if (res.status() >= 400 && problems.length < 5)
          problems.push(`${res.status()} ${new URL(res.url()).pathname}`);
      });
      const scripts: Promise<void>[] = [];
      page.on('response', (res) => {
        if (i !== 0 || !/javascript/.test(res.headers()['content-type'] ?? '')) return;
        scripts.push(
          res.body().then(
            (body) => {
              jsFiles += 1;
              const encoding = res.headers()['content-encoding'];
              compressed ||= Boolean(encoding);
              const wire = Number(res.headers()['content-length'] ?? body.length);
              const gzip = gzipSync(body).length;
              jsWireBytes += wire;
              jsGzipBytes += gzip;
              scriptList.push({ path: new URL(res.url()).pathname, bytes: wire, gzip });
            },
            () => {},
          ),
        );
      });
      await page.goto(`${options.baseUrl}${options.pagePath}`, { waitUntil: 'load', timeout: 30_000 });
      if (options.contentText) {
        try {
          await page.getByText(options.contentText).first().waitFor({ state: 'visible', timeout: 10_000 });
          contentMs.push(await page.evaluate(() => performance.now()));
        } catch {
          contentMs.push(null);
          if (problems.length < 5)
            problems.push(`load ${i + 1}: the content (${options.contentText}) was not visible within 10 s`);
        }
      }
      let fcp: number | null = null;
      for (let tries = 0; tries < 100 && fcp === null; tries++) {
        fcp = await page.evaluate(
          () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        );
        if (fcp === null) await sleep(50);
      }
      // Everything the page goes on to load once its content shows (lazy chunks) counts as its JavaScript.
      await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
      if (fcp !== null) fcpMs.push(fcp);
      else if (problems.length < 5)
        problems.push(`load ${i + 1}: no contentful paint within 5 s of the load event`);
      await Promise.all(scripts);
      await context.close();
    }
    return {
      url: options.pagePath,
      page: options.page,
      fcpMs,
      contentMs,
      jsWireBytes,
      jsGzipBytes,
      jsFiles,
      scripts: scriptList.sort((a, b) => b.gzip - a.gzip),
      compressed,
      problems: [...new Set(problems)],
    };
  } finally {
    await browser.close();
  }
}
