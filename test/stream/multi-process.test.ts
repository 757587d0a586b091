import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDatabase, TEST_DB_KIND, type TestDatabase } from '../helpers/database';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { eventsOn, openStream } from '../helpers/stream';

// Several processes can share only a real Postgres; PGlite lives inside one process.
describe.runIf(TEST_DB_KIND === 'postgres')('two server processes on one Postgres', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await freshDatabase();
    await db.database.close();
    // Both processes look for due proposals every second, so they really race for each close.
    a = await spawnServer({ DATABASE_URL: db.url!, CLOSE_CHECK_SECONDS: '1' });
    b = await spawnServer({ DATABASE_URL: db.url!, CLOSE_CHECK_SECONDS: '1' });
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  async function call(server: ServerProcess, method: string, path: string, body?: unknown, cookie?: string) {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(cookie ? { cookie, origin: server.url } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: res.status === 204 ? null : await res.json(), res };
  }

  async function person(server: ServerProcess, name: string) {
    const reg = await call(server, 'POST', '/auth/register', {
      name,
      email: `${name.toLowerCase()}-${Date.now()}@example.org`,
      password: 'correct horse battery',
    });
    return { id: reg.json.user.id as string, cookie: reg.res.headers.getSetCookie()[0]!.split(';')[0]! };
  }

  test('presence is shared: viewers of a thread on A and on B see each other', async () => {
    const ada = await person(a, 'Ada');
    const bo = await person(b, 'Bo');
    const groupId = (await call(a, 'POST', '/groups', { name: 'Presence' }, ada.cookie)).json.group.id;
    const token = (await call(a, 'POST', `/groups/${groupId}/invitations`, {}, ada.cookie)).json.invitation
      .token;
    expect((await call(b, 'POST', `/invitations/${token}/accept`, undefined, bo.cookie)).status).toBe(200);
    const threadId = (
      await call(a, 'POST', `/groups/${groupId}/threads`, { title: 'Who is here?' }, ada.cookie)
    ).json.thread.id;
    const onA = await openStream(a.url, { cookie: ada.cookie });
    onA.send({ type: 'subscribe', topic: `thread:${threadId}` });
    const onB = await openStream(b.url, { cookie: bo.cookie });
    onB.send({ type: 'subscribe', topic: `thread:${threadId}` });
    const both = (m: { type: string; users?: { id: string }[] }) =>
      m.type === 'presence' &&
      (m.users ?? [])
        .map((u) => u.id)
        .sort()
        .join() === [ada.id, bo.id].sort().join();
    await onA.waitFor(both as never);
    await onB.waitFor(both as never);
    await onB.close();
    await onA.waitFor((m) => m.type === 'presence' && m.users.length === 1 && m.users[0]!.id === ada.id);
    await onA.close();
  });

  test('a proposal whose closing time passes closes once: one event, one closedAt', async () => {
    const ada = await person(a, 'Cleo');
    const groupId = (await call(a, 'POST', '/groups', { name: 'Closing' }, ada.cookie)).json.group.id;
    const threadId = (await call(b, 'POST', `/groups/${groupId}/threads`, { title: 'Soon' }, ada.cookie)).json
      .thread.id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await call(
        a,
        'POST',
        `/threads/${threadId}/proposals`,
        { kind: 'proposal', title: `Quick ${i}`, closesAt: new Date(Date.now() + 1500).toISOString() },
        ada.cookie,
      );
      expect(created.status).toBe(201);
      ids.push(created.json.proposal.id);
    }
    const ws = await openStream(b.url, { cookie: ada.cookie });
    ws.send({ type: 'subscribe', topic: `thread:${threadId}` });
    await ws.waitFor((m) => m.type === 'subscribed');
    await ws.waitForCount((m) => m.type === 'event' && m.event.kind === 'proposal.closed', 5, 15_000);
    // Give a second close, if there were to be one, time to happen.
    await new Promise((r) => setTimeout(r, 2500));
    const closedEvents = eventsOn(ws, `thread:${threadId}`).filter((e) => e.kind === 'proposal.closed');
    expect(closedEvents.map((e) => (e.data as { proposal: { id: string } }).proposal.id).sort()).toEqual(
      [...ids].sort(),
    );
    for (const id of ids) {
      const seenByA = (await call(a, 'GET', `/proposals/${id}`, undefined, ada.cookie)).json.proposal;
      const seenByB = (await call(b, 'GET', `/proposals/${id}`, undefined, ada.cookie)).json.proposal;
      expect(seenByA.closedAt).not.toBeNull();
      expect(seenByA.closedAt).toBe(seenByB.closedAt);
    }
    await ws.close();
  });

  test('a subscriber on B receives, in order and once each, the changes made through A', async () => {
    const reg = await call(a, 'POST', '/auth/register', {
      name: 'Ada',
      email: 'ada@example.org',
      password: 'correct horse battery',
    });
    const cookie = reg.res.headers.getSetCookie()[0]!.split(';')[0]!;
    const group = await call(a, 'POST', '/groups', { name: 'Shared' }, cookie);
    expect(group.status).toBe(201);
    const groupId = group.json.group.id;

    const ws = await openStream(b.url, { cookie });
    ws.send({ type: 'subscribe', topic: `group:${groupId}` });
    await ws.waitFor((m) => m.type === 'subscribed');

    const writes = 60;
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < writes / 6; i++) {
          const res = await call(a, 'PATCH', `/groups/${groupId}`, { name: `A-${w}-${i}` }, cookie);
          expect(res.status).toBe(200);
        }
      }),
    );
    await ws.waitForCount((m) => m.type === 'event', writes);
    const ids = eventsOn(ws, `group:${groupId}`).map((e) => e.id);
    expect(ids).toHaveLength(writes);
    expect(new Set(ids).size).toBe(writes);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    await ws.close();
  });

  test('a timeline read on B right after a write through A shows the write (pages are cached per process)', async () => {
    const ada = await person(a, 'Fay');
    const groupId = (await call(a, 'POST', '/groups', { name: 'Read your writes' }, ada.cookie)).json.group
      .id;
    const threadId = (
      await call(a, 'POST', `/groups/${groupId}/threads`, { title: 'Both sides' }, ada.cookie)
    ).json.thread.id;
    const bodies = (page: { items: { comment?: { body: string } }[] }) =>
      page.items.flatMap((i) => (i.comment ? [i.comment.body] : []));
    for (let i = 0; i < 10; i++) {
      // B has the page cached from the previous round; the comment goes in through A.
      expect(
        bodies((await call(b, 'GET', `/threads/${threadId}/timeline`, undefined, ada.cookie)).json),
      ).toHaveLength(i);
      const posted = await call(
        a,
        'POST',
        `/threads/${threadId}/comments`,
        { body: `round ${i}` },
        ada.cookie,
      );
      expect(posted.status).toBe(201);
      const page = (await call(b, 'GET', `/threads/${threadId}/timeline`, undefined, ada.cookie)).json;
      expect(bodies(page).at(-1)).toBe(`round ${i}`);
    }
  });

  test('votes on one busy proposal through both processes, each writing from its copy while the other spoils it, count each ballot once', {
    timeout: 60_000,
  }, async () => {
    const ada = await person(a, 'Copier');
    const groupId = (await call(a, 'POST', '/groups', { name: 'Copies' }, ada.cookie)).json.group.id;
    const people = await Promise.all(
      Array.from({ length: 12 }, (_, i) => person(i % 2 ? a : b, `Voter${i}`)),
    );
    for (const p of people) {
      const token = (await call(a, 'POST', `/groups/${groupId}/invitations`, {}, ada.cookie)).json.invitation
        .token;
      expect((await call(b, 'POST', `/invitations/${token}/accept`, undefined, p.cookie)).status).toBe(200);
    }
    const threadId = (await call(a, 'POST', `/groups/${groupId}/threads`, { title: 'Busy' }, ada.cookie)).json
      .thread.id;
    const proposalId = (
      await call(
        b,
        'POST',
        `/threads/${threadId}/proposals`,
        { kind: 'proposal', title: 'Busy', closesAt: new Date(Date.now() + 3_600_000).toISOString() },
        ada.cookie,
      )
    ).json.proposal.id;
    const metric = async (server: ServerProcess, path: string) =>
      Number(
        (await (await fetch(`${server.url}/metrics`)).text()).match(
          new RegExp(`^plenary_vote_batches_total\\{path="${path}"\\} (\\d+)`, 'm'),
        )?.[1],
      );

    // Rounds of everyone voting at once: through A only, then B only, then each through either.
    const options = ['agree', 'abstain', 'disagree'];
    const last = new Map<string, string>();
    const plan = ['a', 'a', 'a', 'b', 'b', 'b', 'mixed', 'mixed', 'mixed', 'mixed'];
    for (const [round, where] of plan.entries()) {
      const answers = await Promise.all(
        people.map((p, i) => {
          const optionId = options[(i + round) % options.length]!;
          last.set(p.id, optionId);
          const server = where === 'a' ? a : where === 'b' ? b : (i + round) % 2 ? a : b;
          return call(server, 'PUT', `/proposals/${proposalId}/vote`, { choices: [{ optionId }] }, p.cookie);
        }),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    }
    const expected: Record<string, number> = {};
    for (const optionId of last.values()) expected[optionId] = (expected[optionId] ?? 0) + 1;
    const countsOn = async (server: ServerProcess) => {
      const p = (await call(server, 'GET', `/proposals/${proposalId}`, undefined, ada.cookie)).json.proposal;
      return {
        voterCount: p.voterCount,
        counts: Object.fromEntries(
          p.results.options
            .filter((o: { count: number }) => o.count > 0)
            .map((o: { optionId: string; count: number }) => [o.optionId, o.count]),
        ),
      };
    };
    expect(await countsOn(a)).toEqual({ voterCount: 12, counts: expected });
    expect(await countsOn(b)).toEqual({ voterCount: 12, counts: expected });
    // Both processes wrote from copies, and each also had to fall back when the other had written.
    for (const server of [a, b]) {
      expect(await metric(server, 'copy')).toBeGreaterThan(0);
      expect(await metric(server, 'locked')).toBeGreaterThan(0);
    }

    // Closed through A, a vote through B (whose copy may still be warm) is refused and changes nothing.
    const closed = (await call(a, 'POST', `/proposals/${proposalId}/close`, {}, ada.cookie)).json.proposal;
    expect(closed.voterCount).toBe(12);
    const late = await call(
      b,
      'PUT',
      `/proposals/${proposalId}/vote`,
      { choices: [{ optionId: 'block' }] },
      people[0]!.cookie,
    );
    expect(late.status).toBe(409);
    expect(await countsOn(b)).toEqual({ voterCount: 12, counts: expected });
  });

  test('with delegation, votes and delegations spread over both processes count every member once, and the close happens once', {
    timeout: 60_000,
  }, async () => {
    const ada = await person(a, 'Dele');
    const groupId = (await call(a, 'POST', '/groups', { name: 'Liquid' }, ada.cookie)).json.group.id;
    expect(
      (await call(b, 'PATCH', `/groups/${groupId}`, { settings: { delegation: true } }, ada.cookie)).status,
    ).toBe(200);
    const people = await Promise.all(
      Array.from({ length: 12 }, (_, i) => person(i % 2 ? a : b, `Member${i}`)),
    );
    for (const [i, p] of people.entries()) {
      const token = (await call(a, 'POST', `/groups/${groupId}/invitations`, {}, ada.cookie)).json.invitation
        .token;
      expect(
        (await call(i % 2 ? b : a, 'POST', `/invitations/${token}/accept`, undefined, p.cookie)).status,
      ).toBe(200);
    }
    const threadId = (await call(a, 'POST', `/groups/${groupId}/threads`, { title: 'Liquid' }, ada.cookie))
      .json.thread.id;
    const proposalId = (
      await call(
        b,
        'POST',
        `/threads/${threadId}/proposals`,
        {
          kind: 'proposal',
          title: 'Carried by delegates',
          closesAt: new Date(Date.now() + 6000).toISOString(),
        },
        ada.cookie,
      )
    ).json.proposal.id;

    // Members 0–5 vote (0–2 agree, 3–5 disagree); 6→7→0 and 8→3, 9→6, 10→11→10 (a cycle): all at once,
    // each request through the process the member did not join through.
    const [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11] = people as [typeof ada, ...(typeof ada)[]];
    const via = (i: number) => (i % 2 ? a : b);
    const votes = [m0, m1, m2, m3, m4, m5].map((p, i) =>
      call(
        via(i),
        'PUT',
        `/proposals/${proposalId}/vote`,
        { choices: [{ optionId: i < 3 ? 'agree' : 'disagree' }] },
        p!.cookie,
      ),
    );
    const delegations = (
      [
        [m6, m7],
        [m7, m0],
        [m8, m3],
        [m9, m6],
        [m10, m11],
        [m11, m10],
      ] as const
    ).map(([from, to], i) =>
      call(via(i + 1), 'PUT', `/groups/${groupId}/delegation`, { delegateId: to!.id }, from!.cookie),
    );
    const answers = await Promise.all([...votes, ...delegations]);
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));

    // Both processes look for due proposals every second: wait for the close, then a while longer.
    const ws = await openStream(a.url, { cookie: ada.cookie });
    ws.send({ type: 'subscribe', topic: `thread:${threadId}` });
    await ws.waitFor((m) => m.type === 'subscribed');
    await ws.waitFor((m) => m.type === 'event' && m.event.kind === 'proposal.closed', 15_000);
    await new Promise((r) => setTimeout(r, 2500));
    const closes = eventsOn(ws, `thread:${threadId}`).filter((e) => e.kind === 'proposal.closed');
    await ws.close();

    // Agree: 0, 1, 2 and, through 7 → 0, members 7, 6 and 9; disagree: 3, 4, 5 and 8. Ada and the cycle: none.
    const expected = { agree: 6, disagree: 4 };
    for (const server of [a, b]) {
      const p = (await call(server, 'GET', `/proposals/${proposalId}`, undefined, ada.cookie)).json.proposal;
      expect(p.closedAt).not.toBeNull();
      expect(p.voterCount).toBe(6);
      expect(p.representedCount).toBe(10);
      const counts = Object.fromEntries(
        p.results.options.map((o: { optionId: string; count: number }) => [o.optionId, o.count]),
      );
      expect(counts).toMatchObject(expected);
    }
    expect(closes).toHaveLength(1);
    const chain = (await call(b, 'GET', `/groups/${groupId}/record`, undefined, ada.cookie)).json;
    expect(chain.items).toHaveLength(1);
    const weights = chain.items[0].ballots.map((ballot: { weight: number }) => ballot.weight).sort();
    expect(weights).toEqual([1, 1, 1, 1, 2, 4]); // 0 carries 7, 6 and 9; 3 carries 8
  });
});
