import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { Compile } from 'typebox/compile';
import { ClientMessage, type ServerMessage } from '../../shared/schemas/stream';
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
  constructor(
    readonly socket: WebSocket,
    readonly user: Subscriber,
  ) {}

  send(message: ServerMessage | Buffer): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
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
 * subscribers, replays `since`, authorises every topic, and drops a
 * member's group topics the moment they leave the group.
 */
export class StreamHub {
  private readonly byTopic = new Map<string, Set<Subscription>>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly pendingPresence = new Map<string, { id: string; name: string }[]>();
  private heartbeat: NodeJS.Timeout;

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
  }

  get connectionCount(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  /** Adopts an authenticated socket. */
  attach(socket: WebSocket, user: Subscriber): Connection {
    const connection = new Connection(socket, user);
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
      });
    });
    socket.on('close', () => this.detach(connection));
    socket.on('error', () => socket.terminate());
    return connection;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
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

    let access = await authorizeTopic(this.ctx, connection.user.userId, topic);
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
  if (first?.instancePath === '/since') throw new Error('since must be a non-negative integer event id');
  throw new Error(first ? `${first.instancePath.slice(1) || 'message'} ${first.message}` : 'invalid message');
}
