import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyDecisionFile } from '../../server/domain/decision-record';
import type { ServerMessage } from '../../shared/schemas/stream';
import {
  addMembers,
  createGroup,
  expectError,
  type Harness,
  join,
  MISSING_ID,
  type Person,
  signUp,
  startApp,
} from '../helpers/app';
import { createProposal } from '../helpers/factories';
import { as } from '../helpers/requests';
import { listenOn, subscribeAs } from '../helpers/stream';
import { startThread } from '../helpers/threads';

// API 1.1, "Delegation, quorum and the decision record": group-wide and per-proposal delegation,
// transitive, public within the group, revocable until the close; a direct vote always wins.
let h: Harness;
let fran: Person;
let ann: Person;
let ben: Person;
let cat: Person;
let dan: Person;
let eve: Person;
let groupId: string;
let threadId: string;

const agree = [{ optionId: 'agree' }];
const disagree = [{ optionId: 'disagree' }];

beforeAll(async () => {
  h = await startApp();
  fran = await signUp(h.app, { name: 'Fran Facilitator' });
  groupId = (await createGroup(h.app, fran)).id;
  [ann, ben, cat, dan, eve] = await addMembers(h.app, fran, groupId, 5);
  threadId = (await startThread(h.app, fran, groupId)).id;
  const on = await as(h.app, fran).patch(`/api/v1/groups/${groupId}`, { settings: { delegation: true } });
  expect(on.statusCode).toBe(200);
  expect(on.json().group.settings.delegation).toBe(true);
});
afterAll(() => h?.close());

const delegate = (who: Person, to: Person, proposalId?: string) =>
  as(h.app, who).put(
    proposalId ? `/api/v1/proposals/${proposalId}/delegation` : `/api/v1/groups/${groupId}/delegation`,
    { delegateId: to.id },
  );
const undelegate = (who: Person, proposalId?: string) =>
  as(h.app, who).delete(
    proposalId ? `/api/v1/proposals/${proposalId}/delegation` : `/api/v1/groups/${groupId}/delegation`,
  );
const vote = async (who: Person, proposalId: string, choices: unknown[]) => {
  const res = await as(h.app, who).put(`/api/v1/proposals/${proposalId}/vote`, { choices });
  expect(res.statusCode).toBe(200);
  return res.json().vote;
};
const read = async (proposalId: string, who: Person = fran) => {
  const res = await as(h.app, who).get(`/api/v1/proposals/${proposalId}`);
  expect(res.statusCode).toBe(200);
  return res.json().proposal;
};
const countOf = (p: { results: { options: { optionId: string; count: number }[] } }, optionId: string) =>
  p.results.options.find((o) => o.optionId === optionId)!.count;

/** Members who joined during the tests, besides the five. */
const latecomers: Person[] = [];

/** Removes every group-wide delegation the tests gave, so each test starts from none. */
async function clearGroupDelegations() {
  for (const person of [ann, ben, cat, dan, eve, fran, ...latecomers]) await undelegate(person);
}

describe('chains', () => {
  test('A→B→C: C’s vote counts for all three; the delegators see whose vote theirs follows', async () => {
    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    expect((await delegate(ann, ben)).statusCode).toBe(200);
    expect((await delegate(ben, cat)).statusCode).toBe(200);
    const cast = await vote(cat, p.id, agree);
    expect(cast.weight).toBe(3);

    const seen = await read(p.id, ann);
    expect(seen.delegation).toBe(true);
    expect(seen.voterCount).toBe(1);
    expect(seen.representedCount).toBe(3);
    expect(countOf(seen, 'agree')).toBe(3);
    expect(seen.myVote).toEqual({
      proposalId: p.id,
      delegatedTo: { id: cat.id, name: cat.name },
      via: { id: ben.id, name: ben.name },
      choices: agree,
    });
    expect(seen.myDelegate).toEqual({ delegate: { id: ben.id, name: ben.name }, proposalOnly: false });
    expect((await read(p.id, ben)).myVote).toMatchObject({ delegatedTo: { id: cat.id }, via: null });
    expect((await read(p.id, cat)).myVote).toMatchObject({ voter: { id: cat.id }, weight: 3 });

    const votes = (await as(h.app, dan).get(`/api/v1/proposals/${p.id}/votes`)).json();
    expect(votes.items.map((v: { voter: { id: string }; weight: number }) => [v.voter.id, v.weight])).toEqual(
      [[cat.id, 3]],
    );
  });

  test('a direct vote overrides the delegation, and its delegate carries one fewer', async () => {
    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await delegate(ann, ben);
    await delegate(ben, cat);
    await vote(cat, p.id, agree);
    const own = await vote(ben, p.id, disagree);
    expect(own.weight).toBe(2); // Ben and Ann, whose chain now ends at Ben
    const seen = await read(p.id);
    expect(countOf(seen, 'agree')).toBe(1);
    expect(countOf(seen, 'disagree')).toBe(2);
    expect(seen.representedCount).toBe(3);
    expect((await read(p.id, ann)).myVote).toMatchObject({ delegatedTo: { id: ben.id }, choices: disagree });
  });

  test('revoking returns the member to not voting; a chain to someone who has not voted counts as no vote', async () => {
    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await delegate(ann, ben);
    await vote(ben, p.id, agree);
    expect((await read(p.id)).representedCount).toBe(2);
    expect((await undelegate(ann)).statusCode).toBe(204);
    const after = await read(p.id, ann);
    expect(after.representedCount).toBe(1);
    expect(after.myVote).toBeNull();
    expect(after.myDelegate).toBeNull();
    expectError(await undelegate(ann), 404, 'not_found');

    await delegate(dan, eve); // Eve never votes: a dead end
    const dead = await read(p.id, dan);
    expect(dead.representedCount).toBe(1);
    expect(dead.myVote).toBeNull();
    expect(dead.myDelegate).toMatchObject({ delegate: { id: eve.id } });
    expect(dead.results.undecidedCount).toBe(dead.eligibleCount - 1);
  });

  test('a cycle counts as no vote, and a direct vote inside it breaks it', async () => {
    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await delegate(ann, ben);
    await delegate(ben, cat);
    await delegate(cat, ann);
    await vote(dan, p.id, agree);
    expect((await read(p.id)).representedCount).toBe(1);
    await vote(cat, p.id, disagree);
    const seen = await read(p.id);
    expect(seen.representedCount).toBe(4); // Dan; Cat carrying Ben and Ann
    expect(countOf(seen, 'disagree')).toBe(3);
  });

  test('a proposal delegation overrides the group one and ends with the proposal', async () => {
    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    const q = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await delegate(ann, ben);
    expect((await delegate(ann, cat, p.id)).json().delegation).toMatchObject({
      from: { id: ann.id },
      to: { id: cat.id },
      proposalId: p.id,
    });
    await vote(ben, p.id, agree);
    await vote(cat, p.id, disagree);
    await vote(ben, q.id, agree);
    await vote(cat, q.id, disagree);
    expect(countOf(await read(p.id), 'disagree')).toBe(2);
    expect(countOf(await read(q.id), 'agree')).toBe(2);
    expect((await read(p.id, ann)).myDelegate).toMatchObject({
      delegate: { id: cat.id },
      proposalOnly: true,
    });
    expect((await undelegate(ann, p.id)).statusCode).toBe(204);
    expect(countOf(await read(p.id), 'agree')).toBe(2);
  });

  test('a delegate who leaves the group carries no one, and their delegators’ delegations go', async () => {
    await clearGroupDelegations();
    const leaver = await signUp(h.app, { name: 'Lee Leaver' });
    await join(h.app, fran, groupId, leaver);
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await delegate(ann, leaver);
    await as(h.app, leaver).put(`/api/v1/groups/${groupId}/delegation`, { delegateId: ben.id });
    await vote(leaver, p.id, agree);
    expect((await read(p.id)).representedCount).toBe(2);
    const removed = await as(h.app, fran).delete(`/api/v1/groups/${groupId}/members/${leaver.id}`);
    expect(removed.statusCode).toBe(204);
    const after = await read(p.id, ann);
    expect(after.representedCount).toBe(0);
    expect(after.myDelegate).toBeNull();
    const listed = (await as(h.app, ann).get(`/api/v1/groups/${groupId}/delegations`)).json();
    expect(
      listed.items.some((d: { from: { id: string }; to: { id: string } }) =>
        [d.from.id, d.to.id].includes(leaver.id),
      ),
    ).toBe(false);
  });

  test('a chain runs through a member who joined after the proposal opened', async () => {
    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    const late = await signUp(h.app, { name: 'Lou Latecomer' });
    await join(h.app, fran, groupId, late);
    latecomers.push(late);
    await delegate(ann, late);
    await as(h.app, late).put(`/api/v1/groups/${groupId}/delegation`, { delegateId: ben.id });
    await vote(ben, p.id, agree);
    const seen = await read(p.id, ann);
    expect(seen.representedCount).toBe(3);
    expect(seen.myVote).toMatchObject({ delegatedTo: { id: ben.id }, via: { id: late.id } });
  });
});

describe('at the close', () => {
  test('weights are frozen with the results, and the record lists them and verifies', async () => {
    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal', quorumPercent: 50 });
    await delegate(ann, ben);
    await delegate(cat, ben);
    await vote(ben, p.id, agree);
    await vote(dan, p.id, disagree);
    const closed = (await as(h.app, fran).post(`/api/v1/proposals/${p.id}/close`, {})).json().proposal;
    expect(closed.representedCount).toBe(4);
    expect(countOf(closed, 'agree')).toBe(3);

    // Delegations changed after the close move nothing.
    await undelegate(ann);
    await delegate(eve, dan);
    const later = await read(p.id);
    expect(later.representedCount).toBe(4);
    expect(later.results).toEqual(closed.results);

    const record = (await as(h.app, ann).get(`/api/v1/proposals/${p.id}/record`)).json();
    const weights = Object.fromEntries(
      record.ballots.map((b: { voter: { id: string }; weight: number }) => [b.voter.id, b.weight]),
    );
    expect(weights).toEqual({ [ben.id]: 3, [dan.id]: 1 });
    expect(verifyDecisionFile(record).problems).toEqual([]);

    // A later outcome extends the chain with the same ballots and weights.
    await as(h.app, fran).post(`/api/v1/proposals/${p.id}/outcome`, { statement: 'Carried.' });
    const restated = (await as(h.app, ann).get(`/api/v1/proposals/${p.id}/record`)).json();
    expect(restated.reason).toBe('outcome');
    expect(restated.ballots).toEqual(record.ballots);
  });

  test('closed: no delegation on it any more', async () => {
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await as(h.app, fran).post(`/api/v1/proposals/${p.id}/close`, {});
    expectError(await delegate(ann, ben, p.id), 409, 'proposal_closed');
    expectError(await undelegate(ann, p.id), 409, 'proposal_closed');
  });
});

describe('refusals change nothing', () => {
  test('anonymous proposals, oneself, outsiders, unknown ids', async () => {
    const anon = await createProposal(h.app, fran, threadId, { kind: 'proposal', anonymous: true });
    expectError(await delegate(ann, ben, anon.id), 409, 'conflict');
    expect((await read(anon.id)).delegation).toBe(false);
    expectError(await delegate(ann, ann), 400, 'validation_failed');
    const outsider = await signUp(h.app, { name: 'Oz Outsider' });
    expectError(await delegate(ann, outsider), 400, 'validation_failed');
    expectError(
      await as(h.app, ann).put(`/api/v1/groups/${groupId}/delegation`, { delegateId: 'not-an-id' }),
      400,
      'validation_failed',
    );
    expectError(
      await as(h.app, outsider).put(`/api/v1/groups/${groupId}/delegation`, { delegateId: ben.id }),
      404,
      'not_found',
    );
    expectError(
      await as(h.app, ann).put(`/api/v1/proposals/${MISSING_ID}/delegation`, { delegateId: ben.id }),
      404,
      'not_found',
    );
    expectError(
      await as(h.app, ann).put(`/api/v1/groups/${groupId}/delegation`, {}),
      400,
      'validation_failed',
    );
    const listed = (await as(h.app, ann).get(`/api/v1/groups/${groupId}/delegations`)).json();
    expect(listed.items.some((d: { to: { id: string } }) => d.to.id === outsider.id)).toBe(false);
  });

  test('a group that has not turned delegation on refuses it, and ignores delegations while it is off', async () => {
    const other = (await createGroup(h.app, fran, 'No Proxies Co-op')).id;
    const [x, y] = await addMembers(h.app, fran, other, 2);
    expectError(
      await as(h.app, x!).put(`/api/v1/groups/${other}/delegation`, { delegateId: y!.id }),
      409,
      'conflict',
    );

    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await delegate(ann, ben);
    await vote(ben, p.id, agree);
    expect((await read(p.id)).representedCount).toBe(2);
    await as(h.app, fran).patch(`/api/v1/groups/${groupId}`, { settings: { delegation: false } });
    const off = await read(p.id);
    expect(off.delegation).toBe(false);
    expect(off.representedCount).toBe(1);
    await as(h.app, fran).patch(`/api/v1/groups/${groupId}`, { settings: { delegation: true } });
    expect((await read(p.id)).representedCount).toBe(2);
  });
});

describe('delegations are public within the group', () => {
  test('members list them, pages included; outsiders get 404', async () => {
    await clearGroupDelegations();
    await delegate(ann, ben);
    await delegate(cat, ben);
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await delegate(dan, eve, p.id);
    const first = (await as(h.app, eve).get(`/api/v1/groups/${groupId}/delegations?limit=2`)).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = (
      await as(h.app, eve).get(`/api/v1/groups/${groupId}/delegations?limit=2&cursor=${first.nextCursor}`)
    ).json();
    const all = [...first.items, ...rest.items].map(
      (d: { from: { id: string }; to: { id: string }; proposalId: string | null }) => [
        d.from.id,
        d.to.id,
        d.proposalId,
      ],
    );
    expect(all).toEqual(
      expect.arrayContaining([
        [ann.id, ben.id, null],
        [cat.id, ben.id, null],
        [dan.id, eve.id, p.id],
      ]),
    );
    const outsider = await signUp(h.app);
    expectError(await as(h.app, outsider).get(`/api/v1/groups/${groupId}/delegations`), 404, 'not_found');
  });
});

describe('live', () => {
  test('a delegation change streams the new counts to the proposal’s thread', async () => {
    await clearGroupDelegations();
    const p = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    await vote(ben, p.id, agree);
    const base = await listenOn(h.app);
    const ws = await subscribeAs(base, cat, `thread:${threadId}`, `group:${groupId}`);
    try {
      await delegate(ann, ben);
      // A group-wide delegation recounts every open proposal of the group: this one is among them.
      const onThis = (kind: string) => (m: ServerMessage) =>
        m.type === 'event' &&
        m.topic === `thread:${threadId}` &&
        m.event.kind === kind &&
        (m.event.data as { proposalId: string }).proposalId === p.id;
      const recount = (await ws.waitFor(onThis('proposal.recounted'))) as Extract<
        ServerMessage,
        { type: 'event' }
      >;
      expect(recount.event.data).toMatchObject({ proposalId: p.id, voterCount: 1, representedCount: 2 });
      await ws.waitFor((m) => m.type === 'event' && m.event.kind === 'delegation.changed');
      await vote(cat, p.id, agree);
      const cast = (await ws.waitFor(onThis('vote.cast'))) as Extract<ServerMessage, { type: 'event' }>;
      const data = cast.event.data as { representedCount: number; vote: { weight: number } };
      expect(data.representedCount).toBe(3);
      expect(data.vote.weight).toBe(1);
    } finally {
      await ws.close();
    }
  });
});
