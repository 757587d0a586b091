import { sql } from 'kysely';
import type { Harness } from './app';

/**
 * Tables that change without any request changing data: rate-limit counters count refused
 * attempts by design, and the migrator's own bookkeeping is not the app's.
 */
const NOT_DATA = new Set(['rate_limits', 'kysely_migration', 'kysely_migration_lock']);
/** Columns that record when a credential was last used, not what anyone wrote. */
const USAGE_COLUMNS = ['last_used_at'];

/**
 * An md5 of every row of every table in the public schema, keyed by table: equal before and
 * after a batch of requests means that batch wrote nothing, whatever table it might have touched.
 */
export async function tableChecksums(h: Harness): Promise<Record<string, string>> {
  const db = h.db.database.db;
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  const sums: Record<string, string> = {};
  for (const { table_name } of tables.rows) {
    if (NOT_DATA.has(table_name)) continue;
    const row = await sql<{ sum: string | null; n: string }>`
      select md5(string_agg(r, E'\n' order by r)) as sum, count(*) as n from (
        select (to_jsonb(t) - ${sql.val(USAGE_COLUMNS)}::text[])::text as r from ${sql.table(table_name)} t
      ) rows`.execute(db);
    sums[table_name] = `${row.rows[0]?.n ?? 0}:${row.rows[0]?.sum ?? ''}`;
  }
  return sums;
}
