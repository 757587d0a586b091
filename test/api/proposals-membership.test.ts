import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createGroup, type Harness, invite, type Person, signUp, startApp } from '../helpers/app';
import { bulkMembers, createProposal } from '../helpers/factories';
import { eventsOn, listenOn, subscribeAs } from '../helpers/stream';
import { startThread } from '../helpers/threads';

// A member who leaves, or is removed, while proposals are open takes their ballot with them
// (issue #10, item 13): counts, results, eligibility and the undecided list agree again.
let h: Harness;
let base: string;
let fran: Person;

beforeAll(async () => {
  h = await startApp();
  base = await listenOn(h.app);
  fran = await signUp(h.app, { name: 'Fran Facilitator' });
});
afterAll(() => h?.close());

const api = (method: string, url: string, who: { headers: Record<string, string> }, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: who.headers,
    payload: payload as object,
  });

/** A group of Fran (its facilitator) and three members, with a thread. */
async function circle(name: string) {
  const groupId = (await createGroup(h.app, fran, `${name} co-op`)).id;
  const members: Who[] = await bulkMembers(h, groupId, 3, name);
  const [ada, bo, cy] = [members[0]!, members[1]!, members[2]!];
  const threadId = (await startThread(h.app, fran, groupId)).id;
  return { fran, ada, bo, cy, groupId, threadId };
}

type Who = { id: string; headers: Record<string, string> };

async function vote(p: { id: string }, who: Who, optionId: string) {
  const res = await api('PUT', `/proposals/${p.id}/vote`, who, { choices: [{ optionId }] });
  expect(res.statusCode).toBe(200);
}

type Seen = {
  groupId: string;
  voterCount: number;
  eligibleCount: number;
  results: {
    blocked?: boolean;
    undecidedCount: number;
    options: { optionId: string; count: number }[];
  } | null;
};

/** The proposal, its votes and its undecided list as `who` sees them, checked against each other. */
async function consistent(proposalId: string, who: Who) {
  const p = (await api('GET', `/proposals/${proposalId}`, who)).json().proposal as Seen & {
    anonymous: boolean;
  };
  const undecided = (await api('GET', `/proposals/${proposalId}/undecided`, who)).json();
  const votes = (await api('GET', `/proposals/${proposalId}/votes`, who)).json().items as unknown[];
  expect(undecided.count).toBe(p.eligibleCount - p.voterCount);
  if (!p.anonymous) expect(undecided.items).toHaveLength(undecided.count);
  if (p.results) {
    expect(p.results.undecidedCount).toBe(undecided.count);
    expect(p.results.options.reduce((n, o) => n + o.count, 0)).toBe(p.voterCount);
    expect(votes).toHaveLength(p.voterCount);
  }
  const members = (await api('GET', `/groups/${p.groupId}/members`, who)).json().items as unknown[];
  return { ...p, undecided, votes, members: members.length };
}

describe('a member removed while a proposal is open', () => {
  test('has their block withdrawn: results, counts and the undecided list agree, and subscribers hear it', async () => {
    const { fran, ada, bo, cy, groupId, threadId } = await circle('Withdrawn');
    const open = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    const decided = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await vote(open, ada, 'block');
    await vote(open, bo, 'agree');
    await vote(decided, ada, 'block');
    await api('POST', `/proposals/${decided.id}/close`, fran, {});
    const decidedBefore = (await api('GET', `/proposals/${decided.id}`, fran)).json().proposal;
    expect(decidedBefore.results.blocked).toBe(true);
    const ws = await subscribeAs(base, fran, `thread:${threadId}`);

    expect((await api('DELETE', `/groups/${groupId}/members/${ada.id}`, fran)).statusCode).toBe(204);

    const after = await consistent(open.id, fran);
    expect(after).toMatchObject({ voterCount: 1, eligibleCount: 3, members: 3 });
    expect(after.results?.blocked).toBe(false);
    expect(after.undecided.items.map((m: { id: string }) => m.id).sort()).toEqual([fran.id, cy.id].sort());
    expect(after.votes).toEqual([expect.objectContaining({ voter: expect.objectContaining({ id: bo.id }) })]);
    const frame = await ws.waitFor(
      (m) =>
        m.type === 'event' &&
        m.event.kind === 'vote.retracted' &&
        (m.event.data as { proposalId: string }).proposalId === open.id,
    );
    expect((frame as { event: { data: unknown } }).event.data).toMatchObject({
      proposalId: open.id,
      voter: { id: ada.id },
      voterCount: 1,
      eligibleCount: 3,
      results: { blocked: false, undecidedCount: 2 },
    });
    expect(
      eventsOn(ws, `thread:${threadId}`).some(
        (e) => (e.data as { proposalId?: string }).proposalId === decided.id,
      ),
    ).toBe(false);
    // The running counts behind the tally agree with the votes left.
    const counts = await h.db.database.db
      .selectFrom('ballot_counts')
      .select(['choices', 'n'])
      .where('proposal_id', '=', open.id)
      .where('n', '>', 0)
      .execute();
    expect(counts).toEqual([{ choices: [{ optionId: 'agree' }], n: 1 }]);
    // A closed proposal keeps its final results.
    expect((await api('GET', `/proposals/${decided.id}`, fran)).json().proposal).toEqual(decidedBefore);
    await ws.close();
  });

  test('who leaves by themselves has their ballot withdrawn too, and the closing tally leaves it out', async () => {
    const { fran, bo, cy, groupId, threadId } = await circle('Leaving');
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await vote(p, cy, 'block');
    await vote(p, bo, 'agree');
    expect((await api('DELETE', `/groups/${groupId}/members/${cy.id}`, cy)).statusCode).toBe(204);
    const closed = (await api('POST', `/proposals/${p.id}/close`, fran, {})).json().proposal;
    expect(closed).toMatchObject({
      voterCount: 1,
      eligibleCount: 3,
      results: { blocked: false, undecidedCount: 2 },
    });
  });
});

describe('on anonymous proposals', () => {
  test('with hidden results, the ballot is withdrawn: nobody ever saw what it said', async () => {
    const { fran, ada, bo, groupId, threadId } = await circle('Hidden');
    const p = await createProposal(h.app, fran, threadId, {
      kind: 'proposal',
      anonymous: true,
      resultsHiddenUntilClosed: true,
    });
    await vote(p, ada, 'block');
    await vote(p, bo, 'agree');
    await api('DELETE', `/groups/${groupId}/members/${ada.id}`, fran);
    const after = await consistent(p.id, fran);
    expect(after).toMatchObject({ voterCount: 1, eligibleCount: 3, results: null });
    expect(after.undecided).toMatchObject({ items: [], count: 2 });
    const closed = (await api('POST', `/proposals/${p.id}/close`, fran, {})).json().proposal;
    expect(closed).toMatchObject({
      voterCount: 1,
      eligibleCount: 3,
      results: { blocked: false, undecidedCount: 2 },
    });
  });

  test('with live results, the ballot stays counted (withdrawing it would show what it was) and counts agree', async () => {
    const { fran, ada, bo, groupId, threadId } = await circle('Live');
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal', anonymous: true });
    await vote(p, ada, 'block');
    await vote(p, bo, 'agree');
    const before = (await api('GET', `/proposals/${p.id}`, fran)).json().proposal;
    await api('DELETE', `/groups/${groupId}/members/${ada.id}`, fran);
    const after = await consistent(p.id, fran);
    // Nothing an observer sees moves: the results, the count of votes and of those who may still vote.
    expect(after).toMatchObject({ voterCount: 2, eligibleCount: 4, members: 3, results: before.results });
    expect(after.undecided).toMatchObject({ items: [], count: 2 });
    // Coming back, Ada finds her ballot and replaces it; she is not counted twice.
    const { token } = await invite(h.app, fran, groupId);
    expect((await api('POST', `/invitations/${token}/accept`, ada)).statusCode).toBe(200);
    await vote(p, ada, 'agree');
    const back = await consistent(p.id, fran);
    expect(back).toMatchObject({ voterCount: 2, eligibleCount: 4, members: 4 });
    expect(back.results?.blocked).toBe(false);
    const closed = (await api('POST', `/proposals/${p.id}/close`, fran, {})).json().proposal;
    expect(closed).toMatchObject({ voterCount: 2, eligibleCount: 4, results: { undecidedCount: 2 } });
  });

  test('with live results, a ballot left behind is counted at the close among those who could vote', async () => {
    const { fran, ada, bo, groupId, threadId } = await circle('Left behind');
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal', anonymous: true });
    await vote(p, ada, 'block');
    await vote(p, bo, 'agree');
    await api('DELETE', `/groups/${groupId}/members/${ada.id}`, ada);
    const closed = (await api('POST', `/proposals/${p.id}/close`, fran, {})).json().proposal;
    expect(closed).toMatchObject({
      voterCount: 2,
      eligibleCount: 4,
      results: { blocked: true, undecidedCount: 2 },
    });
  });
});
