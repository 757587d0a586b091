import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createGroup, type Harness, type Person, signUp, startApp } from '../helpers/app';
import { type BulkMember, bulkMembers, createProposal } from '../helpers/factories';
import { eventsOn, listenOn, type StreamClient, subscribeAs } from '../helpers/stream';
import { startThread } from '../helpers/threads';

// A busy proposal's votes are written from the process's copy of it, one statement that applies only
// while nothing else has written the proposal (server/services/vote-copies.ts). Whatever else writes
// in between (a retraction, a departure, a delegation, the close), every answer, event and read must
// agree with the ballots stored, exactly as when every batch read them under the lock.
let h: Harness;
let base: string;
let fran: Person;

beforeAll(async () => {
  h = await startApp();
  base = await listenOn(h.app);
  fran = await signUp(h.app, { name: 'Fran Facilitator' });
});
afterAll(() => h?.close());

type Who = { id: string; headers: Record<string, string> };

const api = (method: string, url: string, who: Who, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: who.headers,
    payload: payload as object,
  });

async function vote(proposalId: string, who: Who, optionId: string) {
  const res = await api('PUT', `/proposals/${proposalId}/vote`, who, { choices: [{ optionId }] });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().vote as { weight: number; choices: { optionId: string }[] };
}

/** `plenary_vote_batches_total` by path, from `/metrics`. */
async function batchesByPath(): Promise<{ copy: number; locked: number }> {
  const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
  const count = (path: string) =>
    Number(text.match(new RegExp(`^plenary_vote_batches_total\\{path="${path}"\\} (\\d+)`, 'm'))?.[1]);
  return { copy: count('copy'), locked: count('locked') };
}

type Results = { options: { optionId: string; count: number }[] } | null;
type Summary = {
  threadId: string;
  voterCount: number;
  representedCount: number;
  eligibleCount: number;
  results: Results;
};

/** Each option's count among the ballots stored now, read from the table itself. */
async function storedCounts(proposalId: string) {
  const rows = await h.db.database.db
    .selectFrom('votes')
    .select('choices')
    .where('proposal_id', '=', proposalId)
    .execute();
  const counts: Record<string, number> = {};
  for (const { choices } of rows) {
    const optionId = (choices as { optionId: string }[])[0]!.optionId;
    counts[optionId] = (counts[optionId] ?? 0) + 1;
  }
  return { voters: rows.length, counts };
}

const countsOf = (results: Results) =>
  Object.fromEntries((results?.options ?? []).filter((o) => o.count > 0).map((o) => [o.optionId, o.count]));

/**
 * The proposal as read, the latest vote event streamed and the running ballot counts all agree with
 * the stored ballots, and with `eligible` members who may vote.
 */
async function expectAgreement(proposalId: string, ws: StreamClient, eligible: number) {
  const stored = await storedCounts(proposalId);
  const read = (await api('GET', `/proposals/${proposalId}`, fran)).json().proposal as Summary;
  expect(read).toMatchObject({ voterCount: stored.voters, eligibleCount: eligible });
  expect(countsOf(read.results)).toEqual(stored.counts);
  const running = await h.db.database.db
    .selectFrom('ballot_counts')
    .select(['choices', 'n'])
    .where('proposal_id', '=', proposalId)
    .where('n', '>', 0)
    .execute();
  expect(
    Object.fromEntries(running.map((r) => [(r.choices as { optionId: string }[])[0]!.optionId, r.n])),
  ).toEqual(stored.counts);
  // The stream may lag the answer: wait for the event that agrees, then check it is the latest one.
  const agrees = (data: Summary) =>
    data.voterCount === stored.voters &&
    data.eligibleCount === eligible &&
    JSON.stringify(countsOf(data.results)) === JSON.stringify(countsOf(read.results));
  await ws.waitFor(
    (m) => m.type === 'event' && /^vote\./.test(m.event.kind) && agrees(m.event.data as Summary),
  );
  const latest = eventsOn(ws, `thread:${read.threadId}`)
    .filter((e) => /^vote\./.test(e.kind))
    .at(-1);
  expect(agrees(latest!.data as Summary)).toBe(true);
}

async function circle(name: string, members: number) {
  const groupId = (await createGroup(h.app, fran, `${name} co-op`)).id;
  const people = await bulkMembers(h, groupId, members, name);
  const threadId = (await startThread(h.app, fran, groupId)).id;
  return { groupId, threadId, people };
}

describe('votes written from the process’s copy of a busy proposal', () => {
  test('agree with the stored ballots while retractions, departures, concurrent batches and the close move it', async () => {
    const { groupId, threadId, people } = await circle('Copied', 10);
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    const ws = await subscribeAs(base, fran, `thread:${threadId}`);
    const before = await batchesByPath();
    const [ana, ben, cat, dan, eve, fay, gus, hal, ivy, jon] = people as [BulkMember, ...BulkMember[]];

    // Two batches in a row make the proposal busy: the third is written from the copy.
    await vote(p.id, ana, 'agree');
    await vote(p.id, ben, 'agree');
    await vote(p.id, cat, 'disagree');
    await expectAgreement(p.id, ws, 11);
    const warm = await batchesByPath();
    expect(warm.copy - before.copy).toBeGreaterThanOrEqual(1);

    // A replaced ballot moves from one option to the other, once, and is kept in the history.
    expect((await vote(p.id, cat, 'abstain')).choices).toEqual([{ optionId: 'abstain' }]);
    await expectAgreement(p.id, ws, 11);
    const history = await h.db.database.db
      .selectFrom('vote_history')
      .select('choices')
      .where('proposal_id', '=', p.id)
      .where('voter_id', '=', cat!.id)
      .execute();
    expect(history.map((r) => r.choices)).toEqual([[{ optionId: 'disagree' }]]);

    // A retraction is written the locked way: the copy is stale, and the next batch must not use it.
    expect((await api('DELETE', `/proposals/${p.id}/vote`, ana)).statusCode).toBe(204);
    await vote(p.id, dan, 'block');
    await expectAgreement(p.id, ws, 11);

    // A member who leaves takes their ballot and a place among the eligible with them.
    expect((await api('DELETE', `/groups/${groupId}/members/${ben!.id}`, fran)).statusCode).toBe(204);
    await vote(p.id, eve, 'agree');
    await expectAgreement(p.id, ws, 10);
    // ... and a removed member's vote, sent after, is refused without counting.
    expect(
      (await api('PUT', `/proposals/${p.id}/vote`, ben!, { choices: [{ optionId: 'agree' }] })).statusCode,
    ).toBe(404);

    // Many at once: batches of several, replaced ballots among them.
    const burst = await Promise.all(
      [fay, gus, hal, ivy, jon, dan, eve].map((who, i) =>
        api('PUT', `/proposals/${p.id}/vote`, who!, {
          choices: [{ optionId: i % 2 ? 'agree' : 'disagree' }],
        }),
      ),
    );
    expect(burst.map((r) => r.statusCode)).toEqual(Array(7).fill(200));
    await expectAgreement(p.id, ws, 10);
    await vote(p.id, fay, 'abstain');
    await expectAgreement(p.id, ws, 10);
    const after = await batchesByPath();
    expect(after.copy - warm.copy).toBeGreaterThanOrEqual(2);

    // The close moves the version too: a vote after it is refused and changes nothing.
    const closed = (await api('POST', `/proposals/${p.id}/close`, fran, {})).json().proposal as Summary;
    const refused = await api('PUT', `/proposals/${p.id}/vote`, gus!, { choices: [{ optionId: 'block' }] });
    expect(refused.statusCode).toBe(409);
    expect((await api('GET', `/proposals/${p.id}`, fran)).json().proposal).toMatchObject({
      voterCount: closed.voterCount,
      results: closed.results,
    });
    await ws.close();
  });

  test('delegated weights worked out from the copy equal a fresh count, as delegations change between batches', async () => {
    const { groupId, threadId, people } = await circle('Carried', 8);
    expect(
      (await api('PATCH', `/groups/${groupId}`, fran, { settings: { delegation: true } })).statusCode,
    ).toBe(200);
    const [ana, ben, cat, dan, eve, fay, gus, hal] = people as [BulkMember, ...BulkMember[]];
    const delegate = async (from: Who, to: Who) =>
      expect(
        (await api('PUT', `/groups/${groupId}/delegation`, from, { delegateId: to.id })).statusCode,
      ).toBe(200);
    await delegate(ben!, ana!);
    await delegate(cat!, ben!);
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    const ws = await subscribeAs(base, fran, `thread:${threadId}`);
    const before = await batchesByPath();

    await vote(p.id, dan, 'disagree');
    await vote(p.id, eve, 'disagree');
    // Ana carries Ben and, through him, Cat.
    expect((await vote(p.id, ana, 'agree')).weight).toBe(3);
    expect((await batchesByPath()).copy - before.copy).toBeGreaterThanOrEqual(1);

    /** The proposal as read now, against the same proposal counted afresh by a new app process. */
    const expectCount = async (agree: number, disagree: number, represented: number) => {
      const read = (await api('GET', `/proposals/${p.id}`, fran)).json().proposal as Summary;
      expect(countsOf(read.results)).toEqual({ agree, disagree });
      expect(read.representedCount).toBe(represented);
      const frame = await ws.waitFor(
        (m) =>
          m.type === 'event' &&
          /^(vote\.|proposal\.recounted)/.test(m.event.kind) &&
          (m.event.data as Summary).representedCount === represented &&
          JSON.stringify(countsOf((m.event.data as Summary).results)) === JSON.stringify({ agree, disagree }),
      );
      expect(frame).toBeTruthy();
    };
    await expectCount(3, 2, 5);

    // A delegation given between batches: the next batch counts it, though nothing in it names Fay.
    await delegate(fay!, eve!);
    await vote(p.id, gus, 'agree');
    await expectCount(4, 3, 7);
    // Ben votes himself (taking Cat with him), then Hal follows Ben.
    expect((await vote(p.id, ben, 'disagree')).weight).toBe(2);
    await expectCount(2, 5, 7);
    await delegate(hal!, ben!);
    expect((await vote(p.id, gus, 'agree')).weight).toBe(1);
    await expectCount(2, 6, 8);
    await ws.close();
  });
});
