import type { FastifyBaseLogger } from 'fastify';
import { Compile } from 'typebox/compile';
import type { WebSocket } from 'ws';
import { ClientMessage, MAX_EVENT_ID, type ServerMessage } from '../../shared/schemas/stream';
import { liveCredentials } from '../db/credentials';
import { type LoggedEvent, topicEventsAfter, topicLatestEventId } from '../db/events';
import type { Ctx } from '../services/context';
import { PresenceTracker } from './presence';
import { isViewerIndependent, presentStreamEvent } from './present';
import { authorizeTopic, type TopicAccess, topicsOf } from './topics';

/** More missed events than this and a subscriber gets `reset` and refetches over HTTP. */
export const MAX_REPLAY = 1_000;
/** A socket whose unsent data passes this is too slow to keep up, and is closed. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const HEARTBEAT_MS = 30_000;
/**
 * How often every socket's credential is checked again, all in one query. A
 * revocation normally closes its sockets at once, through the bus's
 * `authChanged`; this is the safety net for a notification that got lost (a
 * dropped LISTEN connection, a peer that died before sending it). The contract
 * allows 5 s: a 2 s period leaves 3 s for the query and a busy event loop, and
 * costs one indexed lookup per distinct session or token in this process.
 */
export const REVALIDATE_MS = 2_000;
/** The close code of a socket whose session or token was revoked: sign in again before reconnecting. */
export const CREDENTIAL_REVOKED = 4001;
const MAX_TOPICS_PER_SOCKET = 200;
const PRESENCE_COALESCE_MS = 250;
const MAX_PRESENCE_USERS = 100;

/** The presence frame: the first hundred viewers, and how many there are. */
function presenceMessage(topic: string, users: { id: string; name: string }[]): ServerMessage {
  return { type: 'presence', topic, users: users.slice(0, MAX_PRESENCE_USERS), count: users.length };
}

interface Subscriber {
  userId: string;
  name: string;
}

/** What a socket was opened with, as the database knows it (never the secret): a session or an API token. */
export type Credential = { sessionId: string } | { tokenHash: string };

/** One topic of one socket. Live events are buffered while its replay is being read. */
class Subscription {
  access: TopicAccess | null = null;
  /** Set when the member left a group while this topic was still being authorised. */
  recheck = false;
  lastDelivered = 0;
  replaying = true;
  buffer: LoggedEvent[] = [];
  closed = false;
  /** `me` is per person: the hub files it under `me:<userId>`. */
  readonly key: string;
  constructor(
    readonly connection: Connection,
    readonly topic: string,
  ) {
    this.key = topic === 'me' ? `me:${connection.user.userId}` : topic;
  }
}

/** One websocket and the topics it follows. */
export class Connection {
  readonly subscriptions = new Map<string, Subscription>();
  alive = true;
  /** Set once its credential is found revoked: it is closing and is served nothing more. */
  revoked = false;
  constructor(
    readonly socket: WebSocket,
    readonly user: Subscriber,
    readonly credential: Credential,
  ) {}

  send(message: ServerMessage | Buffer): void {
    if (this.revoked || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      // Never let a slow reader grow our memory: it reconnects with `since` and loses nothing.
      this.socket.close(1013, 'too slow: reconnect with since');
      return;
    }
    this.socket.send(Buffer.isBuffer(message) ? message : JSON.stringify(message), { binary: false });
  }
}

/**
 * The websocket hub: fans events from the bus out to this process's
 * subscribers, replays `since`, authorises every topic, drops a member's
 * group topics the moment they leave the group, and closes every socket
 * whose session or token is revoked (at once on `authChanged`, else within
 * REVALIDATE_MS).
 */
export class StreamHub {
  private readonly byTopic = new Map<string, Set<Subscription>>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly pendingPresence = new Map<string, { id: string; name: string }[]>();
  private heartbeat: NodeJS.Timeout;
  private revalidation: NodeJS.Timeout;
  private revalidating = false;

  readonly presence: PresenceTracker;

  constructor(
    private readonly ctx: Ctx,
    private readonly log: FastifyBaseLogger,
  ) {
    this.presence = new PresenceTracker(ctx.bus, (topic, users) => this.broadcastPresence(topic, users));
    ctx.bus.on('event', (row) => this.dispatch(row));
    ctx.bus.wanted = () => this.byTopic.size > 0;
    this.heartbeat = setInterval(() => this.checkHeartbeats(), HEARTBEAT_MS);
    this.heartbeat.unref();
    // Every process hears it, the one that revoked included (Postgres echoes a NOTIFY to its sender).
    ctx.bus.on('authChanged', (userId) => {
      const mine = this.byUser.get(userId);
      if (mine) this.recheck([...mine], 'after authChanged');
    });
    this.revalidation = setInterval(() => this.revalidateAll(), REVALIDATE_MS);
    this.revalidation.unref();
  }

  get connectionCount(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  /** Topics followed, summed over this process's sockets (`me` counts once per socket). */
  get subscriptionCount(): number {
    let n = 0;
    for (const set of this.byTopic.values()) n += set.size;
    return n;
  }

  /** Adopts an authenticated socket, with the credential that authenticated it. */
  attach(socket: WebSocket, user: Subscriber, credential: Credential): Connection {
    const connection = new Connection(socket, user, credential);
    let mine = this.byUser.get(user.userId);
    if (!mine) {
      mine = new Set();
      this.byUser.set(user.userId, mine);
    }
    mine.add(connection);
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (raw, isBinary) => {
      if (isBinary)
        return connection.send({
          type: 'error',
          code: 'validation_failed',
          message: 'send JSON text frames',
        });
      this.onMessage(connection, raw.toString()).catch((err) => {
        this.log.error({ err }, 'stream message failed');
        connection.send({ type: 'error', code: 'internal', message: 'something went wrong on our side' });
        // A subscribe that failed half-way (the database went away) would leave its topic silent, and
        // buffering, for good: closed, the client reconnects and subscribes again with since.
        connection.socket.close(1011, 'something went wrong on our side: reconnect with since');
      });
    });
    socket.on('close', () => this.detach(connection));
    socket.on('error', () => socket.terminate());
    return connection;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.revalidation);
    await this.presence.stop();
    for (const set of this.byUser.values()) for (const c of set) c.socket.close(1001, 'server shutting down');
  }

  private detach(connection: Connection): void {
    for (const sub of connection.subscriptions.values()) this.removeSubscription(sub);
    const mine = this.byUser.get(connection.user.userId);
    mine?.delete(connection);
    if (mine?.size === 0) this.byUser.delete(connection.user.userId);
  }

  private async onMessage(connection: Connection, text: string): Promise<void> {
    if (connection.revoked) return;
    let message: ClientMessage;
    try {
      message = parseClientMessage(JSON.parse(text));
    } catch (err) {
      connection.send({ type: 'error', code: 'validation_failed', message: (err as Error).message });
      return;
    }
    switch (message.type) {
      case 'ping':
        connection.send({ type: 'pong' });
        return;
      case 'unsubscribe': {
        const sub = connection.subscriptions.get(message.topic);
        if (sub) this.removeSubscription(sub);
        return;
      }
      case 'subscribe':
        await this.subscribe(connection, message.topic, message.since);
    }
  }

  private async subscribe(connection: Connection, topic: string, since: number | undefined): Promise<void> {
    const previous = connection.subscriptions.get(topic);
    if (previous) this.removeSubscription(previous);
    if (connection.subscriptions.size >= MAX_TOPICS_PER_SOCKET) {
      connection.send({
        type: 'error',
        topic,
        code: 'validation_failed',
        message: 'too many topics on one socket',
      });
      return;
    }
    // Registered before anything is read, so no live event can fall between replay and live.
    const sub = new Subscription(connection, topic);
    connection.subscriptions.set(topic, sub);
    let set = this.byTopic.get(sub.key);
    if (!set) {
      set = new Set();
      this.byTopic.set(sub.key, set);
    }
    set.add(sub);
    try {
      await this.serve(sub, since);
    } catch (err) {
      // Not left half-open, buffering live events that nobody will ever take.
      this.removeSubscription(sub);
      throw err;
    }
  }

  /** Authorises a registered subscription, confirms it, replays after `since`, then lets live events through. */
  private async serve(sub: Subscription, since: number | undefined): Promise<void> {
    const { connection, topic } = sub;
    // The credential is read again with the authorisation: a revocation committed before this
    // message was handled closes the socket here, even if its notification has not arrived yet.
    let [access] = await Promise.all([
      authorizeTopic(this.ctx, connection.user.userId, topic),
      this.closeIfRevoked([connection]),
    ]);
    if (sub.closed) return;
    if (sub.recheck) access = await authorizeTopic(this.ctx, connection.user.userId, topic);
    if (sub.closed) return;
    if (!access) {
      this.removeSubscription(sub);
      connection.send({ type: 'error', topic, code: 'not_found', message: `no topic ${topic} for you` });
      return;
    }
    sub.access = access;
    const latest = await topicLatestEventId(this.ctx.db, access.filter);
    if (sub.closed) return;
    connection.send({ type: 'subscribed', topic, lastEventId: latest });
    if (since === undefined) {
      sub.lastDelivered = latest;
    } else {
      sub.lastDelivered = since;
      const missed = await topicEventsAfter(this.ctx.db, access.filter, since, MAX_REPLAY + 1);
      if (sub.closed) return;
      if (missed.length > MAX_REPLAY) {
        connection.send({ type: 'reset', topic });
        sub.lastDelivered = Math.max(latest, since);
      } else {
        for (const row of missed) this.deliver(sub, row);
      }
    }
    sub.replaying = false;
    const buffered = sub.buffer;
    sub.buffer = [];
    for (const row of buffered) this.deliver(sub, row);
    if (topic.startsWith('thread:')) {
      this.presence.join(topic, connection.user);
      connection.send(presenceMessage(topic, this.presence.viewers(topic)));
    }
  }

  private removeSubscription(sub: Subscription): void {
    sub.closed = true;
    sub.connection.subscriptions.delete(sub.topic);
    const set = this.byTopic.get(sub.key);
    set?.delete(sub);
    if (set?.size === 0) this.byTopic.delete(sub.key);
    if (sub.topic.startsWith('thread:') && sub.access) this.presence.leave(sub.topic, sub.connection.user);
  }

  /**
   * Sends the presence of a topic to its local subscribers, at most once per
   * PRESENCE_COALESCE_MS: a thousand people opening a thread at once would
   * otherwise cost a million frames. Lists are capped; `count` says how many.
   */
  broadcastPresence(topic: string, users: { id: string; name: string }[]): void {
    const scheduled = this.pendingPresence.has(topic);
    this.pendingPresence.set(topic, users);
    if (scheduled) return;
    setTimeout(() => {
      const latest = this.pendingPresence.get(topic) ?? [];
      this.pendingPresence.delete(topic);
      const set = this.byTopic.get(topic);
      if (!set) return;
      const frame = Buffer.from(JSON.stringify(presenceMessage(topic, latest)));
      for (const sub of set) if (!sub.replaying) sub.connection.send(frame);
    }, PRESENCE_COALESCE_MS).unref();
  }

  private dispatch(row: LoggedEvent): void {
    if (row.kind === 'member.left' && row.group_id) {
      const userId = (row.data as { userId?: string }).userId;
      if (userId) this.revokeGroup(row.group_id, userId);
    }
    for (const topic of topicsOf(row)) {
      const set = this.byTopic.get(topic === 'me' ? `me:${row.recipient_id}` : topic);
      if (!set) continue;
      // One serialisation for everyone when the data does not depend on who looks.
      let shared: Buffer | null = null;
      for (const sub of set) {
        if (sub.replaying) {
          sub.buffer.push(row);
          continue;
        }
        if (Number(row.id) <= sub.lastDelivered) continue;
        if (isViewerIndependent(row)) {
          shared ??= this.frame(sub, row);
          sub.lastDelivered = Number(row.id);
          sub.connection.send(shared);
        } else {
          this.deliver(sub, row);
        }
      }
    }
  }

  private frame(sub: Subscription, row: LoggedEvent): Buffer {
    const event = presentStreamEvent(row, { userId: sub.connection.user.userId });
    return Buffer.from(JSON.stringify({ type: 'event', topic: sub.topic, event }));
  }

  private deliver(sub: Subscription, row: LoggedEvent): void {
    if (Number(row.id) <= sub.lastDelivered) return;
    sub.lastDelivered = Number(row.id);
    sub.connection.send(this.frame(sub, row));
  }

  /** A member who left (or was removed) stops receiving the group's events at once. */
  private revokeGroup(groupId: string, userId: string): void {
    for (const connection of this.byUser.get(userId) ?? []) {
      for (const sub of [...connection.subscriptions.values()]) {
        if (sub.access === null) {
          sub.recheck = true;
        } else if (sub.access.groupId === groupId) {
          this.removeSubscription(sub);
          connection.send({
            type: 'error',
            topic: sub.topic,
            code: 'not_found',
            message: 'you are no longer a member',
          });
        }
      }
    }
  }

  /**
   * Closes those of `connections` whose session or token no longer signs
   * anyone in (logout, password change or reset, token deletion, expiry).
   * One query whatever their number. Throws when the database cannot say.
   */
  private async closeIfRevoked(connections: Connection[]): Promise<void> {
    const open = connections.filter((c) => !c.revoked);
    if (open.length === 0) return;
    const sessionIds = new Set<string>();
    const tokenHashes = new Set<string>();
    for (const { credential } of open) {
      if ('sessionId' in credential) sessionIds.add(credential.sessionId);
      else tokenHashes.add(credential.tokenHash);
    }
    const live = await liveCredentials(this.ctx.db, {
      sessionIds: [...sessionIds],
      tokenHashes: [...tokenHashes],
    });
    for (const connection of open) {
      const { credential } = connection;
      const alive =
        'sessionId' in credential
          ? live.sessionIds.has(credential.sessionId)
          : live.tokenHashes.has(credential.tokenHash);
      if (!alive) this.revoke(connection);
    }
  }

  /** `closeIfRevoked` in the background; a failure waits for the next periodic check. */
  private recheck(connections: Connection[], why: string): Promise<void> {
    return this.closeIfRevoked(connections).catch((err) =>
      this.log.warn({ err }, `checking websocket credentials ${why} failed; retrying shortly`),
    );
  }

  /** The safety net: every socket of this process, one query every REVALIDATE_MS. */
  private revalidateAll(): void {
    if (this.revalidating || this.byUser.size === 0) return;
    this.revalidating = true;
    const all = [...this.byUser.values()].flatMap((set) => [...set]);
    this.recheck(all, 'periodically').finally(() => {
      this.revalidating = false;
    });
  }

  /** Cuts a socket off at once (no further frame, no subscription), then closes it. */
  private revoke(connection: Connection): void {
    if (connection.revoked) return;
    connection.revoked = true;
    this.detach(connection);
    connection.socket.close(CREDENTIAL_REVOKED, 'credential revoked');
  }

  private checkHeartbeats(): void {
    for (const set of this.byUser.values()) {
      for (const connection of set) {
        if (!connection.alive) {
          connection.socket.terminate();
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
      }
    }
  }
}

const checkClientMessage = Compile(ClientMessage);

/** Validates a client frame against the contract's TypeBox union; throws with a readable message. */
function parseClientMessage(value: unknown): ClientMessage {
  if (checkClientMessage.Check(value)) return value;
  const m = value as { type?: unknown };
  if (typeof m !== 'object' || m === null) throw new Error('send a JSON object');
  if (m.type !== 'subscribe' && m.type !== 'unsubscribe' && m.type !== 'ping') {
    throw new Error('type must be subscribe, unsubscribe or ping');
  }
  const first = [...checkClientMessage.Errors(value)].find((e) => e.instancePath !== '/type');
  if (first?.instancePath === '/topic') throw new Error('topic must be "me", "group:<id>" or "thread:<id>"');
  if (first?.instancePath === '/since') {
    throw new Error(`since must be an event id: an integer from 0 to ${MAX_EVENT_ID}`);
  }
  throw new Error(first ? `${first.instancePath.slice(1) || 'message'} ${first.message}` : 'invalid message');
}
