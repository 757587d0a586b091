import { startWorker, type Worker } from './procs';
import { log, now, type Summary, sleep, summarize } from './util';

/** One write whose delivery is timed: when it was sent and when its HTTP answer had been read. */
export interface Write {
  sentAt: number;
  answeredAt: number;
  status: number;
}

export interface FanoutOptions {
  label: string;
  /** One websocket URL per subscriber (with `?token=` for the app). */
  urls: string[];
  /** Sent as `{"type":"subscribe","topic":…}` on each socket; null: no subscribe frame (bare ws). */
  topic: string | null;
  rounds: number;
  /** Pause after a round was delivered everywhere, before the next write. */
  spacingMs: number;
  /** Subscriber processes; the sockets are split between them. */
  clientProcesses: number;
  /** Makes the write of round `round` (an HTTP request) and times it. */
  write(round: number): Promise<Write>;
  /** Checks that a frame received in `round` is that round's event. */
  verify?(round: number, frame: string): boolean;
  roundTimeoutMs?: number;
  /** Rounds made first and not counted (JIT, connection pools, caches). Default 5. */
  warmupRounds?: number;
}

export interface FanoutResult {
  label: string;
  subscribers: number;
  subscribed: number;
  connectMs: number;
  /** Frames and bytes the subscribers got between connecting and the first write (presence and the like). */
  setupFrames: number;
  setupBytes: number;
  settleMs: number;
  rounds: number;
  /** Deliveries expected (subscribers × rounds) and missing (not within the round timeout). */
  expected: number;
  missing: number;
  wrongFrames: number;
  writeErrors: number;
  frameBytes: number;
  /** Answer of the write → receipt by each subscriber, ms. */
  fromAnswer: Summary;
  /** Write sent → receipt, ms. */
  fromSent: Summary;
  /** Duration of the write request itself, ms. */
  write: Summary;
  /** Measured offset between each subscriber process's clock and ours, ms (already corrected). */
  clockOffsetsMs: number[];
  closes: Record<string, number>;
  errors: string[];
}

/** Offset of a worker's clock from ours, from the IPC round trip with the smallest delay. */
async function clockOffset(worker: Worker): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 25; i++) {
    const t0 = now();
    const t1 = await worker.call<number>('clock', {}, 5_000);
    const t2 = now();
    if (t2 - t0 < best.rtt) best = { rtt: t2 - t0, offset: t1 - (t0 + t2) / 2 };
  }
  return best.offset;
}

/**
 * Measures delivery latency of one topic to many websocket subscribers: the
 * subscribers live in `clientProcesses` child processes (never in the
 * server's, never in this one, which only writes and keeps time), each
 * round makes one write and waits until every subscriber stamped its frame.
 */
export async function measureFanout(options: FanoutOptions): Promise<FanoutResult> {
  const { urls } = options;
  const roundTimeoutMs = options.roundTimeoutMs ?? 10_000;
  const workers = await Promise.all(
    Array.from({ length: options.clientProcesses }, () => startWorker('ws-clients')),
  );
  try {
    const shares = workers.map((_, w) => urls.filter((_, i) => i % workers.length === w));
    const connectStarted = now();
    const connected = await Promise.all(
      workers.map((worker, w) =>
        worker.call<{
          opened: number;
          failed: number;
          setupFrames: number;
          setupBytes: number;
          errors: string[];
        }>('connect', { urls: shares[w], topic: options.topic, concurrency: 50, timeoutMs: 30_000 }, 240_000),
      ),
    );
    const connectMs = now() - connectStarted;
    const subscribed = connected.reduce((n, c) => n + c.opened, 0);
    log(`${options.label}: ${subscribed}/${urls.length} subscribers ready in ${Math.round(connectMs)} ms`);
    // Let whatever subscribing set off (presence broadcasts) die down before timing anything.
    const settled = await Promise.all(
      workers.map((w) =>
        w.call<{ ms: number; frames: number; bytes: number }>(
          'settle',
          { quietMs: 500, maxMs: 60_000 },
          90_000,
        ),
      ),
    );
    const setupFrames = settled.reduce((n, s) => n + s.frames, 0);
    const setupBytes = settled.reduce((n, s) => n + s.bytes, 0);
    const settleMs = Math.max(...settled.map((s) => s.ms));
    if (setupFrames > subscribed * 2) {
      log(
        `${options.label}: subscribing brought ${setupFrames} frames (${Math.round(setupBytes / 1024)} KiB) to the subscribers, settled after ${Math.round(settleMs)} ms`,
      );
    }
    const offsets = await Promise.all(workers.map(clockOffset));

    const waiting = new Map<string, (m: { times: number[]; size: number; sample: string | null }) => void>();
    workers.forEach((worker, w) => {
      worker.onMessage((m) => {
        if (m.type === 'round')
          waiting.get(`${w}:${m.round}`)?.(m as unknown as { times: number[]; size: number; sample: string });
      });
    });
    const fromAnswer: number[] = [];
    const fromSent: number[] = [];
    const writeMs: number[] = [];
    let expected = 0;
    let missing = 0;
    let wrongFrames = 0;
    let writeErrors = 0;
    let frameBytes = 0;
    const warmup = options.warmupRounds ?? 5;
    for (let round = 0; round < warmup + options.rounds; round++) {
      const counted = round >= warmup;
      const arms = await Promise.all(
        workers.map((w) => w.call<{ expected: number }>('arm', { round }, 5_000)),
      );
      const arrivals = workers.map(
        (worker, w) =>
          new Promise<{ times: number[]; size: number; sample: string | null }>((resolve) => {
            const timer = setTimeout(async () => {
              waiting.delete(`${w}:${round}`);
              const partial = await worker.call<{
                times: number[];
                size: number;
                sample: string | null;
              } | null>('collect', {}, 5_000);
              resolve(partial ?? { times: [], size: 0, sample: null });
            }, roundTimeoutMs);
            waiting.set(`${w}:${round}`, (m) => {
              clearTimeout(timer);
              waiting.delete(`${w}:${round}`);
              resolve(m);
            });
          }),
      );
      const write = await options.write(round);
      const received = await Promise.all(arrivals);
      await sleep(options.spacingMs);
      if (!counted) continue;
      writeMs.push(write.answeredAt - write.sentAt);
      if (write.status < 200 || write.status >= 300) writeErrors += 1;
      received.forEach((r, w) => {
        expected += arms[w]!.expected;
        missing += arms[w]!.expected - r.times.length;
        if (r.size) frameBytes = r.size;
        if (r.sample && options.verify && !options.verify(round, r.sample)) wrongFrames += 1;
        for (const t of r.times) {
          const ours = t - offsets[w]!;
          fromAnswer.push(ours - write.answeredAt);
          fromSent.push(ours - write.sentAt);
        }
      });
    }
    const stats = await Promise.all(
      workers.map((w) => w.call<{ closes: Record<string, number>; errors: string[] }>('stats')),
    );
    const closes: Record<string, number> = {};
    for (const s of stats)
      for (const [code, n] of Object.entries(s.closes)) closes[code] = (closes[code] ?? 0) + n;
    await Promise.all(workers.map((w) => w.call('close', {}, 20_000).catch(() => {})));
    return {
      label: options.label,
      subscribers: urls.length,
      subscribed,
      connectMs,
      setupFrames,
      setupBytes,
      settleMs,
      rounds: options.rounds,
      expected,
      missing,
      wrongFrames,
      writeErrors,
      frameBytes,
      fromAnswer: summarize(fromAnswer),
      fromSent: summarize(fromSent),
      write: summarize(writeMs),
      clockOffsetsMs: offsets,
      closes,
      errors: [...new Set(connected.flatMap((c) => c.errors).concat(stats.flatMap((s) => s.errors)))].slice(
        0,
        5,
      ),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** A timed HTTP request; the answer time is taken once the whole body has been read. */
export async function timedRequest(url: string, init: RequestInit): Promise<Write & { body: string }> {
  const sentAt = now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { sentAt, answeredAt: now(), status: res.status, body };
}

/** Runs the same fan-out against a bare `ws` server in its own process, with frames of `frameBytes`. */
export async function measureBareFanout(options: {
  subscribers: number;
  rounds: number;
  spacingMs: number;
  clientProcesses: number;
  frameBytes: number;
  roundTimeoutMs?: number;
}): Promise<FanoutResult & { serverPid: number }> {
  const server = await startWorker('bare-ws');
  try {
    const { port, pid } = await server.call<{ port: number; pid: number }>('start');
    const result = await measureFanout({
      label: 'bare ws',
      urls: Array.from({ length: options.subscribers }, () => `ws://127.0.0.1:${port}/`),
      topic: null,
      rounds: options.rounds,
      spacingMs: options.spacingMs,
      clientProcesses: options.clientProcesses,
      roundTimeoutMs: options.roundTimeoutMs,
      write: (round) =>
        timedRequest(`http://127.0.0.1:${port}/broadcast?round=${round}&size=${options.frameBytes}`, {
          method: 'POST',
        }),
      verify: (round, frame) => frame.includes(`"round":${round},`),
    });
    await server.call('stop', {}, 10_000).catch(() => {});
    return { ...result, serverPid: pid };
  } finally {
    await server.stop();
  }
}
