import type { CannonResult } from '../workers/cannon';
import type { BundleReport } from './client';
import type { BenchDatabase } from './db';
import type { PlanReport } from './explain';
import type { LoadRunner } from './load';
import type { AppServer } from './procs';
import type { ProfileSummary } from './profile';
import type { Report } from './report';
import type { Seed } from './seed';

export function settingsFor(quick: boolean) {
  return {
    members: 2000,
    hotComments: 2000,
    pageComments: 200,
    connections: 50,
    warmupS: quick ? 1 : 3,
    durationS: quick ? 5 : 15,
    fanout: { subscribers: 1000, rounds: 100, spacingMs: quick ? 20 : 50, clientProcesses: 1 },
    idle: { connections: quick ? 2000 : 10_000, clientProcesses: quick ? 1 : 2 },
    scale: quick
      ? { votes: 100_000, comments: 20_000, threads: 100 }
      : { votes: 1_000_000, comments: 200_000, threads: 1000 },
    paintLoads: 3,
    emailRounds: quick ? 3 : 5,
  };
}

export type Settings = ReturnType<typeof settingsFor>;

/** What every scenario module is handed: the run's database, seed, server and report. */
export interface BenchContext {
  quick: boolean;
  settings: Settings;
  bench: BenchDatabase;
  seed: Seed;
  /** The consent proposal in the hot thread that scenarios vote on. */
  proposalId: string;
  /** Environment and log file for any server process a scenario starts. */
  serverEnv: Record<string, string>;
  logFile: string;
  /** --profile: where server processes write V8 CPU profiles. */
  profileDir: string | undefined;
  report: Report;
  loader: LoadRunner;
  /** The server the first scenarios share (scenarios after it stopped start their own). */
  server: AppServer;
  /** Measured before the server started (6a), reported by the client scenario. */
  bundle: BundleReport | null;
  /** The small database's figures, which the scale scenario compares against. */
  small: { votes?: CannonResult; reading?: CannonResult };
  profiles: (ProfileSummary | null)[];
  plans: { small: PlanReport[]; large: PlanReport[]; tableSizes: Record<string, number> };
}
