// The votes baseline: single-row INSERTs into a two-column table, `concurrency`
// at a time, each its own autocommit transaction, through `pg` (a pool of
// `concurrency` connections) or, on PGlite, through PGlite's own query API on
// a PGlite database of its own. No HTTP: what the database and driver can do.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { serveCommands } from '../lib/procs';
import { now, percentile } from '../lib/util';

const CREATE =
  'create table if not exists bench_insert_baseline (id bigserial primary key, choices text not null)';
const INSERT = 'insert into bench_insert_baseline (choices) values ($1)';
const PAYLOADS = ['[{"optionId":"agree"}]', '[{"optionId":"disagree"}]'];

async function run(args: Record<string, unknown>) {
  const concurrency = args.concurrency as number;
  const durationMs = args.durationMs as number;
  const warmupMs = args.warmupMs as number;
  let query: (text: string, params?: unknown[]) => Promise<unknown>;
  let close: () => Promise<void>;
  if (args.connectionString) {
    const pool = new pg.Pool({ connectionString: args.connectionString as string, max: concurrency });
    query = (text, params) => pool.query(text, params as unknown[]);
    close = () => pool.end();
  } else {
    const db = await PGlite.create(args.dataDir as string);
    query = (text, params) => db.query(text, params as unknown[]);
    close = () => db.close();
  }
  try {
    await query(CREATE);
    const phase = async (ms: number, record: boolean) => {
      const latencies: number[] = [];
      let errors = 0;
      let n = 0;
      const started = now();
      const end = started + ms;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (now() < end) {
            const t0 = now();
            try {
              await query(INSERT, [PAYLOADS[n++ % 2]]);
              if (record) latencies.push(now() - t0);
            } catch {
              errors += 1;
            }
          }
        }),
      );
      const elapsed = (now() - started) / 1000;
      return { count: latencies.length, errors, durationS: elapsed, latencies };
    };
    await phase(warmupMs, false);
    const r = await phase(durationMs, true);
    return {
      inserts: r.count,
      errors: r.errors,
      durationS: r.durationS,
      rps: r.count / r.durationS,
      p50: percentile(r.latencies, 50),
      p99: percentile(r.latencies, 99),
    };
  } finally {
    await close();
  }
}

serveCommands({ run });
