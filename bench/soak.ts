import { FULL, mib, QUICK, runSoak } from './lib/soak';
import { fmt, log, table } from './lib/util';

/**
 * `npm run soak`: 200 simulated members against real server processes for
 * ten minutes (`--quick`: 30 s of load, about a minute in all), then the
 * checks of bench/lib/soak.ts. Postgres when DATABASE_URL is set (two
 * processes), else the embedded database (one). Exits 1 when a check fails.
 */
const args = process.argv.slice(2);
const number = (name: string) => {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.split('=')[1]) : undefined;
};
const base = args.includes('--quick') ? QUICK : FULL;
const logLevel = args.find((a) => a.startsWith('--log-level='))?.split('=')[1];
const controller = new AbortController();
process.on('SIGINT', () => {
  log('interrupted: ending the load, then checking and cleaning up');
  controller.abort();
});

const report = await runSoak({
  ...base,
  members: number('members') ?? base.members,
  followers: number('followers') ?? base.followers,
  loadMs: (number('seconds') ?? base.loadMs / 1000) * 1000,
  databaseUrl: process.env.DATABASE_URL?.trim() || undefined,
  log,
  signal: controller.signal,
  serverEnv: logLevel ? { LOG_LEVEL: logLevel } : {},
});

console.log(
  `\nSoak on ${report.database}, ${report.servers} process(es), ${report.members} members, ${report.followers} subscribers, ${Math.round(report.loadMs / 1000)} s of load\n`,
);
console.log(
  table(
    ['what', 'figure'],
    [
      ['requests (per second)', `${report.requests} (${fmt(report.requests / (report.loadMs / 1000))})`],
      [
        'server CPU ms per request',
        fmt((report.cpuSeconds.reduce((a, b) => a + b, 0) * 1000) / Math.max(1, report.requests)),
      ],
      ['answers 2xx / 4xx / 5xx / none', Object.values(report.answers).join(' / ')],
      ['comments acknowledged / found once', `${report.comments.acknowledged} / ${report.comments.found}`],
      [
        'voters acknowledged / ballots stored / voterCount shown',
        `${report.votes.acknowledgedVoters} / ${report.votes.ballotsFound} / ${report.votes.voterCount}`,
      ],
      [
        'reactions on (acknowledged / stored)',
        `${report.reactions.acknowledgedOn} / ${report.reactions.found}`,
      ],
      ['stream events received; reconnects', `${report.events.received}; ${report.events.reconnects}`],
      ...report.rss.map((r) => [
        `RSS pid ${r.pid} (MiB): first, last; mean first/last third; peak`,
        `${mib(r.first)}, ${mib(r.last)}; ${mib(r.firstMean)} / ${mib(r.lastMean)}; ${mib(r.peak)}${r.flat ? '' : ' NOT FLAT'}`,
      ]),
      ['exit codes after SIGTERM', report.exitCodes.join(', ')],
    ],
  ),
);
if (report.samples.length) console.log(`\nfirst non-2xx answers:\n${report.samples.join('\n')}`);
if (report.problems.length) {
  console.log(`\n${report.problems.length} problem(s):\n${report.problems.slice(0, 50).join('\n')}`);
  console.log(`\nserver output: ${report.logs.join(', ')}`);
  process.exit(1);
}
console.log('\nall checks passed');
