// A process full of websocket clients, driven by the bench over IPC. It
// stamps every frame the moment it arrives (before any parsing) with the
// shared clock, so the bench can compute delivery latency.
import WebSocket from 'ws';
import { serveCommands } from '../lib/procs';
import { now, sleep } from '../lib/util';

const EVENT_PREFIX = Buffer.from('{"type":"event"');
const SUBSCRIBED_PREFIX = Buffer.from('{"type":"subscribed"');
const ERROR_PREFIX = Buffer.from('{"type":"error"');

interface Client {
  socket: WebSocket;
  subscribed: boolean;
  /** Called with the answer to the subscribe frame. */
  onAnswer: ((ok: boolean) => void) | null;
}

const clients: Client[] = [];
let frames = 0;
let bytes = 0;
const closes = new Map<string, number>();
const errors: string[] = [];

/** The round being measured: receipt times of its event frame, one per socket. */
let round: { id: number; times: number[]; size: number; sample: string | null; expected: number } | null =
  null;

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function onFrame(client: Client, data: Buffer, t: number): void {
  frames += 1;
  bytes += data.length;
  if (round && startsWith(data, EVENT_PREFIX)) {
    round.times.push(t);
    round.size = data.length;
    round.sample ??= data.toString();
    if (round.times.length === round.expected) {
      process.send?.({
        type: 'round',
        round: round.id,
        times: round.times,
        size: round.size,
        sample: round.sample,
      });
      round = null;
    }
    return;
  }
  if (!client.subscribed && startsWith(data, SUBSCRIBED_PREFIX)) {
    client.subscribed = true;
    client.onAnswer?.(true);
  } else if (startsWith(data, ERROR_PREFIX)) {
    if (errors.length < 5) errors.push(data.toString().slice(0, 300));
    client.onAnswer?.(false);
  }
}

function open(url: string, subscribe: string | null, timeoutMs: number): Promise<Client | null> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const client: Client = { socket, subscribed: false, onAnswer: null };
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(null);
    }, timeoutMs);
    socket.on('message', (data: Buffer) => onFrame(client, data, now()));
    socket.on('close', (code) => closes.set(String(code), (closes.get(String(code)) ?? 0) + 1));
    socket.on('error', (err) => {
      if (errors.length < 5) errors.push(err.message);
    });
    socket.once('unexpected-response', (_req, res) => {
      if (errors.length < 5) errors.push(`upgrade refused: ${res.statusCode}`);
      clearTimeout(timer);
      socket.terminate();
      resolve(null);
    });
    socket.once('open', () => {
      if (!subscribe) {
        clearTimeout(timer);
        resolve(client);
        return;
      }
      client.onAnswer = (ok) => {
        client.onAnswer = null;
        clearTimeout(timer);
        if (!ok) socket.terminate();
        resolve(ok ? client : null);
      };
      socket.once('close', () => client.onAnswer?.(false));
      socket.send(JSON.stringify({ type: 'subscribe', topic: subscribe }));
    });
  });
}

serveCommands({
  /** Opens one socket per url, `concurrency` handshakes at a time; subscribes each to `topic` when given. */
  async connect(args) {
    const urls = args.urls as string[];
    const topic = (args.topic as string | null) ?? null;
    const concurrency = (args.concurrency as number) ?? 100;
    const timeoutMs = (args.timeoutMs as number) ?? 30_000;
    const started = now();
    let next = 0;
    let failed = 0;
    const framesBefore = frames;
    const bytesBefore = bytes;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, urls.length) }, async () => {
        while (next < urls.length) {
          const url = urls[next++]!;
          const client = await open(url, topic, timeoutMs);
          if (client) clients.push(client);
          else failed += 1;
        }
      }),
    );
    return {
      opened: clients.length,
      failed,
      ms: now() - started,
      setupFrames: frames - framesBefore,
      setupBytes: bytes - bytesBefore,
      errors,
    };
  },
  /** Waits until no frame has arrived for `quietMs` (presence storms after subscribing), at most `maxMs`. */
  async settle(args) {
    const quietMs = (args.quietMs as number) ?? 300;
    const maxMs = (args.maxMs as number) ?? 30_000;
    const started = now();
    let last = frames;
    let quietSince = now();
    while (now() - started < maxMs) {
      await sleep(50);
      if (frames !== last) {
        last = frames;
        quietSince = now();
      } else if (now() - quietSince >= quietMs) break;
    }
    return {
      ms: now() - started,
      frames,
      bytes,
      open: clients.filter((c) => c.socket.readyState === WebSocket.OPEN).length,
    };
  },
  /** Starts recording the next event frame of every open socket as round `round`. */
  arm(args) {
    const expected = clients.filter((c) => c.socket.readyState === WebSocket.OPEN).length;
    round = { id: args.round as number, times: [], size: 0, sample: null, expected };
    return { expected };
  },
  /** Gives up on the current round: what arrived so far. */
  collect() {
    const r = round;
    round = null;
    return r ? { round: r.id, times: r.times, size: r.size, sample: r.sample, expected: r.expected } : null;
  },
  clock: () => now(),
  stats: () => ({
    frames,
    bytes,
    open: clients.filter((c) => c.socket.readyState === WebSocket.OPEN).length,
    closes: Object.fromEntries(closes),
    errors,
  }),
  async close() {
    for (const c of clients) c.socket.close();
    const deadline = now() + 5_000;
    while (clients.some((c) => c.socket.readyState !== WebSocket.CLOSED) && now() < deadline) await sleep(20);
    for (const c of clients) if (c.socket.readyState !== WebSocket.CLOSED) c.socket.terminate();
    clients.length = 0;
    return true;
  },
});
