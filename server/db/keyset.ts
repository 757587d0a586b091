import { type SelectQueryBuilder, sql } from 'kysely';
import type { DB } from './schema';

/** A sort column of a keyset page, and the type a cursor's value for it is cast to (cursors are JSON). */
export type KeyColumn = readonly [column: string, type: 'timestamptz' | 'uuid' | 'text'];

/**
 * How a list pages: its sort columns, all in one direction, the last one
 * unique, and how a cursor maps onto them. A timestamp column's cursor value
 * is the exact text of `exactTime` (`./cursors`), never a JS Date: rounded to
 * the millisecond, the next page would skip or repeat rows.
 */
export interface Keyset<Row, Cursor> {
  columns: readonly KeyColumn[];
  direction: 'asc' | 'desc';
  /** The cursor's values, in column order. */
  values: (cursor: Cursor) => readonly unknown[];
  /** The cursor the next page resumes after, from the last row of this one. */
  cursorOf: (row: Row) => Cursor;
}

/**
 * One page of `query` in the keyset's order, resuming after `after`: the
 * rows after the cursor are one row comparison an index on the sort columns
 * answers, and one row more than `limit` says whether another page follows.
 */
export async function keysetPage<TB extends keyof DB, Row, Cursor>(
  query: SelectQueryBuilder<DB, TB, Row>,
  keyset: Keyset<Row, Cursor>,
  page: { after: Cursor | null; limit: number },
): Promise<{ items: Row[]; next: Cursor | null }> {
  let q = query;
  if (page.after !== null) {
    const columns = sql.join(keyset.columns.map(([column]) => sql.ref(column)));
    const values = sql.join(
      keyset.values(page.after).map((value, i) => sql`${value}::${sql.raw(keyset.columns[i]![1])}`),
    );
    const op = sql.raw(keyset.direction === 'asc' ? '>' : '<');
    q = q.where(sql<boolean>`(${columns}) ${op} (${values})`);
  }
  for (const [column] of keyset.columns) {
    q = q.orderBy(sql.ref(column), (ob) => (keyset.direction === 'asc' ? ob.asc() : ob.desc()));
  }
  const rows = await q.limit(page.limit + 1).execute();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > page.limit && last ? keyset.cursorOf(last) : null };
}
