import { streamUrl } from '../lib/app';
import type { BenchContext } from '../lib/context';
import { PeakRss, rss, startWorker } from '../lib/procs';
import { fmtBytes, now, sleep } from '../lib/util';

/** Opens many websockets that only listen, and reads how much resident memory each costs the server. */
async function idleConnections(ctx: BenchContext) {
  const { server, seed } = ctx;
  const { connections, clientProcesses } = ctx.settings.idle;
  await sleep(1000);
  const before = rss(server.pid) ?? 0;
  const peak = new PeakRss(server.pid);
  const workers = await Promise.all(Array.from({ length: clientProcesses }, () => startWorker('ws-clients')));
  try {
    const urls = Array.from({ length: connections }, (_, i) =>
      streamUrl(server, seed.members[i % seed.members.length]!),
    );
    const started = now();
    const opened = await Promise.all(
      workers.map((w, k) =>
        w.call<{ opened: number; failed: number; errors: string[] }>(
          'connect',
          {
            urls: urls.filter((_, i) => i % clientProcesses === k),
            topic: null,
            concurrency: 100,
            timeoutMs: 30_000,
          },
          300_000,
        ),
      ),
    );
    const connectMs = now() - started;
    // Let allocation settle before reading resident memory.
    await sleep(3000);
    const after = rss(server.pid) ?? 0;
    const total = opened.reduce((n, o) => n + o.opened, 0);
    const failed = opened.reduce((n, o) => n + o.failed, 0);
    await Promise.all(workers.map((w) => w.call('close', {}, 60_000).catch(() => {})));
    return {
      before,
      after,
      total,
      failed,
      connectMs,
      peakRss: peak.stop(),
      errors: opened.flatMap((o) => o.errors).slice(0, 3),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** Scenario 5: run first, on a server that has done nothing yet, so the memory it measures is the sockets'. */
export async function idle(ctx: BenchContext): Promise<void> {
  await ctx.report.attempt('5', 'Idle websockets', async () => {
    const r = await idleConnections(ctx);
    const perConnection = (r.after - r.before) / Math.max(1, r.total);
    ctx.report.record({
      id: '5',
      name: `Idle websockets (${r.total.toLocaleString('en-US')})`,
      status: r.failed === 0 && perConnection <= 30 * 1024 ? 'PASS' : 'MISS',
      metric: 'KiB RSS/conn',
      value: perConnection / 1024,
      target: '≤ 30 KiB/conn',
      errors: r.failed,
      peakRssBytes: r.peakRss,
      notes: [
        `RSS ${fmtBytes(r.before)} → ${fmtBytes(r.after)} with ${r.total} sockets open (${Math.round(r.connectMs)} ms to open them)`,
        ...r.errors,
      ],
      details: r,
    });
  });
}
