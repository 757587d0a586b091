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
