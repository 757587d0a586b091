import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * The Content-Security-Policy of every answer. The web client is built with no
 * inline script or style (Lit components style themselves through
 * adoptedStyleSheets, which style-src does not govern), so `'self'` is enough
 * for both, and an injected `<script>` or `onerror=` runs nowhere. Images load
 * only from here (`data:` for the favicon, `blob:` for images the page makes
 * itself), so a Markdown image from another host cannot become a tracking
 * pixel even if the renderer let one through. `connect-src 'self'` covers the
 * websocket to this origin (ws: and wss: match 'self' since CSP level 3).
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Security headers on every answer (pages, assets, API, errors), through
 * helmet. Where it differs from helmet's defaults:
 * - no `upgrade-insecure-requests`: Plenary is also served over plain http
 *   (localhost, a LAN), where upgrading every request would break the page;
 * - `Referrer-Policy: same-origin`, not `no-referrer`: with `no-referrer` the
 *   browser sends `Origin: null` on POSTs, which the CSRF check rejects;
 * - `X-Frame-Options: DENY`, as `frame-ancestors 'none'` says to newer browsers;
 * - HSTS without `includeSubDomains`: other sites under this host's name are
 *   not ours to decide for.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      referrerPolicy: { policy: 'same-origin' },
      frameguard: { action: 'deny' },
      strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
    });
  },
  { name: 'security-headers' },
);

/**
 * The policy of the API docs (Swagger UI, `/api/docs`): the same, except that
 * Swagger UI adds `<style>` elements as it renders, so its pages alone allow
 * inline styles. Scripts stay `'self'`: Swagger UI loads all of its own.
 */
export function docsContentSecurityPolicy(header: string): string {
  return header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
}
