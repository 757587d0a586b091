import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Database, openDatabase } from '../../server/db/database';
import { migrateToLatest } from '../../server/db/migrate';
import { Follower } from '../../test/helpers/follower';
import { type ServerProcess, spawnServer } from '../../test/helpers/server-process';
import {
  checkDatabase,
  checkTallies,
  createScenario,
  Ledger,
  readProposals,
  runMember,
  type Scenario,
  seedMembers,
} from '../../test/helpers/traffic';
import { cpuSeconds, rss } from './procs';

/**
 * The soak: simulated members commenting, reacting and voting against real
 * server processes (two on Postgres, one on the embedded database, which
 * belongs to one process) while stream subscribers follow, for a fixed time.
 * Then: no 5xx, every acknowledged write stored once, tallies equal to the
 * ballots, every subscriber got every acknowledged comment once, and each
 * server's resident memory flat. `npm run soak`; `--quick` runs in `npm test`.
 */
export interface SoakOptions {
  members: number;
  followers: number;
  loadMs: number;
  thinkMs: [number, number];
  /** Admin URL of a Postgres server (a database is created on it and dropped); unset: PGlite. */
  databaseUrl?: string;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Ends the load early (Ctrl-C); the checks still run. */
  signal?: AbortSignal;
  /** Added to the servers' environment (e.g. `LOG_LEVEL: 'debug'` logs every request with its time). */
  serverEnv?: Record<string, string>;
}

/**
 * Gentler than the full run (about 50 requests a second, not 300): it shares
 * the machine with the rest of `npm test`, whose servers must start meanwhile.
 */
export const QUICK: Omit<SoakOptions, 'databaseUrl'> = {
  members: 200,
  followers: 20,
  loadMs: 30_000,
  thinkMs: [2_000, 6_000],
};
export const FULL: Omit<SoakOptions, 'databaseUrl'> = {
  members: 200,
  followers: 50,
  loadMs: 10 * 60_000,
  thinkMs: [200, 1_000],
};

/**
 * Memory counts as flat when the mean resident size over the last third of
 * the load (after a warm-up of a quarter) is at most this much above the mean
 * over the first third. V8 lets its heap grow between major collections (the
 * young generation alone takes up to 48 MiB on 64-bit Node.js 20) and gives
 * pages back lazily, so a healthy process moves by tens of MiB; a leak of a
 * few KiB per request grows without end and shows in the full run.
 */
export const RSS_TOLERANCE = { ratio: 0.15, bytes: 48 * 1024 * 1024 };
const RSS_SAMPLE_MS = 500;
const WARM_UP = 0.25;

export interface RssFigures {
  pid: number;
  samples: number;
  /** Means in bytes over the first and last third after the warm-up. */
  firstMean: number;
  lastMean: number;
  first: number;
  last: number;
  peak: number;
  flat: boolean;
}

export interface SoakReport {
  database: 'postgres' | 'pglite';
  servers: number;
  members: number;
  followers: number;
  loadMs: number;
  /** CPU seconds each server used during the load. */
  cpuSeconds: number[];
  requests: number;
  answers: Ledger['answers'];
  samples: string[];
  comments: { acknowledged: number; found: number };
  votes: { acknowledgedVoters: number; ballotsFound: number; voterCount: number };
  reactions: { acknowledgedOn: number; found: number };
  events: { received: number; reconnects: number };
  rss: RssFigures[];
  /** Servers' exit codes after SIGTERM at the end. */
  exitCodes: (number | null)[];
  /** Everything that went wrong; empty on a good run. */
  problems: string[];
  /** Where the servers' output was saved when something went wrong. */
  logs: string[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export function rssFigures(pid: number, series: number[]): RssFigures {
  const settled = series.slice(Math.floor(series.length * WARM_UP));
  const third = Math.max(1, Math.floor(settled.length / 3));
  const firstMean = mean(settled.slice(0, third));
  const lastMean = mean(settled.slice(-third));
  const allowed = Math.max(firstMean * RSS_TOLERANCE.ratio, RSS_TOLERANCE.bytes);
  return {
    pid,
    samples: series.length,
    firstMean,
    lastMean,
    first: series[0] ?? 0,
    last: series.at(-1) ?? 0,
    peak: Math.max(0, ...series),
    flat: lastMean - firstMean <= allowed,
  };
}

/** A fresh database: a new one on the Postgres server, or a new PGlite directory. */
async function freshDatabase(adminUrl: string | undefined, workDir: string) {
  if (!adminUrl) {
    const dataDir = path.join(workDir, 'pglite');
    return {
      kind: 'pglite' as const,
      serverEnv: { DATABASE_URL: '', DATA_DIR: workDir },
      open: () => openDatabase({ kind: 'pglite', dataDir }),
      drop: async () => {},
    };
  }
  const name = `plenary_soak_${randomBytes(5).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres' as const,
    serverEnv: { DATABASE_URL: url.toString(), DATA_DIR: workDir },
    open: () => openDatabase({ kind: 'postgres', connectionString: url.toString(), poolSize: 2 }),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const workDir = mkdtempSync(path.join(tmpdir(), 'plenary-soak-'));
  const target = await freshDatabase(options.databaseUrl, workDir);
  const servers: ServerProcess[] = [];
  const followers: Follower[] = [];
  const sampler: { timer?: NodeJS.Timeout } = {};
  try {
    // Members go in before any server starts: the embedded database admits one process at a time.
    let database: Database = await target.open();
    await migrateToLatest(database.db);
    const { groupId, members } = await seedMembers(database.db, options.members);
    await database.close();
    log(`seeded ${members.length} members with API tokens`);

    const count = target.kind === 'postgres' ? 2 : 1;
    for (let i = 0; i < count; i++) {
      // Rate limits stay on: members act through API tokens, which no limit applies to.
      servers.push(
        await spawnServer(
          { ...target.serverEnv, RATE_LIMITS: 'on', ...options.serverEnv },
          { startTimeoutMs: 120_000 },
        ),
      );
    }
    const urls = servers.map((s) => s.url);
    log(`${count} server process(es) on ${target.kind}: ${urls.join(', ')}`);
    const scenario: Scenario = {
      ...(await createScenario(urls[0]!, members[0]!, groupId, {
        threads: 4,
        proposals: 3,
        servers: urls,
        mix: { comment: 4, react: 3, vote: 3 },
        thinkMs: options.thinkMs,
      })),
      // A slow answer on a machine busy with other work is no failure (200 members waiting on a
      // server that manages 5 requests a second wait 40 s); one that never comes is.
      requestTimeoutMs: 120_000,
    };
    // Half follow the whole group, half one thread each; spread over the processes.
    for (let i = 0; i < options.followers; i++) {
      const topic =
        i % 2 === 0 ? `group:${groupId}` : `thread:${scenario.threadIds[i % scenario.threadIds.length]}`;
      followers.push(new Follower(urls, i, members[(i * 7) % members.length]!.token, [topic]));
    }
    await Promise.all(followers.map((f) => f.start()));

    const series = servers.map(() => [] as number[]);
    sampler.timer = setInterval(() => {
      servers.forEach((s, i) => {
        const bytes = rss(s.process.pid!);
        if (bytes !== null) series[i]!.push(bytes);
      });
    }, RSS_SAMPLE_MS);

    const ledger = new Ledger();
    const cpuBefore = servers.map((s) => cpuSeconds(s.process.pid!) ?? 0);
    const started = Date.now();
    const deadline = started + options.loadMs;
    const keepGoing = () => Date.now() < deadline && !options.signal?.aborted;
    const progress = setInterval(() => {
      log(
        `${Math.round((Date.now() - started) / 1000)} s: ${ledger.requests} requests ${JSON.stringify(ledger.answers)}`,
      );
    }, 10_000);
    // Bounded in count as well as time: no member can send more than one request per minimum think time.
    const maxRequests = Math.ceil(options.loadMs / options.thinkMs[0]) + 1;
    await Promise.all(members.map((m, i) => runMember(m, i, scenario, ledger, keepGoing, maxRequests)));
    clearInterval(progress);
    clearInterval(sampler.timer);
    const loadMs = Date.now() - started;
    const cpu = servers.map((s, i) => (cpuSeconds(s.process.pid!) ?? 0) - cpuBefore[i]!);
    log(
      `load done: ${ledger.requests} requests in ${Math.round(loadMs / 1000)} s ${JSON.stringify(ledger.answers)}`,
    );

    const problems: string[] = [];
    if (ledger.answers['5xx'] > 0) problems.push(`${ledger.answers['5xx']} answers were 5xx`);
    if (ledger.answers.none > 0) problems.push(`${ledger.answers.none} requests got no answer`);
    if (ledger.answers['4xx'] > 0) problems.push(`${ledger.answers['4xx']} answers were 4xx`);

    const acked = [...ledger.comments.values()].flatMap((c) =>
      c.id ? [{ id: c.id, thread: c.threadId }] : [],
    );
    const expectedOn = (topic: string) =>
      acked.filter((c) => topic.startsWith('group:') || topic === `thread:${c.thread}`).map((c) => c.id);
    await Promise.all(
      followers.map((f) => f.waitForComments(f.topics[0]!, expectedOn(f.topics[0]!), 30_000)),
    );
    for (const f of followers) problems.push(...f.problems(f.topics[0]!, expectedOn(f.topics[0]!)));
    const received = followers.reduce(
      (n, f) => n + [...f.received.values()].reduce((a, ids) => a + ids.length, 0),
      0,
    );
    await Promise.all(followers.map((f) => f.stop()));

    const shown = await readProposals(urls[0]!, members[0]!.token, scenario);
    // A clean stop is part of the run; the embedded database is ours to read once its server is gone.
    const exitCodes: (number | null)[] = [];
    for (const s of servers) {
      await s.stop();
      exitCodes.push(s.process.exitCode);
    }
    if (exitCodes.some((c) => c !== 0))
      problems.push(`servers exited with ${exitCodes.join(', ')} after SIGTERM`);

    database = await target.open();
    const memory = servers.map((s, i) => rssFigures(s.process.pid!, series[i]!));
    try {
      problems.push(...(await checkDatabase(database.db, ledger, scenario)));
      problems.push(...(await checkTallies(database.db, shown)));
      const ackedIds = acked.map((c) => c.id);
      const found = ackedIds.length
        ? await database.db.selectFrom('comments').select('id').where('id', 'in', ackedIds).execute()
        : [];
      const ballots = await database.db
        .selectFrom('votes')
        .select('proposal_id')
        .where(
          'proposal_id',
          'in',
          scenario.proposals.map((p) => p.id),
        )
        .execute();
      const reactions = ackedIds.length
        ? await database.db
            .selectFrom('reactions')
            .select('emoji')
            .where('comment_id', 'in', ackedIds)
            .execute()
        : [];
      for (const r of memory)
        if (!r.flat)
          problems.push(
            `server ${r.pid}: resident memory grew from ${mib(r.firstMean)} to ${mib(r.lastMean)} MiB (first and last third)`,
          );
      const logs = problems.length === 0 ? [] : servers.map((s) => saveLog(s));
      return {
        database: target.kind,
        servers: servers.length,
        members: members.length,
        followers: followers.length,
        loadMs,
        cpuSeconds: cpu,
        requests: ledger.requests,
        answers: ledger.answers,
        samples: ledger.samples,
        comments: { acknowledged: acked.length, found: found.length },
        votes: {
          acknowledgedVoters: ledger.acknowledged.voters,
          ballotsFound: ballots.length,
          voterCount: shown.reduce((n, p) => n + p.voterCount, 0),
        },
        reactions: {
          acknowledgedOn: [...ledger.reactions.values()].filter((r) => r.acked).length,
          found: reactions.length,
        },
        events: { received, reconnects: followers.reduce((n, f) => n + f.connections - 1, 0) },
        rss: memory,
        exitCodes,
        problems,
        logs,
      };
    } finally {
      await database.close();
    }
  } finally {
    clearInterval(sampler.timer);
    await Promise.all(followers.map((f) => f.stop()));
    await Promise.all(servers.map((s) => s.stop()));
    await target.drop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Keeps a server's output past the run, for a failure to be looked into. */
function saveLog(server: ServerProcess): string {
  const file = path.join(tmpdir(), `plenary-soak-server-${server.process.pid}.log`);
  writeFileSync(file, server.output());
  return file;
}

export const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
