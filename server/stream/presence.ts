import { randomUUID } from 'node:crypto';
import type { EventBus } from './bus';

export const PRESENCE_REFRESH_MS = 10_000;
/** A process that has not refreshed its viewers for this long is taken to be gone. */
export const PRESENCE_EXPIRY_MS = 30_000;
const MAX_USERS_PER_MESSAGE = 100;

interface Person {
  userId: string;
  name: string;
}
type PersonView = { id: string; name: string };

interface PresenceMessage {
  /** The sending process. */
  p: string;
  /** The topic. */
  t: string;
  /** Everyone viewing it through that process. */
  u: PersonView[];
}

/**
 * Who is viewing a topic right now, across every server process. Each
 * process knows its own sockets, tells the others over NOTIFY when its
 * viewers of a topic change, and repeats itself every few seconds so that a
 * process that died simply fades out.
 */
export class PresenceTracker {
  readonly processId = randomUUID();
  private readonly local = new Map<string, Map<string, { name: string; sockets: number }>>();
  private readonly remote = new Map<string, Map<string, { users: PersonView[]; at: number }>>();
  private readonly lastSent = new Map<string, string>();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly bus: EventBus,
    private readonly onChange: (topic: string, users: PersonView[]) => void,
  ) {
    bus.on('presence', (payload) => this.receive(payload));
    bus.on('reconnected', () => this.refresh());
    this.timer = setInterval(() => this.refresh(), PRESENCE_REFRESH_MS);
    this.timer.unref();
  }

  join(topic: string, person: Person): void {
    let viewers = this.local.get(topic);
    if (!viewers) {
      viewers = new Map();
      this.local.set(topic, viewers);
    }
    const entry = viewers.get(person.userId);
    if (entry) {
      entry.sockets += 1;
      return;
    }
    viewers.set(person.userId, { name: person.name, sockets: 1 });
    this.localChanged(topic);
  }

  leave(topic: string, person: Person): void {
    const viewers = this.local.get(topic);
    const entry = viewers?.get(person.userId);
    if (!viewers || !entry) return;
    entry.sockets -= 1;
    if (entry.sockets > 0) return;
    viewers.delete(person.userId);
    if (viewers.size === 0) this.local.delete(topic);
    this.localChanged(topic);
  }

  /** Everyone viewing `topic` through any process. */
  viewers(topic: string): PersonView[] {
    const merged = new Map<string, string>();
    for (const [id, { name }] of this.local.get(topic) ?? []) merged.set(id, name);
    const now = Date.now();
    for (const topics of this.remote.values()) {
      const entry = topics.get(topic);
      if (entry && now - entry.at < PRESENCE_EXPIRY_MS) for (const u of entry.users) merged.set(u.id, u.name);
    }
    return [...merged].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const topics = [...this.local.keys()];
    this.local.clear();
    await Promise.all(topics.map((t) => this.publish(t).catch(() => {})));
  }

  private localChanged(topic: string): void {
    this.publish(topic).catch(() => {});
    this.recompute(topic);
  }

  private localViews(topic: string): PersonView[] {
    return [...(this.local.get(topic) ?? [])]
      .slice(0, MAX_USERS_PER_MESSAGE)
      .map(([id, { name }]) => ({ id, name: name.slice(0, 40) }));
  }

  private publish(topic: string): Promise<void> {
    const message: PresenceMessage = { p: this.processId, t: topic, u: this.localViews(topic) };
    return this.bus.publishPresence(JSON.stringify(message));
  }

  private receive(payload: string): void {
    let message: PresenceMessage;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (message.p === this.processId || typeof message.t !== 'string' || !Array.isArray(message.u)) return;
    let topics = this.remote.get(message.p);
    if (!topics) {
      topics = new Map();
      this.remote.set(message.p, topics);
    }
    if (message.u.length === 0) topics.delete(message.t);
    else topics.set(message.t, { users: message.u, at: Date.now() });
    this.recompute(message.t);
  }

  /** Re-announces this process's viewers and lets silent processes expire. */
  private refresh(): void {
    for (const topic of this.local.keys()) this.publish(topic).catch(() => {});
    const now = Date.now();
    for (const [process, topics] of this.remote) {
      for (const [topic, entry] of topics) {
        if (now - entry.at >= PRESENCE_EXPIRY_MS) {
          topics.delete(topic);
          this.recompute(topic);
        }
      }
      if (topics.size === 0) this.remote.delete(process);
    }
  }

  private recompute(topic: string): void {
    const users = this.viewers(topic);
    const key = users.map((u) => u.id).join(',');
    if (this.lastSent.get(topic) === key) return;
    if (users.length === 0) this.lastSent.delete(topic);
    else this.lastSent.set(topic, key);
    this.onChange(topic, users);
  }
}
