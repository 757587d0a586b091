import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StreamEvent } from '../../shared/schemas/stream';
import { createGroup, expectError, type Harness, type Person, signUp, startApp } from '../helpers/app';
import { type BulkMember, bulkMembers, createProposal, inSeconds } from '../helpers/factories';
import { eventsOn, listenOn, type StreamClient, subscribeAs } from '../helpers/stream';
import { startThread } from '../helpers/threads';

// The contract (1.1): on an anonymous proposal nothing a member, a facilitator or an API
// client can observe links a ballot to a person, and once it is closed the stored data
// cannot either. Here the facilitator plays the attacker with everything the API offers.
let h: Harness;
let base: string;
let fran: Person;
let voters: BulkMember[];
let groupId: string;
let threadId: string;
let ws: StreamClient;

const POSITIONS = ['agree', 'abstain', 'disagree', 'block'] as const;

beforeAll(async () => {
  h = await startApp();
  base = await listenOn(h.app);
  fran = await signUp(h.app, { name: 'Fran Facilitator' });
  groupId = (await createGroup(h.app, fran, 'Secret ballot co-op')).id;
  voters = await bulkMembers(h, groupId, 4, 'Voter');
  threadId = (await startThread(h.app, fran, groupId)).id;
  ws = await subscribeAs(base, fran, `group:${groupId}`, `thread:${threadId}`);
});
afterAll(async () => {
  await ws?.close();
  await h?.close();
});

const api = (method: string, url: string, who: { headers: Record<string, string> }, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: who.headers,
    payload: payload as object,
  });
const db = () => h.db.database.db;

type VoteItem = {
  voter: { id: string } | null;
  choices: { optionId: string }[];
  reason: string | null;
  createdAt: string | null;
  updatedAt: string | null;
};
type Seen = {
  undecided: string[];
  votes: VoteItem[];
  results: { options: { optionId: string; count: number }[] } | null;
};

async function look(proposalId: string): Promise<Seen> {
  const undecided = (await api('GET', `/proposals/${proposalId}/undecided`, fran)).json();
  const votes = (await api('GET', `/proposals/${proposalId}/votes?limit=200`, fran)).json();
  const proposal = (await api('GET', `/proposals/${proposalId}`, fran)).json().proposal;
  return {
    undecided: (undecided.items ?? []).map((m: { id: string }) => m.id),
    votes: votes.items,
    results: proposal.results,
  };
}

const voteEvents = (topic: string, proposalId: string) =>
  eventsOn(ws, topic).filter(
    (e) => e.kind.startsWith('vote.') && (e.data as { proposalId?: string }).proposalId === proposalId,
  );

/** The option a ballot added between two readings of the results, if the results show it. */
function addedOption(before: Seen['results'], after: Seen['results']): string | null {
  if (!before || !after) return null;
  const was = new Map(before.options.map((o) => [o.optionId, o.count]));
  return after.options.find((o) => o.count > (was.get(o.optionId) ?? 0))?.optionId ?? null;
}

/**
 * Everything an attacker can pair up: who left the undecided list after each vote, with the
 * ballot the event, the results or the votes list revealed at that moment; timestamps and
 * the order of the votes list against the order people left; any vote that names its voter.
 * Returns the voter → option pairs it claims.
 */
function attack(
  initial: string[],
  seen: Seen[],
  events: StreamEvent[],
  closedVotes: VoteItem[],
): Map<string, string> {
  const claims = new Map<string, string>();
  const leaveOrder: string[] = [];
  let before = initial;
  let previous: Seen | null = null;
  for (const [i, now] of seen.entries()) {
    const left = before.filter((id) => !now.undecided.includes(id));
    before = now.undecided;
    const event = events[i]?.data as { vote?: VoteItem | null } | undefined;
    const known = new Set((previous?.votes ?? []).map((v) => JSON.stringify([v.choices, v.reason])));
    const fresh = now.votes.find((v) => !known.has(JSON.stringify([v.choices, v.reason])));
    const ballot =
      event?.vote?.choices[0]?.optionId ??
      addedOption(previous?.results ?? null, now.results) ??
      fresh?.choices[0]?.optionId ??
      null;
    if (left.length === 1) {
      leaveOrder.push(left[0]!);
      if (ballot) claims.set(left[0]!, ballot);
    }
    previous = now;
  }
  for (const e of events) {
    const data = e.data as { vote?: VoteItem | null };
    if (e.actor && data.vote) claims.set(e.actor.id, data.vote.choices[0]!.optionId);
    if (data.vote?.voter) claims.set(data.vote.voter.id, data.vote.choices[0]!.optionId);
  }
  for (const list of [seen.at(-1)?.votes ?? [], closedVotes]) {
    for (const v of list) if (v.voter) claims.set(v.voter.id, v.choices[0]!.optionId);
    if (list.length === 0 || leaveOrder.length !== list.length) continue;
    const byTime = list.every((v) => v.createdAt)
      ? [...list].sort((a, b) => a.createdAt!.localeCompare(b.createdAt!))
      : list;
    for (const [i, v] of byTime.entries()) claims.set(leaveOrder[i]!, v.choices[0]!.optionId);
  }
  return claims;
}

function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}

/** Every row of every table, as text, table by table (what whoever holds the database has). */
async function dumpDatabase(): Promise<{ table: string; row: string }[]> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db());
  expect(tables.rows.map((t) => t.table_name)).toEqual(expect.arrayContaining(['votes', 'events']));
  const out: { table: string; row: string }[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table_name)}`.execute(db());
    for (const row of rows.rows) out.push({ table: table_name, row: jsonOf(row) });
  }
  return out;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

describe.each([
  { resultsHiddenUntilClosed: false, mode: 'results live' },
  { resultsHiddenUntilClosed: true, mode: 'results hidden' },
])('an anonymous proposal with $mode', ({ resultsHiddenUntilClosed }) => {
  test('an observer of the stream, the undecided list, the votes, exports and notifications links no ballot to a voter; neither does the database once closed', async () => {
    const p = await createProposal(h.app, fran, threadId, {
      kind: 'proposal',
      anonymous: true,
      resultsHiddenUntilClosed,
      title: `Secret ballot (${resultsHiddenUntilClosed ? 'hidden' : 'live'})`,
    });
    const truth = new Map(voters.map((v, i) => [v.id, POSITIONS[i]!]));
    const reasons = voters.map((_, i) => `reason ${i} ${Math.random().toString(36).slice(2)}`);
    const { salt } = (
      await sql<{ salt: string }>`select ballot_salt as salt from proposals where id = ${p.id}`.execute(db())
    ).rows[0]!;

    const initial = await look(p.id);
    const seen: Seen[] = [];
    const storedKeys: string[] = [];
    for (const [i, voter] of voters.entries()) {
      const keysBefore = new Set(
        (await db().selectFrom('votes').select('voter_key').where('proposal_id', '=', p.id).execute()).map(
          (r) => r.voter_key,
        ),
      );
      const cast = await api('PUT', `/proposals/${p.id}/vote`, voter, {
        choices: [{ optionId: POSITIONS[i] }],
        reason: reasons[i],
      });
      expect(cast.statusCode).toBe(200);
      expect(cast.json().vote).toMatchObject({ voter: null, createdAt: null, updatedAt: null });
      for (const topic of [`group:${groupId}`, `thread:${threadId}`]) {
        await ws.waitForCount(
          (m) =>
            m.type === 'event' &&
            m.topic === topic &&
            m.event.kind === 'vote.cast' &&
            (m.event.data as { proposalId?: string }).proposalId === p.id,
          i + 1,
        );
      }
      seen.push(await look(p.id));
      const keysAfter = await db()
        .selectFrom('votes')
        .select('voter_key')
        .where('proposal_id', '=', p.id)
        .execute();
      storedKeys.push(...keysAfter.map((r) => r.voter_key).filter((k) => !keysBefore.has(k)));
    }
    expect(storedKeys).toHaveLength(voters.length);

    // The undecided list names nobody, but still counts.
    const undecided = (await api('GET', `/proposals/${p.id}/undecided`, fran)).json();
    expect(initial.undecided).toEqual([]);
    expect(undecided).toMatchObject({ items: [], count: 1, nextCursor: null });
    // Votes carry no time, and their order does not follow the voting: the same ballots cast
    // again in the opposite order come back in the same order.
    for (const s of seen) {
      for (const v of s.votes) expect(v).toMatchObject({ voter: null, createdAt: null, updatedAt: null });
    }
    if (!resultsHiddenUntilClosed) {
      const firstOrder = seen.at(-1)!.votes.map((v) => v.reason);
      for (const i of [3, 2, 1, 0]) {
        const again = await api('PUT', `/proposals/${p.id}/vote`, voters[i]!, {
          choices: [{ optionId: POSITIONS[i] }],
          reason: reasons[i],
        });
        expect(again.statusCode).toBe(200);
      }
      expect((await look(p.id)).votes.map((v) => v.reason)).toEqual(firstOrder);
    }

    // While open, the keys are not what the database alone can recompute.
    const members = [fran, ...voters];
    const recomputable = new Set(members.flatMap((m) => [m.id, sha256(`${salt}:${m.id}`)]));
    for (const key of storedKeys) expect(recomputable.has(key)).toBe(false);

    expect((await api('POST', `/proposals/${p.id}/close`, fran, {})).statusCode).toBe(200);
    const closed = (await api('GET', `/proposals/${p.id}`, fran)).json().proposal;
    expect(closed).toMatchObject({ voterCount: 4, eligibleCount: 5 });
    expect(closed.results.options.map((o: { count: number }) => o.count)).toEqual([1, 1, 1, 1]);

    // After the close: the votes list, the exports and the notifications name nobody.
    const after = (await api('GET', `/proposals/${p.id}/votes`, fran)).json().items as VoteItem[];
    expect(after).toHaveLength(4);
    // The attack of issue #10: who left the undecided list, paired with what arrived then,
    // and the order or times of the votes listed once the results are out.
    for (const topic of [`group:${groupId}`, `thread:${threadId}`]) {
      const events = voteEvents(topic, p.id);
      const claims = attack(initial.undecided, seen, events, after);
      const right = [...claims].filter(([id, option]) => truth.get(id) === option);
      expect(right).toEqual([]);
      for (const e of events) {
        expect(e.actor).toBeNull();
        expect((e.data as { vote?: unknown }).vote ?? null).toBeNull();
        const text = jsonOf(e);
        for (const [i, v] of voters.entries()) {
          expect(text).not.toContain(v.id);
          expect(text).not.toContain(v.name);
          expect(text).not.toContain(reasons[i]);
        }
      }
    }
    for (const v of after) expect(v).toMatchObject({ voter: null, createdAt: null, updatedAt: null });
    for (const format of ['json', 'csv', 'md']) {
      const exported = await api('GET', `/groups/${groupId}/decisions?format=${format}`, fran);
      expect(exported.statusCode).toBe(200);
      for (const [i, v] of voters.entries()) {
        expect(exported.body).not.toContain(v.id);
        expect(exported.body).not.toContain(v.name);
        expect(exported.body).not.toContain(reasons[i]);
      }
    }
    for (const person of members) {
      const notes = (await api('GET', '/notifications?limit=200', person)).json().items as {
        actor: { id: string } | null;
        text: string;
      }[];
      for (const n of notes) {
        expect(voters.map((v) => v.id)).not.toContain(n.actor?.id);
        for (const v of voters) expect(n.text).not.toContain(v.name);
      }
    }

    // Whoever holds the database: no key, no salt, nothing pairing a voter with a ballot.
    const dump = await dumpDatabase();
    const secrets = [salt, ...storedKeys, ...members.map((m) => sha256(`${salt}:${m.id}`))];
    for (const { table, row } of dump) {
      for (const secret of secrets)
        expect({ table, contains: row.includes(secret) }).toEqual({ table, contains: false });
      for (const v of voters) {
        if (!row.includes(v.id)) continue;
        for (const reason of reasons)
          expect({ table, reason: row.includes(reason) }).toEqual({ table, reason: false });
      }
    }
    const stored = await db().selectFrom('votes').selectAll().where('proposal_id', '=', p.id).execute();
    expect(stored).toHaveLength(4);
    for (const v of stored) expect(v).toMatchObject({ voter_id: null, created_at: null, updated_at: null });
    // The vote events kept their counts but no longer say what each vote did to the results.
    const logged = await db()
      .selectFrom('events')
      .selectAll()
      .where('subject_id', '=', p.id)
      .where('kind', 'in', ['vote.cast', 'vote.retracted'])
      .execute();
    expect(logged.length).toBeGreaterThanOrEqual(4);
    for (const e of logged) {
      expect(e.actor_id).toBeNull();
      expect(e.data).toMatchObject({ proposalId: p.id, results: null });
      expect((e.data as { vote?: unknown }).vote ?? null).toBeNull();
    }
  });
});

describe('closing by the clock and reopening', () => {
  test('a proposal closed by the clock loses its voter keys and salt in the same change', async () => {
    const p = await createProposal(h.app, fran, threadId, {
      kind: 'proposal',
      anonymous: true,
      closesAt: inSeconds(1),
    });
    const cast = await api('PUT', `/proposals/${p.id}/vote`, voters[0]!, {
      choices: [{ optionId: 'block' }],
    });
    expect(cast.statusCode).toBe(200);
    const [key] = await db()
      .selectFrom('votes')
      .select('voter_key')
      .where('proposal_id', '=', p.id)
      .execute();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await h.app.closeDueProposals()).toBeGreaterThanOrEqual(1);
    const row = await db()
      .selectFrom('proposals')
      .selectAll()
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow();
    expect(row.closed_at).not.toBeNull();
    expect(row.ballot_salt).toBeNull();
    const votes = await db().selectFrom('votes').selectAll().where('proposal_id', '=', p.id).execute();
    expect(votes).toHaveLength(1);
    expect(votes[0]!.voter_key).not.toBe(key!.voter_key);
    expect(votes[0]).toMatchObject({ created_at: null, updated_at: null });
    const closed = (await api('GET', `/proposals/${p.id}`, fran)).json().proposal;
    expect(closed.results.blocked).toBe(true);
  });

  test('an anonymous proposal that has ballots cannot be reopened: its voters could no longer replace them', async () => {
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal', anonymous: true });
    await api('PUT', `/proposals/${p.id}/vote`, voters[1]!, { choices: [{ optionId: 'agree' }] });
    await api('POST', `/proposals/${p.id}/close`, fran, {});
    const before = (await api('GET', `/proposals/${p.id}`, fran)).json().proposal;
    const err = expectError(
      await api('POST', `/proposals/${p.id}/reopen`, fran, { closesAt: inSeconds(600) }),
      409,
      'conflict',
    );
    expect(err.message).toMatch(/anonymous/);
    expect((await api('GET', `/proposals/${p.id}`, fran)).json().proposal).toEqual(before);
  });

  test('an anonymous proposal closed with no ballots can be reopened, voted on and closed again', async () => {
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal', anonymous: true });
    await api('POST', `/proposals/${p.id}/close`, fran, {});
    const reopened = await api('POST', `/proposals/${p.id}/reopen`, fran, { closesAt: inSeconds(600) });
    expect(reopened.statusCode).toBe(200);
    const voter = voters[2]!;
    await api('PUT', `/proposals/${p.id}/vote`, voter, { choices: [{ optionId: 'agree' }] });
    // A second vote replaces the first: the new salt keys the voter as before.
    await api('PUT', `/proposals/${p.id}/vote`, voter, { choices: [{ optionId: 'disagree' }] });
    const open = (await api('GET', `/proposals/${p.id}`, voter)).json().proposal;
    expect(open).toMatchObject({ voterCount: 1, myVote: { choices: [{ optionId: 'disagree' }] } });
    await api('POST', `/proposals/${p.id}/close`, fran, {});
    const row = await db()
      .selectFrom('proposals')
      .select('ballot_salt')
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow();
    expect(row.ballot_salt).toBeNull();
    // Once erased, not even the voter's own vote can be found again.
    expect((await api('GET', `/proposals/${p.id}`, voter)).json().proposal.myVote).toBeNull();
  });
});
