import { type Kysely, sql } from 'kysely';
import type { DB } from './schema';

/**
 * Counts one hit against `key` in a fixed window shared by every server
 * process; returns the count so far and when the window ends.
 */
export async function hitRateLimit(
  db: Kysely<DB>,
  key: string,
  windowSeconds: number,
): Promise<{ count: number; resetsAt: Date }> {
  const interval = `${windowSeconds} seconds`;
  const row = await sql<{ count: number; window_start: Date }>`
    insert into rate_limits (key, window_start, count) values (${key}, now(), 1)
    on conflict (key) do update set
      count = case when rate_limits.window_start <= now() - ${interval}::interval then 1 else rate_limits.count + 1 end,
      window_start = case when rate_limits.window_start <= now() - ${interval}::interval then now() else rate_limits.window_start end
    returning count, window_start`.execute(db);
  const { count, window_start } = row.rows[0]!;
  return {
    count: Number(count),
    resetsAt: new Date(new Date(window_start).getTime() + windowSeconds * 1000),
  };
}

/** Current count without adding a hit (0 when no window is open). */
export async function peekRateLimit(db: Kysely<DB>, key: string, windowSeconds: number): Promise<number> {
  const row = await sql<{ count: number }>`
    select count from rate_limits
    where key = ${key} and window_start > now() - ${`${windowSeconds} seconds`}::interval`.execute(db);
  return Number(row.rows[0]?.count ?? 0);
}

/**
 * When the attempts after the free ones may be taken: the k-th attempt beyond
 * `free` waits until `window_start + offset(k)` seconds, where the gaps between
 * successive offsets double from `firstDelay` up to `maxDelay`. No delays: the
 * attempts beyond `free` wait for the next window.
 */
export interface TakeRule {
  windowSeconds: number;
  free: number;
  delays?: { firstSeconds: number; maxSeconds: number };
}

/** Seconds after the window's start at which the attempt numbered `taken + 1` may go ahead; Infinity: not in this window. */
export function unlockOffset(rule: TakeRule, taken: number): number {
  const k = taken + 1 - rule.free;
  if (k <= 0) return 0;
  if (!rule.delays) return Number.POSITIVE_INFINITY;
  const { firstSeconds, maxSeconds } = rule.delays;
  const doubling = doublingSteps(rule);
  if (k <= doubling) return firstSeconds * (2 ** k - 1);
  return firstSeconds * (2 ** doubling - 1) + (k - doubling) * maxSeconds;
}

/** How many of the delays are still doubling (not yet held at `maxSeconds`). */
function doublingSteps(rule: TakeRule): number {
  const { firstSeconds, maxSeconds } = rule.delays!;
  let steps = 0;
  while (firstSeconds * 2 ** steps <= maxSeconds && steps < 60) steps++;
  return steps;
}

/**
 * Takes one attempt under `key` if the rule allows one now, in one statement:
 * the row is locked while the statement decides and counts, so concurrent
 * callers, in this process or any other sharing the database, can never take
 * more than the rule allows. A refused attempt changes nothing and returns null.
 */
export async function takeRateLimit(
  db: Kysely<DB>,
  key: string,
  rule: TakeRule,
): Promise<{ count: number; window: string } | null> {
  const window = `${rule.windowSeconds} seconds`;
  const doubling = rule.delays ? doublingSteps(rule) : 0;
  const first = rule.delays?.firstSeconds ?? 0;
  const max = rule.delays?.maxSeconds ?? 0;
  // unlockOffset() in SQL, for k = the attempts already taken + 1 - free.
  const k = sql`(r.count + 1 - ${rule.free}::int)`;
  const offset = sql`case when ${k} <= ${doubling}::int
      then ${first}::float8 * (power(2::float8, ${k}) - 1)
      else ${first}::float8 * (power(2::float8, ${doubling}::int) - 1) + (${k} - ${doubling}::int) * ${max}::float8 end`;
  // The window is handed back as text: a JS Date would drop the microseconds release() must match.
  const result = await sql<{ count: number; window: string }>`
    insert into rate_limits as r (key, window_start, count) values (${key}, now(), 1)
    on conflict (key) do update set
      count = case when r.window_start <= now() - ${window}::interval then 1 else r.count + 1 end,
      window_start = case when r.window_start <= now() - ${window}::interval then now() else r.window_start end
    where r.window_start <= now() - ${window}::interval
      or r.count < ${rule.free}::int
      or (${rule.delays ? 1 : 0}::int = 1 and r.window_start + ${offset} * interval '1 second' <= now())
    returning count, window_start::text as window`.execute(db);
  const row = result.rows[0];
  if (!row) return null;
  return { count: Number(row.count), window: row.window };
}

/** Seconds until `key` may take another attempt under `rule` (at least 1), by the database's clock. */
export async function secondsUntilFree(db: Kysely<DB>, key: string, rule: TakeRule): Promise<number> {
  const result = await sql<{ count: number; elapsed: number }>`
    select count, extract(epoch from now() - window_start)::float8 as elapsed
    from rate_limits where key = ${key}`.execute(db);
  const row = result.rows[0];
  if (!row) return 1;
  const elapsed = Number(row.elapsed);
  const at = Math.min(unlockOffset(rule, Number(row.count)), rule.windowSeconds);
  return Math.max(1, Math.ceil(at - elapsed));
}

/** Gives back an attempt taken by `takeRateLimit` (it succeeded, or was never checked); a new window is left alone. */
export async function releaseRateLimit(db: Kysely<DB>, key: string, window: string): Promise<void> {
  await sql`
    update rate_limits set count = count - 1
    where key = ${key} and window_start = ${window}::timestamptz and count > 0`.execute(db);
}
