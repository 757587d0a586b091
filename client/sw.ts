// The service worker, served unhashed at /sw.js (root scope) and built by the `plenary-service-worker`
// plugin in vite.config.ts, which writes the app shell's file list into it. It imports nothing, so the
// bundle stays a classic script every browser registers.
//
// - The app shell (index.html, the first screen's scripts and styles, the manifest and icons) is
//   cached on install, so the app opens offline; navigations that cannot reach the server get the
//   cached index.html, and the router shows the page.
// - Hashed assets (/assets/*) never change: served from the cache, and kept there once fetched, so a
//   page visited once opens offline too.
// - The API is never cached. Its requests go through here only so that the page learns when the
//   server cannot be reached (`plenary:network` messages, read by client/data/connectivity.ts).
// - Pushes become notifications; a click opens (or focuses) the page they are about.

/** What the build writes in place of the placeholder: the shell's files and a version naming them. */
interface Shell {
  version: string;
  files: string[];
}

// The DOM library is what the rest of the client is checked against; these are the few worker
// types used here.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  readonly clientId: string;
  respondWith(response: Response | Promise<Response>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { json(): unknown } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface WindowClient {
  readonly url: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
  postMessage(message: unknown): void;
}
interface WorkerScope {
  readonly location: Location;
  readonly registration: ServiceWorkerRegistration;
  readonly clients: {
    get(id: string): Promise<WindowClient | undefined>;
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
}

const worker = self as unknown as WorkerScope;
// A string the build replaces with the shell as JSON (a call, so that no minifier folds it away).
const SHELL: Shell = JSON.parse('__PLENARY_SHELL__');
const CACHE = `plenary-${SHELL.version}`;
const INDEX = '/index.html';

/** What a push carries (server/services/push-sender.ts `PushPayload`). */
interface PushPayload {
  title?: string;
  body?: string;
  url?: string;
  tag?: string;
}

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.files))
      // A new release's worker takes over at once: its shell is complete, and the old one's assets
      // are still cached by their hashed names until `activate` drops that cache.
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith('plenary-') && n !== CACHE).map((n) => caches.delete(n)),
        ),
      )
      .then(() => worker.clients.claim()),
  );
});

/**
 * Tells the window whether its request reached the server. Every time, not only on a change: the
 * browser stops an idle worker, and what it remembered about a window would go with it.
 */
async function tell(clientId: string, reachable: boolean): Promise<void> {
  if (!clientId) return;
  (await worker.clients.get(clientId))?.postMessage({ type: 'plenary:network', reachable });
}

/** Straight to the network, never cached; the page hears whether it got through. */
async function api(event: FetchEvent): Promise<Response> {
  try {
    const response = await fetch(event.request);
    void tell(event.clientId, true);
    return response;
  } catch (err) {
    void tell(event.clientId, false);
    throw err;
  }
}

/** The server's page when it answers (a new release's shell included), else the cached shell. */
async function navigation(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (err) {
    const shell = await caches.match(INDEX, { cacheName: CACHE });
    if (shell) return shell;
    throw err;
  }
}

/** Files whose content never changes under their name: the cache first, the network once. */
async function immutable(event: FetchEvent): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request);
  if (cached) return cached;
  try {
    const response = await fetch(event.request);
    if (response.ok) await cache.put(event.request, response.clone());
    return response;
  } catch (err) {
    void tell(event.clientId, false);
    throw err;
  }
}

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  if (url.pathname.startsWith('/api/')) {
    // The API docs are pages of their own: left to the browser.
    if (request.mode !== 'navigate') event.respondWith(api(event));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
    return;
  }
  if (request.method !== 'GET') return;
  if (url.pathname.startsWith('/assets/') || SHELL.files.includes(url.pathname)) {
    event.respondWith(immutable(event));
  }
});

worker.addEventListener('push', (event) => {
  let payload: PushPayload = {};
  try {
    payload = (event.data?.json() ?? {}) as PushPayload;
  } catch {
    // Not JSON: still say something arrived.
  }
  const options: NotificationOptions & { renotify?: boolean } = {
    body: payload.body ?? 'Something new in your groups.',
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    data: { url: payload.url ?? '/' },
    ...(payload.tag ? { tag: payload.tag, renotify: true } : {}),
  };
  event.waitUntil(worker.registration.showNotification(payload.title ?? 'Plenary', options));
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = (event.notification.data as { url?: string } | null)?.url ?? '/';
  // Only this site's own pages: whatever the payload says, a click never leaves it.
  const target = new URL(path, worker.location.origin);
  const url = target.origin === worker.location.origin ? target.href : worker.location.origin;
  event.waitUntil(
    worker.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((w) => new URL(w.url).origin === worker.location.origin);
      if (!open) return void (await worker.clients.openWindow(url));
      const focused = await open.focus();
      if (focused.url === url) return;
      // A window this worker does not control cannot be sent elsewhere: a new one opens instead.
      const moved = await focused.navigate(url).catch(() => null);
      if (!moved) await worker.clients.openWindow(url);
    }),
  );
});

// A module, so that its names stay its own rather than joining the DOM's globals in type checking.
export {};
