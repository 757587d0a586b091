import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { homeFor } from '../../server/services/home';
import type { HomeProposal, HomeReply, HomeThread } from '../../shared/schemas/home';
import { createGroup, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { createProposal, inSeconds } from '../helpers/factories';
import { as } from '../helpers/requests';
import { postComment, startThread, timeline } from '../helpers/threads';

// The home page (GET /me/home): what needs a member across all their groups.
let h: Harness;
let ann: Person;
let bo: Person;
let cy: Person;
let garden: { groupId: string; threadId: string };
let bakery: { groupId: string; threadId: string };

const HOUR = 3600;
const agree = [{ optionId: 'agree' }];

async function groupWithThread(owner: Person, name: string, title: string) {
  const groupId = (await createGroup(h.app, owner, name)).id;
  const threadId = (await startThread(h.app, owner, groupId, { title })).id;
  return { groupId, threadId };
}

async function homeOf(person: Person): Promise<HomeReply> {
  const res = await as(h.app, person).get('/api/v1/me/home');
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const titles = (items: HomeProposal[]) => items.map((i) => i.proposal.title);

async function vote(person: Person, proposalId: string, choices: unknown[] = agree) {
  const res = await as(h.app, person).put(`/api/v1/proposals/${proposalId}/vote`, { choices });
  expect(res.statusCode, res.body).toBe(200);
}

beforeAll(async () => {
  h = await startApp();
  ann = await signUp(h.app, { name: 'Ann Facilitator' });
  bo = await signUp(h.app, { name: 'Bo Member' });
  cy = await signUp(h.app, { name: 'Cy Member' });
  garden = await groupWithThread(ann, 'Community Garden', 'Spring planting');
  bakery = await groupWithThread(ann, 'Bakery Co-op', 'New oven');
  for (const g of [garden, bakery]) await join(h.app, ann, g.groupId, bo);
  await join(h.app, ann, garden.groupId, cy);
});
afterAll(() => h?.close());

describe('needs your vote and closing soon', () => {
  test('lists open proposals of every group, soonest close first, with group and thread names', async () => {
    const late = await createProposal(h.app, ann, garden.threadId, {
      kind: 'proposal',
      title: 'Plant tomatoes',
      closesAt: inSeconds(72 * HOUR),
    });
    const soon = await createProposal(h.app, ann, bakery.threadId, {
      kind: 'proposal',
      title: 'Buy a deck oven',
      closesAt: inSeconds(2 * HOUR),
    });
    const middle = await createProposal(h.app, ann, garden.threadId, {
      kind: 'poll',
      title: 'Which compost bin',
      options: [{ label: 'Wood' }, { label: 'Plastic' }],
      closesAt: inSeconds(24 * HOUR),
    });

    const home = await homeOf(bo);
    expect(titles(home.needsVote)).toEqual(['Buy a deck oven', 'Which compost bin', 'Plant tomatoes']);
    expect(home.needsVote[0]).toMatchObject({
      group: { id: bakery.groupId, name: 'Bakery Co-op' },
      thread: { id: bakery.threadId, title: 'New oven' },
      proposal: { id: soon.id, myVote: null, closedAt: null },
    });
    // Presented as GET /proposals/:id presents it, for this viewer.
    const single = await as(h.app, bo).get(`/api/v1/proposals/${middle.id}`);
    expect(home.needsVote[1]!.proposal).toEqual(single.json().proposal);
    // Within 48 hours only; the one three days away is not closing soon.
    expect(titles(home.closingSoon)).toEqual(['Buy a deck oven', 'Which compost bin']);
    expect(home.closingSoon.map((i) => i.proposal.id)).not.toContain(late.id);

    // Cy is only in the garden: nothing from the bakery.
    expect(titles((await homeOf(cy)).needsVote)).toEqual(['Which compost bin', 'Plant tomatoes']);
  });

  test('a proposal I voted on leaves "needs your vote" but stays in "closing soon"', async () => {
    const p = await createProposal(h.app, ann, bakery.threadId, {
      kind: 'proposal',
      title: 'Open on Sundays',
      closesAt: inSeconds(HOUR),
    });
    expect(titles((await homeOf(bo)).needsVote)).toContain('Open on Sundays');
    await vote(bo, p.id);
    const home = await homeOf(bo);
    expect(titles(home.needsVote)).not.toContain('Open on Sundays');
    const closing = home.closingSoon.find((i) => i.proposal.id === p.id);
    expect(closing?.proposal.myVote).toMatchObject({ choices: agree, voter: { id: bo.id } });
    // Ann has not voted: still hers to vote on.
    expect(titles((await homeOf(ann)).needsVote)).toContain('Open on Sundays');
  });

  test('anonymous proposals are listed until I vote, found by my ballot key', async () => {
    const p = await createProposal(h.app, ann, garden.threadId, {
      kind: 'proposal',
      title: 'Secret ballot on the shed',
      anonymous: true,
      closesAt: inSeconds(3 * HOUR),
    });
    expect(titles((await homeOf(bo)).needsVote)).toContain('Secret ballot on the shed');
    await vote(bo, p.id);
    // The ballot carries no voter: only the server's key for Bo finds it.
    const stored = await h.db.database.db
      .selectFrom('votes')
      .select(['voter_id', 'voter_key'])
      .where('proposal_id', '=', p.id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.voter_id).toBeNull();
    expect(stored[0]!.voter_key).not.toBe(bo.id);

    const home = await homeOf(bo);
    expect(titles(home.needsVote)).not.toContain('Secret ballot on the shed');
    expect(home.closingSoon.find((i) => i.proposal.id === p.id)?.proposal.myVote).toMatchObject({
      voter: null,
      choices: agree,
    });
    // Cy has not voted on it, Bo's ballot notwithstanding.
    expect(titles((await homeOf(cy)).needsVote)).toContain('Secret ballot on the shed');
  });

  test('closed proposals, and those past their closing time, are in neither list', async () => {
    const closed = await createProposal(h.app, ann, garden.threadId, {
      kind: 'proposal',
      title: 'Closed early',
      closesAt: inSeconds(HOUR),
    });
    const lapsed = await createProposal(h.app, ann, garden.threadId, {
      kind: 'proposal',
      title: 'Lapsed, not yet closed',
      closesAt: inSeconds(HOUR),
    });
    const res = await as(h.app, ann).post(`/api/v1/proposals/${closed.id}/close`, {});
    expect(res.statusCode, res.body).toBe(200);
    // The scheduler closes it within the minute; until then no vote is taken, so it is not offered.
    await h.db.database.db
      .updateTable('proposals')
      .set({ closes_at: new Date(Date.now() - 1000) })
      .where('id', '=', lapsed.id)
      .execute();
    const home = await homeOf(cy);
    for (const list of [home.needsVote, home.closingSoon]) {
      expect(titles(list)).not.toContain('Closed early');
      expect(titles(list)).not.toContain('Lapsed, not yet closed');
    }
  });

  test('a vote that follows my delegate’s still needs mine, and says whose it follows', async () => {
    const on = await as(h.app, ann).patch(`/api/v1/groups/${garden.groupId}`, {
      settings: { delegation: true },
    });
    expect(on.statusCode, on.body).toBe(200);
    const p = await createProposal(h.app, ann, garden.threadId, {
      kind: 'proposal',
      title: 'Hire a gardener',
      closesAt: inSeconds(5 * HOUR),
    });
    const res = await as(h.app, cy).put(`/api/v1/groups/${garden.groupId}/delegation`, { delegateId: bo.id });
    expect(res.statusCode, res.body).toBe(200);
    await vote(bo, p.id);
    const item = (await homeOf(cy)).needsVote.find((i) => i.proposal.id === p.id);
    expect(item?.proposal.myVote).toMatchObject({ delegatedTo: { id: bo.id, name: 'Bo Member' } });
    expect(item?.proposal.myDelegate).toMatchObject({ delegate: { id: bo.id } });
    // Once Cy votes herself, it is hers and no longer needs her.
    await vote(cy, p.id, [{ optionId: 'disagree' }]);
    expect((await homeOf(cy)).needsVote.map((i) => i.proposal.id)).not.toContain(p.id);
  });

  test('the proposals of a group I left are gone from my home', async () => {
    const p = await createProposal(h.app, ann, bakery.threadId, {
      kind: 'proposal',
      title: 'Bake rye on Fridays',
      closesAt: inSeconds(4 * HOUR),
    });
    const dee = await signUp(h.app, { name: 'Dee Leaver' });
    await join(h.app, ann, bakery.groupId, dee);
    await postComment(h.app, ann, bakery.threadId, 'Rye needs a longer proof.');
    let home = await homeOf(dee);
    expect(home.needsVote.map((i) => i.proposal.id)).toContain(p.id);
    expect(home.recentThreads.map((t) => t.id)).toContain(bakery.threadId);

    const left = await as(h.app, dee).delete(`/api/v1/groups/${bakery.groupId}/members/${dee.id}`);
    expect(left.statusCode, left.body).toBe(204);
    home = await homeOf(dee);
    expect(home).toEqual({
      needsVote: [],
      needsVoteCount: 0,
      closingSoon: [],
      closingSoonCount: 0,
      recentThreads: [],
    });
  });

  test('someone in no group gets empty lists, and nobody signed in gets 401', async () => {
    const newcomer = await signUp(h.app, { name: 'New Comer' });
    expect(await homeOf(newcomer)).toEqual({
      needsVote: [],
      needsVoteCount: 0,
      closingSoon: [],
      closingSoonCount: 0,
      recentThreads: [],
    });
    const res = await as(h.app, null).get('/api/v1/me/home');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
  });
});

describe('recent activity', () => {
  let eve: Person;
  let fay: Person;
  let quiet: { groupId: string; threadId: string };
  let busy: { groupId: string; threadId: string };

  const thread = (home: HomeReply, id: string): HomeThread | undefined =>
    home.recentThreads.find((t) => t.id === id);

  beforeAll(async () => {
    eve = await signUp(h.app, { name: 'Eve Reader' });
    fay = await signUp(h.app, { name: 'Fay Writer' });
    quiet = await groupWithThread(fay, 'Reading Circle', 'Next book');
    busy = await groupWithThread(fay, 'Tenants Union', 'Rent strike');
    for (const g of [quiet, busy]) {
      await join(h.app, fay, g.groupId, eve);
      // Eve has read each thread as it began: nothing unread yet.
      const page = await timeline(h.app, eve, g.threadId);
      const read = await as(h.app, eve).post(`/api/v1/threads/${g.threadId}/read`, {
        lastEventId: page.lastEventId,
      });
      expect(read.statusCode, read.body).toBe(204);
    }
  });

  test('threads with unread comments, newest activity first, with unread counts; my own comments are not unread', async () => {
    expect((await homeOf(eve)).recentThreads).toEqual([]);
    await postComment(h.app, fay, quiet.threadId, 'How about Middlemarch?');
    await postComment(h.app, fay, busy.threadId, 'Meeting on Tuesday.');
    await postComment(h.app, fay, busy.threadId, 'Bring your lease.');
    await postComment(h.app, eve, busy.threadId, 'I will be there.');

    let home = await homeOf(eve);
    expect(home.recentThreads.map((t) => t.id)).toEqual([busy.threadId, quiet.threadId]);
    expect(thread(home, busy.threadId)).toMatchObject({
      title: 'Rent strike',
      group: { id: busy.groupId, name: 'Tenants Union' },
      unreadCount: 2,
      commentCount: 3,
    });
    expect(thread(home, quiet.threadId)?.unreadCount).toBe(1);
    // The same count as the thread itself gives.
    const single = await as(h.app, eve).get(`/api/v1/threads/${busy.threadId}`);
    expect(single.json().thread.unreadCount).toBe(2);

    // A new comment moves the quiet thread to the top.
    await postComment(h.app, fay, quiet.threadId, 'Or Piranesi.');
    home = await homeOf(eve);
    expect(home.recentThreads.map((t) => t.id)).toEqual([quiet.threadId, busy.threadId]);
    expect(thread(home, quiet.threadId)?.unreadCount).toBe(2);

    // Read: it leaves the list.
    const page = await timeline(h.app, eve, quiet.threadId);
    await as(h.app, eve).post(`/api/v1/threads/${quiet.threadId}/read`, { lastEventId: page.lastEventId });
    home = await homeOf(eve);
    expect(home.recentThreads.map((t) => t.id)).toEqual([busy.threadId]);
  });

  test('a deleted comment is no longer unread', async () => {
    const solo = await groupWithThread(fay, 'Choir', 'Rehearsals');
    await join(h.app, fay, solo.groupId, eve);
    await as(h.app, eve).post(`/api/v1/threads/${solo.threadId}/read`, {
      lastEventId: (await timeline(h.app, eve, solo.threadId)).lastEventId,
    });
    const comment = await postComment(h.app, fay, solo.threadId, 'Wrong thread, sorry.');
    expect(thread(await homeOf(eve), solo.threadId)?.unreadCount).toBe(1);
    const res = await as(h.app, fay).delete(`/api/v1/comments/${comment.id}`);
    expect(res.statusCode, res.body).toBe(204);
    expect(thread(await homeOf(eve), solo.threadId)).toBeUndefined();
  });
});

describe('cost', () => {
  /** Runs `homeFor` for `person` and counts the queries it sends. */
  async function queriesFor(person: Person, limit?: number): Promise<{ count: number; home: HomeReply }> {
    let count = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        count += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const ctx = { ...h.app.ctx, db: h.app.ctx.db.withPlugin(counter) };
    const home = await homeFor(ctx, person.id, { limit });
    return { count, home };
  }

  test('a member of 20 groups with 200 open proposals costs as few queries as a member of one', {
    timeout: 120_000,
  }, async () => {
    const gus = await signUp(h.app, { name: 'Gus Organiser' });
    const hal = await signUp(h.app, { name: 'Hal Joiner' });
    const ivy = await signUp(h.app, { name: 'Ivy Single' });
    for (let g = 0; g < 20; g++) {
      const group = await groupWithThread(gus, `Group ${g}`, `Thread ${g}`);
      await join(h.app, gus, group.groupId, hal);
      if (g === 0) await join(h.app, gus, group.groupId, ivy);
      for (let i = 0; i < 10; i++) {
        await createProposal(h.app, gus, group.threadId, {
          kind: 'proposal',
          title: `G${g} P${i}`,
          anonymous: i % 3 === 0,
          closesAt: inSeconds((1 + ((g * 10 + i) % 97)) * HOUR),
        });
      }
      await postComment(h.app, gus, group.threadId, `Welcome to group ${g}.`);
    }

    const many = await queriesFor(hal, 50);
    const one = await queriesFor(ivy, 50);
    expect(many.home.needsVote).toHaveLength(50);
    expect(one.home.needsVote).toHaveLength(10);
    // The first view: 20 of each list, each counted whole (up to 50).
    const first = await queriesFor(hal);
    expect(first.home.needsVote).toHaveLength(20);
    expect(first.home.needsVoteCount).toBe(50);
    expect(first.home.needsVote).toEqual(many.home.needsVote.slice(0, 20));
    expect(first.home.closingSoon.length).toBe(Math.min(20, many.home.closingSoon.length));
    expect(first.home.closingSoonCount).toBe(many.home.closingSoon.length);
    expect(first.count).toBe(many.count);
    // Over HTTP: the first view unless ?limit= asks for more, at most 50.
    const page = await as(h.app, hal).get('/api/v1/me/home');
    expect(page.json()).toMatchObject({ needsVoteCount: 50 });
    expect(page.json().needsVote).toHaveLength(20);
    const whole = await as(h.app, hal).get('/api/v1/me/home?limit=50');
    expect(whole.json().needsVote).toHaveLength(50);
    for (const bad of ['0', '51', 'all']) {
      expect((await as(h.app, hal).get(`/api/v1/me/home?limit=${bad}`)).statusCode).toBe(400);
    }
    expect(many.home.recentThreads).toHaveLength(20);
    const closes = many.home.needsVote.map((i) => Date.parse(i.proposal.closesAt));
    expect(closes).toEqual([...closes].sort((a, b) => a - b));
    expect(many.count).toBe(one.count);
    expect(many.count).toBeLessThanOrEqual(15);
  });
});
