/**
 * How server processes wake each other. The event log in Postgres is the truth;
 * a signal only says "look again" (with the highest id committed), carries who
 * is viewing what, or names a user whose cached credentials must go. A lost
 * signal delays an event by one poll; it never loses one.
 */
export interface SignalReceiver {
  /** Something was committed; everything up to `upTo`, when given. */
  events(upTo: number | undefined): void;
  presence(payload: string): void;
  authChanged(userId: string): void;
  /** The connection is back after a drop: what peers said meanwhile is lost. */
  reconnected(): void;
}

export interface SignalTransport {
  /** For logs and metrics: which engine carries the signals. */
  readonly kind: 'postgres' | 'nats';
  /** False while this process cannot hear its peers: `/readyz` reports it. */
  readonly connected: boolean;
  /** Starts listening; does not throw when the far side is down (it keeps trying). */
  start(receiver: SignalReceiver): Promise<void>;
  stop(): Promise<void>;
  sendEvents(upTo: number): Promise<void>;
  sendPresence(payload: string): Promise<void>;
  sendAuthChanged(userId: string): Promise<void>;
}

/** The event id a signal carries, if it is one. */
export function signalledId(payload: string | undefined): number | undefined {
  const id = Number(payload);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}
