import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../server/config';
import { type Database, openDatabase } from '../../server/db/database';
import { freshDatabase, type TestDatabase } from '../helpers/database';

describe('DATABASE_PREPARED_STATEMENTS', () => {
  test('is on unless set to off, and anything else is refused by name', () => {
    const base = { SESSION_SECRET: 'x'.repeat(32) };
    expect(loadConfig(base).preparedStatements).toBe(true);
    expect(loadConfig({ ...base, DATABASE_PREPARED_STATEMENTS: 'OFF' }).preparedStatements).toBe(false);
    expect(() => loadConfig({ ...base, DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS/,
    );
  });
});

describe.runIf(process.env.DATABASE_URL)('statements on Postgres connections', () => {
  let db: TestDatabase;
  let unnamed: Database;

  beforeAll(async () => {
    db = await freshDatabase();
    unnamed = await openDatabase({ kind: 'postgres', connectionString: db.url!, preparedStatements: false });
  });
  afterAll(async () => {
    await unnamed?.close();
    await db?.drop();
  });

  /** Runs `select` with `params` twice on one connection, then lists what that connection has prepared. */
  async function preparedAfter(database: Database, params: number) {
    return database.db.connection().execute(async (conn) => {
      const values = Array.from({ length: params }, (_, i) => sql`${i}::int`);
      const query = sql<{ total: number }>`select ${sql.join(values, sql` + `)} as total`;
      const first = await query.execute(conn);
      const second = await query.execute(conn);
      expect(second.rows).toEqual(first.rows);
      const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(
        conn,
      );
      return rows.map((r) => r.statement);
    });
  }

  test('a statement with a few parameters is prepared once per connection and reused', async () => {
    const prepared = await preparedAfter(db.database, 3);
    expect(prepared.filter((s) => s.includes('$1::int + $2::int + $3::int'))).toHaveLength(1);
  });

  test('statements with many parameters (lists written out in full) are not kept', async () => {
    const prepared = await preparedAfter(db.database, 9);
    expect(prepared.filter((s) => s.includes('$9::int'))).toEqual([]);
  });

  test('with DATABASE_PREPARED_STATEMENTS=off nothing is prepared', async () => {
    expect(await preparedAfter(unnamed, 3)).toEqual([]);
  });
});
