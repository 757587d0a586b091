import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database';
import { eventsAfter, type LoggedEvent, latestEventId } from '../db/events';

export const EVENTS_CHANNEL = 'plenary_events';
/** Who is looking at what, shared between processes; never stored. */
export const PRESENCE_CHANNEL = 'plenary_presence';
/** A user whose sessions, tokens or profile changed: every process drops what it cached of them. */
export const AUTH_CHANNEL = 'plenary_auth';
const FETCH_BATCH = 500;
/** A safety net: a writer that died between commit and notify still gets its events delivered. */
const POLL_INTERVAL_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 5_000;

export interface EventBusEvents {
  event: [LoggedEvent];
  presence: [string];
  authChanged: [string];
  /** The LISTEN connection is back after a drop: peers' state may need resending. */
  reconnected: [];
}

/**
 * Shares committed events between server processes. Writers call `announce`
 * after commit; notifications are coalesced (one `pg_notify` per burst, carrying
 * the highest id). Every process LISTENs on one dedicated connection, reads the
 * log after the last id it has seen and emits each event once, in id order.
 * When the connection drops it reconnects and catches up from that id.
 */
export class EventBus extends EventEmitter<EventBusEvents> {
  private lastSeenId = 0;
  private pendingAnnounce = 0;
  private announceScheduled = false;
  private fetching: Promise<void> | null = null;
  private fetchAgain = false;
  private listener: pg.Client | null = null;
  private unlistenPglite: (() => Promise<void>) | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 250;
  private stopped = false;
  private hasConnectedBefore = false;
  /** False while the LISTEN connection is down: `/readyz` reports it. */
  listening = false;

  constructor(
    private readonly database: Database,
    private readonly log: FastifyBaseLogger,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /**
   * Whether anything in this process wants events delivered (the hub sets it:
   * any subscriptions). When not, the bus moves its mark without reading the
   * log: a process nobody is subscribed to (an API worker, a server during a
   * vote storm nobody watches) need not read back every event it writes.
   */
  wanted: () => boolean = () => true;

  /** The id of the newest event this process has delivered. */
  get lastEventId(): number {
    return this.lastSeenId;
  }

  async start(): Promise<void> {
    this.lastSeenId = await latestEventId(this.database.db);
    await this.listen();
    this.pollTimer = setInterval(() => this.catchUp(), POLL_INTERVAL_MS);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Peers still hear about what this process wrote last, before the database goes away.
    if (this.pendingAnnounce > 0) await this.notify(this.pendingAnnounce).catch(() => {});
    this.pendingAnnounce = 0;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.unlistenPglite?.().catch(() => {});
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
    await this.fetching;
  }

  /** Call after a transaction that appended events commits, with its highest event id. */
  announce(maxEventId: number): void {
    if (maxEventId <= 0) return;
    this.pendingAnnounce = Math.max(this.pendingAnnounce, maxEventId);
    // This process need not wait for its own notification to come back.
    this.catchUp(maxEventId);
    // The embedded database has no other process to tell.
    if (this.database.pglite || this.announceScheduled) return;
    this.announceScheduled = true;
    setImmediate(() => {
      this.announceScheduled = false;
      if (this.stopped) return; // stop() has sent it already
      const id = this.pendingAnnounce;
      this.pendingAnnounce = 0;
      this.notify(id).catch((err) => this.log.warn({ err }, 'pg_notify failed; peers will poll'));
    });
  }

  /** Tells every other process that a user's credentials or profile changed. */
  async publishAuthChange(userId: string): Promise<void> {
    await sql`select pg_notify(${AUTH_CHANNEL}, ${userId})`.execute(this.database.db);
  }

  /** Sends a presence message to every process (this one included). */
  async publishPresence(payload: string): Promise<void> {
    await sql`select pg_notify(${PRESENCE_CHANNEL}, ${payload})`.execute(this.database.db);
  }

  private async notify(id: number): Promise<void> {
    await sql`select pg_notify(${EVENTS_CHANNEL}, ${String(id)})`.execute(this.database.db);
  }

  /**
   * Reads and emits whatever was committed after the last seen id; concurrent
   * calls coalesce. `upTo`, when known (a notification's payload), is an id
   * everything up to which has committed.
   */
  catchUp(upTo?: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // A notification of what this process has delivered already (its own, echoed back).
    if (upTo !== undefined && upTo <= this.lastSeenId) return Promise.resolve();
    if (upTo !== undefined && !this.fetching && !this.wanted()) {
      this.lastSeenId = upTo;
      return Promise.resolve();
    }
    if (this.fetching) {
      this.fetchAgain = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      try {
        do {
          this.fetchAgain = false;
          let batch: LoggedEvent[];
          do {
            batch = await eventsAfter(this.database.db, this.lastSeenId, FETCH_BATCH);
            for (const row of batch) {
              this.lastSeenId = Number(row.id);
              this.emit('event', row);
            }
          } while (batch.length === FETCH_BATCH);
        } while (this.fetchAgain && !this.stopped);
      } catch (err) {
        this.log.warn({ err }, 'reading the event log failed; will retry');
      } finally {
        this.fetching = null;
      }
    })();
    return this.fetching;
  }

  private async listen(): Promise<void> {
    const { database } = this;
    if (database.pglite) {
      const unlistenEvents = await database.pglite.listen(EVENTS_CHANNEL, (payload) =>
        this.catchUp(notifiedId(payload)),
      );
      const unlistenPresence = await database.pglite.listen(PRESENCE_CHANNEL, (payload) =>
        this.emit('presence', payload),
      );
      const unlistenAuth = await database.pglite.listen(AUTH_CHANNEL, (payload) =>
        this.emit('authChanged', payload),
      );
      this.unlistenPglite = async () => {
        await unlistenEvents();
        await unlistenPresence();
        await unlistenAuth();
      };
      this.listening = true;
      return;
    }
    if (database.target.kind !== 'postgres') return;
    const client = new pg.Client({ connectionString: database.target.connectionString });
    const onLost = (err?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      this.listening = false;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.log.warn({ err }, 'event bus lost its LISTEN connection; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === PRESENCE_CHANNEL) this.emit('presence', message.payload ?? '');
      else if (message.channel === AUTH_CHANNEL) this.emit('authChanged', message.payload ?? '');
      else this.catchUp(notifiedId(message.payload));
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`listen ${EVENTS_CHANNEL}`);
      await client.query(`listen ${PRESENCE_CHANNEL}`);
      await client.query(`listen ${AUTH_CHANNEL}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    const wasDown = this.hasConnectedBefore;
    this.hasConnectedBefore = true;
    this.listening = true;
    this.reconnectDelay = 250;
    if (wasDown) this.emit('reconnected');
    // Whatever was committed while we were not listening.
    await this.catchUp();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.stopped) return;
    const delay = this.reconnectDelay * (0.5 + Math.random());
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.listen().catch((err) => {
        this.log.warn({ err }, 'event bus reconnect failed');
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }
}

/** The event id a notification carries, if it is one. */
function notifiedId(payload: string | undefined): number | undefined {
  const id = Number(payload);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}
