import type { BenchContext } from '../lib/context';
import { errorsOf } from '../lib/load';
import { type AppServer, startWorker } from '../lib/procs';
import { fmt, fmtBytes } from '../lib/util';

const PAGE = 'limit=50';

/** GET the first timeline page once: the JSON the baseline serves, or why it cannot be read. */
async function timelineProbe(
  ctx: BenchContext,
  server: AppServer,
): Promise<{ json: string } | { missing: string }> {
  const res = await fetch(`${server.url}/api/v1/threads/${ctx.seed.hotThreadId}/timeline?${PAGE}`, {
    headers: { authorization: `Bearer ${ctx.seed.members[1]!.token}` },
  });
  const body = await res.text();
  if (res.status === 404 && body.includes('no route'))
    return { missing: 'GET /api/v1/threads/:id/timeline is not implemented yet' };
  if (res.status !== 200)
    return { missing: `GET /api/v1/threads/:id/timeline answered ${res.status}: ${body.slice(0, 200)}` };
  return { json: body };
}

/** Every member reading the hot thread's first page, c=50 (scenario 4 repeats it on a large database). */
export async function measureReading(ctx: BenchContext, server: AppServer) {
  const probe = await timelineProbe(ctx, server);
  if ('missing' in probe) return { missing: probe.missing };
  const items = (JSON.parse(probe.json) as { items: unknown[] }).items.length;
  const app = await ctx.loader.loadApp(server, {
    method: 'GET',
    path: `/api/v1/threads/${ctx.seed.hotThreadId}/timeline?${PAGE}`,
    tokens: ctx.seed.members.map((m) => m.token),
  });
  return { app, items, json: probe.json };
}

/** The same JSON served by a bare Fastify route from memory. */
async function bareReading(ctx: BenchContext, json: string) {
  const worker = await startWorker('bare-read');
  try {
    const { port } = await worker.call<{ port: number }>('start', { json });
    return (
      await ctx.loader.load({
        url: `http://127.0.0.1:${port}`,
        method: 'GET',
        path: `/api/v1/threads/${ctx.seed.hotThreadId}/timeline?${PAGE}`,
      })
    ).result;
  } finally {
    await worker.stop();
  }
}

/** Scenario 3. */
export async function reading(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  await report.attempt('3', 'Reading', async () => {
    const r = await measureReading(ctx, ctx.server);
    if ('missing' in r) {
      report.record({
        id: '3',
        name: 'Reading the timeline',
        status: 'N/A',
        metric: 'req/s',
        target: '≥ 0.3× bare Fastify',
        notes: [r.missing ?? 'not available'],
      });
      return;
    }
    ctx.small.reading = r.app.result;
    const baseline = await bareReading(ctx, r.json);
    const ratio = r.app.result.rps / baseline.rps;
    const errors = errorsOf(r.app.result);
    report.record({
      id: '3',
      name: 'Reading the timeline (2,000 comments, limit 50, c=50)',
      status: ratio >= 0.3 && errors === 0 ? 'PASS' : 'MISS',
      metric: 'req/s',
      value: r.app.result.rps,
      baseline: baseline.rps,
      ratio,
      target: '≥ 0.3× bare Fastify',
      p50Ms: r.app.result.p50,
      p99Ms: r.app.result.p99,
      errors,
      peakRssBytes: r.app.peakRss,
      notes: [
        `${r.items} items, ${fmtBytes(r.json.length)} of JSON a page; bare Fastify p50 ${fmt(baseline.p50, 2)} ms`,
        ctx.loader.cpuNote(r.app.cpu, r.app.result.rps),
        ...r.app.trace,
        ...r.app.result.errorSamples,
      ],
      details: { app: r.app.result, baseline, cpu: r.app.cpu, bytes: r.json.length },
    });
  });
}
