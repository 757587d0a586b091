import path from 'node:path';
import { VOTE_BODIES } from '../lib/app';
import type { BenchContext } from '../lib/context';
import { errorsOf } from '../lib/load';
import { type AppServer, startWorker } from '../lib/procs';
import { fmt } from '../lib/util';

/** 2,000 voters changing their votes on one proposal, c=50 (scenario 4 repeats it on a large database). */
export function measureVotes(ctx: BenchContext, server: AppServer) {
  return ctx.loader.loadApp(server, {
    method: 'PUT',
    path: `/api/v1/proposals/${ctx.proposalId}/vote`,
    tokens: ctx.seed.members.map((m) => m.token),
    bodies: VOTE_BODIES,
  });
}

/** Single-row INSERTs into a two-column table, as many at a time, straight through the driver. */
async function insertBaseline(ctx: BenchContext) {
  const { bench, settings } = ctx;
  const worker = await startWorker('insert-baseline');
  try {
    return await worker.call<{ rps: number; p50: number; p99: number; errors: number; inserts: number }>(
      'run',
      {
        connectionString: bench.url,
        dataDir: path.join(bench.workDir, 'baseline-pglite'),
        concurrency: settings.connections,
        durationMs: settings.durationS * 1000,
        warmupMs: settings.warmupS * 1000,
      },
      180_000,
    );
  } finally {
    await worker.stop();
  }
}

/** Scenario 1. */
export async function votes(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  await report.attempt('1', 'Votes', async () => {
    const v = await measureVotes(ctx, ctx.server);
    ctx.small.votes = v.result;
    const baseline = await insertBaseline(ctx);
    const ratio = v.result.rps / baseline.rps;
    const errors = errorsOf(v.result);
    report.record({
      id: '1',
      name: 'Votes (2,000 voters, c=50)',
      status: ratio >= 0.35 && errors === 0 ? 'PASS' : 'MISS',
      metric: 'votes/s',
      value: v.result.rps,
      baseline: baseline.rps,
      ratio,
      target: '≥ 0.35× inserts/s, 0 errors',
      p50Ms: v.result.p50,
      p99Ms: v.result.p99,
      errors,
      peakRssBytes: v.peakRss,
      notes: [
        `baseline: single-row INSERTs into a two-column table, ${ctx.settings.connections} at a time, through ${ctx.bench.kind === 'postgres' ? 'pg (pool of 50)' : 'PGlite'}: p50 ${fmt(baseline.p50, 2)} ms, p99 ${fmt(baseline.p99, 2)} ms`,
        ctx.loader.cpuNote(v.cpu, v.result.rps),
        ...v.trace,
        ...v.result.errorSamples,
      ],
      details: { app: v.result, baseline, cpu: v.cpu },
    });
  });
}
