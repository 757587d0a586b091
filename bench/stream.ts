// `npm run bench:stream`: delivery latency of one stream topic to 1,000
// websocket subscribers of a real server process, next to a bare `ws`
// broadcast of a frame of the same size measured in the same run.
//
// Options: --topic=thread|group (default thread), --subscribers=1000,
// --rounds=100, --spacing=50 (ms after each round is delivered), --clients=1
// (subscriber processes). DATABASE_URL set: a fresh database on that
// Postgres server, dropped at the end; unset: a fresh PGlite directory.
//
// On Postgres it then compares the two event buses side by side: --processes=3
// server processes on LISTEN/NOTIFY, then the same on NATS (--nats=URL, default
// nats://127.0.0.1:4222; --buses=postgres to skip NATS), with the subscribers
// spread over the processes and each vote sent to the next one, and a burst of
// concurrent votes (--burst-seconds=5, --burst-concurrency=30) for the cost in
// Postgres CPU.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { compareFanout, createConsentProposal } from './lib/app';
import { type BusResult, compareBuses } from './lib/buses';
import { createBenchDatabase } from './lib/db';
import { PeakRss, runMain, startAppServer } from './lib/procs';
import { seedBase } from './lib/seed';
import { fmt, fmtBytes, log, table } from './lib/util';

function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

async function main(): Promise<void> {
  const topicKind = option('topic', 'thread');
  if (topicKind !== 'thread' && topicKind !== 'group') throw new Error('--topic must be thread or group');
  const subscribers = Number(option('subscribers', '1000'));
  const rounds = Number(option('rounds', '100'));
  const spacingMs = Number(option('spacing', '50'));
  const clientProcesses = Number(option('clients', '1'));

  const bench = await createBenchDatabase();
  log(`database: ${bench.label}`);
  const secret = randomBytes(32).toString('base64url');
  const database = await bench.open();
  const seed = await seedBase(database.db, {
    members: Math.max(2000, subscribers + 100),
    hotComments: 20,
    pageComments: 0,
    sessionSecret: secret,
  });
  await database.close();

  const server = await startAppServer(
    { ...bench.serverEnv, SESSION_SECRET: secret },
    path.join(bench.workDir, 'server.log'),
  );
  const proposalId = await createConsentProposal(server, seed);
  const topic = topicKind === 'thread' ? `thread:${seed.hotThreadId}` : `group:${seed.groupId}`;
  const peak = new PeakRss(server.pid);
  const { app, bare, ratio } = await compareFanout(server, seed, proposalId, {
    topic,
    subscribers,
    rounds,
    spacingMs,
    clientProcesses,
  });
  const peakRss = peak.stop();
  await server.stop();

  const row = (name: string, r: typeof app) => [
    name,
    `${r.subscribed}/${r.subscribers}`,
    String(r.rounds),
    fmtBytes(r.frameBytes),
    fmt(r.fromAnswer.p50, 2),
    fmt(r.fromAnswer.p99, 2),
    fmt(r.fromAnswer.max, 2),
    fmt(r.fromSent.p50, 2),
    fmt(r.fromSent.p99, 2),
    String(r.missing),
    String(r.writeErrors),
    `${Math.round(r.connectMs)} ms`,
    `${r.setupFrames} / ${fmtBytes(r.setupBytes)}`,
  ];
  console.log(
    `\nStream fan-out on ${bench.kind}: ${subscribers} subscribers of ${topicKind}:<id>, ${rounds} votes\n`,
  );
  console.log(
    table(
      [
        'server',
        'subscribed',
        'rounds',
        'frame',
        'p50 ms',
        'p99 ms',
        'max ms',
        'sent→p50',
        'sent→p99',
        'missing',
        'write errors',
        'subscribe time',
        'frames/bytes while subscribing',
      ],
      [row(`Plenary (${topic.split(':')[0]})`, app), row('bare ws', bare)],
    ),
  );
  console.log(
    `\np99 ratio (Plenary / bare ws, answer → receipt): ${fmt(ratio, 2)}×  target ≤ 2×: ${ratio <= 2 && app.missing === 0 ? 'PASS' : 'MISS'}`,
  );
  console.log(`server peak RSS during the run: ${fmtBytes(peakRss)}`);
  console.log(
    'Latency: from the moment the vote\'s HTTP answer had been read by the writer ("p50/p99") or the request was sent ("sent→"),\n' +
      'to the moment each subscriber process received the frame; every process reads performance.timeOrigin + performance.now(),\n' +
      `and the measured offset between clocks (${app.clockOffsetsMs.map((o) => fmt(o, 3)).join(', ')} ms) is subtracted.`,
  );
  if (Object.keys(app.closes).length)
    console.log(`sockets closed by the server during the run: ${JSON.stringify(app.closes)}`);
  if (app.errors.length) console.log(`errors: ${app.errors.join(' | ')}`);

  if (bench.kind !== 'postgres') {
    console.log(
      '\nEvent buses: skipped (several processes need DATABASE_URL; the embedded database serves one).',
    );
    return;
  }
  const natsUrl = option('nats', 'nats://127.0.0.1:4222');
  const buses = option('buses', 'postgres,nats')
    .split(',')
    .map((b) => (b === 'nats' ? natsUrl : b));
  const processes = Number(option('processes', '3'));
  const results = await compareBuses(bench, seed, secret, {
    buses,
    processes,
    subscribers,
    rounds,
    spacingMs,
    clientProcesses,
    burstSeconds: Number(option('burst-seconds', '5')),
    burstConcurrency: Number(option('burst-concurrency', '30')),
  });
  printBuses(results, processes, subscribers);
}

function printBuses(results: BusResult[], processes: number, subscribers: number): void {
  console.log(
    `\nEvent buses: ${processes} processes on one Postgres, ${subscribers} subscribers spread over them, each vote sent to the next process\n`,
  );
  console.log(
    table(
      [
        'bus',
        'subscribed',
        'p50 ms',
        'p99 ms',
        'max ms',
        'missing',
        'votes/s (burst)',
        'errors',
        'Postgres CPU s / 1k votes',
      ],
      results.map((r) => [
        r.bus,
        `${r.fanout.subscribed}/${r.fanout.subscribers}`,
        fmt(r.fanout.fromAnswer.p50, 2),
        fmt(r.fanout.fromAnswer.p99, 2),
        fmt(r.fanout.fromAnswer.max, 2),
        String(r.fanout.missing),
        fmt(r.votesPerSecond, 0),
        String(r.voteErrors),
        fmt(r.postgresCpuPerThousandVotes, 2),
      ]),
    ),
  );
  const [first, second] = results;
  if (first && second) {
    console.log(
      `\nsame-run ratios (${second.bus} / ${first.bus}): p99 ${fmt(second.fanout.fromAnswer.p99 / first.fanout.fromAnswer.p99, 2)}×, ` +
        `votes/s ${fmt(second.votesPerSecond / first.votesPerSecond, 2)}×, ` +
        `Postgres CPU per vote ${fmt(second.postgresCpuPerThousandVotes / first.postgresCpuPerThousandVotes, 2)}×`,
    );
  }
}

runMain(main, 15 * 60_000);
