import type { PushSubscription as PushDevice, PushKey } from '../../shared/schemas/push';
import { api } from './api';

export type { PushSubscription as PushDevice } from '../../shared/schemas/push';

/** Where this browser stands with push: what the toggle shows. */
export type PushState =
  /** No service worker, no Push API, or not a secure context. */
  | 'unsupported'
  /** The person blocked notifications for this site: only the browser's settings can undo that. */
  | 'denied'
  | 'off'
  | 'on';

/** Whether this browser can get pushes from this page at all. */
export function pushSupported(): boolean {
  return (
    isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window
  );
}

/** The server's key, which a subscription is made with. */
export async function getPushKey(signal?: AbortSignal): Promise<string> {
  return (await api<PushKey>('GET', '/push/key', { signal })).publicKey;
}

/** The devices the caller gets pushes on. */
export async function listPushDevices(signal?: AbortSignal): Promise<PushDevice[]> {
  return (await api<{ items: PushDevice[] }>('GET', '/me/push-subscriptions', { signal })).items;
}

/** The service worker's registration, if it is installed (never in development). */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  return navigator.serviceWorker.getRegistration('/');
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** This browser's subscription and, when the server knows it as the caller's, its record there. */
async function thisDevice(signal?: AbortSignal) {
  const reg = await registration();
  const subscription = (await reg?.pushManager.getSubscription()) ?? null;
  if (!subscription) return { reg, subscription, device: undefined };
  const devices = await listPushDevices(signal);
  return { reg, subscription, device: devices.find((d) => d.endpoint === subscription.endpoint) };
}

/**
 * On only when this browser holds a subscription and the server has it as
 * the caller's: a subscription the push service dropped, or one that moved
 * to another account signed in here, shows as off.
 */
export async function pushState(signal?: AbortSignal): Promise<PushState> {
  if (!pushSupported() || !(await registration())) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const { device } = await thisDevice(signal);
  return device ? 'on' : 'off';
}

/**
 * Asks for permission (the browser shows its prompt, so call this from a
 * click), subscribes through the service worker with the server's key and
 * registers the subscription. Answers the state it ended in.
 */
export async function turnPushOn(): Promise<PushState> {
  const reg = await registration();
  if (!pushSupported() || !reg) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission === 'denied') return 'denied';
  if (permission !== 'granted') return 'off';
  const key = await getPushKey();
  let subscription = await reg.pushManager.getSubscription();
  const sameKey =
    subscription?.options.applicationServerKey &&
    new Uint8Array(subscription.options.applicationServerKey).join() === keyBytes(key).join();
  if (subscription && !sameKey) {
    // Made with another key (the server's changed): the push service would refuse our pushes to it.
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await reg.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: keyBytes(key),
  });
  const json = subscription.toJSON();
  await api('POST', '/me/push-subscriptions', {
    body: { endpoint: subscription.endpoint, keys: { p256dh: json.keys?.p256dh, auth: json.keys?.auth } },
  });
  return 'on';
}

/** Deletes this device's registration and ends the browser's subscription. */
export async function turnPushOff(): Promise<PushState> {
  const { subscription, device } = await thisDevice();
  if (device) await api('DELETE', `/me/push-subscriptions/${encodeURIComponent(device.id)}`);
  await subscription?.unsubscribe();
  return 'off';
}
