import { compareFanout } from '../lib/app';
import type { BenchContext } from '../lib/context';
import { PeakRss } from '../lib/procs';
import { fmt, fmtBytes } from '../lib/util';

/** Scenario 2: each vote's frame to 1,000 subscribers of its thread, against a bare `ws` server doing the same. */
export async function fanout(ctx: BenchContext): Promise<void> {
  const { server, seed, report } = ctx;
  await report.attempt('2', 'Fan-out', async () => {
    const peak = new PeakRss(server.pid);
    const f = await compareFanout(server, seed, ctx.proposalId, {
      topic: `thread:${seed.hotThreadId}`,
      ...ctx.settings.fanout,
    });
    const peakRss = peak.stop();
    const ok = f.ratio <= 2 && f.app.missing === 0 && f.app.writeErrors === 0;
    report.record({
      id: '2',
      name: `Fan-out (${f.app.subscribed} thread subscribers, ${f.app.rounds} votes)`,
      status: ok ? 'PASS' : 'MISS',
      metric: 'p99 ms',
      value: f.app.fromAnswer.p99,
      baseline: f.bare.fromAnswer.p99,
      ratio: f.ratio,
      target: 'p99 ≤ 2× bare ws p99',
      p50Ms: f.app.fromAnswer.p50,
      p99Ms: f.app.fromAnswer.p99,
      errors: f.app.missing + f.app.writeErrors + f.app.wrongFrames,
      peakRssBytes: peakRss,
      notes: [
        `latency from the vote's HTTP answer to each subscriber's receipt; bare ws p50 ${fmt(f.bare.fromAnswer.p50, 2)} ms; frame ${f.app.frameBytes} B`,
        `subscribing ${f.app.subscribed} sockets took ${fmt(f.app.connectMs / 1000, 1)} s and delivered ${f.app.setupFrames.toLocaleString('en-US')} frames (${fmtBytes(f.app.setupBytes)}) before the first vote`,
        ...(Object.keys(f.app.closes).length
          ? [`closed by the server: ${JSON.stringify(f.app.closes)}`]
          : []),
        ...f.app.errors,
      ],
      details: f as unknown as Record<string, unknown>,
    });
  });
}
