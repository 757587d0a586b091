// `npm run bench` (about 10 minutes) and `npm run bench -- --quick` (a few):
// Plenary under load on a real server process, each figure next to a
// baseline measured in the same run. DATABASE_URL set: a fresh database on
// that Postgres server (dropped at the end); unset: a fresh PGlite directory.
// Prints a table and writes bench/results.json. See bench/README.md.
//
// Options: --quick, --only=votes,reading,fanout,idle,client,email,scale, --build-client
// (rebuild dist/client first), --out=<file> (default bench/results.json).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareFanout, createConsentProposal, streamUrl, VOTE_BODIES } from './lib/app';
import { type BundleReport, measureBundle, measurePaint, threadPagePath } from './lib/client';
import { createBenchDatabase } from './lib/db';
import { measureEmail } from './lib/email';
import { explainHotQueries, type PlanReport } from './lib/explain';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { summarizeProfile } from './lib/profile';
import {
  type AppServer,
  cpuSeconds,
  postgresCpuSeconds,
  PeakRss,
  interrupted,
  ROOT,
  rss,
  runMain,
  startAppServer,
  onCleanup,
  startWorker,
  tail,
} from './lib/procs';
import { loadScale, type Seed, seedBase, tableSizes } from './lib/seed';
import { fmt, fmtBytes, log, machineInfo, now, sleep, table } from './lib/util';
import type { CannonArgs, CannonResult } from './workers/cannon';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const ONLY =
  argv
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .split(',') ?? null;
const OUT = argv.find((a) => a.startsWith('--out='))?.slice(6) ?? path.join(ROOT, 'bench/results.json');
const wants = (name: string) => !ONLY || ONLY.includes(name);
/** --trace-queries: the server times every SQL statement (bench/tools/trace-queries.mjs) and the report lists them. */
const TRACE = argv.includes('--trace-queries');
/** The bench database's name on Postgres, to tell its backends' CPU from other databases'. */
let DB_NAME: string | null = null;
let TRACE_FILE: string | null = null;
/** --profile: the server writes V8 CPU profiles here (kept after the run) and the report summarises them. */
const PROFILE_DIR = argv.includes('--profile')
  ? mkdtempSync(path.join(tmpdir(), 'plenary-bench-profiles-'))
  : undefined;

const SETTINGS = {
  members: 2000,
  hotComments: 2000,
  pageComments: 200,
  connections: 50,
  warmupS: QUICK ? 1 : 3,
  durationS: QUICK ? 5 : 15,
  fanout: { subscribers: 1000, rounds: 100, spacingMs: QUICK ? 20 : 50, clientProcesses: 1 },
  idle: { connections: QUICK ? 2000 : 10_000, clientProcesses: QUICK ? 1 : 2 },
  scale: QUICK
    ? { votes: 100_000, comments: 20_000, threads: 100 }
    : { votes: 1_000_000, comments: 200_000, threads: 1000 },
  paintLoads: 3,
};

/** One line of the report. */
interface Scenario {
  id: string;
  name: string;
  status: 'PASS' | 'MISS' | 'INFO' | 'N/A' | 'ERROR';
  metric: string;
  value: number | null;
  baseline: number | null;
  ratio: number | null;
  target: string;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number | null;
  peakRssBytes: number | null;
  notes: string[];
  details: Record<string, unknown>;
  /** The machine's 1-minute load average when the scenario ended: above the core count, others were busy too. */
  loadAverage: number;
}

const scenarios: Scenario[] = [];

function record(
  s: Partial<Scenario> & Pick<Scenario, 'id' | 'name' | 'status' | 'metric' | 'target'>,
): Scenario {
  const full: Scenario = {
    value: null,
    loadAverage: os.loadavg()[0]!,
    baseline: null,
    ratio: null,
    p50Ms: null,
    p99Ms: null,
    errors: null,
    peakRssBytes: null,
    notes: [],
    details: {},
    ...s,
  };
  scenarios.push(full);
  log(
    `${full.id} ${full.name}: ${full.status} ${fmt(full.value)} ${full.metric}${full.ratio !== null ? ` (${fmt(full.ratio, 2)}× baseline)` : ''}`,
  );
  return full;
}

/** The server process in use, so that a scenario can say when it died under load. */
let current: AppServer | null = null;
/** Server logs worth keeping (the server died or answered with errors); copied out before the work dir goes. */
const keepLogs = new Set<string>();

/** Runs one scenario; a failure is reported as ERROR and the others still run. */
async function attempt(id: string, name: string, fn: () => Promise<void>): Promise<void> {
  const before = scenarios.length;
  const dead = current?.died();
  if (dead) {
    record({
      id,
      name,
      status: 'ERROR',
      metric: '',
      target: '',
      notes: [`not run: the server process ${dead} earlier`],
    });
    return;
  }
  try {
    await fn();
  } catch (err) {
    record({
      id,
      name,
      status: 'ERROR',
      metric: '',
      target: '',
      notes: [(err as Error).message.slice(0, 500)],
    });
  }
  const death = current?.died();
  for (const s of scenarios.slice(before)) {
    if (death && s.status !== 'ERROR')
      s.notes.push(`the server process ${death} by the end of this scenario; its log is kept`);
    if ((death || (s.errors ?? 0) > 0) && current) keepLogs.add(current.logFile);
  }
}

/** CPU used during the measured run, in cores (1 = one core busy all the time). */
interface CpuUse {
  server: number;
  postgres: number;
  loadGenerator: number;
}

/** autocannon from a process of its own, after a warm-up run that is not counted. */
async function load(
  args: Omit<CannonArgs, 'durationS' | 'connections'>,
  serverPid: number | null = null,
): Promise<{ result: CannonResult; cpu: CpuUse }> {
  const cannon = await startWorker('cannon');
  try {
    const full = { ...args, connections: SETTINGS.connections };
    await cannon.call('run', { ...full, durationS: SETTINGS.warmupS }, 120_000);
    if (TRACE) {
      await sleep(250);
      traceStart = readTraceFile();
    }
    const cannonPid = cannon.child.pid!;
    const pgCpu = () => (DB_NAME ? postgresCpuSeconds(DB_NAME) : 0);
    const before = {
      server: serverPid ? (cpuSeconds(serverPid) ?? 0) : 0,
      pg: pgCpu(),
      cannon: cpuSeconds(cannonPid) ?? 0,
    };
    const started = now();
    const result = await cannon.call<CannonResult>(
      'run',
      { ...full, durationS: SETTINGS.durationS },
      180_000,
    );
    const seconds = (now() - started) / 1000;
    const cpu = {
      server: serverPid ? ((cpuSeconds(serverPid) ?? 0) - before.server) / seconds : 0,
      postgres: (pgCpu() - before.pg) / seconds,
      loadGenerator: ((cpuSeconds(cannonPid) ?? 0) - before.cannon) / seconds,
    };
    return { result, cpu };
  } finally {
    await cannon.stop();
  }
}

const cpuNote = (cpu: CpuUse, rps: number) =>
  `CPU in cores: server ${fmt(cpu.server, 2)}${DB_NAME ? `, Postgres ${fmt(cpu.postgres, 2)}` : ' (PGlite runs inside it)'}, autocannon ${fmt(cpu.loadGenerator, 2)}` +
  ` (of ${machineInfo().cpus}); server ${fmt((cpu.server * 1000) / Math.max(1, rps), 2)} ms CPU a request` +
  (cpu.postgres > 0.01 ? `, Postgres ${fmt((cpu.postgres * 1000) / Math.max(1, rps), 2)} ms` : '');

/** Load against the app server while its peak RSS and CPU are watched. */
async function loadApp(server: AppServer, args: Omit<CannonArgs, 'durationS' | 'connections' | 'url'>) {
  const peak = new PeakRss(server.pid);
  const { result, cpu } = await load({ ...args, url: server.url }, server.pid);
  return { result, peakRss: peak.stop(), serverCpu: cpu.server, cpu, trace: await readTrace(result.ok) };
}

interface Trace {
  statements: { sql: string; count: number; ms: number }[];
  poolWaits: { count: number; ms: number; maxMs: number };
}

/** The trace file's running totals at the start of the measured load. */
let traceStart: Trace | null = null;

function readTraceFile(): Trace | null {
  try {
    return JSON.parse(readFileSync(TRACE_FILE!, 'utf8')) as Trace;
  } catch {
    return null;
  }
}

/** The statements the server ran during the measured load, per request, when --trace-queries is on. */
async function readTrace(requests: number): Promise<string[]> {
  if (!TRACE || !TRACE_FILE) return [];
  await sleep(300);
  const end = readTraceFile();
  if (!end) return ['trace: no query trace was written'];
  const start = new Map((traceStart?.statements ?? []).map((st) => [st.sql, st]));
  const per = Math.max(1, requests);
  const rows = end.statements
    .map((st) => ({
      sql: st.sql,
      count: st.count - (start.get(st.sql)?.count ?? 0),
      ms: st.ms - (start.get(st.sql)?.ms ?? 0),
    }))
    .filter((st) => st.count > 0)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 12);
  const lines = rows.map(
    (st) =>
      `${fmt(st.count / per, 2)}× a request, ${fmt(st.ms / st.count, 2)} ms each: ${st.sql.slice(0, 90)}`,
  );
  const w0 = traceStart?.poolWaits ?? { count: 0, ms: 0 };
  const waits = end.poolWaits.count - w0.count;
  if (waits > 0) {
    lines.unshift(
      `${fmt(waits / per, 2)} waits for a pooled connection a request, mean ${fmt((end.poolWaits.ms - w0.ms) / waits, 2)} ms`,
    );
  }
  return lines.map((l) => `trace: ${l}`);
}

// autocannon counts timeouts among its errors too.
const errorsOf = (r: CannonResult) => r.non2xx + r.errors;

async function votes(
  server: AppServer,
  seed: Seed,
  proposalId: string,
  bench: { kind: string; url: string | null; workDir: string },
  id: string,
  label: string,
) {
  const { result, peakRss, serverCpu, cpu, trace } = await loadApp(server, {
    method: 'PUT',
    path: `/api/v1/proposals/${proposalId}/vote`,
    tokens: seed.members.map((m) => m.token),
    bodies: VOTE_BODIES,
  });
  return { result, peakRss, serverCpu, cpu, trace, id, label, bench };
}

async function insertBaseline(bench: { kind: string; url: string | null; workDir: string }) {
  const worker = await startWorker('insert-baseline');
  try {
    return await worker.call<{ rps: number; p50: number; p99: number; errors: number; inserts: number }>(
      'run',
      {
        connectionString: bench.url,
        dataDir: path.join(bench.workDir, 'baseline-pglite'),
        concurrency: SETTINGS.connections,
        durationMs: SETTINGS.durationS * 1000,
        warmupMs: SETTINGS.warmupS * 1000,
      },
      180_000,
    );
  } finally {
    await worker.stop();
  }
}

/** GET the first timeline page once: the JSON the baseline serves, or null while the route does not exist. */
async function timelineProbe(server: AppServer, seed: Seed): Promise<{ json: string } | { missing: string }> {
  const res = await fetch(`${server.url}/api/v1/threads/${seed.hotThreadId}/timeline?limit=50`, {
    headers: { authorization: `Bearer ${seed.members[1]!.token}` },
  });
  const body = await res.text();
  if (res.status === 404 && body.includes('no route'))
    return { missing: 'GET /api/v1/threads/:id/timeline is not implemented yet' };
  if (res.status !== 200)
    return { missing: `GET /api/v1/threads/:id/timeline answered ${res.status}: ${body.slice(0, 200)}` };
  return { json: body };
}

async function reading(server: AppServer, seed: Seed) {
  const probe = await timelineProbe(server, seed);
  if ('missing' in probe) return { missing: probe.missing };
  const items = (JSON.parse(probe.json) as { items: unknown[] }).items.length;
  const app = await loadApp(server, {
    method: 'GET',
    path: `/api/v1/threads/${seed.hotThreadId}/timeline?limit=50`,
    tokens: seed.members.map((m) => m.token),
  });
  return { app, items, json: probe.json };
}

async function bareReading(json: string, threadId: string) {
  const worker = await startWorker('bare-read');
  try {
    const { port } = await worker.call<{ port: number }>('start', { json });
    return (
      await load({
        url: `http://127.0.0.1:${port}`,
        method: 'GET',
        path: `/api/v1/threads/${threadId}/timeline?limit=50`,
      })
    ).result;
  } finally {
    await worker.stop();
  }
}

async function idleConnections(server: AppServer, seed: Seed) {
  const { connections, clientProcesses } = SETTINGS.idle;
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

async function main(): Promise<void> {
  const startedAt = new Date();
  const bench = await createBenchDatabase();
  log(`${QUICK ? 'quick' : 'full'} run on ${bench.label}`);
  DB_NAME = bench.url ? new URL(bench.url).pathname.slice(1) : null;
  const secret = randomBytes(32).toString('base64url');
  const serverEnv: Record<string, string> = { ...bench.serverEnv, SESSION_SECRET: secret };
  if (TRACE) {
    TRACE_FILE = path.join(bench.workDir, 'trace.json');
    const preload = `--import ${path.join(ROOT, 'bench/tools/trace-queries.mjs')}`;
    serverEnv.NODE_OPTIONS = [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ');
    serverEnv.BENCH_TRACE_FILE = TRACE_FILE;
  }
  const logFile = path.join(bench.workDir, 'server.log');
  onCleanup(() => {
    if (!keepLogs.size) return;
    const kept = path.join(tmpdir(), `plenary-bench-server-${Date.now()}.log`);
    copyFileSync(logFile, kept);
    console.log(`server log kept (errors or a crash): ${kept}\n${tail(kept, 15)}`);
  });

  // The client is built before any server starts: the server serves dist/client only if it exists at start.
  let bundle: BundleReport | null = null;
  if (wants('client')) {
    try {
      bundle = measureBundle({ build: argv.includes('--build-client') });
    } catch (err) {
      record({
        id: '6a',
        name: 'Client: initial JS (gzip)',
        status: 'ERROR',
        metric: '',
        target: '',
        notes: [(err as Error).message],
      });
    }
  }

  let database = await bench.open();
  const seed = await seedBase(database.db, {
    members: SETTINGS.members,
    hotComments: SETTINGS.hotComments,
    pageComments: SETTINGS.pageComments,
    sessionSecret: secret,
  });
  await database.close();

  let server = await startAppServer(serverEnv, logFile, { profileDir: PROFILE_DIR });
  current = server;
  const proposalId = await createConsentProposal(server, seed);
  const small: { votes?: CannonResult; reading?: CannonResult } = {};
  let votesBaseline: Awaited<ReturnType<typeof insertBaseline>> | null = null;
  let readingBaseline: CannonResult | null = null;

  // 5 first, on a server that has done nothing yet, so the memory it measures is the sockets'.
  if (wants('idle')) {
    await attempt('5', 'Idle websockets', async () => {
      const r = await idleConnections(server, seed);
      const perConnection = (r.after - r.before) / Math.max(1, r.total);
      record({
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

  if (wants('votes') || wants('scale')) {
    await attempt('1', 'Votes', async () => {
      const v = await votes(server, seed, proposalId, bench, '1', 'Votes');
      small.votes = v.result;
      votesBaseline = await insertBaseline(bench);
      const ratio = v.result.rps / votesBaseline.rps;
      const errors = errorsOf(v.result);
      record({
        id: '1',
        name: 'Votes (2,000 voters, c=50)',
        status: ratio >= 0.35 && errors === 0 ? 'PASS' : 'MISS',
        metric: 'votes/s',
        value: v.result.rps,
        baseline: votesBaseline.rps,
        ratio,
        target: '≥ 0.35× inserts/s, 0 errors',
        p50Ms: v.result.p50,
        p99Ms: v.result.p99,
        errors,
        peakRssBytes: v.peakRss,
        notes: [
          `baseline: single-row INSERTs into a two-column table, ${SETTINGS.connections} at a time, through ${bench.kind === 'postgres' ? 'pg (pool of 50)' : 'PGlite'}: p50 ${fmt(votesBaseline.p50, 2)} ms, p99 ${fmt(votesBaseline.p99, 2)} ms`,
          cpuNote(v.cpu, v.result.rps),
          ...v.trace,
          ...v.result.errorSamples,
        ],
        details: { app: v.result, baseline: votesBaseline, cpu: v.cpu },
      });
    });
  }

  if (wants('reading') || wants('scale')) {
    await attempt('3', 'Reading', async () => {
      const r = await reading(server, seed);
      if ('missing' in r) {
        record({
          id: '3',
          name: 'Reading the timeline',
          status: 'N/A',
          metric: 'req/s',
          target: '≥ 0.3× bare Fastify',
          notes: [r.missing ?? 'not available'],
        });
        return;
      }
      small.reading = r.app.result;
      readingBaseline = await bareReading(r.json, seed.hotThreadId);
      const ratio = r.app.result.rps / readingBaseline.rps;
      const errors = errorsOf(r.app.result);
      record({
        id: '3',
        name: 'Reading the timeline (2,000 comments, limit 50, c=50)',
        status: ratio >= 0.3 && errors === 0 ? 'PASS' : 'MISS',
        metric: 'req/s',
        value: r.app.result.rps,
        baseline: readingBaseline.rps,
        ratio,
        target: '≥ 0.3× bare Fastify',
        p50Ms: r.app.result.p50,
        p99Ms: r.app.result.p99,
        errors,
        peakRssBytes: r.app.peakRss,
        notes: [
          `${r.items} items, ${fmtBytes(r.json.length)} of JSON a page; bare Fastify p50 ${fmt(readingBaseline.p50, 2)} ms`,
          cpuNote(r.app.cpu, r.app.result.rps),
          ...r.app.trace,
          ...r.app.result.errorSamples,
        ],
        details: { app: r.app.result, baseline: readingBaseline, cpu: r.app.cpu, bytes: r.json.length },
      });
    });
  }

  if (wants('fanout')) {
    await attempt('2', 'Fan-out', async () => {
      const peak = new PeakRss(server.pid);
      const f = await compareFanout(server, seed, proposalId, {
        topic: `thread:${seed.hotThreadId}`,
        ...SETTINGS.fanout,
      });
      const peakRss = peak.stop();
      const ok = f.ratio <= 2 && f.app.missing === 0 && f.app.writeErrors === 0;
      record({
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

  if (wants('client')) {
    if (bundle) {
      record({
        id: '6a',
        name: 'Client: initial JS (entry + modulepreload, gzip)',
        status: bundle.gzipBytes <= 60 * 1024 ? 'PASS' : 'MISS',
        metric: 'KiB gzip',
        value: bundle.gzipBytes / 1024,
        target: '≤ 60 KiB',
        notes: [
          `${bundle.files.map((f) => `${f.file} ${fmtBytes(f.gzip)}`).join(', ')}; ${fmtBytes(bundle.rawBytes)} uncompressed`,
          ...(bundle.built ? ['built by this run'] : []),
          ...(bundle.stale
            ? ['dist/client is older than client/: run with --build-client for current figures']
            : []),
        ],
        details: bundle as unknown as Record<string, unknown>,
      });
    }
    await attempt('6b', 'Client: first contentful paint', async () => {
      const threadPath = threadPagePath(seed.groupId, seed.pageThreadId);
      const paint = await measurePaint({
        baseUrl: server.url,
        pagePath: threadPath ?? `/groups/${seed.groupId}`,
        page: threadPath ? 'thread' : 'group',
        sessionToken: seed.sessionToken,
        loads: SETTINGS.paintLoads,
        // The seeded comments of the page thread read "Comment <j> on 0: ...".
        contentText: threadPath ? /Comment \d+ on 0:/ : undefined,
      });
      const sorted = [...paint.fcpMs].sort((a, b) => a - b);
      record({
        id: '6b',
        name: threadPath
          ? `Client: FCP of a thread page (${SETTINGS.pageComments} comments)`
          : 'Client: FCP of the group page (no thread page yet)',
        status: sorted.length ? 'INFO' : 'ERROR',
        metric: 'ms FCP',
        value: sorted[Math.floor(sorted.length / 2)] ?? null,
        target: 'reported',
        notes: [
          `cold loads: ${paint.fcpMs.map((v) => fmt(v, 0)).join(', ')} ms (median shown); page ${paint.url}`,
          ...(paint.contentMs.length
            ? [
                `comments visible after ${paint.contentMs.map((v) => (v === null ? 'never' : fmt(v, 0))).join(', ')} ms (FCP is the app shell's first paint)`,
              ]
            : []),
          `JavaScript fetched for the first load: ${paint.jsFiles} files, ${fmtBytes(paint.jsWireBytes)} on the wire (${paint.compressed ? 'compressed' : 'uncompressed: the server does not compress'}), ${fmtBytes(paint.jsGzipBytes)} gzipped`,
          ...(threadPath
            ? []
            : ['client/router.ts has no thread route yet: measured the group page instead']),
          ...paint.problems,
        ],
        details: paint as unknown as Record<string, unknown>,
      });
      if (paint.jsFiles > 0) {
        record({
          id: '6c',
          name: `Client: JS the ${paint.page} page actually loads (gzip)`,
          status: paint.jsGzipBytes <= 60 * 1024 ? 'PASS' : 'MISS',
          metric: 'KiB gzip',
          value: paint.jsGzipBytes / 1024,
          target: '≤ 60 KiB',
          notes: [
            `every script the first cold load fetched (lazy page chunks included), gzipped one by one; ${paint.jsFiles} files, ${fmtBytes(paint.jsWireBytes)} sent ${paint.compressed ? 'compressed' : 'uncompressed'}`,
            `largest: ${paint.scripts
              .slice(0, 5)
              .map((f) => `${f.path.replace('/assets/', '')} ${fmtBytes(f.gzip)}`)
              .join(', ')}`,
          ],
        });
      }
    });
  }
  await server.stop();
  const profiles = [PROFILE_DIR && summarizeProfile(PROFILE_DIR)];

  if (wants('email')) {
    await attempt('7', 'Email', async () => {
      const e = await measureEmail({
        serverEnv,
        logFile,
        seed,
        openDatabase: () => bench.open(),
        rounds: QUICK ? 3 : 5,
      });
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const app = median(e.appRates);
      const bare = Math.max(...e.bareRates);
      const ratio = app / bare;
      record({
        id: '7a',
        name: `Email: a proposal to ${e.recipients.toLocaleString('en-US')} members, queued and delivered`,
        status: ratio >= 0.5 && e.missing === 0 && e.duplicates === 0 && e.quietSent === 0 ? 'PASS' : 'MISS',
        metric: 'msg/s',
        value: app,
        baseline: bare,
        ratio,
        target: '≥ 0.5× bare nodemailer, none lost or twice',
        errors: e.missing + e.duplicates + (e.quietSent ?? 0),
        notes: [
          `from the creating request to the last delivery, per proposal: ${e.appRates.map((r) => fmt(r, 0)).join(', ')} msg/s (median shown); bare nodemailer (pool of 5, same SMTP server in the bench process) before and after: ${e.bareRates.map((r) => fmt(r, 0)).join(', ')} msg/s (best shown)`,
          `${e.missing} missing, ${e.duplicates} delivered twice, ${e.quietSent} sent while no member wanted email`,
        ],
        details: e as unknown as Record<string, unknown>,
      });
      const withEmail = median(e.withEmailMs);
      const withoutEmail = median(e.withoutEmailMs);
      record({
        id: '7b',
        name: 'Email: proposal creation with its emails queued',
        status: withEmail / withoutEmail <= 1.5 ? 'PASS' : 'MISS',
        metric: 'ms',
        value: withEmail,
        baseline: withoutEmail,
        ratio: withEmail / withoutEmail,
        target: '≤ 1.5× creation with no email',
        notes: [
          `with ${e.recipients} emails queued in the proposal's transaction: ${e.withEmailMs.map((v) => fmt(v, 1)).join(', ')} ms; with every member at "none": ${e.withoutEmailMs.map((v) => fmt(v, 1)).join(', ')} ms (medians shown)`,
        ],
        details: e as unknown as Record<string, unknown>,
      });
    });
  }

  let plansSmall: PlanReport[] = [];
  let plansLarge: PlanReport[] = [];
  /** A query whose execution time grew more than 5× (and past 2 ms) from the small to the large database. */
  const grew = (p: PlanReport) => {
    const before = plansSmall.find((q) => q.name === p.name);
    return before !== undefined && p.executionMs > 2 && p.executionMs > 5 * before.executionMs;
  };
  let sizes: Record<string, number> = {};
  if (wants('scale')) {
    await attempt('4', 'Scale', async () => {
      database = await bench.open();
      const explainIds = {
        groupId: seed.groupId,
        threadId: seed.hotThreadId,
        proposalId,
        userId: seed.members[1]!.id,
        token: seed.members[1]!.token,
      };
      try {
        plansSmall = await explainHotQueries(database, explainIds);
        const loaded = await loadScale(database.db, seed.groupId, SETTINGS.scale);
        sizes = await tableSizes(database.db);
        plansLarge = await explainHotQueries(database, explainIds);
        log(`scale data in ${fmt(loaded.ms / 1000, 1)} s: ${JSON.stringify(sizes)}`);
      } finally {
        await database.close();
      }
      server = await startAppServer(serverEnv, logFile, { profileDir: PROFILE_DIR });
      current = server;
      try {
        const bad = plansLarge.filter(
          (p) => p.bigSeqScans.length > 0 || p.wastefulScans.length > 0 || grew(p),
        );
        const planNote = bad.length
          ? `plans that grow with the database: ${bad
              .map((p) => {
                const before = plansSmall.find((q) => q.name === p.name)?.executionMs;
                return `${p.name} (${[...p.bigSeqScans, ...p.wastefulScans, `${fmt(before, 2)} → ${fmt(p.executionMs, 2)} ms`].join(', ')})`;
              })
              .join('; ')}`
          : `all ${plansLarge.length} hot queries use fitting indexes`;
        if (small.votes) {
          const v = await votes(server, seed, proposalId, bench, '4a', 'Votes at scale');
          const ratio = v.result.rps / small.votes.rps;
          const latency = v.result.p99 / small.votes.p99;
          record({
            id: '4a',
            name: `Votes at scale (${SETTINGS.scale.votes.toLocaleString('en-US')} votes in the database)`,
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
              cpuNote(v.cpu, v.result.rps),
              ...v.trace,
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
        if (small.reading) {
          const r = await reading(server, seed);
          if (!('missing' in r)) {
            const ratio = r.app.result.rps / small.reading.rps;
            const latency = r.app.result.p99 / small.reading.p99;
            record({
              id: '4b',
              name: `Reading at scale (${SETTINGS.scale.comments.toLocaleString('en-US')} more comments)`,
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
                cpuNote(r.app.cpu, r.app.result.rps),
                ...r.app.trace,
                ...r.app.trace,
                planNote,
              ],
              details: { app: r.app.result, small: small.reading, cpu: r.app.cpu },
            });
          }
        } else {
          record({
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
        if (PROFILE_DIR) profiles.push(summarizeProfile(PROFILE_DIR));
      }
    });
  }

  // The report.
  const rows = scenarios.map((s) => [
    s.id,
    s.name,
    s.value === null ? '–' : `${fmt(s.value)} ${s.metric}`,
    s.p50Ms === null ? '–' : fmt(s.p50Ms, 2),
    s.p99Ms === null ? '–' : fmt(s.p99Ms, 2),
    s.errors === null ? '–' : String(s.errors),
    fmtBytes(s.peakRssBytes),
    s.baseline === null ? '–' : fmt(s.baseline),
    s.ratio === null ? '–' : `${fmt(s.ratio, 2)}×`,
    s.target,
    s.status,
  ]);
  console.log(
    `\nPlenary bench, ${QUICK ? 'quick' : 'full'} run on ${bench.kind} (${startedAt.toISOString()})\n`,
  );
  console.log(
    table(
      [
        '#',
        'scenario',
        'result',
        'p50 ms',
        'p99 ms',
        'errors',
        'peak RSS',
        'baseline',
        'ratio',
        'target',
        '',
      ],
      rows,
    ),
  );
  console.log('');
  for (const s of scenarios) for (const note of s.notes) console.log(`  ${s.id}: ${note}`);
  const busy = scenarios.filter((s) => s.loadAverage > os.cpus().length);
  if (busy.length) {
    console.log(
      `\n  Warning: the machine was busy with other work during ${busy.map((s) => s.id).join(', ')} (1-minute load average ` +
        `${busy.map((s) => fmt(s.loadAverage, 1)).join(', ')} on ${os.cpus().length} cores): those figures are low and noisy.`,
    );
  }
  if (plansLarge.length) {
    console.log(
      `\nQuery plans at scale (EXPLAIN ANALYZE of the app's own queries; ${JSON.stringify(sizes)}):\n`,
    );
    console.log(
      table(
        ['query', 'index?', 'exec ms small', 'exec ms large', 'plan ms large', 'scans (large)'],
        plansLarge.map((p) => {
          const before = plansSmall.find((q) => q.name === p.name);
          return [
            p.name,
            p.bigSeqScans.length
              ? 'SEQ SCAN'
              : p.wastefulScans.length
                ? 'WRONG INDEX'
                : grew(p)
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
  for (const p of profiles) {
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
    scenarios,
    plans: { small: plansSmall, large: plansLarge, tableSizes: sizes },
    profiles: profiles.filter(Boolean),
  };
  if (interrupted) {
    console.log('\ninterrupted: results not written');
    return;
  }
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), OUT)}`);
}

runMain(main, (QUICK ? 15 : 60) * 60_000);
