import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrateToLatest } from '../../server/db/migrate';
import { freshDatabase, type TestDatabase } from '../helpers/database';

// Could the schema shard by group (Citus: distributed tables keyed by group_id, the rest
// reference or local tables) when one Postgres is not enough? Only if every table is keyed by a
// group, reaches one through foreign keys, or is knowingly global. A new table must take a side:
// this test fails until it does. The plan built on these findings is in the README ("Scale-out").

/** Tables that belong to no group, each with why (they would be reference or coordinator-local tables). */
const GLOBAL: Record<string, string> = {
  users: 'a person belongs to many groups; read by every request that names a person',
  sessions: 'a login is the person’s, across all their groups',
  api_tokens: 'a token acts as its person in every group they belong to',
  account_tokens: 'password reset and address links are about the account, not a group',
  user_preferences: 'digest and time-zone settings cover all of a person’s groups',
  rate_limits: 'counters per address and account, checked before any group is known',
  email_bodies: 'a body is shared by many outbox rows, only some of which name a group',
  push_subscriptions: 'a device gets its person’s notifications from all their groups',
  vapid_keys: 'the one key pair the whole server signs its pushes with',
};

/**
 * Tables with a nullable group_id: rows that may name no group, or that are read per person
 * across groups. Each says which; sharded by group, those rows or reads need a plan of their own.
 */
const MIXED: Record<string, string> = {
  events:
    'nullable group_id (writers set it today); a person’s `me` events are found by recipient_id across groups',
  notifications: 'nullable group_id (writers set it today); read per person, across all their groups',
  email_outbox: 'account mail (password reset, address checks) and emailed invitations carry no group_id',
};

/** The migrator's own bookkeeping: not the app's data, stays on the coordinator. */
const NOT_DATA = new Set(['kysely_migration', 'kysely_migration_lock']);

interface Column {
  table: string;
  column: string;
  nullable: boolean;
}
interface ForeignKey {
  table: string;
  columns: string[];
  references: string;
  /** Every referencing column is NOT NULL: each row reaches the referenced one. */
  required: boolean;
}

describe('sharding by group', () => {
  let t: TestDatabase;
  let tables: string[];
  let groupColumn: Map<string, Column>;
  let foreignKeys: ForeignKey[];

  beforeAll(async () => {
    t = await freshDatabase();
    await migrateToLatest(t.database.db);
    const db = t.database.db as unknown as Kysely<unknown>;
    tables = (
      await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db)
    ).rows
      .map((r) => r.name)
      .filter((name) => !NOT_DATA.has(name));
    const columns = await sql<{ table: string; column: string; nullable: string }>`
      select table_name as table, column_name as column, is_nullable as nullable
        from information_schema.columns where table_schema = 'public' and column_name = 'group_id'`.execute(
      db,
    );
    groupColumn = new Map(columns.rows.map((c) => [c.table, { ...c, nullable: c.nullable === 'YES' }]));
    foreignKeys = (
      await sql<{ table: string; columns: string[]; references: string; required: boolean }>`
        select c.conrelid::regclass::text as table, c.confrelid::regclass::text as references,
               array(select a.attname::text from pg_attribute a
                      where a.attrelid = c.conrelid and a.attnum = any (c.conkey) order by a.attnum) as columns,
               not exists (select 1 from pg_attribute a
                            where a.attrelid = c.conrelid and a.attnum = any (c.conkey) and not a.attnotnull) as required
          from pg_constraint c
         where c.contype = 'f' and c.connamespace = current_schema()::regnamespace`.execute(db)
    ).rows;
  });
  afterAll(() => t?.drop());

  /** Keyed by a group: `groups` itself (by id), or a NOT NULL group_id. */
  const keyed = (table: string) => table === 'groups' || (groupColumn.get(table)?.nullable ?? true) === false;

  /** The shortest chain of required foreign keys from `table` to a group-keyed table, or null. */
  function pathToGroup(table: string): string[] | null {
    const queue: { at: string; path: string[] }[] = [{ at: table, path: [] }];
    const seen = new Set([table]);
    while (queue.length) {
      const { at, path } = queue.shift()!;
      for (const fk of foreignKeys.filter((f) => f.table === at && f.required && !seen.has(f.references))) {
        const step = [...path, `${at}.${fk.columns.join(', ')} → ${fk.references}`];
        if (keyed(fk.references)) return step;
        seen.add(fk.references);
        queue.push({ at: fk.references, path: step });
      }
    }
    return null;
  }

  test('every table is keyed by a group, reaches one through foreign keys, or is listed as global or mixed', () => {
    const undecided = tables.filter(
      (table) => !keyed(table) && !(table in MIXED) && !(table in GLOBAL) && pathToGroup(table) === null,
    );
    expect(
      undecided,
      `Decide how ${undecided.join(', ')} would shard by group: give it a NOT NULL group_id (or a required ` +
        'foreign key to a table that has one), or list it in GLOBAL or MIXED in test/db/sharding.test.ts with ' +
        'the reason, and update the README’s scale-out section.',
    ).toEqual([]);
  });

  test('the global and mixed lists are still true of the schema', () => {
    for (const table of Object.keys(GLOBAL)) {
      expect({ table, exists: tables.includes(table), groupId: groupColumn.has(table) }).toEqual({
        table,
        exists: true,
        groupId: false,
      });
      // A global table that now reaches a group through a required key is a group's table after all.
      expect({ table, path: pathToGroup(table) }).toEqual({ table, path: null });
    }
    for (const table of Object.keys(MIXED)) {
      expect({ table, nullableGroupId: groupColumn.get(table)?.nullable }).toEqual({
        table,
        nullableGroupId: true,
      });
    }
  });

  test('the tables reachable only through foreign keys, and their paths (each needs a group_id to co-locate)', () => {
    const reachable = Object.fromEntries(
      tables
        .filter((table) => !keyed(table) && !(table in MIXED))
        .flatMap((table) => {
          const path = pathToGroup(table);
          return path ? [[table, path.join(' ; ')]] : [];
        }),
    );
    // The README lists these as the tables that gain a group_id column; a change here means updating it.
    expect(reachable).toEqual({
      ballot_counts: 'ballot_counts.proposal_id → proposals',
      comment_versions: 'comment_versions.comment_id → comments',
      inbound_emails: 'inbound_emails.comment_id → comments',
      invitation_uses: 'invitation_uses.invitation_id → invitations',
      outcomes: 'outcomes.proposal_id → proposals',
      proposal_options: 'proposal_options.proposal_id → proposals',
      reactions: 'reactions.comment_id → comments',
      thread_reads: 'thread_reads.thread_id → threads',
      vote_history: 'vote_history.proposal_id → proposals',
      votes: 'votes.proposal_id → proposals',
    });
  });
});
