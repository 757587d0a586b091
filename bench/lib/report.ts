import os from 'node:os';
import type { AppServer } from './procs';
import { fmt, fmtBytes, log, table } from './util';

/** One line of the report. */
export interface Scenario {
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

export type ScenarioLine = Partial<Scenario> & Pick<Scenario, 'id' | 'name' | 'status' | 'metric' | 'target'>;

/** The lines of one run, and the server logs worth keeping. */
export class Report {
  readonly scenarios: Scenario[] = [];
  /** The server process in use, so that a scenario can say when it died under load. */
  current: AppServer | null = null;
  /** Server logs worth keeping (the server died or answered with errors); copied out before the work dir goes. */
  readonly keepLogs = new Set<string>();

  record(line: ScenarioLine): Scenario {
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
      ...line,
    };
    this.scenarios.push(full);
    log(
      `${full.id} ${full.name}: ${full.status} ${fmt(full.value)} ${full.metric}${full.ratio !== null ? ` (${fmt(full.ratio, 2)}× baseline)` : ''}`,
    );
    return full;
  }

  /** Runs one scenario; a failure is reported as ERROR and the others still run. */
  async attempt(id: string, name: string, fn: () => Promise<void>): Promise<void> {
    const before = this.scenarios.length;
    const dead = this.current?.died();
    if (dead) {
      this.record({
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
      this.record({
        id,
        name,
        status: 'ERROR',
        metric: '',
        target: '',
        notes: [(err as Error).message.slice(0, 500)],
      });
    }
    const death = this.current?.died();
    for (const s of this.scenarios.slice(before)) {
      if (death && s.status !== 'ERROR')
        s.notes.push(`the server process ${death} by the end of this scenario; its log is kept`);
      if ((death || (s.errors ?? 0) > 0) && this.current) this.keepLogs.add(this.current.logFile);
    }
  }

  /** The table, then each line's notes, then a warning for lines measured on a busy machine. */
  print(title: string): void {
    const rows = this.scenarios.map((s) => [
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
    console.log(`\n${title}\n`);
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
    for (const s of this.scenarios) for (const note of s.notes) console.log(`  ${s.id}: ${note}`);
    const busy = this.scenarios.filter((s) => s.loadAverage > os.cpus().length);
    if (busy.length) {
      console.log(
        `\n  Warning: the machine was busy with other work during ${busy.map((s) => s.id).join(', ')} (1-minute load average ` +
          `${busy.map((s) => fmt(s.loadAverage, 1)).join(', ')} on ${os.cpus().length} cores): those figures are low and noisy.`,
      );
    }
  }
}
