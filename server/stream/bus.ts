import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../db/database';
import { eventsAfter, type LoggedEvent, latestEventId } from '../db/events';
import type { SignalTransport } from './signals';

const FETCH_BATCH = 500;
/** A safety net: a writer that died between commit and signal still gets its events delivered. */
const POLL_INTERVAL_MS = 2_000;

export interface EventBusEvents {
  event: [LoggedEvent];
  presence: [string];
  authChanged: [string];
  /** The signal connection is back after a drop: peers' state may need resending. */
  reconnected: [];
}

/**
 * Shares committed events between server processes. Writers call `announce`
 * after commit; signals are coalesced (one per burst, carrying the highest
 * id) and travel by `LISTEN/NOTIFY` or NATS (`signals`). Every process reads
 * the log after the last id it has seen and emits each event once, in id
 * order, whichever way it was woken; a lost signal only waits for the poll.
 */
export class EventBus extends EventEmitter<EventBusEvents> {
  private lastSeenId = 0;
  private pendingAnnounce = 0;
  private announceScheduled = false;
  private fetching: Promise<void> | null = null;
  private fetchAgain = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly log: FastifyBaseLogger,
    readonly signals: SignalTransport,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** False while this process cannot hear its peers: `/readyz` reports it. */
  get listening(): boolean {
    return this.signals.connected;
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
    await this.signals.start({
      events: (upTo) => this.catchUp(upTo),
      presence: (payload) => this.emit('presence', payload),
      authChanged: (userId) => this.emit('authChanged', userId),
      reconnected: () => {
        this.emit('reconnected');
        this.catchUp();
      },
    });
    // Whatever was committed while we were starting to listen.
    await this.catchUp();
    this.pollTimer = setInterval(() => this.catchUp(), POLL_INTERVAL_MS);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Peers still hear about what this process wrote last, before the database goes away.
    if (this.pendingAnnounce > 0) await this.signals.sendEvents(this.pendingAnnounce).catch(() => {});
    this.pendingAnnounce = 0;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.signals.stop();
    await this.fetching;
  }

  /** Call after a transaction that appended events commits, with its highest event id. */
  announce(maxEventId: number): void {
    if (maxEventId <= 0) return;
    this.pendingAnnounce = Math.max(this.pendingAnnounce, maxEventId);
    // This process need not wait for its own notification to come back.
    this.catchUp(maxEventId);
    if (this.announceScheduled) return;
    this.announceScheduled = true;
    setImmediate(() => {
      this.announceScheduled = false;
      if (this.stopped) return; // stop() has sent it already
      const id = this.pendingAnnounce;
      this.pendingAnnounce = 0;
      this.signals
        .sendEvents(id)
        .catch((err) => this.log.warn({ err }, 'signalling peers failed; they will poll'));
    });
  }

  /** Tells every other process that a user's credentials or profile changed. */
  publishAuthChange(userId: string): Promise<void> {
    return this.signals.sendAuthChanged(userId);
  }

  /** Sends a presence message to every process (this one included). */
  publishPresence(payload: string): Promise<void> {
    return this.signals.sendPresence(payload);
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
}
