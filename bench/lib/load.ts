import { readFileSync } from 'node:fs';
import type { CannonArgs, CannonResult } from '../workers/cannon';
import { type AppServer, cpuSeconds, PeakRss, postgresCpuSeconds, startWorker } from './procs';
import { fmt, machineInfo, now, sleep } from './util';

/** CPU used during the measured run, in cores (1 = one core busy all the time). */
export interface CpuUse {
  server: number;
  postgres: number;
  loadGenerator: number;
}

interface Trace {
  statements: { sql: string; count: number; ms: number }[];
  poolWaits: { count: number; ms: number; maxMs: number };
}

// autocannon counts timeouts among its errors too.
export const errorsOf = (r: CannonResult) => r.non2xx + r.errors;

/**
 * autocannon from a process of its own, after a warm-up run that is not
 * counted, with the CPU each side used and (with --trace-queries) the SQL
 * statements a request cost.
 */
export class LoadRunner {
  /** The trace file's running totals at the start of the measured load. */
  #traceStart: Trace | null = null;

  constructor(
    private readonly options: {
      connections: number;
      warmupS: number;
      durationS: number;
      /** The bench database's name on Postgres, to tell its backends' CPU from other databases'. */
      dbName: string | null;
      /** Where the server's query trace is written (--trace-queries), else null. */
      traceFile: string | null;
    },
  ) {}

  async load(
    args: Omit<CannonArgs, 'durationS' | 'connections'>,
    serverPid: number | null = null,
  ): Promise<{ result: CannonResult; cpu: CpuUse }> {
    const { connections, warmupS, durationS, dbName, traceFile } = this.options;
    const cannon = await startWorker('cannon');
    try {
      const full = { ...args, connections };
      await cannon.call('run', { ...full, durationS: warmupS }, 120_000);
      if (traceFile) {
        await sleep(250);
        this.#traceStart = this.#readTraceFile();
      }
      const cannonPid = cannon.child.pid!;
      const pgCpu = () => (dbName ? postgresCpuSeconds(dbName) : 0);
      const before = {
        server: serverPid ? (cpuSeconds(serverPid) ?? 0) : 0,
        pg: pgCpu(),
        cannon: cpuSeconds(cannonPid) ?? 0,
      };
      const started = now();
      const result = await cannon.call<CannonResult>('run', { ...full, durationS }, 180_000);
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

  /** Load against the app server while its peak RSS and CPU are watched. */
  async loadApp(server: AppServer, args: Omit<CannonArgs, 'durationS' | 'connections' | 'url'>) {
    const peak = new PeakRss(server.pid);
    const { result, cpu } = await this.load({ ...args, url: server.url }, server.pid);
    return {
      result,
      peakRss: peak.stop(),
      serverCpu: cpu.server,
      cpu,
      trace: await this.#readTrace(result.ok),
    };
  }

  cpuNote(cpu: CpuUse, rps: number): string {
    const postgres = this.options.dbName !== null;
    return (
      `CPU in cores: server ${fmt(cpu.server, 2)}${postgres ? `, Postgres ${fmt(cpu.postgres, 2)}` : ' (PGlite runs inside it)'}, autocannon ${fmt(cpu.loadGenerator, 2)}` +
      ` (of ${machineInfo().cpus}); server ${fmt((cpu.server * 1000) / Math.max(1, rps), 2)} ms CPU a request` +
      (cpu.postgres > 0.01 ? `, Postgres ${fmt((cpu.postgres * 1000) / Math.max(1, rps), 2)} ms` : '')
    );
  }

  #readTraceFile(): Trace | null {
    try {
      return JSON.parse(readFileSync(this.options.traceFile!, 'utf8')) as Trace;
    } catch {
      return null;
    }
  }

  /** The statements the server ran during the measured load, per request, when --trace-queries is on. */
  async #readTrace(requests: number): Promise<string[]> {
    if (!this.options.traceFile) return [];
    await sleep(300);
    const end = this.#readTraceFile();
    if (!end) return ['trace: no query trace was written'];
    const start = new Map((this.#traceStart?.statements ?? []).map((st) => [st.sql, st]));
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
    const w0 = this.#traceStart?.poolWaits ?? { count: 0, ms: 0 };
    const waits = end.poolWaits.count - w0.count;
    if (waits > 0) {
      lines.unshift(
        `${fmt(waits / per, 2)} waits for a pooled connection a request, mean ${fmt((end.poolWaits.ms - w0.ms) / waits, 2)} ms`,
      );
    }
    return lines.map((l) => `trace: ${l}`);
  }
}
