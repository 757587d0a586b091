import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createGroup,
  eventRows,
  expectError,
  type Harness,
  join,
  ORIGIN,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { bulkMembers, createProposal, inSeconds } from '../helpers/factories';
import { startThread } from '../helpers/threads';

let h: Harness;
let facilitator: Person;
let member: Person;
let outsider: Person;
let groupId: string;
let threadId: string;

beforeAll(async () => {
  h = await startApp();
  facilitator = await signUp(h.app, { name: 'Fran Facilitator' });
  member = await signUp(h.app, { name: 'Mo Member' });
  outsider = await signUp(h.app, { name: 'Oz Outsider' });
  groupId = (await createGroup(h.app, facilitator)).id;
  await join(h.app, facilitator, groupId, member);
  threadId = (await startThread(h.app, facilitator, groupId)).id;
});
afterAll(() => h?.close());

const api = (method: string, url: string, who: { headers: Record<string, string> }, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: who.headers,
    payload: payload as object,
  });

const vote = (
  proposalId: string,
  who: { headers: Record<string, string> },
  choices: unknown[],
  reason?: string,
) => api('PUT', `/proposals/${proposalId}/vote`, who, { choices, ...(reason ? { reason } : {}) });

describe('creating proposals', () => {
  test('a consent proposal has the fixed positions and starts with empty results', async () => {
    const p = await createProposal(h.app, member, threadId, { kind: 'proposal' });
    expect(p.options.map((o) => o.id)).toEqual(['agree', 'abstain', 'disagree', 'block']);
    expect(p).toMatchObject({
      kind: 'proposal',
      threadId,
      groupId,
      closedAt: null,
      voterCount: 0,
      eligibleCount: 2,
      myVote: null,
      outcome: null,
      author: { id: member.id, name: 'Mo Member' },
      results: { undecidedCount: 2, winnerIds: [] },
    });
  });

  test.each([
    ['a poll with one option', { kind: 'poll', options: [{ label: 'Only' }] }, '/options'],
    [
      'a poll with a repeated label',
      { kind: 'poll', options: [{ label: 'A' }, { label: 'a ' }] },
      '/options/1/label',
    ],
    [
      'options on a consent proposal',
      { kind: 'proposal', options: [{ label: 'A' }, { label: 'B' }] },
      '/options',
    ],
    [
      'a meeting slot without a time',
      { kind: 'meeting', options: [{ label: 'Monday' }] },
      '/options/0/startsAt',
    ],
    ['a closing time in the past', { kind: 'proposal', closesAt: inSeconds(-60) }, '/closesAt'],
    [
      'maxChoices above the options',
      { kind: 'poll', options: [{ label: 'A' }, { label: 'B' }], maxChoices: 3 },
      '/maxChoices',
    ],
    ['an unknown kind', { kind: 'lottery' }, '/kind'],
    ['a blank title', { kind: 'proposal', title: '   ' }, '/title'],
    ['a string where a boolean goes', { kind: 'proposal', anonymous: 'yes' }, '/anonymous'],
  ])('rejects %s with 400 and changes nothing', async (_name, body, path) => {
    const before = await h.db.database.db
      .selectFrom('proposals')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const res = await api('POST', `/threads/${threadId}/proposals`, member, {
      title: 'A title',
      closesAt: inSeconds(3600),
      ...body,
    });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details?.map((d) => d.path)).toContain(path);
    const after = await h.db.database.db
      .selectFrom('proposals')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  test('outsiders get 404, and members need the group setting', async () => {
    expectError(
      await api('POST', `/threads/${threadId}/proposals`, outsider, {
        kind: 'proposal',
        title: 'x',
        closesAt: inSeconds(60),
      }),
      404,
      'not_found',
    );
    expectError(await api('GET', '/proposals/not-an-id', member), 404, 'not_found');
    const p = await createProposal(h.app, member, threadId, { kind: 'proposal' });
    expectError(await api('GET', `/proposals/${p.id}`, outsider), 404, 'not_found');
    expectError(await api('GET', `/proposals/${p.id}/votes`, outsider), 404, 'not_found');
    await api('PATCH', `/groups/${groupId}`, facilitator, { settings: { membersCanCreateProposals: false } });
    expectError(
      await api('POST', `/threads/${threadId}/proposals`, member, {
        kind: 'proposal',
        title: 'x',
        closesAt: inSeconds(60),
      }),
      403,
      'forbidden',
    );
    await api('PATCH', `/groups/${groupId}`, facilitator, { settings: { membersCanCreateProposals: true } });
  });
});

describe("a group's proposals", () => {
  test('pages every proposal once, newest first, filtered by status; outsiders get 404', async () => {
    const g = (await createGroup(h.app, facilitator, 'Listing co-op')).id;
    const t = (await startThread(h.app, facilitator, g)).id;
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await createProposal(h.app, facilitator, t, { kind: 'proposal', title: `P${i}` })).id);
    for (const id of made.slice(0, 2))
      expect((await api('POST', `/proposals/${id}/close`, facilitator, {})).statusCode).toBe(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(
        'GET',
        `/groups/${g}/proposals?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        facilitator,
      );
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());

    const ids = async (status: string) =>
      (
        (await api('GET', `/groups/${g}/proposals?status=${status}`, facilitator)).json().items as {
          id: string;
        }[]
      ).map((p) => p.id);
    expect(await ids('open')).toEqual(made.slice(2).reverse());
    expect(await ids('closed')).toEqual(made.slice(0, 2).reverse());
    expectError(await api('GET', `/groups/${g}/proposals`, outsider), 404, 'not_found');
    expectError(
      await api('GET', `/groups/${g}/proposals?status=maybe`, facilitator),
      400,
      'validation_failed',
    );
  });

  test('no proposal can be added to a closed thread (409 thread_closed), and nothing is written', async () => {
    const t = (await startThread(h.app, facilitator, groupId)).id;
    expect((await api('PATCH', `/threads/${t}`, facilitator, { closed: true })).statusCode).toBe(200);
    const before = await rowCounts(h);
    const res = await api('POST', `/threads/${t}/proposals`, facilitator, {
      kind: 'proposal',
      title: 'Too late',
      closesAt: inSeconds(3600),
    });
    expectError(res, 409, 'thread_closed');
    expect(await rowCounts(h)).toEqual(before);
  });
});

describe('voting, per kind', () => {
  test('consent: count, percent and block flag', async () => {
    const p = await createProposal(h.app, facilitator, threadId, { kind: 'proposal' });
    expect((await vote(p.id, member, [{ optionId: 'agree' }])).statusCode).toBe(200);
    expect((await vote(p.id, facilitator, [{ optionId: 'block' }], 'Too risky')).statusCode).toBe(200);
    const res = await api('GET', `/proposals/${p.id}`, member);
    const proposal = res.json().proposal;
    expect(proposal.voterCount).toBe(2);
    expect(proposal.results.blocked).toBe(true);
    expect(proposal.results.options.find((o: { optionId: string }) => o.optionId === 'agree')).toMatchObject({
      count: 1,
      percent: 50,
    });
    expect(proposal.myVote.choices).toEqual([{ optionId: 'agree' }]);
    expectError(
      await vote(p.id, member, [{ optionId: 'agree' }, { optionId: 'block' }]),
      400,
      'validation_failed',
    );
    expectError(await vote(p.id, member, [{ optionId: 'maybe' }]), 400, 'validation_failed');
  });

  test('poll with min/max choices', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'poll',
      title: 'Next steps',
      options: [{ label: 'Draft a short statement' }, { label: 'Form a user union' }, { label: 'Both' }],
      minChoices: 1,
      maxChoices: 2,
    });
    const [a, b, c] = p.options.map((o) => o.id);
    expect((await vote(p.id, member, [{ optionId: a }, { optionId: b }])).statusCode).toBe(200);
    expectError(
      await vote(p.id, member, [{ optionId: a }, { optionId: b }, { optionId: c }]),
      400,
      'validation_failed',
    );
    expectError(await vote(p.id, member, [{ optionId: a }, { optionId: a }]), 400, 'validation_failed');
    expectError(await vote(p.id, member, [{ optionId: '3' }]), 400, 'validation_failed');
    expectError(await vote(p.id, member, [{ optionId: 3 }]), 400, 'validation_failed');
  });

  test('score, dot vote, ranked choice and meeting validate and tally', async () => {
    const labels = [{ label: 'Alpha' }, { label: 'Beta' }, { label: 'Gamma' }];
    const score = await createProposal(h.app, facilitator, threadId, {
      kind: 'score',
      options: labels,
      maxScore: 3,
    });
    const ids = score.options.map((o) => o.id);
    expectError(
      await vote(score.id, member, [
        { optionId: ids[0], score: 4 },
        { optionId: ids[1], score: 0 },
        { optionId: ids[2], score: 1 },
      ]),
      400,
      'validation_failed',
    );
    expectError(await vote(score.id, member, [{ optionId: ids[0], score: 1 }]), 400, 'validation_failed');
    expect(
      (
        await vote(
          score.id,
          member,
          ids.map((optionId, i) => ({ optionId, score: i })),
        )
      ).statusCode,
    ).toBe(200);
    const scored = (await api('GET', `/proposals/${score.id}`, member)).json().proposal;
    expect(scored.results.options.map((o: { score: number }) => o.score)).toEqual([0, 1, 2]);

    const dots = await createProposal(h.app, facilitator, threadId, {
      kind: 'dot_vote',
      options: labels,
      dotsPerVoter: 5,
    });
    const d = dots.options.map((o) => o.id);
    const tooMany = await vote(dots.id, member, [
      { optionId: d[0], score: 4 },
      { optionId: d[1], score: 2 },
    ]);
    expect(expectError(tooMany, 400, 'validation_failed').details?.length).toBeGreaterThan(0);
    expect((await vote(dots.id, member, [{ optionId: d[0], score: 5 }])).statusCode).toBe(200);

    const ranked = await createProposal(h.app, facilitator, threadId, {
      kind: 'ranked_choice',
      options: labels,
    });
    const r = ranked.options.map((o) => o.id);
    expectError(
      await vote(ranked.id, member, [
        { optionId: r[0], rank: 1 },
        { optionId: r[1], rank: 1 },
      ]),
      400,
      'validation_failed',
    );
    expectError(await vote(ranked.id, member, [{ optionId: r[0], rank: 2 }]), 400, 'validation_failed');
    expect(
      (
        await vote(ranked.id, member, [
          { optionId: r[2], rank: 1 },
          { optionId: r[0], rank: 2 },
        ])
      ).statusCode,
    ).toBe(200);
    expect((await vote(ranked.id, facilitator, [{ optionId: r[2], rank: 1 }])).statusCode).toBe(200);
    const rc = (await api('GET', `/proposals/${ranked.id}`, member)).json().proposal;
    expect(rc.results.winnerIds).toEqual([r[2]]);
    expect(rc.results.condorcetWinnerId).toBe(r[2]);
    expect(rc.results.rounds[0].counts[r[2]!]).toBe(2);
    expect(rc.results.bordaPoints[r[2]!]).toBe(4);

    const meeting = await createProposal(h.app, facilitator, threadId, {
      kind: 'meeting',
      options: [
        { label: 'Monday', startsAt: inSeconds(86_400) },
        { label: 'Tuesday', startsAt: inSeconds(2 * 86_400) },
      ],
    });
    const [mon, tue] = meeting.options.map((o) => o.id);
    expect(meeting.options[0]).toHaveProperty('startsAt');
    expectError(
      await vote(meeting.id, member, [
        { optionId: mon, score: 3 },
        { optionId: tue, score: 0 },
      ]),
      400,
      'validation_failed',
    );
    expect(
      (
        await vote(meeting.id, member, [
          { optionId: mon, score: 1 },
          { optionId: tue, score: 2 },
        ])
      ).statusCode,
    ).toBe(200);
    const m = (await api('GET', `/proposals/${meeting.id}`, member)).json().proposal;
    expect(m.results.bestSlotId).toBe(tue);
  });

  test('a second PUT replaces the vote and keeps the earlier one in history; DELETE retracts it', async () => {
    const p = await createProposal(h.app, facilitator, threadId, { kind: 'proposal' });
    await vote(p.id, member, [{ optionId: 'agree' }]);
    const second = await vote(p.id, member, [{ optionId: 'disagree' }], 'Changed my mind');
    expect(second.json().vote).toMatchObject({
      voter: { id: member.id },
      choices: [{ optionId: 'disagree' }],
      reason: 'Changed my mind',
    });
    const votes = (await api('GET', `/proposals/${p.id}/votes`, facilitator)).json();
    expect(votes.items).toHaveLength(1);
    const history = await h.db.database.db
      .selectFrom('vote_history')
      .selectAll()
      .where('proposal_id', '=', p.id)
      .execute();
    expect(history.map((r) => r.choices)).toEqual([[{ optionId: 'agree' }]]);
    expect((await api('DELETE', `/proposals/${p.id}/vote`, member)).statusCode).toBe(204);
    expectError(await api('DELETE', `/proposals/${p.id}/vote`, member), 404, 'not_found');
    expect((await api('GET', `/proposals/${p.id}`, member)).json().proposal.voterCount).toBe(0);
  });

  test('a required reason is required', async () => {
    const p = await createProposal(h.app, facilitator, threadId, { kind: 'proposal', reasonRequired: true });
    const res = expectError(await vote(p.id, member, [{ optionId: 'agree' }]), 400, 'validation_failed');
    expect(res.details?.[0]?.path).toBe('/reason');
    expect((await vote(p.id, member, [{ optionId: 'agree' }], 'Solidarity')).statusCode).toBe(200);
  });
});

describe('anonymity and hidden results', () => {
  test('no one sees who voted what on an anonymous proposal, not over HTTP, the log or the export', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      anonymous: true,
      title: 'Secret ballot',
    });
    const cast = await vote(p.id, member, [{ optionId: 'disagree' }], 'quietly');
    expect(cast.json().vote.voter).toBeNull();
    // The voter can still replace their own vote: one current vote, not two.
    await vote(p.id, member, [{ optionId: 'agree' }]);
    const mine = (await api('GET', `/proposals/${p.id}`, member)).json().proposal;
    expect(mine.voterCount).toBe(1);
    expect(mine.myVote.choices).toEqual([{ optionId: 'agree' }]);
    expect(mine.myVote.voter).toBeNull();
    const seenByFacilitator = (await api('GET', `/proposals/${p.id}`, facilitator)).json().proposal;
    expect(seenByFacilitator.myVote).toBeNull();
    const list = (await api('GET', `/proposals/${p.id}/votes`, facilitator)).json();
    expect(list.items.every((v: { voter: unknown }) => v.voter === null)).toBe(true);
    const events = await h.db.database.db
      .selectFrom('events')
      .selectAll()
      .where('subject_id', '=', p.id)
      .where('kind', '=', 'vote.cast')
      .execute();
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.actor_id).toBeNull();
      expect(JSON.stringify(e.data)).not.toContain(member.id);
    }
    const rows = await h.db.database.db
      .selectFrom('votes')
      .selectAll()
      .where('proposal_id', '=', p.id)
      .execute();
    expect(rows.every((r) => r.voter_id === null && r.voter_key !== member.id)).toBe(true);
    expect(
      await h.db.database.db.selectFrom('vote_history').selectAll().where('proposal_id', '=', p.id).execute(),
    ).toEqual([]);
    await api('POST', `/proposals/${p.id}/close`, facilitator, {});
    for (const format of ['json', 'csv', 'md']) {
      const exported = await api('GET', `/groups/${groupId}/decisions?format=${format}`, facilitator);
      expect(exported.statusCode).toBe(200);
      expect(exported.body).toContain('Secret ballot');
      expect(exported.body).not.toContain(member.id);
      expect(exported.body).not.toContain('Mo Member');
    }
  });

  test('hidden results stay hidden until the close', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      resultsHiddenUntilClosed: true,
    });
    await vote(p.id, member, [{ optionId: 'agree' }]);
    const open = (await api('GET', `/proposals/${p.id}`, facilitator)).json().proposal;
    expect(open.results).toBeNull();
    expect(open.voterCount).toBe(1);
    expect((await api('GET', `/proposals/${p.id}/votes`, facilitator)).json().items).toEqual([]);
    expect((await api('GET', `/proposals/${p.id}/votes`, member)).json().items).toHaveLength(1);
    // The stream must not give the tally away either: no ballot, no results in the vote events.
    const events = await h.db.database.db
      .selectFrom('events')
      .select('data')
      .where('subject_id', '=', p.id)
      .where('kind', '=', 'vote.cast')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ vote: null, results: null, voterCount: 1 });
    const closed = (await api('POST', `/proposals/${p.id}/close`, facilitator, {})).json().proposal;
    expect(closed.results.options[0]).toMatchObject({ optionId: 'agree', count: 1, percent: 100 });
  });
});

describe('closing, outcomes and reopening', () => {
  test('members who are not the author may not close; closing twice is 409; votes after are 409', async () => {
    const p = await createProposal(h.app, facilitator, threadId, { kind: 'proposal' });
    expectError(await api('POST', `/proposals/${p.id}/close`, member, {}), 403, 'forbidden');
    expectError(
      await api('POST', `/proposals/${p.id}/outcome`, facilitator, { statement: 'Too early' }),
      409,
      'conflict',
    );
    const closed = await api('POST', `/proposals/${p.id}/close`, facilitator, {
      outcome: { statement: 'We ally, carefully.', reviewOn: '2027-03-01' },
    });
    expect(closed.statusCode).toBe(200);
    expect(closed.json().proposal).toMatchObject({
      outcome: { statement: 'We ally, carefully.', reviewOn: '2027-03-01', author: { id: facilitator.id } },
    });
    expect(closed.json().proposal.closedAt).not.toBeNull();
    expectError(await api('POST', `/proposals/${p.id}/close`, facilitator, {}), 409, 'proposal_closed');
    expectError(await vote(p.id, member, [{ optionId: 'agree' }]), 409, 'proposal_closed');
    expectError(await api('DELETE', `/proposals/${p.id}/vote`, member), 409, 'proposal_closed');
    expectError(
      await api('PATCH', `/proposals/${p.id}`, facilitator, { options: [] }),
      409,
      'proposal_closed',
    );
    const restated = await api('POST', `/proposals/${p.id}/outcome`, facilitator, {
      statement: 'Restated outcome',
    });
    expect(restated.statusCode).toBe(201);
    const outcomes = await h.db.database.db
      .selectFrom('outcomes')
      .selectAll()
      .where('proposal_id', '=', p.id)
      .execute();
    expect(outcomes).toHaveLength(2);
    expectError(
      await api('POST', `/proposals/${p.id}/reopen`, member, { closesAt: inSeconds(600) }),
      403,
      'forbidden',
    );
    const reopened = await api('POST', `/proposals/${p.id}/reopen`, facilitator, {
      closesAt: inSeconds(600),
    });
    expect(reopened.json().proposal).toMatchObject({ closedAt: null, outcome: null });
    expect((await vote(p.id, member, [{ optionId: 'agree' }])).statusCode).toBe(200);
  });

  test('a proposal past its closing time closes by itself, exactly once', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      closesAt: inSeconds(1),
    });
    await vote(p.id, member, [{ optionId: 'agree' }]);
    await new Promise((r) => setTimeout(r, 1200));
    expectError(await vote(p.id, facilitator, [{ optionId: 'agree' }]), 409, 'proposal_closed');
    const closedCounts = await Promise.all([
      h.app.closeDueProposals(),
      h.app.closeDueProposals(),
      h.app.closeDueProposals(),
    ]);
    expect(closedCounts.reduce((a, b) => a + b, 0)).toBe(1);
    const events = await h.db.database.db
      .selectFrom('events')
      .select('id')
      .where('kind', '=', 'proposal.closed')
      .where('subject_id', '=', p.id)
      .execute();
    expect(events).toHaveLength(1);
    const closed = (await api('GET', `/proposals/${p.id}`, member)).json().proposal;
    expect(closed.closedAt).toBe(closed.closesAt);
    expect(closed.results.options[0].count).toBe(1);
    expect(closed.eligibleCount).toBeGreaterThan(0);
  });

  test('the decision log lists closed proposals as JSON, CSV and Markdown', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      title: '=HYPERLINK("x")',
    });
    await vote(p.id, member, [{ optionId: 'agree' }]);
    await api('POST', `/proposals/${p.id}/close`, facilitator, {
      outcome: { statement: 'Agreed, with "care", and commas' },
    });
    const json = (await api('GET', `/groups/${groupId}/decisions`, member)).json();
    const entry = json.items.find((d: { proposal: { id: string } }) => d.proposal.id === p.id);
    expect(entry).toMatchObject({
      thread: { id: threadId },
      proposal: { outcome: { statement: 'Agreed, with "care", and commas' } },
    });
    const csv = await api('GET', `/groups/${groupId}/decisions?format=csv`, member);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toContain('proposal_id,title,kind');
    expect(csv.body).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv.body).toContain('"Agreed, with ""care"", and commas"');
    const md = await api('GET', `/groups/${groupId}/decisions?format=md`, member);
    expect(md.body).toContain('## =HYPERLINK("x")');
    expectError(await api('GET', `/groups/${groupId}/decisions`, outsider), 404, 'not_found');
  });
});

describe('under load', () => {
  test('six proposals created at once in one thread all succeed, each announced once', async () => {
    // Each creation locked the thread for share and then updated it: two at once deadlocked (500).
    const g = (await createGroup(h.app, facilitator, 'Busy co-op')).id;
    const t = (await startThread(h.app, facilitator, g)).id;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api('POST', `/threads/${t}/proposals`, facilitator, {
          kind: 'proposal',
          title: `Proposal ${i + 1}`,
          closesAt: inSeconds(3600),
        }),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(answers.map(() => 201));
    const created = await eventRows(h, { kind: 'proposal.created', groupId: g });
    expect(created.map((e) => (e.data as { proposal: { title: string } }).proposal.title).sort()).toEqual(
      ['1', '2', '3', '4', '5', '6'].map((n) => `Proposal ${n}`),
    );
  });

  test('200 members voting at once, 50 of them changing at once, give exactly the right tally', async () => {
    const g = (await createGroup(h.app, facilitator, 'Big co-op')).id;
    const t = (await startThread(h.app, facilitator, g)).id;
    const voters = await bulkMembers(h, g, 200);
    const p = await createProposal(h.app, facilitator, t, { kind: 'proposal' });
    const positions = ['agree', 'abstain', 'disagree', 'block'];
    const first = await Promise.all(voters.map((v, i) => vote(p.id, v, [{ optionId: positions[i % 4] }])));
    expect(first.map((r) => r.statusCode)).toEqual(voters.map(() => 200));
    const changes = await Promise.all(voters.slice(0, 50).map((v) => vote(p.id, v, [{ optionId: 'agree' }])));
    expect(changes.every((r) => r.statusCode === 200)).toBe(true);
    const result = (await api('GET', `/proposals/${p.id}`, facilitator)).json().proposal;
    expect(result.voterCount).toBe(200);
    const expected = { agree: 50, abstain: 50, disagree: 50, block: 50 };
    for (const [i] of voters.slice(0, 50).entries()) {
      const was = positions[i % 4] as keyof typeof expected;
      expected[was] -= 1;
      expected.agree += 1;
    }
    const counts = Object.fromEntries(
      result.results.options.map((o: { optionId: string; count: number }) => [o.optionId, o.count]),
    );
    expect(counts).toEqual(expected);
  });

  test.each([{ anonymous: false }, { anonymous: true }])(
    'ranked ballots replaced at once, twice over (anonymous: $anonymous): events, counts and history agree',
    async ({ anonymous }) => {
      // Each batch works out the new results from the counts it read under the lock; the
      // last event must carry exactly what a fresh read gives, and nothing may drift.
      const g = (await createGroup(h.app, facilitator, `Ranked co-op ${anonymous}`)).id;
      const t = (await startThread(h.app, facilitator, g)).id;
      const voters = await bulkMembers(h, g, 60);
      const p = await createProposal(h.app, facilitator, t, {
        kind: 'ranked_choice',
        anonymous,
        options: [{ label: 'Library' }, { label: 'Hall' }, { label: 'Park' }],
      });
      const [a, b, c] = p.options.map((o) => o.id) as [string, string, string];
      const orders = [[a, b, c], [b, c, a], [c, a, b], [a, c], [b]];
      const ranked = (order: string[]) => order.map((optionId, i) => ({ optionId, rank: i + 1 }));
      const rounds = [0, 1, 2].map((round) =>
        Promise.all(
          voters.map((v, i) =>
            // The three rounds race: each voter's three votes land in some order, one stays.
            vote(p.id, v, ranked(orders[(i + round) % orders.length]!)).then((r) => r.statusCode),
          ),
        ),
      );
      for (const statuses of await Promise.all(rounds)) expect(statuses.every((s) => s === 200)).toBe(true);

      const fresh = (await api('GET', `/proposals/${p.id}`, facilitator)).json().proposal;
      expect(fresh.voterCount).toBe(60);
      const events = await eventRows(h, { kind: 'vote.cast', groupId: g });
      const last = events.at(-1)!.data as { voterCount: number; results: unknown };
      expect(last.voterCount).toBe(60);
      expect(last.results).toEqual(fresh.results);
      const db = h.db.database.db;
      const counted = await db
        .selectFrom('ballot_counts')
        .select(['choices', 'n'])
        .where('proposal_id', '=', p.id)
        .where('n', '>', 0)
        .execute();
      const grouped = await db
        .selectFrom('votes')
        .select(['choices', (eb) => eb.fn.countAll<string>().as('n')])
        .where('proposal_id', '=', p.id)
        .groupBy('choices')
        .execute();
      const byBallot = (rows: { choices: unknown; n: number | string }[]) =>
        Object.fromEntries(rows.map((r) => [JSON.stringify(r.choices), Number(r.n)]));
      expect(byBallot(counted)).toEqual(byBallot(grouped));
      const history = await db
        .selectFrom('vote_history')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('proposal_id', '=', p.id)
        .executeTakeFirstOrThrow();
      // 180 votes by 60 voters: 120 were replaced, and kept unless the proposal is anonymous.
      expect(Number(history.n)).toBe(anonymous ? 0 : 120);
    },
  );

  test('100 votes racing a close: each is counted or refused with 409, and the tally equals the 200s', async () => {
    const g = (await createGroup(h.app, facilitator, 'Racing co-op')).id;
    const t = (await startThread(h.app, facilitator, g)).id;
    const voters = await bulkMembers(h, g, 100);
    const p = await createProposal(h.app, facilitator, t, { kind: 'proposal' });
    const votes = voters.map((v, i) =>
      new Promise((r) => setTimeout(r, i % 20)).then(() => vote(p.id, v, [{ optionId: 'agree' }])),
    );
    const close = new Promise((r) => setTimeout(r, 8)).then(() =>
      api('POST', `/proposals/${p.id}/close`, facilitator, {}),
    );
    const answers = await Promise.all(votes);
    expect((await close).statusCode).toBe(200);
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    for (const r of answers) if (r.statusCode === 409) expect(r.json().error.code).toBe('proposal_closed');
    const final = (await api('GET', `/proposals/${p.id}`, facilitator)).json().proposal;
    const accepted = statuses.filter((s) => s === 200).length;
    expect(final.voterCount).toBe(accepted);
    expect(final.results.options[0].count).toBe(accepted);
  });
});

describe('authentication', () => {
  test('every proposal route is 401 without a session, before looking at the body; nothing is written', async () => {
    const p = await createProposal(h.app, facilitator, threadId, {
      kind: 'proposal',
      title: 'Anonymous callers',
    });
    const calls: [string, string, unknown?][] = [
      ['POST', `/threads/${threadId}/proposals`, { kind: 'nonsense', title: 3 }],
      ['GET', `/proposals/${p.id}`],
      ['PATCH', `/proposals/${p.id}`, { title: 3, closesAt: 'never' }],
      ['GET', `/groups/${groupId}/proposals?status=maybe&limit=abc`],
      ['PUT', `/proposals/${p.id}/vote`, { choices: 'all of them' }],
      ['DELETE', `/proposals/${p.id}/vote`],
      ['GET', `/proposals/${p.id}/votes?limit=abc`],
      ['GET', `/proposals/${p.id}/undecided`],
      ['POST', `/proposals/${p.id}/close`, { outcome: { statement: 3 } }],
      ['POST', `/proposals/${p.id}/outcome`, { statement: [] }],
      ['POST', `/proposals/${p.id}/reopen`, { closesAt: 3 }],
      ['POST', `/proposals/${p.id}/remind`, { surprise: true }],
      ['GET', `/groups/${groupId}/decisions?format=pdf`],
    ];
    const before = await rowCounts(h);
    for (const [method, url, payload] of calls) {
      const res = await h.app.inject({
        method: method as 'GET',
        url: `/api/v1${url}`,
        headers: { origin: ORIGIN },
        ...(payload ? { payload: payload as object } : {}),
      });
      expect({ method, url, status: res.statusCode, code: res.json().error?.code }).toEqual({
        method,
        url,
        status: 401,
        code: 'unauthenticated',
      });
    }
    expect(await rowCounts(h)).toEqual(before);
  });
});
