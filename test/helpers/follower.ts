import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/schemas/stream';
import { sleep } from './traffic';

const MAX_RECONNECTS = 500;

/**
 * A stream subscriber that behaves like the web client (client/data/stream.ts):
 * when its socket closes it reconnects, to the next server if its own does
 * not answer, and subscribes again with `since` = the last event id it got
 * on each topic. It records what it was sent, so a test can check that every
 * event arrived once and in order across reconnects.
 */
export class Follower {
  /** Event ids received per topic, in arrival order. */
  readonly received = new Map<string, number[]>();
  /** Comment ids of `comment.created` events, per topic, with how many times each came. */
  readonly createdComments = new Map<string, Map<string, number>>();
  readonly closeCodes: number[] = [];
  readonly errors: string[] = [];
  resets = 0;
  connections = 0;
  private readonly last = new Map<string, number>();
  private socket: WebSocket | null = null;
  private stopped = false;
  private home: number;
  private waiters = new Set<() => void>();

  constructor(
    private readonly servers: string[],
    home: number,
    private readonly token: string,
    readonly topics: string[],
  ) {
    this.home = home % servers.length;
    // From the start of each topic: these tests' topics begin with a handful of events.
    for (const topic of topics) this.last.set(topic, 0);
  }

  /** Connects; resolves once every topic is confirmed on the first socket. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('follower did not subscribe within 15 s')), 15_000);
      this.connect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private connect(onSubscribed?: () => void): void {
    if (this.stopped || this.connections >= MAX_RECONNECTS) return;
    this.connections += 1;
    const url = new URL('/api/v1/stream', this.servers[this.home]!.replace(/^http/, 'ws'));
    url.searchParams.set('token', this.token);
    const socket = new WebSocket(url);
    this.socket = socket;
    let confirmed = 0;
    let opened = false;
    socket.on('open', () => {
      opened = true;
      for (const topic of this.topics)
        socket.send(JSON.stringify({ type: 'subscribe', topic, since: this.last.get(topic) }));
    });
    socket.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as ServerMessage;
      if (m.type === 'subscribed' && ++confirmed === this.topics.length) onSubscribed?.();
      else if (m.type === 'event') this.onEvent(m.topic, m.event);
      else if (m.type === 'reset') this.resets += 1;
      else if (m.type === 'error') this.errors.push(`${m.topic ?? '-'} ${m.code}: ${m.message}`);
    });
    socket.on('error', () => {});
    socket.on('close', (code) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (opened) this.closeCodes.push(code);
      // A server that refused the connection outright is down: try the next, as a load balancer would.
      if (!opened) this.home = (this.home + 1) % this.servers.length;
      if (!this.stopped) sleep(100 + Math.random() * 200).then(() => this.connect(onSubscribed));
    });
  }

  private onEvent(topic: string, event: { id: number; kind: string; data: unknown }): void {
    const ids = this.received.get(topic) ?? [];
    ids.push(event.id);
    this.received.set(topic, ids);
    this.last.set(topic, Math.max(this.last.get(topic) ?? 0, event.id));
    if (event.kind === 'comment.created') {
      const id = (event.data as { comment: { id: string } }).comment.id;
      const seen = this.createdComments.get(topic) ?? new Map<string, number>();
      seen.set(id, (seen.get(id) ?? 0) + 1);
      this.createdComments.set(topic, seen);
    }
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `commentIds` have all arrived on `topic`, or after `timeoutMs` (then the check tells). */
  waitForComments(topic: string, commentIds: string[], timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const seen = this.createdComments.get(topic);
        if (commentIds.every((id) => seen?.has(id))) done();
      };
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  /**
   * What went wrong on `topic` for these acknowledged comments: a comment
   * whose event never came or came twice, an event id seen twice, ids out of order.
   */
  problems(topic: string, commentIds: string[]): string[] {
    const problems: string[] = [];
    const seen = this.createdComments.get(topic) ?? new Map<string, number>();
    const missing = commentIds.filter((id) => !seen.has(id));
    if (missing.length > 0) problems.push(`${topic}: ${missing.length} acknowledged comments never arrived`);
    for (const [id, n] of seen) if (n > 1) problems.push(`${topic}: comment ${id} arrived ${n} times`);
    const ids = this.received.get(topic) ?? [];
    for (let i = 1; i < ids.length; i++)
      if (ids[i]! <= ids[i - 1]!) problems.push(`${topic}: event ${ids[i]} after ${ids[i - 1]}`);
    if (this.resets > 0) problems.push(`${topic}: ${this.resets} resets`);
    return problems;
  }

  /** Drops the socket as a lost network would; the follower reconnects with `since`. */
  drop(): void {
    this.socket?.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }
}
