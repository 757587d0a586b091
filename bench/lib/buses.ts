import path from 'node:path';
import { createConsentProposal, streamUrl, VOTE_BODIES } from './app';
import type { BenchDatabase } from './db';
import { type FanoutResult, measureFanout, timedRequest } from './fanout';
import { type AppServer, postgresCpuSeconds, startAppServer } from './procs';
import type { Seed } from './seed';
import { log, now, sleep } from './util';

export interface BusResult {
  bus: string;
  fanout: FanoutResult;
  /** Votes answered 200 per second, from every voter at once, spread over the processes. */
  votesPerSecond: number;
  voteErrors: number;
  /** Postgres CPU seconds (the bench database's backends) per 1,000 of those votes. */
  postgresCpuPerThousandVotes: number;
}

/**
 * The same cluster on each bus: `processes` server processes on one Postgres,
 * subscribers spread over them round robin and each vote sent to the next
 * process, so nearly every frame crosses between processes. Then a burst of
 * concurrent votes through all of them, for the cost on the database side,
 * where `pg_notify` takes its lock at every commit that notifies.
 */
export async function compareBuses(
  bench: BenchDatabase,
  seed: Seed,
  secret: string,
  options: {
    buses: string[];
    processes: number;
    subscribers: number;
    rounds: number;
    spacingMs: number;
    clientProcesses: number;
    burstSeconds: number;
    burstConcurrency: number;
  },
): Promise<BusResult[]> {
  const results: BusResult[] = [];
  const database = new URL(bench.serverEnv.DATABASE_URL!).pathname.slice(1);
  for (const bus of options.buses) {
    const name = bus === 'postgres' ? 'postgres' : 'nats';
    log(`${options.processes} processes on ${bus}`);
    const servers: AppServer[] = await Promise.all(
      Array.from({ length: options.processes }, (_, i) =>
        startAppServer(
          { ...bench.serverEnv, SESSION_SECRET: secret, EVENT_BUS: bus },
          path.join(bench.workDir, `server-${name}-${i}.log`),
        ),
      ),
    );
    try {
      const serverFor = (i: number) => servers[i % servers.length]!;
      const proposalId = await createConsentProposal(servers[0]!, seed);
      const subscribers = seed.members.slice(0, options.subscribers);
      const voters = seed.members.slice(options.subscribers);
      const voterOf = (round: number) => voters[round % voters.length]!;
      const voteOn = (server: AppServer, member: (typeof voters)[number], round: number) =>
        timedRequest(`${server.url}/api/v1/proposals/${proposalId}/vote`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json' },
          body: VOTE_BODIES[round % 2],
        });
      const fanout = await measureFanout({
        label: `${options.processes} processes on ${name}`,
        urls: subscribers.map((m, i) => streamUrl(serverFor(i), m)),
        topic: `thread:${seed.hotThreadId}`,
        rounds: options.rounds,
        spacingMs: options.spacingMs,
        clientProcesses: options.clientProcesses,
        write: (round) => voteOn(serverFor(round), voterOf(round), round),
        verify: (round, frame) =>
          frame.includes('"kind":"vote.cast"') && frame.includes(`"actor":{"id":"${voterOf(round).id}"`),
      });
      await sleep(500);
      const cpuBefore = postgresCpuSeconds(database);
      const until = now() + options.burstSeconds * 1000;
      let ok = 0;
      let errors = 0;
      const started = now();
      await Promise.all(
        Array.from({ length: options.burstConcurrency }, async (_, worker) => {
          for (let round = worker; now() < until; round += options.burstConcurrency) {
            const reply = await voteOn(serverFor(round), voterOf(round), round).catch(() => null);
            if (reply?.status === 200) ok += 1;
            else errors += 1;
          }
        }),
      );
      const seconds = (now() - started) / 1000;
      const cpu = postgresCpuSeconds(database) - cpuBefore;
      results.push({
        bus: name,
        fanout,
        votesPerSecond: ok / seconds,
        voteErrors: errors,
        postgresCpuPerThousandVotes: ok ? (cpu / ok) * 1000 : Number.NaN,
      });
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  return results;
}
