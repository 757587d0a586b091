import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database';
import { type SignalReceiver, type SignalTransport, signalledId } from './signals';

export const EVENTS_CHANNEL = 'plenary_events';
/** Who is looking at what, shared between processes; never stored. */
export const PRESENCE_CHANNEL = 'plenary_presence';
/** A user whose sessions, tokens or profile changed: every process drops what it cached of them. */
export const AUTH_CHANNEL = 'plenary_auth';
const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * Signals through Postgres `LISTEN/NOTIFY`: nothing to run beside the
 * database. Each process holds one dedicated LISTEN connection, reconnecting
 * with backoff when it drops. The embedded database has the same API inside
 * its one process.
 */
export class PostgresSignals implements SignalTransport {
  readonly kind = 'postgres';
  connected = false;
  private receiver: SignalReceiver | null = null;
  private listener: pg.Client | null = null;
  private unlistenPglite: (() => Promise<void>) | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay = 250;
  private hasConnectedBefore = false;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(receiver: SignalReceiver): Promise<void> {
    this.receiver = receiver;
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.unlistenPglite?.().catch(() => {});
    const listener = this.listener;
    this.listener = null;
    this.connected = false;
    await listener?.end().catch(() => {});
  }

  async sendEvents(upTo: number): Promise<void> {
    // The embedded database has no other process to tell.
    if (this.database.pglite) return;
    await this.notify(EVENTS_CHANNEL, String(upTo));
  }

  sendPresence(payload: string): Promise<void> {
    return this.notify(PRESENCE_CHANNEL, payload);
  }

  sendAuthChanged(userId: string): Promise<void> {
    return this.notify(AUTH_CHANNEL, userId);
  }

  private async notify(channel: string, payload: string): Promise<void> {
    await sql`select pg_notify(${channel}, ${payload})`.execute(this.database.db);
  }

  private async listen(): Promise<void> {
    const { database } = this;
    const receiver = this.receiver!;
    if (database.pglite) {
      const unlisten = await Promise.all([
        database.pglite.listen(EVENTS_CHANNEL, (payload) => receiver.events(signalledId(payload))),
        database.pglite.listen(PRESENCE_CHANNEL, (payload) => receiver.presence(payload)),
        database.pglite.listen(AUTH_CHANNEL, (payload) => receiver.authChanged(payload)),
      ]);
      this.unlistenPglite = async () => {
        for (const stop of unlisten) await stop();
      };
      this.connected = true;
      return;
    }
    if (database.target.kind !== 'postgres') return;
    const client = new pg.Client({ connectionString: database.target.connectionString });
    const onLost = (err?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      this.connected = false;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.log.warn({ err }, 'event bus lost its LISTEN connection; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === PRESENCE_CHANNEL) receiver.presence(message.payload ?? '');
      else if (message.channel === AUTH_CHANNEL) receiver.authChanged(message.payload ?? '');
      else receiver.events(signalledId(message.payload));
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
    this.connected = true;
    this.reconnectDelay = 250;
    // Whatever was committed while we were not listening.
    if (wasDown) receiver.reconnected();
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
