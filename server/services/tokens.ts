import { createHash, createHmac, randomBytes } from 'node:crypto';

/** A fresh unguessable secret, URL-safe. */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Session tokens are stored keyed by the server secret, so a leaked table cannot be replayed. */
export function hashSessionToken(token: string, secret: string): string {
  return createHmac('sha256', secret).update(token).digest('base64url');
}

/** API tokens survive a secret rotation, so they are stored as a plain SHA-256. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
