// Preloaded into the server process by `npm run bench -- --trace-queries`
// (NODE_OPTIONS=--import <this file>): times every statement the server sends
// through `pg` or PGlite, and how long it waited for a pooled connection, and
// writes the running totals to BENCH_TRACE_FILE ten times a second; the bench
// subtracts a reading taken before a load from one taken after it. (No signal:
// the server's close-with-grace treats SIGUSR2 as "shut down".) The server's
// own code is untouched.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_TRACE_FILE;
const statements = new Map();
const poolWaits = { count: 0, ms: 0, maxMs: 0 };

const keyOf = (text) => String(text).replace(/\s+/g, ' ').trim().slice(0, 110);
function count(text, ms) {
  const key = keyOf(text);
  const s = statements.get(key) ?? { count: 0, ms: 0 };
  s.count += 1;
  s.ms += ms;
  statements.set(key, s);
}

function timeQueries(proto, method, textOf) {
  const original = proto[method];
  proto[method] = function (...args) {
    const started = performance.now();
    const result = original.apply(this, args);
    if (result && typeof result.then === 'function') {
      result.then(
        () => count(textOf(args[0]), performance.now() - started),
        () => count(textOf(args[0]), performance.now() - started),
      );
    }
    return result;
  };
}

try {
  const { default: pg } = await import('pg');
  timeQueries(pg.Client.prototype, 'query', (c) => (typeof c === 'string' ? c : (c?.text ?? '')));
  const connect = pg.Pool.prototype.connect;
  pg.Pool.prototype.connect = function (...args) {
    const started = performance.now();
    const result = connect.apply(this, args);
    if (result && typeof result.then === 'function') {
      result.then(
        () => {
          const ms = performance.now() - started;
          poolWaits.count += 1;
          poolWaits.ms += ms;
          poolWaits.maxMs = Math.max(poolWaits.maxMs, ms);
        },
        () => {},
      );
    }
    return result;
  };
} catch {
  // no pg here
}
try {
  const { PGlite } = await import('@electric-sql/pglite');
  timeQueries(PGlite.prototype, 'query', (t) => t);
  timeQueries(PGlite.prototype, 'exec', (t) => t);
} catch {
  // no PGlite here
}

function flush() {
  if (!file) return;
  const rows = [...statements.entries()].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.ms - a.ms);
  writeFileSync(file, JSON.stringify({ statements: rows, poolWaits }));
}
setInterval(flush, 100).unref();
process.on('exit', flush);
