import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { FastifyBaseLogger } from 'fastify';
import { type SignalReceiver, type SignalTransport, signalledId } from './signals';

/** How long start-up waits for NATS before serving anyway (readiness says "not yet"). */
const FIRST_CONNECT_WAIT_MS = 3_000;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Signals through NATS core publish/subscribe (`EVENT_BUS=nats://…`): writers
 * stop sending `pg_notify`, which takes a database-wide lock at every commit
 * that notifies, and no process holds a LISTEN connection. Subjects are
 * named after the database (`plenary.<database>.events`, `.presence`,
 * `.auth`), so several Plenary installations can share one NATS without
 * waking each other. Delivery is at most once, which is all a signal needs:
 * the log in Postgres, polled every two seconds, catches what a lost message
 * would have announced.
 */
export class NatsSignals implements SignalTransport {
  readonly kind = 'nats';
  connected = false;
  private connection: NatsConnection | null = null;
  private receiver: SignalReceiver | null = null;
  private stopped = false;
  private connecting: Promise<void> | null = null;
  private startReturned = false;
  private readonly subjects: { events: string; presence: string; auth: string };

  constructor(
    private readonly servers: string[],
    /** Names the database the processes share (see `databaseIdentity`). */
    namespace: string,
    private readonly log: FastifyBaseLogger,
  ) {
    const base = `plenary.${namespace}`;
    this.subjects = { events: `${base}.events`, presence: `${base}.presence`, auth: `${base}.auth` };
  }

  async start(receiver: SignalReceiver): Promise<void> {
    this.receiver = receiver;
    this.connecting = this.connectUntilStopped();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.connecting,
      new Promise((resolve) => {
        timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    this.startReturned = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const connection = this.connection;
    this.connection = null;
    this.connected = false;
    // Drain sends what is buffered (the last wake-up of a process shutting down) before closing.
    await connection?.drain().catch(() => connection.close());
    await this.connecting;
  }

  async sendEvents(upTo: number): Promise<void> {
    this.publish(this.subjects.events, String(upTo));
  }

  async sendPresence(payload: string): Promise<void> {
    this.publish(this.subjects.presence, payload);
  }

  async sendAuthChanged(userId: string): Promise<void> {
    this.publish(this.subjects.auth, userId);
  }

  private publish(subject: string, payload: string): void {
    // Without a connection a signal is dropped: the poll, the presence refresh
    // and the credential cache's lifetime each bound what that costs.
    this.connection?.publish(subject, payload);
  }

  /** The client reconnects by itself once connected; this covers the first connection. */
  private async connectUntilStopped(): Promise<void> {
    let delay = 250;
    while (!this.stopped) {
      try {
        const connection = await connect({
          servers: this.servers,
          name: 'plenary',
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
          pingInterval: 10_000,
        });
        if (this.stopped) {
          await connection.close();
          return;
        }
        this.attach(connection);
        return;
      } catch (err) {
        this.log.warn({ err }, 'cannot reach NATS yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())).unref());
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  private attach(connection: NatsConnection): void {
    const receiver = this.receiver!;
    this.connection = connection;
    connection.subscribe(this.subjects.events, {
      callback: (_err, message) => receiver.events(signalledId(message.string())),
    });
    connection.subscribe(this.subjects.presence, {
      callback: (_err, message) => receiver.presence(message.string()),
    });
    connection.subscribe(this.subjects.auth, {
      callback: (_err, message) => receiver.authChanged(message.string()),
    });
    this.connected = true;
    // Connected only after start-up gave up waiting: as after a drop, catch up.
    if (this.startReturned) receiver.reconnected();
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === 'disconnect') {
          this.connected = false;
          if (!this.stopped) this.log.warn('event bus lost its NATS connection; reconnecting');
        } else if (status.type === 'reconnect') {
          this.connected = true;
          // Whatever was signalled while we were away is lost: read the log, resend presence.
          receiver.reconnected();
        }
      }
    })();
  }
}
