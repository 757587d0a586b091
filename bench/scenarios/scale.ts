import type { BenchContext } from '../lib/context';
import { explainHotQueries, type PlanReport } from '../lib/explain';
import { errorsOf } from '../lib/load';
import { startAppServer } from '../lib/procs';
import { summarizeProfile } from '../lib/profile';
import { loadScale, tableSizes } from '../lib/seed';
import { fmt, log, table } from '../lib/util';
import { measureReading } from './reading';
import { measureVotes } from './votes';

/** A query whose execution time grew more than 5× (and past 2 ms) from the small to the large database. */
function grew(ctx: BenchContext, p: PlanReport): boolean {
  const before = ctx.plans.small.find((q) => q.name === p.name);
  return before !== undefined && p.executionMs > 2 && p.executionMs > 5 * before.executionMs;
}

/**
 * Scenario 4: the hot queries' plans on the small database, then a large one
 * loaded beside it (1 M votes, 200,000 comments), the plans again, and
 * scenarios 1 and 3 repeated on a new server against the small database's figures.
 */
export async function scale(ctx: BenchContext): Promise<void> {
  const { report, seed, settings, small, plans } = ctx;
  await report.attempt('4', 'Scale', async () => {
    const database = await ctx.bench.open();
    const explainIds = {
      groupId: seed.groupId,
      threadId: seed.hotThreadId,
      proposalId: ctx.proposalId,
      userId: seed.members[1]!.id,
      token: seed.members[1]!.token,
    };
    try {
      plans.small = await explainHotQueries(database, explainIds);
      const loaded = await loadScale(database.db, seed.groupId, settings.scale);
      plans.tableSizes = await tableSizes(database.db);
      plans.large = await explainHotQueries(database, explainIds);
      log(`scale data in ${fmt(loaded.ms / 1000, 1)} s: ${JSON.stringify(plans.tableSizes)}`);
    } finally {
      await database.close();
    }
    const server = await startAppServer(ctx.serverEnv, ctx.logFile, { profileDir: ctx.profileDir });
    report.current = server;
    try {
      const bad = plans.large.filter(
        (p) => p.bigSeqScans.length > 0 || p.wastefulScans.length > 0 || grew(ctx, p),
      );
      const planNote = bad.length
        ? `plans that grow with the database: ${bad
            .map((p) => {
              const before = plans.small.find((q) => q.name === p.name)?.executionMs;
              return `${p.name} (${[...p.bigSeqScans, ...p.wastefulScans, `${fmt(before, 2)} → ${fmt(p.executionMs, 2)} ms`].join(', ')})`;
            })
            .join('; ')}`
        : `all ${plans.large.length} hot queries use fitting indexes`;
      if (small.votes) {
        const v = await measureVotes(ctx, server);
        const ratio = v.result.rps / small.votes.rps;
        const latency = v.result.p99 / small.votes.p99;
        report.record({
          id: '4a',
          name: `Votes at scale (${settings.scale.votes.toLocaleString('en-US')} votes in the database)`,
          status: ratio >= 1 / 1.5 && latency <= 1.5 ? 'PASS' : 'MISS',
          metric: 'votes/s',
          value: v.result.rps,
          baseline: small.votes.rps,
          ratio,
          target: 'within 1.5× of small DB (rate and p99)',
          p50Ms: v.result.p50,
          p99Ms: v.result.p99,
          errors: errorsOf(v.result),
          peakRssBytes: v.peakRss,
          notes: [
            `baseline = the small database's votes/s; p99 ${fmt(latency, 2)}× the small database's`,
            ctx.loader.cpuNote(v.cpu, v.result.rps),
            ...v.trace,
            planNote,
            ...v.result.errorSamples,
          ],
          details: { app: v.result, small: small.votes, cpu: v.cpu },
        });
      }
      const dead = server.died();
      if (dead)
        throw new Error(`the server process ${dead} after 4a; its log is kept (see the end of the report)`);
      const r = small.reading ? await measureReading(ctx, server) : null;
      if (small.reading && r && !('missing' in r)) {
        const ratio = r.app.result.rps / small.reading.rps;
        const latency = r.app.result.p99 / small.reading.p99;
        report.record({
          id: '4b',
          name: `Reading at scale (${settings.scale.comments.toLocaleString('en-US')} more comments)`,
          status: ratio >= 1 / 1.5 && latency <= 1.5 ? 'PASS' : 'MISS',
          metric: 'req/s',
          value: r.app.result.rps,
          baseline: small.reading.rps,
          ratio,
          target: 'within 1.5× of small DB (rate and p99)',
          p50Ms: r.app.result.p50,
          p99Ms: r.app.result.p99,
          errors: errorsOf(r.app.result),
          peakRssBytes: r.app.peakRss,
          notes: [
            `baseline = the small database's req/s; p99 ${fmt(latency, 2)}× the small database's`,
            ctx.loader.cpuNote(r.app.cpu, r.app.result.rps),
            ...r.app.trace,
            planNote,
          ],
          details: { app: r.app.result, small: small.reading, cpu: r.app.cpu },
        });
      } else if (!small.reading) {
        report.record({
          id: '4b',
          name: 'Reading at scale',
          status: 'N/A',
          metric: 'req/s',
          target: 'within 1.5× of small DB',
          notes: ['the timeline route is not available'],
        });
      }
    } finally {
      await server.stop();
      if (ctx.profileDir) ctx.profiles.push(summarizeProfile(ctx.profileDir));
    }
  });
}

/** The hot queries' plans on the large database beside their times on the small one. */
export function printPlans(ctx: BenchContext): void {
  const { plans } = ctx;
  if (!plans.large.length) return;
  console.log(
    `\nQuery plans at scale (EXPLAIN ANALYZE of the app's own queries; ${JSON.stringify(plans.tableSizes)}):\n`,
  );
  console.log(
    table(
      ['query', 'index?', 'exec ms small', 'exec ms large', 'plan ms large', 'scans (large)'],
      plans.large.map((p) => {
        const before = plans.small.find((q) => q.name === p.name);
        return [
          p.name,
          p.bigSeqScans.length
            ? 'SEQ SCAN'
            : p.wastefulScans.length
              ? 'WRONG INDEX'
              : grew(ctx, p)
                ? 'yes, but GREW'
                : p.usesIndex
                  ? 'yes'
                  : 'no (small tables)',
          fmt(before?.executionMs, 2),
          fmt(p.executionMs, 2),
          fmt(p.planningMs, 2),
          p.scans.join('; '),
        ];
      }),
    ),
  );
}
