import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrator } from '../../server/db/migrate';
import { freshDatabase, type TestDatabase } from '../helpers/database';

// A database that ran only the first three migrations (votes, no running counts, no
// member counts) with data in it, then upgraded: what an existing installation goes through.
describe('upgrading a database that already has votes and members', () => {
  let t: TestDatabase;
  // Raw SQL against whatever schema the migrations have made so far.
  let db: Kysely<unknown>;
  let proposalId: string;
  let groupId: string;
  let users: string[];

  beforeAll(async () => {
    t = await freshDatabase();
    db = t.database.db as unknown as Kysely<unknown>;
    const to3 = await migrator(db).migrateTo('0003_proposals_votes');
    expect(to3.error).toBeUndefined();
    users = (
      await sql<{ id: string }>`insert into users (email, name, handle, password_hash)
        select 'u' || i || '@example.org', 'U' || i, 'u' || i, 'x' from generate_series(1, 7) i
        returning id`.execute(db)
    ).rows.map((r) => r.id);
    groupId = (await sql<{ id: string }>`insert into groups (name) values ('Co-op') returning id`.execute(db))
      .rows[0]!.id;
    await sql`insert into memberships (group_id, user_id, role)
      select ${groupId}, id, 'member' from users`.execute(db);
    const threadId = (
      await sql<{
        id: string;
      }>`insert into threads (group_id, title) values (${groupId}, 'T') returning id`.execute(db)
    ).rows[0]!.id;
    proposalId = (
      await sql<{ id: string }>`insert into proposals (thread_id, group_id, kind, title, closes_at)
        values (${threadId}, ${groupId}, 'proposal', 'P', now() + interval '1 day') returning id`.execute(db)
    ).rows[0]!.id;
    // Seven votes: four identical, two identical, one alone.
    const positions = ['agree', 'agree', 'agree', 'agree', 'block', 'block', 'abstain'];
    for (const [i, user] of users.entries()) {
      await sql`insert into votes (proposal_id, voter_key, voter_id, choices)
        values (${proposalId}, ${user}, ${user}, ${JSON.stringify([{ optionId: positions[i] }])}::jsonb)`.execute(
        db,
      );
    }
    const latest = await migrator(db).migrateToLatest();
    expect(latest.error).toBeUndefined();
  });
  afterAll(() => t?.drop());

  const counts = async () =>
    Object.fromEntries(
      (
        await sql<{ choices: { optionId: string }[]; n: number }>`select choices, n from ballot_counts
          where proposal_id = ${proposalId} and n > 0`.execute(db)
      ).rows.map((r) => [r.choices[0]!.optionId, r.n]),
    );
  const memberCount = async () =>
    (await sql<{ member_count: number }>`select member_count from groups where id = ${groupId}`.execute(db))
      .rows[0]!.member_count;

  test('counts the votes already cast, and the members already there', async () => {
    expect(await counts()).toEqual({ agree: 4, block: 2, abstain: 1 });
    expect(await memberCount()).toBe(7);
  });

  test('then keeps both exact as votes change and members leave', async () => {
    await sql`update votes set choices = '[{"optionId": "disagree"}]' where voter_key = ${users[0]!}`.execute(
      db,
    );
    await sql`delete from votes where voter_key = ${users[6]!}`.execute(db);
    expect(await counts()).toEqual({ agree: 3, block: 2, disagree: 1 });
    await sql`delete from memberships where user_id in (${users[5]!}, ${users[6]!})`.execute(db);
    expect(await memberCount()).toBe(5);
  });

  test('and steps back down cleanly', async () => {
    // Down through every later migration too (0004 and 0005 are the ones under test here).
    expect((await migrator(db).migrateTo('0003_proposals_votes')).error).toBeUndefined();
    const left = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(left.rows.map((r) => r.name).at(-1)).toBe('0003_proposals_votes');
    expect((await migrator(db).migrateToLatest()).error).toBeUndefined();
    expect(await counts()).toEqual({ agree: 3, block: 2, disagree: 1 });
    expect(await memberCount()).toBe(5);
  });
});
