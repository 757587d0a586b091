import { sql } from 'kysely';

/**
 * A timestamp column as text with all six fractional digits, for cursors: a JS
 * Date keeps only milliseconds, and a cursor rounded down to the millisecond
 * would hand the same row out again on the next page.
 */
export function exactTime(column: string) {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
