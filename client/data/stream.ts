import type { ClientMessage, ServerMessage, StreamEvent } from '../../shared/schemas/stream';
import { Store } from './store';

/**
 * The client side of the live stream (API.md, "The live stream"): one
 * WebSocket per tab to /api/v1/stream, shared by every subscriber.
 *
 * - Topics are ref-counted: the first `subscribe(topic)` sends `subscribe`,
 *   the last unsubscribe sends `unsubscribe`.
 * - Each topic remembers the id of the last event it delivered; after a
 *   reconnect it re-subscribes with `since` so the server replays the gap.
 * - The socket reconnects by itself with exponential backoff and jitter, and
 *   sends an app-level ping every 25 s; a socket that hears nothing for 2.5
 *   pings is treated as dead.
 * - `state` says whether the socket is up, for the "Reconnecting…" indicator.
 */

export type { StreamEvent };
/** Frames the server sends. */
export type ServerFrame = ServerMessage;
/** Frames the client sends. */
export type ClientFrame = ClientMessage;

/**
 * `idle`: not started (signed out); `connecting`: first attempt; `open`: live;
 * `reconnecting`: the socket dropped or could not connect, and a retry is due.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface SubscribeOptions {
  /**
   * The caller's data may be missing events and should be refetched over
   * HTTP: the server sent `reset` (too much was missed to replay), or the
   * subscription has just gone live with no history to replay from (the
   * caller's earlier HTTP load may predate it).
   */
  onReset?: () => void;
  /** The server refused the topic (e.g. `not_found` for a group the caller is not in). */
  onError?: (code: string, message: string) => void;
  /** Who is viewing the topic (`thread:` topics), whenever that changes; a later subscriber gets the latest at once. */
  onPresence?: (users: { id: string; name: string }[]) => void;
}

/** The subset of the browser's WebSocket the client uses (tests pass their own). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface StreamOptions {
  /** Where to connect; by default /api/v1/stream on this page's origin (ws: or wss:). */
  url?: () => string;
  /** Builds a socket; by default the browser's WebSocket. */
  createSocket?: (url: string) => SocketLike;
  pingIntervalMs?: number;
  minRetryMs?: number;
  maxRetryMs?: number;
  /** In [0, 1); replaceable for tests. */
  random?: () => number;
  /**
   * The server closed the socket because the credential that opened it was revoked (signed out
   * elsewhere, password changed): reconnecting cannot help, so the client stops and says so.
   */
  onRevoked?: () => void;
}

/** The close code the server uses for a socket whose session or token was revoked. */
export const CREDENTIAL_REVOKED = 4001;

interface Subscriber {
  onEvent: (event: StreamEvent) => void;
  options: SubscribeOptions;
}

interface Topic {
  subscribers: Set<Subscriber>;
  /** The newest event delivered (or the server's baseline); null until the first `subscribed`. */
  lastEventId: number | null;
  /** The `lastEventId` of the latest `subscribed` frame: where the server goes on from after a `reset`. */
  serverLatest: number | null;
  /** The latest `presence` frame's viewers; null until one arrives. */
  presence: { id: string; name: string }[] | null;
}

const OPEN = 1;

/** The page's own stream endpoint, ws: or wss: to match http: or https:. */
export function defaultStreamUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/v1/stream`;
}

/** Delay before retry number `attempt` (0-based): exponential, capped, with "equal jitter". */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** One shared connection to the live stream. See the module comment. */
export class StreamClient {
  /** Whether the socket is up; drives the app bar's "Reconnecting…" indicator. */
  readonly state = new Store<ConnectionState>('idle');

  readonly #topics = new Map<string, Topic>();
  readonly #url: () => string;
  readonly #createSocket: (url: string) => SocketLike;
  readonly #pingIntervalMs: number;
  readonly #minRetryMs: number;
  readonly #maxRetryMs: number;
  readonly #random: () => number;
  readonly #onRevoked: () => void;

  #socket: SocketLike | null = null;
  #wanted = false;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #lastHeard = 0;

  constructor(options: StreamOptions = {}) {
    this.#url = options.url ?? defaultStreamUrl;
    this.#createSocket = options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.#pingIntervalMs = options.pingIntervalMs ?? 25_000;
    this.#minRetryMs = options.minRetryMs ?? 1_000;
    this.#maxRetryMs = options.maxRetryMs ?? 30_000;
    this.#random = options.random ?? Math.random;
    this.#onRevoked = options.onRevoked ?? (() => {});
  }

  /** Connects (and keeps reconnecting) until `stop`. Call once signed in. */
  start(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#attempt = 0;
    this.state.set('connecting');
    this.#connect();
  }

  /** Closes the socket and stops reconnecting (signing out). Subscriptions are kept for the next start. */
  stop(): void {
    this.#wanted = false;
    this.#clearRetry();
    this.#drop();
    for (const topic of this.#topics.values()) {
      topic.lastEventId = null;
      topic.serverLatest = null;
    }
    this.state.set('idle');
  }

  /** Skips the backoff wait and tries now (e.g. when the browser comes back online). */
  reconnectNow(): void {
    if (!this.#wanted || this.#socket) return;
    this.#clearRetry();
    this.#connect();
  }

  /**
   * Listens to `topic` (`group:<id>`, `thread:<id>`, `me`). Events arrive in
   * increasing id, each once. Returns the function that stops listening.
   */
  subscribe(
    topic: string,
    onEvent: (event: StreamEvent) => void,
    options: SubscribeOptions = {},
  ): () => void {
    const subscriber: Subscriber = { onEvent, options };
    let entry = this.#topics.get(topic);
    if (!entry) {
      entry = { subscribers: new Set(), lastEventId: null, serverLatest: null, presence: null };
      this.#topics.set(topic, entry);
      this.#send({ type: 'subscribe', topic });
    }
    entry.subscribers.add(subscriber);
    let active = true;
    const viewers = entry.presence;
    if (viewers && options.onPresence) queueMicrotask(() => active && options.onPresence?.(viewers));
    return () => {
      if (!active) return;
      active = false;
      const current = this.#topics.get(topic);
      if (!current) return;
      current.subscribers.delete(subscriber);
      if (current.subscribers.size === 0) {
        this.#topics.delete(topic);
        this.#send({ type: 'unsubscribe', topic });
      }
    };
  }

  /** Topics with at least one subscriber, and the last event id each has seen (for tests and debugging). */
  topics(): Map<string, number | null> {
    return new Map([...this.#topics].map(([name, t]) => [name, t.lastEventId]));
  }

  #connect(): void {
    let socket: SocketLike;
    try {
      socket = this.#createSocket(this.#url());
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#lastHeard = Date.now();
      this.state.set('open');
      for (const [topic, entry] of this.#topics) {
        this.#send(
          entry.lastEventId === null
            ? { type: 'subscribe', topic }
            : { type: 'subscribe', topic, since: entry.lastEventId },
        );
      }
      this.#pingTimer = setInterval(() => this.#ping(), this.#pingIntervalMs);
    };
    socket.onmessage = (message) => {
      if (this.#socket !== socket) return;
      this.#lastHeard = Date.now();
      // Hearing from the server proves the connection works: the next drop starts the backoff afresh.
      this.#attempt = 0;
      this.#receive(message.data);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      if ((event as { code?: number } | null)?.code === CREDENTIAL_REVOKED) {
        this.stop();
        this.#onRevoked();
        return;
      }
      this.#drop();
      if (this.#wanted) this.#scheduleRetry();
    };
    // An error is always followed by close; nothing to do here, and nothing to log
    // (the browser already reports failed connections in the console).
    socket.onerror = () => {};
  }

  #receive(raw: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(raw)) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'subscribed': {
        const entry = this.#topics.get(frame.topic);
        if (!entry) return;
        entry.serverLatest = frame.lastEventId;
        // After a `since` re-subscribe the replay that follows brings the id forward
        // itself; taking the baseline here would make the replayed events look old.
        if (entry.lastEventId !== null) return;
        entry.lastEventId = frame.lastEventId;
        for (const s of [...entry.subscribers]) s.options.onReset?.();
        return;
      }
      case 'event': {
        const entry = this.#topics.get(frame.topic);
        const event = frame.event;
        if (!entry || typeof event?.id !== 'number') return;
        if (entry.lastEventId !== null && event.id <= entry.lastEventId) return; // already delivered
        entry.lastEventId = event.id;
        for (const s of [...entry.subscribers]) {
          try {
            s.onEvent(event);
          } catch (err) {
            console.error('stream subscriber failed', err);
          }
        }
        return;
      }
      case 'reset': {
        // The replay is gone: subscribers refetch everything, and the server goes on
        // live from the latest event it announced in `subscribed`. Without that
        // announcement the old id is kept, which is safe: a reconnect asks from it
        // again and at worst gets another reset.
        const entry = this.#topics.get(frame.topic);
        if (entry && entry.serverLatest !== null) {
          entry.lastEventId = Math.max(entry.lastEventId ?? 0, entry.serverLatest);
        }
        for (const s of [...(entry?.subscribers ?? [])]) s.options.onReset?.();
        return;
      }
      case 'error': {
        const entry = frame.topic ? this.#topics.get(frame.topic) : undefined;
        for (const s of [...(entry?.subscribers ?? [])]) s.options.onError?.(frame.code, frame.message);
        return;
      }
      case 'presence': {
        const entry = this.#topics.get(frame.topic);
        if (!entry || !Array.isArray(frame.users)) return;
        entry.presence = frame.users;
        for (const s of [...entry.subscribers]) s.options.onPresence?.(frame.users);
        return;
      }
      default:
        return; // pong, or a frame type this client does not know
    }
  }

  #ping(): void {
    if (Date.now() - this.#lastHeard > this.#pingIntervalMs * 2.5) {
      // Silent for too long: the connection is dead even if the browser has not noticed.
      this.#drop();
      if (this.#wanted) this.#scheduleRetry();
      return;
    }
    this.#send({ type: 'ping' });
  }

  #send(frame: ClientFrame): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify(frame));
  }

  /** Forgets the current socket (closing it if need be) without scheduling anything. */
  #drop(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }

  #scheduleRetry(): void {
    this.state.set('reconnecting');
    this.#clearRetry();
    const delay = backoffDelay(this.#attempt, this.#minRetryMs, this.#maxRetryMs, this.#random);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.#wanted && !this.#socket) this.#connect();
    }, delay);
  }

  #clearRetry(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }
}
