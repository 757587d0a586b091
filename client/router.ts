import { Store } from './data/store';

/** Every page of the app, parsed from the URL path. */
export type Route =
  | { name: 'home' }
  | { name: 'login'; next: string }
  | { name: 'signup'; next: string }
  | { name: 'group'; groupId: string }
  | { name: 'group-settings'; groupId: string }
  | { name: 'decisions'; groupId: string }
  | { name: 'invite'; token: string }
  | { name: 'thread'; threadId: string }
  | { name: 'search'; q: string }
  | { name: 'email-settings' }
  | { name: 'forgot-password' }
  | { name: 'reset-password'; token: string }
  | { name: 'verify-email'; token: string }
  | { name: 'confirm-email'; token: string }
  | { name: 'account-settings' }
  | { name: 'not-found' };

/** Routes a signed-out visitor may see; every other one sends them to sign in. */
export const PUBLIC_ROUTES: ReadonlySet<Route['name']> = new Set([
  'login',
  'signup',
  'invite',
  'forgot-password',
  'reset-password',
  'verify-email',
  'confirm-email',
  'not-found',
]);

/** Turns a path and query into a Route (pure; unit-testable). */
export function parseRoute(pathname: string, search = ''): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(search);
  const seg = path.split('/').slice(1).map(safeDecode);
  if (path === '/') return { name: 'home' };
  if (path === '/login') return { name: 'login', next: safeNext(query.get('next')) };
  if (path === '/signup') return { name: 'signup', next: safeNext(query.get('next')) };
  if (seg[0] === 'groups' && seg[1] && seg.length === 2) return { name: 'group', groupId: seg[1] };
  if (seg[0] === 'groups' && seg[1] && seg[2] === 'settings' && seg.length === 3) {
    return { name: 'group-settings', groupId: seg[1] };
  }
  if (seg[0] === 'groups' && seg[1] && seg[2] === 'decisions' && seg.length === 3) {
    return { name: 'decisions', groupId: seg[1] };
  }
  if (seg[0] === 'invite' && seg[1] && seg.length === 2) return { name: 'invite', token: seg[1] };
  if (seg[0] === 'threads' && seg[1] && seg.length === 2) return { name: 'thread', threadId: seg[1] };
  if (path === '/search') return { name: 'search', q: query.get('q') ?? '' };
  // The pages emailed links open (server/email/account-emails.ts).
  if (path === '/forgot-password') return { name: 'forgot-password' };
  if (path === '/reset-password') return { name: 'reset-password', token: query.get('token') ?? '' };
  if (path === '/verify-email') return { name: 'verify-email', token: query.get('token') ?? '' };
  if (path === '/confirm-email') return { name: 'confirm-email', token: query.get('token') ?? '' };
  if (path === '/settings/account') return { name: 'account-settings' };
  if (path === '/settings/email') return { name: 'email-settings' };
  return { name: 'not-found' };
}

/**
 * A path to return to after signing in: only this site's own paths. Browsers drop tabs and line
 * breaks from URLs and read `\` as `/`, so `/\t/evil.example` means `//evil.example`: the path is
 * judged by where the URL parser says it leads, and control characters are refused outright.
 */
export function safeNext(next: string | null | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (!next?.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  const base = 'http://plenary.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  return url.origin === base ? url.pathname + url.search + url.hash : '/';
}

/** `/login?next=…` or `/signup?next=…`, omitting `next` when it is home. */
export function authPath(kind: 'login' | 'signup', next: string): string {
  const safe = safeNext(next);
  return safe === '/' ? `/${kind}` : `/${kind}?next=${encodeURIComponent(safe)}`;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The current route; <pl-app> renders whatever it says. */
export const currentRoute = new Store<Route>(parseRoute(location.pathname, location.search));

/** Goes to `path` (same origin) without reloading. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = new URL(path, location.href);
  if (url.origin !== location.origin) {
    location.assign(url.href);
    return;
  }
  const target = url.pathname + url.search + url.hash;
  if (target !== location.pathname + location.search + location.hash) {
    if (options.replace) history.replaceState(null, '', target);
    else history.pushState(null, '', target);
  }
  currentRoute.set(parseRoute(url.pathname, url.search));
}

/**
 * Starts listening to back/forward and to clicks on plain same-origin links
 * (through shadow roots), which then navigate without a reload.
 */
export function startRouter(): void {
  addEventListener('popstate', () => currentRoute.set(parseRoute(location.pathname, location.search)));
  document.addEventListener('click', (event) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    const anchor = event.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!anchor?.href || anchor.hasAttribute('download') || (anchor.target && anchor.target !== '_self'))
      return;
    const url = new URL(anchor.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}
