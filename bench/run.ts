// `npm run bench` (about 10 minutes) and `npm run bench -- --quick` (a few):
// Plenary under load on a real server process, each figure next to a
// baseline measured in the same run. DATABASE_URL set: a fresh database on
// that Postgres server (dropped at the end); unset: a fresh PGlite directory.
// Prints a table and writes bench/results.json. See bench/README.md.
//
// Options: --quick, --only=votes,delegation,reading,home,fanout,idle,client,email,scale, --build-client
// (rebuild dist/client first), --out=<file> (default bench/results.json).
//
// The runner: one database, one seed, one server that the first scenarios
// share; each scenario is a module of bench/scenarios/.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConsentProposal } from './lib/app';
import { type BenchContext, settingsFor } from './lib/context';
import { createBenchDatabase } from './lib/db';
import { LoadRunner } from './lib/load';
import { interrupted, onCleanup, ROOT, runMain, startAppServer, tail } from './lib/procs';
import { summarizeProfile } from './lib/profile';
import { Report } from './lib/report';
import { seedBase } from './lib/seed';
import { fmt, log, machineInfo, table } from './lib/util';
import { client, clientBundle } from './scenarios/client';
import { delegation } from './scenarios/delegation';
import { email } from './scenarios/email';
import { fanout } from './scenarios/fanout';
import { home } from './scenarios/home';
import { idle } from './scenarios/idle';
import { reading } from './scenarios/reading';
import { printPlans, scale } from './scenarios/scale';
import { votes } from './scenarios/votes';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const ONLY =
  argv
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .split(',') ?? null;
const OUT = argv.find((a) => a.startsWith('--out='))?.slice(6) ?? path.join(ROOT, 'bench/results.json');
/** Scale compares with votes and reading on the small database: asking for scale runs those too. */
const wants = (name: string) =>
  !ONLY || ONLY.includes(name) || (ONLY.includes('scale') && (name === 'votes' || name === 'reading'));
/** --trace-queries: the server times every SQL statement (bench/tools/trace-queries.mjs) and the report lists them. */
const TRACE = argv.includes('--trace-queries');
/** --profile: the server writes V8 CPU profiles here (kept after the run) and the report summarises them. */
const PROFILE_DIR = argv.includes('--profile')
  ? mkdtempSync(path.join(tmpdir(), 'plenary-bench-profiles-'))
  : undefined;
const SETTINGS = settingsFor(QUICK);

/** In order: 5 first, on a server that has done nothing yet, so the memory it measures is the sockets'. */
const ON_SHARED_SERVER = [
  ['idle', idle],
  ['votes', votes],
  ['delegation', delegation],
  ['reading', reading],
  ['home', home],
  ['fanout', fanout],
  ['client', client],
] as const;
/** After the shared server has stopped: each starts the server processes it needs. */
const ON_OWN_SERVERS = [
  ['email', email],
  ['scale', scale],
] as const;

async function main(): Promise<void> {
  const startedAt = new Date();
  const bench = await createBenchDatabase();
  log(`${QUICK ? 'quick' : 'full'} run on ${bench.label}`);
  const secret = randomBytes(32).toString('base64url');
  const serverEnv: Record<string, string> = { ...bench.serverEnv, SESSION_SECRET: secret };
  const traceFile = TRACE ? path.join(bench.workDir, 'trace.json') : null;
  if (traceFile) {
    const preload = `--import ${path.join(ROOT, 'bench/tools/trace-queries.mjs')}`;
    serverEnv.NODE_OPTIONS = [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ');
    serverEnv.BENCH_TRACE_FILE = traceFile;
  }
  const logFile = path.join(bench.workDir, 'server.log');
  const report = new Report();
  onCleanup(() => {
    if (!report.keepLogs.size) return;
    const kept = path.join(tmpdir(), `plenary-bench-server-${Date.now()}.log`);
    copyFileSync(logFile, kept);
    console.log(`server log kept (errors or a crash): ${kept}\n${tail(kept, 15)}`);
  });

  const bundle = wants('client') ? clientBundle(report, argv.includes('--build-client')) : null;

  const database = await bench.open();
  const seed = await seedBase(database.db, {
    members: SETTINGS.members,
    hotComments: SETTINGS.hotComments,
    pageComments: SETTINGS.pageComments,
    sessionSecret: secret,
  });
  await database.close();

  const server = await startAppServer(serverEnv, logFile, { profileDir: PROFILE_DIR });
  report.current = server;
  const ctx: BenchContext = {
    quick: QUICK,
    settings: SETTINGS,
    bench,
    seed,
    proposalId: await createConsentProposal(server, seed),
    serverEnv,
    logFile,
    profileDir: PROFILE_DIR,
    report,
    loader: new LoadRunner({
      connections: SETTINGS.connections,
      warmupS: SETTINGS.warmupS,
      durationS: SETTINGS.durationS,
      dbName: bench.url ? new URL(bench.url).pathname.slice(1) : null,
      traceFile,
    }),
    server,
    bundle,
    small: {},
    profiles: [],
    plans: { small: [], large: [], tableSizes: {} },
  };
  for (const [name, run] of ON_SHARED_SERVER) if (wants(name)) await run(ctx);
  await server.stop();
  if (PROFILE_DIR) ctx.profiles.push(summarizeProfile(PROFILE_DIR));
  // Scale compares with votes and reading: asking for scale alone runs those first (above).
  for (const [name, run] of ON_OWN_SERVERS) if (wants(name)) await run(ctx);

  report.print(
    `Plenary bench, ${QUICK ? 'quick' : 'full'} run on ${bench.kind} (${startedAt.toISOString()})`,
  );
  printPlans(ctx);
  for (const p of ctx.profiles) {
    if (!p) continue;
    console.log(
      `\nServer CPU profile ${p.file}: ${fmt(p.seconds, 1)} s, main thread busy ${fmt(p.busy * 100, 0)}%; self time by owner:`,
    );
    console.log(
      table(
        ['owner', 'ms', 'share'],
        p.byOwner.map((o) => [o.owner, fmt(o.ms, 0), `${fmt(o.share * 100, 1)}%`]),
      ),
    );
    console.log(
      table(
        ['function', 'ms', 'share'],
        p.byFunction.map((o) => [o.fn, fmt(o.ms, 0), `${fmt(o.share * 100, 1)}%`]),
      ),
    );
  }
  const results = {
    mode: QUICK ? 'quick' : 'full',
    database: bench.kind,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    settings: SETTINGS,
    scenarios: report.scenarios,
    plans: ctx.plans,
    profiles: ctx.profiles.filter(Boolean),
  };
  if (interrupted) {
    console.log('\ninterrupted: results not written');
    return;
  }
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), OUT)}`);
}

runMain(main, (QUICK ? 15 : 60) * 60_000);
