import { isIP } from 'node:net';
import type { NewPushSubscription, PushSubscription } from '../../shared/schemas/push';
import {
  deletePushSubscription,
  type PushSubscriptionRow,
  pushSubscriptionsOf,
  upsertPushSubscription,
} from '../db/push';
import { invalid, notFound } from '../errors';
import type { Ctx } from './context';
import { isUuid } from './text';

function presentSubscription(row: PushSubscriptionRow): PushSubscription {
  return { id: row.id, endpoint: row.endpoint, createdAt: row.created_at.toISOString() };
}

/** The key browsers subscribe with; 404 where this server sends no pushes. */
export function pushPublicKey(ctx: Ctx): string {
  if (!ctx.push) throw notFound('push key');
  return ctx.push.publicKey;
}

/** base64url of exactly `bytes` bytes (padding tolerated: some browsers send it). */
function isBase64Url(value: string, bytes: number): boolean {
  const bare = value.replace(/=+$/, '');
  return /^[A-Za-z0-9_-]+$/.test(bare) && Buffer.from(bare, 'base64url').length === bytes;
}

/**
 * Checks a subscription before it is stored, so that every one stored can be
 * sent to: an https endpoint (http only with PUSH_ALLOW_HTTP, for tests), a
 * P-256 public key as an uncompressed point, a 16-byte auth secret.
 */
function checkedSubscription(ctx: Ctx, body: NewPushSubscription) {
  let url: URL | null = null;
  try {
    url = new URL(body.endpoint);
  } catch {
    // reported below
  }
  const schemes = ctx.config.push.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!url || !schemes.includes(url.protocol) || !url.hostname || url.username || url.password) {
    throw invalid('/endpoint', 'must be an https URL');
  }
  // Browsers' push services have public names. An address or a local name would have this server
  // POST to whatever answers there, inside its own network.
  if (
    !ctx.config.push.allowHttp &&
    (isIP(url.hostname.replace(/^\[|\]$/g, '')) || !url.hostname.includes('.'))
  ) {
    throw invalid('/endpoint', 'must name a push service by its domain name');
  }
  const p256dh = body.keys.p256dh.replace(/=+$/, '');
  const auth = body.keys.auth.replace(/=+$/, '');
  if (!isBase64Url(p256dh, 65) || Buffer.from(p256dh, 'base64url')[0] !== 0x04) {
    throw invalid('/keys/p256dh', 'must be a P-256 public key (65 bytes, base64url)');
  }
  if (!isBase64Url(auth, 16)) throw invalid('/keys/auth', 'must be a 16-byte secret (base64url)');
  // Stored as the browser gave it: the push service knows it by exactly this URL.
  return { endpoint: body.endpoint, p256dh, auth };
}

/** Stores the caller's subscription; an endpoint stored for anyone moves to the caller. */
export async function subscribeToPush(
  ctx: Ctx,
  userId: string,
  body: NewPushSubscription,
): Promise<PushSubscription> {
  const s = checkedSubscription(ctx, body);
  return presentSubscription(await upsertPushSubscription(ctx.db, { userId, ...s }));
}

/** The devices the caller gets pushes on. */
export async function listPushSubscriptions(ctx: Ctx, userId: string): Promise<PushSubscription[]> {
  return (await pushSubscriptionsOf(ctx.db, [userId])).map(presentSubscription);
}

/** Deletes one of the caller's subscriptions; anyone else's, or none, is 404. */
export async function unsubscribeFromPush(ctx: Ctx, userId: string, id: string): Promise<void> {
  if (!isUuid(id) || !(await deletePushSubscription(ctx.db, userId, id))) {
    throw notFound('push subscription');
  }
}
