import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  addMembers,
  createGroup,
  detailPaths,
  eventRows,
  expectError,
  type Harness,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { createProposal, inSeconds } from '../helpers/factories';
import { as } from '../helpers/requests';
import { startThread } from '../helpers/threads';

// API 1.1, "Delegation, quorum and the decision record": quorumPercent, passPercent, blockVetoes,
// results.verdict live and frozen at the close, representedCount.
let h: Harness;
let facilitator: Person;
let members: Person[];
let groupId: string;
let threadId: string;

beforeAll(async () => {
  h = await startApp();
  facilitator = await signUp(h.app, { name: 'Fran Facilitator' });
  groupId = (await createGroup(h.app, facilitator)).id;
  // Ten members in all: a quorum of 50 % needs five.
  members = await addMembers(h.app, facilitator, groupId, 9);
  threadId = (await startThread(h.app, facilitator, groupId)).id;
});
afterAll(() => h?.close());

const agree = [{ optionId: 'agree' }];
const disagree = [{ optionId: 'disagree' }];
const block = [{ optionId: 'block' }];

async function proposalOf(id: string) {
  return (await as(h.app, facilitator).get(`/api/v1/proposals/${id}`)).json().proposal;
}

describe('setting quorum and thresholds', () => {
  test('a proposal keeps what it was given, and has neither by default', async () => {
    const set = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      quorumPercent: 50,
      passPercent: 60,
      blockVetoes: false,
    });
    expect(set).toMatchObject({
      quorumPercent: 50,
      passPercent: 60,
      blockVetoes: false,
      representedCount: 0,
    });
    expect((set.results as { verdict: string }).verdict).toBe('no_quorum');
    const plain = await createProposal(h.app, facilitator, threadId, { kind: 'proposal' });
    expect(plain).toMatchObject({ quorumPercent: null, passPercent: null, blockVetoes: true });
    expect((plain.results as { verdict: unknown }).verdict).toBeNull();
  });

  test.each([
    ['a pass threshold on a ranked-choice vote', { kind: 'ranked_choice', passPercent: 50 }, '/passPercent'],
    ['a pass threshold on a meeting', { kind: 'meeting', passPercent: 50 }, '/passPercent'],
    ['blockVetoes on a poll', { kind: 'poll', blockVetoes: false }, '/blockVetoes'],
    ['a quorum of 0 %', { kind: 'proposal', quorumPercent: 0 }, '/quorumPercent'],
    ['a quorum over 100 %', { kind: 'proposal', quorumPercent: 101 }, '/quorumPercent'],
    ['a fractional threshold', { kind: 'proposal', passPercent: 50.5 }, '/passPercent'],
    ['a threshold as text', { kind: 'proposal', passPercent: '60' }, '/passPercent'],
  ])('refuses %s, naming the field, and creates nothing', async (_what, body, path) => {
    const options =
      body.kind === 'meeting'
        ? [{ label: 'Tuesday', startsAt: inSeconds(86_400) }]
        : body.kind === 'proposal'
          ? undefined
          : [{ label: 'A' }, { label: 'B' }];
    const before = await rowCounts(h);
    const res = await as(h.app, facilitator).post(`/api/v1/threads/${threadId}/proposals`, {
      title: 'Thresholds',
      closesAt: inSeconds(3600),
      ...(options ? { options } : {}),
      ...body,
    });
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain(path);
    expect(await rowCounts(h)).toEqual(before);
  });
});

describe('the verdict', () => {
  test('moves live from no quorum to passed as votes arrive, in answers and in vote events', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      quorumPercent: 50,
      passPercent: 60,
    });
    const verdicts: string[] = [];
    for (const [i, ballot] of [agree, agree, disagree, agree, agree].entries()) {
      const res = await as(h.app, members[i]!).put(`/api/v1/proposals/${p.id}/vote`, { choices: ballot });
      expect(res.statusCode).toBe(200);
      const now = await proposalOf(p.id);
      expect(now.representedCount).toBe(i + 1);
      verdicts.push(now.results.verdict);
    }
    // Five of ten is the quorum; then 4 agree of 5 is 80 %.
    expect(verdicts).toEqual(['no_quorum', 'no_quorum', 'no_quorum', 'no_quorum', 'passed']);
    const events = (await eventRows(h, { kind: 'vote.cast' })).filter((e) => e.subject_id === p.id);
    const last = events.at(-1)!.data as unknown as { representedCount: number; results: { verdict: string } };
    expect(last.representedCount).toBe(5);
    expect(last.results.verdict).toBe('passed');
  });

  test('a block fails a consent proposal; with vetoes off it counts as a disagree', async () => {
    const vetoing = await createProposal(h.app, facilitator, threadId, { kind: 'proposal', passPercent: 50 });
    const counting = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      passPercent: 50,
      blockVetoes: false,
    });
    for (const p of [vetoing, counting]) {
      for (const [i, ballot] of [agree, agree, block].entries()) {
        await as(h.app, members[i]!).put(`/api/v1/proposals/${p.id}/vote`, { choices: ballot });
      }
    }
    expect((await proposalOf(vetoing.id)).results.verdict).toBe('failed');
    expect((await proposalOf(counting.id)).results.verdict).toBe('passed');
  });

  test('is frozen at the close: members who join later do not undo a quorum', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'poll',
      quorumPercent: 30,
      options: [{ label: 'A' }, { label: 'B' }],
    });
    for (const member of members.slice(0, 3)) {
      await as(h.app, member).put(`/api/v1/proposals/${p.id}/vote`, {
        choices: [{ optionId: p.options[0]!.id }],
      });
    }
    const closed = await as(h.app, facilitator).post(`/api/v1/proposals/${p.id}/close`, {});
    expect(closed.statusCode).toBe(200);
    expect(closed.json().proposal.results.verdict).toBe('passed');
    await addMembers(h.app, facilitator, groupId, 5);
    const later = await proposalOf(p.id);
    expect(later.eligibleCount).toBe(10);
    expect(later.results.verdict).toBe('passed');
  });

  test('hidden results hide the verdict too, until the close', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      quorumPercent: 5,
      resultsHiddenUntilClosed: true,
    });
    await as(h.app, members[0]!).put(`/api/v1/proposals/${p.id}/vote`, { choices: agree });
    expect((await proposalOf(p.id)).results).toBeNull();
    const closed = await as(h.app, facilitator).post(`/api/v1/proposals/${p.id}/close`, {});
    expect(closed.json().proposal.results.verdict).toBe('passed');
  });
});
