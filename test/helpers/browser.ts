import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { migratedDatabase, TEST_DB_KIND } from './database';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT_INDEX = path.join(ROOT, 'dist/client/index.html');

/**
 * The Chromium to drive: $CHROMIUM_PATH when set (and only it, so a wrong
 * value is noticed), else Debian's; null when there is none.
 */
export const chromiumPath: string | null = findChromium();

function findChromium(): string | null {
  const explicit = process.env.CHROMIUM_PATH?.trim();
  if (explicit) return existsSync(explicit) ? explicit : null;
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;
}

/** True when a missing Chromium must fail the run instead of leaving the browser tests out (CI). */
export const browserRequired = Boolean(process.env.CI || process.env.REQUIRE_BROWSER);

/** Launches headless Chromium, isolated from the network beyond loopback. */
export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPath) throw new Error('No Chromium found: set CHROMIUM_PATH or install the chromium package');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A real server process, listening on loopback with its own fresh database. */
export interface TestServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** What the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback (there is a small window before the server takes it; fine for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node --import tsx server/main.ts` serving the built client
 * (dist/client) on a free port, with a fresh data dir (PGlite) or a fresh
 * Postgres database when DATABASE_URL is set, and waits for /readyz.
 */
export async function startServer(
  /** More environment for the server; `(url) => ...` when a value needs the server's own URL (PUBLIC_URL). */
  extra: Record<string, string> | ((url: string) => Record<string, string>) = {},
): Promise<TestServer> {
  if (!existsSync(CLIENT_INDEX)) {
    throw new Error(
      `The built client is missing (${CLIENT_INDEX}). Run "npm run build" first (npm test does).`,
    );
  }
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-browser-'));
  let dropDatabase: (() => Promise<void>) | null = null;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    SESSION_SECRET: 'browser-test-secret-browser-test-secret',
  };
  delete env.PUBLIC_URL;
  delete env.DATABASE_URL;
  if (TEST_DB_KIND === 'postgres') {
    // Each test file gets its own database; the server process opens its own pool.
    const db = await migratedDatabase();
    await db.database.close();
    env.DATABASE_URL = db.url!;
    dropDatabase = db.drop;
  }
  Object.assign(env, typeof extra === 'function' ? extra(`http://127.0.0.1:${port}`) : extra);

  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() reaches any children too
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `http://127.0.0.1:${port}`;
  const cleanup = async () => {
    await killGroup(child, exited);
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase?.();
  };
  try {
    await waitForReady(url, child, () => output);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { url, output: () => output, stop: cleanup };
}

async function waitForReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  // Generous: on a loaded two-core machine the embedded database alone can take a minute to open.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `The server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`,
      );
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`The server was not ready within 90 s:\n${output()}`);
}

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig); // the whole process group
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 12_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    signal('SIGKILL');
    await exited;
  }
}

/** Whether `locator`'s element has focus (inside its shadow root, if it is in one). */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => (el.getRootNode() as Document | ShadowRoot).activeElement === el);
}

/** The text of the elements `aria-describedby` points at: hints and field errors. */
export function describedBy(locator: Locator): Promise<string> {
  return locator.evaluate((el) => {
    const root = el.getRootNode() as Document | ShadowRoot;
    return (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => root.getElementById(id)?.textContent?.trim() ?? '')
      .join(' ');
  });
}

/** Someone signed up through the API, with the session cookie to hand to a browser context. */
export interface ApiPerson {
  id: string;
  name: string;
  handle: string;
  cookie: { name: string; value: string };
}

/**
 * Calls the test server's API as `person` (session cookie and an Origin
 * header, as a browser would; `null`: signed out). Resolves with the parsed
 * body (undefined for 204); throws with the status and body on anything else.
 */
export async function callApi<T>(
  server: TestServer,
  person: Pick<ApiPerson, 'cookie'> | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { origin: server.url };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (person) headers.cookie = `${person.cookie.name}=${person.cookie.value}`;
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Registers someone through the API and keeps their session cookie. */
export async function registerThroughApi(
  server: TestServer,
  name: string,
  email = `${name.split(' ')[0]!.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.org`,
): Promise<ApiPerson> {
  const res = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json' },
    body: JSON.stringify({ email, name, password: 'a-long-enough-password' }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`register ${name} → ${res.status} ${text}`);
  const [pair] = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const at = pair!.indexOf('=');
  const user = (JSON.parse(text) as { user: { id: string; name: string; handle: string } }).user;
  return {
    id: user.id,
    name: user.name,
    handle: user.handle,
    cookie: { name: pair!.slice(0, at), value: pair!.slice(at + 1) },
  };
}

/**
 * `describe` for a browser suite: skipped where no Chromium is found, except
 * where CI or REQUIRE_BROWSER says browser tests must run, when a missing
 * Chromium fails the file instead.
 */
export function describeInBrowser(name: string, fn: () => void): void {
  if (!chromiumPath && browserRequired) {
    const given = process.env.CHROMIUM_PATH
      ? ` (CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist)`
      : '';
    throw new Error(
      `Browser tests are required here (CI or REQUIRE_BROWSER is set) but no Chromium was found${given}. ` +
        'Install the chromium package (apt-get install chromium) or set CHROMIUM_PATH.',
    );
  }
  describe.runIf(chromiumPath)(name, fn);
}

/**
 * Pages for people signed in through their cookie, each in a browser context
 * of its own (so two people never share a session), closed together after the
 * tests. Uncaught errors on any page are collected in `pageErrors`, named by
 * whose page it was, for a test to expect none.
 */
export class BrowserPages {
  readonly pageErrors: string[] = [];
  readonly #contexts: BrowserContext[] = [];
  readonly #under: () => { browser: Browser; server: TestServer };

  /** `under` gives the browser and server once `beforeAll` has started them. */
  constructor(under: () => { browser: Browser; server: TestServer }) {
    this.#under = under;
  }

  /** Opens `path` as `person` (null: signed out) at 1280×900 unless `options` say otherwise. */
  async open(
    person: { name: string; cookie: ApiPerson['cookie'] } | null,
    path: string,
    options: BrowserContextOptions = {},
  ): Promise<Page> {
    const { browser, server } = this.#under();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      baseURL: server.url,
      ...options,
    });
    this.#contexts.push(context);
    context.setDefaultTimeout(10_000);
    if (person) await context.addCookies([{ ...person.cookie, url: server.url }]);
    const page = await context.newPage();
    page.on('pageerror', (err) =>
      this.pageErrors.push(person ? `${person.name}: ${err.message}` : err.message),
    );
    await page.goto(path);
    return page;
  }

  async close(): Promise<void> {
    await Promise.all(this.#contexts.map((c) => c.close().catch(() => {})));
  }
}

/**
 * The set-up every browser suite shares: a server and a browser started
 * before its tests, and the pages it opened, the browser and the server
 * closed after them. Call it inside `describeInBrowser`; `server` is there
 * once `beforeAll` has run.
 */
export function browserSuite(
  extra?: Parameters<typeof startServer>[0],
): BrowserPages & { readonly server: TestServer } {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const pages = new BrowserPages(() => ({ browser: browser!, server: server! }));
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(extra), launchBrowser()]);
  });
  afterAll(async () => {
    await pages.close();
    await browser?.close();
    await server?.stop();
  });
  return Object.defineProperty(pages, 'server', { get: () => server! }) as BrowserPages & {
    readonly server: TestServer;
  };
}

/** Adds each of `members` to a group through an invitation link `inviter` makes, as people join in the app. */
export async function joinThroughApi(
  server: TestServer,
  inviter: Pick<ApiPerson, 'cookie'>,
  groupId: string,
  members: Pick<ApiPerson, 'cookie'>[],
): Promise<void> {
  for (const member of members) {
    const { invitation } = await callApi<{ invitation: { token: string } }>(
      server,
      inviter,
      'POST',
      `/groups/${groupId}/invitations`,
      {},
    );
    await callApi(server, member, 'POST', `/invitations/${invitation.token}/accept`);
  }
}

/**
 * Two people through the API, `facilitator` leading a new group `groupName` that `member` has
 * joined, and a thread in it: where most browser tests of a thread start.
 */
export async function groupThreadThroughApi(
  server: TestServer,
  names: { facilitator: string; member: string; groupName: string },
  thread: { title: string; body?: string },
) {
  const facilitator = await registerThroughApi(server, names.facilitator);
  const member = await registerThroughApi(server, names.member);
  const { group } = await callApi<{ group: { id: string } }>(server, facilitator, 'POST', '/groups', {
    name: names.groupName,
  });
  await joinThroughApi(server, facilitator, group.id, [member]);
  const created = await callApi<{ thread: { id: string } }>(
    server,
    facilitator,
    'POST',
    `/groups/${group.id}/threads`,
    thread,
  );
  return { facilitator, member, groupId: group.id, threadId: created.thread.id };
}
