import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import webpush from 'web-push';
import { SOURCE_LOCALE, type Translator } from '../../shared/i18n';
import type { Notification } from '../../shared/schemas/threads';
import {
  forgetPushEndpoint,
  type PushSubscriptionRow,
  pushDelivered,
  pushFailed,
  pushSubscriptionsOf,
} from '../db/push';
import type { DB, EmailNotifications } from '../db/schema';
import { wantsEmail } from '../email/notification-emails';
import { loadNotificationFacts, notificationText } from '../email/notification-text';
import { memberLocale, translatorFor } from '../i18n';
import type { CommittedEvent } from './types';

declare module './context' {
  interface Ctx {
    /** Set where this process sends Web Push: told of every commit's events, after the commit. */
    push?: PushSender;
  }
}

/** An event as committed, with what a notification's event carries beside the common fields. */
type NotificationEvent = CommittedEvent & { recipientId?: string | null; data?: Record<string, unknown> };

/** What a push carries, as the service worker reads it (client/sw.ts). */
export interface PushPayload {
  title: string;
  body: string;
  /** Where a click on it leads, relative to the app. */
  url: string;
  /** Pushes with the same tag replace each other on the device: one per thread, not one per comment. */
  tag: string;
}

/** A push service holds a message this long for a browser that is offline, then drops it. */
const TTL_SECONDS = 24 * 3600;
/** A push service that has not answered by then has failed this time. */
const SEND_TIMEOUT_MS = 10_000;
/** Pushes in flight at once from this process: a proposal to a big group must not open hundreds of sockets. */
const MAX_PARALLEL = 8;

/**
 * The push for one notification: its line (`body`: the stored English text
 * unless said in the recipient's language), and a link to what it is about.
 */
export function pushPayload(n: Notification, body: string = n.text): PushPayload {
  const url = n.threadId
    ? `/threads/${encodeURIComponent(n.threadId)}${
        n.commentId
          ? `#comment-${encodeURIComponent(n.commentId)}`
          : n.proposalId
            ? `#proposal-${encodeURIComponent(n.proposalId)}`
            : ''
      }`
    : n.groupId
      ? `/groups/${encodeURIComponent(n.groupId)}`
      : '/';
  const tag = n.threadId ? `thread:${n.threadId}` : n.groupId ? `group:${n.groupId}` : `notification:${n.id}`;
  return { title: 'Plenary', body, url, tag };
}

/**
 * Sends a Web Push for each notification a commit created, to every device
 * its recipient turned push on in, if their notification level for that group
 * (the same one that decides their email: `all`, `important` or `none`) wants
 * that kind. Runs after the commit without holding up the writer's answer; the
 * process that committed sends, so each push leaves once.
 *
 * A push speaks its recipient's language (memberLocale): the stored text is
 * the English, and a member who reads another language gets the line said
 * again from what it is about (server/email/notification-text.ts).
 *
 * A push service answering 404 or 410 has forgotten the browser: its
 * subscription is deleted. Any other failure is logged and counted on the row.
 */
export class PushSender {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #queue: (() => Promise<void>)[] = [];
  #running = 0;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly vapid: { subject: string; publicKey: string; privateKey: string },
    private readonly log: FastifyBaseLogger,
  ) {}

  /** The key browsers subscribe with (`applicationServerKey`). */
  get publicKey(): string {
    return this.vapid.publicKey;
  }

  /** Called with every commit's events; returns at once. */
  notify(events: readonly NotificationEvent[]): void {
    const notifications = events.flatMap((e) =>
      e.kind === 'notification.created' && e.recipientId && e.data?.notification
        ? [{ userId: e.recipientId, notification: e.data.notification as Notification }]
        : [],
    );
    if (notifications.length === 0) return;
    this.#track(
      this.#sendAll(notifications).catch((err) => this.log.error({ err }, 'push notifications not sent')),
    );
  }

  /** Resolves once every push begun so far has been answered (shutdown; tests). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #sendAll(notifications: { userId: string; notification: Notification }[]): Promise<void> {
    const userIds = [...new Set(notifications.map((n) => n.userId))];
    const subscriptions = await pushSubscriptionsOf(this.db, userIds);
    if (subscriptions.length === 0) return;
    const byUser = new Map<string, PushSubscriptionRow[]>();
    for (const s of subscriptions) byUser.set(s.user_id, [...(byUser.get(s.user_id) ?? []), s]);
    const wanted = notifications.filter((n) => byUser.has(n.userId));
    const { level, translator } = await this.#levels(
      [...byUser.keys()],
      [...new Set(wanted.flatMap((n) => (n.notification.groupId ? [n.notification.groupId] : [])))],
    );
    const pushed = wanted
      .filter((n) => wantsEmail(level(n.userId, n.notification.groupId), n.notification.kind))
      .map((n) => ({ ...n, tr: translator(n.userId) }));
    const lines = await this.#lines(pushed.filter((p) => p.tr.locale !== SOURCE_LOCALE));
    const sends = pushed.flatMap((n) => {
      const payload = JSON.stringify(pushPayload(n.notification, lines.get(n.notification.id)));
      return (byUser.get(n.userId) ?? []).map((s) => this.#limited(() => this.#sendOne(s, payload)));
    });
    await Promise.all(sends);
  }

  /** The lines of notifications to members who read another language than English, by notification id. */
  async #lines(
    pushed: { userId: string; notification: Notification; tr: Translator }[],
  ): Promise<Map<string, string>> {
    const lines = new Map<string, string>();
    if (pushed.length === 0) return lines;
    const facts = await loadNotificationFacts(
      this.db,
      pushed.map(({ userId, notification: n }) => ({
        id: n.id,
        kind: n.kind,
        userId,
        actorName: n.actor?.name ?? null,
        groupId: n.groupId,
        threadId: n.threadId,
        commentId: n.commentId,
        proposalId: n.proposalId,
        at: new Date(n.at),
      })),
    );
    for (const { notification: n, tr } of pushed) {
      const f = facts.get(n.id);
      const line = f && notificationText(tr, f);
      if (line) lines.set(n.id, line);
    }
    return lines;
  }

  /** Each member's level for a group (their setting for that group, else their own), and their language. */
  async #levels(userIds: string[], groupIds: string[]) {
    const [users, overrides] = await Promise.all([
      this.db
        .selectFrom('users')
        .select(['id', 'email_notifications', 'locale', 'browser_locale'])
        .where('id', 'in', userIds)
        .execute(),
      groupIds.length === 0
        ? []
        : this.db
            .selectFrom('group_email_preferences')
            .select(['user_id', 'group_id', 'email'])
            .where('user_id', 'in', userIds)
            .where('group_id', 'in', groupIds)
            .execute(),
    ]);
    const own = new Map(users.map((u) => [u.id, u.email_notifications]));
    const locale = new Map(users.map((u) => [u.id, memberLocale(u)]));
    const override = new Map(overrides.map((o) => [`${o.user_id}.${o.group_id}`, o.email]));
    return {
      level: (userId: string, groupId: string | null): EmailNotifications =>
        (groupId ? override.get(`${userId}.${groupId}`) : undefined) ?? own.get(userId) ?? 'none',
      translator: (userId: string): Translator => translatorFor(locale.get(userId)),
    };
  }

  #limited(send: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#queue.push(() => send().finally(resolve));
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < MAX_PARALLEL && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      this.#running += 1;
      void next().finally(() => {
        this.#running -= 1;
        this.#pump();
      });
    }
  }

  async #sendOne(s: PushSubscriptionRow, payload: string): Promise<void> {
    // web-push signs (VAPID) and encrypts (aes128gcm); the request itself goes through fetch, which,
    // unlike web-push's own https-only sender, also reaches an http:// push service (PUSH_ALLOW_HTTP, tests).
    let request: { headers: object; body: Buffer };
    try {
      request = webpush.generateRequestDetails(
        { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } },
        payload,
        { vapidDetails: this.vapid, TTL: TTL_SECONDS, contentEncoding: 'aes128gcm' },
      );
    } catch (err) {
      // Keys the registration checked, so this is the server's side (its VAPID details).
      this.log.error({ err, subscriptionId: s.id }, 'push not signed or encrypted');
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(request.headers)
        .filter(([name]) => name.toLowerCase() !== 'content-length')
        .map(([name, value]) => [name, String(value)]),
    );
    let status: number;
    try {
      const res = await fetch(s.endpoint, {
        method: 'POST',
        headers,
        body: new Uint8Array(request.body),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        redirect: 'error',
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      this.log.warn({ err, subscriptionId: s.id }, 'push service unreachable');
      await pushFailed(this.db, s.endpoint);
      return;
    }
    if (status >= 200 && status < 300) await pushDelivered(this.db, s.endpoint);
    else if (status === 404 || status === 410) await forgetPushEndpoint(this.db, s.endpoint);
    else {
      this.log.warn({ status, subscriptionId: s.id }, 'push service refused a push');
      await pushFailed(this.db, s.endpoint);
    }
  }
}
