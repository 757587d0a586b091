import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { migrator } from '../../server/db/migrate';
import { hashApiToken } from '../../server/services/tokens';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { as } from '../helpers/requests';

// An installation upgraded to migration 0007 with anonymous proposals in it: the closed
// ones lose every link between ballot and voter; the open ones keep working.
describe('upgrading a database with anonymous proposals', () => {
  let t: TestDatabase;
  let db: Kysely<unknown>;
  let users: string[];
  let closedId: string;
  let openId: string;
  const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

  async function anonymousProposal(threadId: string, groupId: string, salt: string, closed: boolean) {
    const id = (
      await sql<{ id: string }>`insert into proposals
          (thread_id, group_id, kind, title, closes_at, closed_at, anonymous, ballot_salt)
        values (${threadId}, ${groupId}, 'proposal', 'Secret', now() + interval '1 day',
                ${closed ? sql`now()` : null}, true, ${salt}) returning id`.execute(db)
    ).rows[0]!.id;
    await sql`insert into proposal_options (proposal_id, id, position, label)
      select ${id}, o, i, o from unnest(array['agree', 'abstain', 'disagree', 'block']) with ordinality as x(o, i)`.execute(
      db,
    );
    const positions = ['agree', 'block', 'agree', 'disagree'];
    for (const [i, user] of users.slice(0, closed ? 4 : 1).entries()) {
      const choices = JSON.stringify([{ optionId: positions[i] }]);
      await sql`insert into votes (proposal_id, voter_key, choices, reason, created_at, updated_at)
        values (${id}, ${sha256(`${salt}:${user}`)}, ${choices}::jsonb, ${`why ${i}`},
                now() - ${`${10 - i} minutes`}::interval, now() - ${`${10 - i} minutes`}::interval)`.execute(
        db,
      );
      // What the server logged then: the ballot, without its voter, and the results after it.
      const data = {
        proposalId: id,
        vote: { voter: null, choices: JSON.parse(choices) },
        voterCount: i + 1,
        results: { n: i },
      };
      await sql`insert into events (kind, group_id, thread_id, subject_id, data)
        values ('vote.cast', ${groupId}, ${threadId}, ${id}, ${JSON.stringify(data)}::jsonb)`.execute(db);
    }
    return id;
  }

  beforeAll(async () => {
    t = await freshDatabase();
    db = t.database.db as unknown as Kysely<unknown>;
    expect((await migrator(db).migrateTo('0005_group_member_count')).error).toBeUndefined();
    users = (
      await sql<{ id: string }>`insert into users (email, name, handle, password_hash)
        select 'a' || i || '@example.org', 'A' || i, 'a' || i, 'x' from generate_series(1, 5) i
        returning id`.execute(db)
    ).rows.map((r) => r.id);
    const groupId = (
      await sql<{ id: string }>`insert into groups (name) values ('Co-op') returning id`.execute(db)
    ).rows[0]!.id;
    await sql`insert into memberships (group_id, user_id, role) select ${groupId}, id, 'member' from users`.execute(
      db,
    );
    const threadId = (
      await sql<{
        id: string;
      }>`insert into threads (group_id, title) values (${groupId}, 'T') returning id`.execute(db)
    ).rows[0]!.id;
    closedId = await anonymousProposal(threadId, groupId, 'closed-salt', true);
    openId = await anonymousProposal(threadId, groupId, 'open-salt', false);
    expect((await migrator(db).migrateToLatest()).error).toBeUndefined();
  });
  afterAll(() => t?.drop());

  const rows = async (proposalId: string) =>
    (
      await sql<{
        voter_key: string;
        created_at: Date | null;
        updated_at: Date | null;
        choices: { optionId: string }[];
      }>`select * from votes where proposal_id = ${proposalId}`.execute(db)
    ).rows;

  test('closed anonymous proposals lose their salt, voter keys, vote times and per-vote results', async () => {
    const votes = await rows(closedId);
    expect(votes.map((v) => v.choices[0]!.optionId).sort()).toEqual(['agree', 'agree', 'block', 'disagree']);
    const keys = new Set(users.map((u) => sha256(`closed-salt:${u}`)));
    for (const v of votes) {
      expect(keys.has(v.voter_key)).toBe(false);
      expect(v).toMatchObject({ created_at: null, updated_at: null });
    }
    const salt = await sql<{
      ballot_salt: string | null;
    }>`select ballot_salt from proposals where id = ${closedId}`.execute(db);
    expect(salt.rows[0]!.ballot_salt).toBeNull();
    const counts = await sql<{
      n: number;
    }>`select n from ballot_counts where proposal_id = ${closedId} and n > 0 order by n`.execute(db);
    expect(counts.rows.map((r) => r.n)).toEqual([1, 1, 2]);
    const events = await sql<{
      data: Record<string, unknown>;
    }>`select data from events where subject_id = ${closedId}`.execute(db);
    expect(events.rows).toHaveLength(4);
    for (const e of events.rows)
      expect(e.data).toMatchObject({ vote: null, results: null, voterCount: expect.any(Number) });
  });

  test('open ones keep their keys, so their voters still replace their own vote, never add a second', async () => {
    const [before] = await rows(openId);
    expect(before).toMatchObject({ voter_key: sha256(`open-salt:${users[0]}`), created_at: null });
    const events = await sql<{
      data: Record<string, unknown>;
    }>`select data from events where subject_id = ${openId}`.execute(db);
    expect(events.rows[0]!.data).toMatchObject({ vote: null, results: { n: 0 } });

    const secret = `pl_${randomBytes(24).toString('base64url')}`;
    await sql`insert into api_tokens (user_id, name, token_hash) values (${users[0]}, 'bot', ${hashApiToken(secret)})`.execute(
      db,
    );
    const config = loadConfig({
      SESSION_SECRET: 'test-secret-test-secret-test-secret-42',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'plenary-test-')),
      LOG_LEVEL: 'silent',
    });
    const app = await buildApp({ config, database: t.database, serveClient: false, logger: false });
    try {
      await app.ready();
      const headers = { authorization: `Bearer ${secret}` };
      const cast = await as(app, { headers }).put(`/api/v1/proposals/${openId}/vote`, {
        choices: [{ optionId: 'block' }],
      });
      expect(cast.statusCode).toBe(200);
      const p = (await as(app, { headers }).get(`/api/v1/proposals/${openId}`)).json().proposal;
      expect(p).toMatchObject({ voterCount: 1, myVote: { choices: [{ optionId: 'block' }] } });
      // Closing erases them as it does for any anonymous proposal.
      await sql`update memberships set role = 'facilitator' where user_id = ${users[0]}`.execute(db);
      const closed = await as(app, { headers }).post(`/api/v1/proposals/${openId}/close`, {});
      expect(closed.statusCode).toBe(200);
      const [after] = await rows(openId);
      expect(after!.voter_key).not.toBe(before!.voter_key);
    } finally {
      await app.close();
    }
  });

  test('steps back down and up again, erased ballots staying erased', async () => {
    expect((await migrator(db).migrateTo('0005_group_member_count')).error).toBeUndefined();
    const salts = await sql<{ ballot_salt: string }>`select ballot_salt from proposals`.execute(db);
    expect(salts.rows.every((r) => typeof r.ballot_salt === 'string')).toBe(true);
    expect((await migrator(db).migrateToLatest()).error).toBeUndefined();
    const votes = await rows(closedId);
    expect(votes).toHaveLength(4);
    const keys = new Set(users.map((u) => sha256(`closed-salt:${u}`)));
    expect(votes.some((v) => keys.has(v.voter_key))).toBe(false);
  });
});
