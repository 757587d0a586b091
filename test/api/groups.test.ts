import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  addMembers,
  createGroup,
  detailPaths,
  eventRows,
  expectError,
  type Harness,
  join,
  MISSING_ID,
  ORIGIN,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';

// Contract: "Groups, members, invitations" (groups and members; invitations have their own file).

let h: Harness;
beforeAll(async () => {
  // This file signs up well over 100 people from one address; the limits have their own tests (errors.test.ts).
  h = await startApp({ RATE_LIMITS: 'off' });
});
afterAll(() => h?.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function req(
  person: Person | null,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return h.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: person?.headers ?? {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function groupRow(id: string) {
  return h.db.database.db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
async function roleOf(groupId: string, userId: string) {
  const row = await h.db.database.db
    .selectFrom('memberships')
    .select('role')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}
async function facilitatorCount(groupId: string) {
  const rows = await h.db.database.db
    .selectFrom('memberships')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('role', '=', 'facilitator')
    .execute();
  return rows.length;
}
async function notificationsOf(userId: string) {
  return h.db.database.db.selectFrom('notifications').selectAll().where('user_id', '=', userId).execute();
}

/** A group with a facilitator and one plain member, plus an outsider. */
async function circle(name = 'Circle') {
  const facilitator = await signUp(h.app, { name: `${name} Facilitator` });
  const group = await createGroup(h.app, facilitator, name);
  const member = await signUp(h.app, { name: `${name} Member` });
  await join(h.app, facilitator, group.id, member);
  const outsider = await signUp(h.app, { name: `${name} Outsider` });
  return { facilitator, member, outsider, group };
}

describe('POST /groups', () => {
  test('201 {group}: the creator is its facilitator, settings default to true, and member.joined is logged', async () => {
    const p = await signUp(h.app);
    const res = await req(p, 'POST', '/groups', {
      name: '  Tenants Union  ',
      description: 'We meet on *Thursdays*.',
    });
    expect(res.statusCode).toBe(201);
    const { group } = res.json();
    expect(group).toEqual({
      id: expect.any(String),
      name: 'Tenants Union',
      description: 'We meet on *Thursdays*.',
      parentId: null,
      createdAt: expect.stringMatching(ISO),
      memberCount: 1,
      myRole: 'facilitator',
      settings: {
        membersCanStartThreads: true,
        membersCanCreateProposals: true,
        membersCanInvite: true,
        delegation: false,
      },
      permissions: {
        updateGroup: true,
        changeRoles: true,
        removeMember: true,
        invite: true,
        inviteFacilitator: true,
        listInvitations: true,
        createSubgroup: true,
        startThread: true,
        createProposal: true,
        moderateComments: true,
        exportGroup: true,
        manageTemplates: true,
      },
    });
    expect(await roleOf(group.id, p.id)).toBe('facilitator');
    const events = await eventRows(h, { groupId: group.id });
    expect(events.map((e) => [e.kind, e.actor_id, e.subject_id])).toEqual([['member.joined', p.id, p.id]]);
  });

  test('description defaults to empty and is stored as written (Markdown, untrimmed)', async () => {
    const p = await signUp(h.app);
    const bare = await req(p, 'POST', '/groups', { name: 'Bare' });
    expect(bare.json().group.description).toBe('');
    const md = '  # Heading\n\n<script>kept as text</script>  ';
    const written = await req(p, 'POST', '/groups', { name: 'Markdown', description: md });
    expect(written.json().group.description).toBe(md);
    expect((await groupRow(written.json().group.id)).description).toBe(md);
  });

  test.each([
    ['no name', {}, '/name'],
    ['an empty name', { name: '' }, '/name'],
    ['a blank name', { name: '   ' }, '/name'],
    ['a name over 200 characters', { name: 'g'.repeat(201) }, '/name'],
    ['a number for the name', { name: 3 }, '/name'],
    ['null for the name', { name: null }, '/name'],
    ['a number for the description', { name: 'ok', description: 3 }, '/description'],
    [
      'a description over 100,000 characters',
      { name: 'ok', description: 'd'.repeat(100_001) },
      '/description',
    ],
    ['a number for parentId', { name: 'ok', parentId: 7 }, '/parentId'],
  ])(
    '400 validation_failed for %s; no group, membership or event is written',
    async (_label, payload, path) => {
      const p = await signUp(h.app);
      const before = await rowCounts(h);
      const res = await req(p, 'POST', '/groups', payload);
      expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain(path);
      expect(await rowCounts(h)).toEqual(before);
    },
  );

  test('a description of exactly 100,000 characters is accepted', async () => {
    const p = await signUp(h.app);
    const res = await req(p, 'POST', '/groups', { name: 'Long', description: 'd'.repeat(100_000) });
    expect(res.statusCode).toBe(201);
  });

  test('fields the contract does not name are ignored, never stored', async () => {
    const p = await signUp(h.app);
    const res = await req(p, 'POST', '/groups', {
      name: 'Ignoring',
      id: MISSING_ID,
      memberCount: 99,
      myRole: 'member',
      settings: { membersCanInvite: false, membersCanStartThreads: false },
    });
    expect(res.statusCode).toBe(201);
    const { group } = res.json();
    expect(group.id).not.toBe(MISSING_ID);
    expect(group).toMatchObject({ memberCount: 1, myRole: 'facilitator' });
    expect(group.settings).toEqual({
      membersCanStartThreads: true,
      membersCanCreateProposals: true,
      membersCanInvite: true,
      delegation: false,
    });
    expect((await groupRow(group.id)).members_can_invite).toBe(true);
  });

  describe('subgroups', () => {
    test('a facilitator of the parent creates one; its creator is its facilitator', async () => {
      const { facilitator, group } = await circle('Parent A');
      const res = await req(facilitator, 'POST', '/groups', { name: 'Working group', parentId: group.id });
      expect(res.statusCode).toBe(201);
      expect(res.json().group).toMatchObject({ parentId: group.id, myRole: 'facilitator', memberCount: 1 });
    });

    test('a plain member of the parent gets 403 forbidden; nothing is written', async () => {
      const { member, group } = await circle('Parent B');
      const before = await rowCounts(h);
      const res = await req(member, 'POST', '/groups', { name: 'Rogue subgroup', parentId: group.id });
      expectError(res, 403, 'forbidden');
      expect(await rowCounts(h)).toEqual(before);
    });

    test('an outsider, an unknown parent and a malformed parentId all get 404; nothing is written', async () => {
      const { outsider, facilitator, group } = await circle('Parent C');
      const before = await rowCounts(h);
      expectError(
        await req(outsider, 'POST', '/groups', { name: 'x', parentId: group.id }),
        404,
        'not_found',
      );
      expectError(
        await req(facilitator, 'POST', '/groups', { name: 'x', parentId: MISSING_ID }),
        404,
        'not_found',
      );
      expectError(
        await req(facilitator, 'POST', '/groups', { name: 'x', parentId: 'nope' }),
        404,
        'not_found',
      );
      expect(await rowCounts(h)).toEqual(before);
    });

    test('parentId null is a top-level group', async () => {
      const p = await signUp(h.app);
      const res = await req(p, 'POST', '/groups', { name: 'Top', parentId: null });
      expect(res.statusCode).toBe(201);
      expect(res.json().group.parentId).toBeNull();
    });
  });
});

describe('GET /groups', () => {
  test("{items, nextCursor}: only the caller's groups, each with the caller's role", async () => {
    const a = await signUp(h.app);
    const b = await signUp(h.app);
    const mine = await createGroup(h.app, a, 'A owns');
    const theirs = await createGroup(h.app, b, 'B owns');
    await join(h.app, b, theirs.id, a);
    await createGroup(h.app, b, 'B alone');

    const res = await req(a, 'GET', '/groups');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nextCursor).toBeNull();
    expect(
      body.items.map((g: { id: string; myRole: string; memberCount: number }) => [
        g.id,
        g.myRole,
        g.memberCount,
      ]),
    ).toEqual([
      [mine.id, 'facilitator', 1],
      [theirs.id, 'member', 2],
    ]);
  });

  test('pages with limit and cursor: every group once, in order', async () => {
    const p = await signUp(h.app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createGroup(h.app, p, `Paged ${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await req(
        p,
        'GET',
        `/groups?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((g: { id: string }) => g.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  test('401 when not signed in', async () => {
    expectError(await req(null, 'GET', '/groups'), 401, 'unauthenticated');
  });
});

describe('GET /groups/:id', () => {
  test('members get {group} with their own role', async () => {
    const { facilitator, member, group } = await circle('Readable');
    const asMember = await req(member, 'GET', `/groups/${group.id}`);
    expect(asMember.statusCode).toBe(200);
    expect(asMember.json().group).toMatchObject({
      id: group.id,
      name: 'Readable',
      myRole: 'member',
      memberCount: 2,
    });
    expect((await req(facilitator, 'GET', `/groups/${group.id}`)).json().group.myRole).toBe('facilitator');
  });

  test('404 for outsiders, unknown and malformed ids (the same answer each time)', async () => {
    const { outsider, member, group } = await circle('Hidden');
    const a = expectError(await req(outsider, 'GET', `/groups/${group.id}`), 404, 'not_found');
    const b = expectError(await req(member, 'GET', `/groups/${MISSING_ID}`), 404, 'not_found');
    expect(b).toEqual(a);
    expectError(await req(member, 'GET', '/groups/not-a-uuid'), 404, 'not_found');
    expectError(await req(member, 'GET', '/groups/%E2%9C%93'), 404, 'not_found');
  });
});

describe('PATCH /groups/:id', () => {
  test('a facilitator changes only the given fields', async () => {
    const { facilitator, group } = await circle('Patchable');
    await req(facilitator, 'PATCH', `/groups/${group.id}`, { description: 'Original description' });

    const renamed = await req(facilitator, 'PATCH', `/groups/${group.id}`, { name: '  Renamed  ' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().group).toMatchObject({
      name: 'Renamed',
      description: 'Original description',
      myRole: 'facilitator',
      memberCount: 2,
      settings: { membersCanStartThreads: true, membersCanCreateProposals: true, membersCanInvite: true },
    });

    const one = await req(facilitator, 'PATCH', `/groups/${group.id}`, {
      settings: { membersCanInvite: false },
    });
    expect(one.statusCode).toBe(200);
    expect(one.json().group).toMatchObject({
      name: 'Renamed',
      description: 'Original description',
      settings: { membersCanStartThreads: true, membersCanCreateProposals: true, membersCanInvite: false },
    });

    const other = await req(facilitator, 'PATCH', `/groups/${group.id}`, {
      settings: { membersCanStartThreads: false },
    });
    expect(other.json().group.settings).toEqual({
      membersCanStartThreads: false,
      membersCanCreateProposals: true,
      membersCanInvite: false,
      delegation: false,
    });
    expect(await groupRow(group.id)).toMatchObject({
      name: 'Renamed',
      description: 'Original description',
      members_can_start_threads: false,
      members_can_create_proposals: true,
      members_can_invite: false,
    });

    const emptied = await req(facilitator, 'PATCH', `/groups/${group.id}`, { description: '' });
    expect(emptied.json().group).toMatchObject({ name: 'Renamed', description: '' });
  });

  test('an empty PATCH changes nothing', async () => {
    const { facilitator, group } = await circle('Untouched');
    const before = await groupRow(group.id);
    const res = await req(facilitator, 'PATCH', `/groups/${group.id}`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json().group.name).toBe('Untouched');
    expect(await groupRow(group.id)).toEqual(before);
  });

  test('fields the contract does not name are ignored', async () => {
    const { facilitator, group } = await circle('Ignored fields');
    const other = await createGroup(h.app, facilitator, 'Would-be parent');
    const before = await groupRow(group.id);
    const res = await req(facilitator, 'PATCH', `/groups/${group.id}`, {
      parentId: other.id,
      id: MISSING_ID,
      memberCount: 50,
      settings: { membersCanFly: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().group).toMatchObject({ id: group.id, parentId: null, memberCount: 2 });
    expect(await groupRow(group.id)).toEqual(before);
  });

  test.each([
    ['a number for the name', { name: 3 }, '/name'],
    ['a blank name', { name: '  ' }, '/name'],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, '/name'],
    ['null for the description', { description: null }, '/description'],
    ['a string for a setting', { settings: { membersCanInvite: 'false' } }, '/settings/membersCanInvite'],
    [
      'a number for a setting',
      { settings: { membersCanStartThreads: 0 } },
      '/settings/membersCanStartThreads',
    ],
    ['a string for settings', { settings: 'open' }, '/settings'],
  ])('400 validation_failed for %s; nothing changes', async (_label, payload, path) => {
    const { facilitator, group } = await circle('Strict');
    const before = await groupRow(group.id);
    const events = await rowCounts(h);
    const res = await req(facilitator, 'PATCH', `/groups/${group.id}`, { ...payload });
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain(path);
    expect(await groupRow(group.id)).toEqual(before);
    expect(await rowCounts(h)).toEqual(events);
  });

  test('403 for a member, 404 for an outsider and a malformed id; nothing changes', async () => {
    const { member, outsider, group } = await circle('Guarded');
    const before = await groupRow(group.id);
    const counts = await rowCounts(h);
    expectError(await req(member, 'PATCH', `/groups/${group.id}`, { name: 'Coup' }), 403, 'forbidden');
    expectError(await req(outsider, 'PATCH', `/groups/${group.id}`, { name: 'Coup' }), 404, 'not_found');
    expectError(await req(member, 'PATCH', '/groups/bad-id', { name: 'Coup' }), 404, 'not_found');
    expect(await groupRow(group.id)).toEqual(before);
    expect(await rowCounts(h)).toEqual(counts);
  });
});

describe('GET /groups/:id/members', () => {
  test('{items: [membership]} in joining order, with user, role and joinedAt', async () => {
    const { facilitator, member, group } = await circle('Listed');
    const res = await req(member, 'GET', `/groups/${group.id}/members`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nextCursor).toBeNull();
    expect(body.items).toEqual([
      {
        user: expect.objectContaining({ id: facilitator.id, name: facilitator.name }),
        role: 'facilitator',
        joinedAt: expect.stringMatching(ISO),
      },
      {
        user: expect.objectContaining({ id: member.id, name: member.name }),
        role: 'member',
        joinedAt: expect.stringMatching(ISO),
      },
    ]);
  });

  test('email: a member sees only their own; a facilitator sees everyone’s', async () => {
    const { facilitator, member, group } = await circle('Emails');
    const [second] = await addMembers(h.app, facilitator, group.id, 1);
    const asMember = (await req(member, 'GET', `/groups/${group.id}/members`)).json().items as {
      user: { id: string; email?: string };
    }[];
    const emailFor = (items: typeof asMember, id: string) => items.find((m) => m.user.id === id)?.user.email;
    expect(emailFor(asMember, member.id)).toBe(member.email);
    expect(emailFor(asMember, facilitator.id)).toBeUndefined();
    expect(emailFor(asMember, second!.id)).toBeUndefined();
    expect(JSON.stringify(asMember)).not.toContain(second!.email);

    const asFacilitator = (await req(facilitator, 'GET', `/groups/${group.id}/members`)).json().items;
    expect(emailFor(asFacilitator, member.id)).toBe(member.email);
    expect(emailFor(asFacilitator, second!.id)).toBe(second!.email);
    expect(emailFor(asFacilitator, facilitator.id)).toBe(facilitator.email);
  });

  test('email: someone who facilitates another group the user belongs to sees it, even where they are a plain member', async () => {
    const { facilitator, member, group } = await circle('Shared A');
    // `member` facilitates a second group that `facilitator` also belongs to.
    const other = await createGroup(h.app, member, 'Shared B');
    await join(h.app, member, other.id, facilitator);
    const items = (await req(member, 'GET', `/groups/${group.id}/members`)).json().items as {
      user: { id: string; email?: string };
    }[];
    expect(items.find((m) => m.user.id === facilitator.id)?.user.email).toBe(facilitator.email);
  });

  test('pages through 7 members with limit=3: everyone once, no duplicates, in joining order', async () => {
    const facilitator = await signUp(h.app);
    const group = await createGroup(h.app, facilitator, 'Seven');
    const people = await addMembers(h.app, facilitator, group.id, 6);
    const expected = [facilitator.id, ...people.map((p) => p.id)];
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await req(
        facilitator,
        'GET',
        `/groups/${group.id}/members?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json();
      sizes.push(body.items.length);
      seen.push(...body.items.map((m: { user: { id: string } }) => m.user.id));
      cursor = body.nextCursor;
    } while (cursor && sizes.length < 10);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(expected);
  });

  test('limit defaults to 50 and anything above 200 is treated as 200', async () => {
    const facilitator = await signUp(h.app);
    const group = await createGroup(h.app, facilitator, 'Crowd');
    // 204 more people, written straight to the tables: signing each up would take minutes.
    const db = h.db.database.db;
    const users = await db
      .insertInto('users')
      .values(
        Array.from({ length: 204 }, (_, i) => ({
          email: `crowd${i}@example.org`,
          name: `Crowd ${i}`,
          handle: `crowd-${i}`,
          password_hash: 'unusable',
        })),
      )
      .returning('id')
      .execute();
    await db
      .insertInto('memberships')
      .values(users.map((u) => ({ group_id: group.id, user_id: u.id, role: 'member' as const })))
      .execute();

    const byDefault = (await req(facilitator, 'GET', `/groups/${group.id}/members`)).json();
    expect(byDefault.items).toHaveLength(50);
    expect(byDefault.nextCursor).toEqual(expect.any(String));

    const capped = (await req(facilitator, 'GET', `/groups/${group.id}/members?limit=5000`)).json();
    expect(capped.items).toHaveLength(200);
    const rest = (
      await req(
        facilitator,
        'GET',
        `/groups/${group.id}/members?limit=5000&cursor=${encodeURIComponent(capped.nextCursor)}`,
      )
    ).json();
    expect(rest.items).toHaveLength(5);
    expect(rest.nextCursor).toBeNull();
    const all = new Set([...capped.items, ...rest.items].map((m: { user: { id: string } }) => m.user.id));
    expect(all.size).toBe(205);
  });

  test.each([
    ['limit=0', '/limit'],
    ['limit=-1', '/limit'],
    ['limit=abc', '/limit'],
    ['limit=2.5', '/limit'],
    ['cursor=garbage', '/cursor'],
    [
      `cursor=${Buffer.from(JSON.stringify({ joinedAt: '2024-02-30T00:00:00.000000Z', userId: MISSING_ID })).toString('base64url')}`,
      '/cursor',
    ],
  ])('400 validation_failed for %s', async (query, path) => {
    const { member, group } = await circle('Bad query');
    const res = await req(member, 'GET', `/groups/${group.id}/members?${query}`);
    expect(detailPaths(expectError(res, 400, 'validation_failed'))).toContain(path);
  });

  test('404 for outsiders and malformed ids', async () => {
    const { outsider, member, group } = await circle('Private list');
    expectError(await req(outsider, 'GET', `/groups/${group.id}/members`), 404, 'not_found');
    expectError(await req(member, 'GET', '/groups/xyz/members'), 404, 'not_found');
  });
});

describe('PATCH /groups/:id/members/:userId', () => {
  test('a facilitator promotes a member: {membership}, a member.role_changed event and a role_changed notification', async () => {
    const { facilitator, member, group } = await circle('Promotion');
    const res = await req(facilitator, 'PATCH', `/groups/${group.id}/members/${member.id}`, {
      role: 'facilitator',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().membership).toMatchObject({
      user: { id: member.id, name: member.name },
      role: 'facilitator',
      joinedAt: expect.stringMatching(ISO),
    });
    expect(await roleOf(group.id, member.id)).toBe('facilitator');

    const events = await eventRows(h, { groupId: group.id, kind: 'member.role_changed' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: facilitator.id, subject_id: member.id });
    expect(events[0]!.data).toMatchObject({ userId: member.id, role: 'facilitator' });

    const notes = await notificationsOf(member.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ kind: 'role_changed', actor_id: facilitator.id, group_id: group.id });
    expect(notes[0]!.text).toContain('Promotion');
  });

  test('the last facilitator cannot step down (409 conflict, nothing written), but can after promoting someone', async () => {
    const { facilitator, member, group } = await circle('Last one');
    const before = await rowCounts(h);
    const res = await req(facilitator, 'PATCH', `/groups/${group.id}/members/${facilitator.id}`, {
      role: 'member',
    });
    expectError(res, 409, 'conflict');
    expect(await rowCounts(h)).toEqual(before);
    expect(await roleOf(group.id, facilitator.id)).toBe('facilitator');

    expect(
      (await req(facilitator, 'PATCH', `/groups/${group.id}/members/${member.id}`, { role: 'facilitator' }))
        .statusCode,
    ).toBe(200);
    const down = await req(facilitator, 'PATCH', `/groups/${group.id}/members/${facilitator.id}`, {
      role: 'member',
    });
    expect(down.statusCode).toBe(200);
    expect(down.json().membership.role).toBe('member');
    expect(await roleOf(group.id, facilitator.id)).toBe('member');
    // Stepping down oneself is no news to oneself.
    expect(await notificationsOf(facilitator.id)).toHaveLength(0);
  });

  test('a lone facilitator with no other members cannot step down either', async () => {
    const p = await signUp(h.app);
    const group = await createGroup(h.app, p, 'Solo');
    expectError(
      await req(p, 'PATCH', `/groups/${group.id}/members/${p.id}`, { role: 'member' }),
      409,
      'conflict',
    );
  });

  test('setting the role someone already has changes nothing and notifies no one', async () => {
    const { facilitator, member, group } = await circle('Same role');
    const before = await rowCounts(h);
    const res = await req(facilitator, 'PATCH', `/groups/${group.id}/members/${member.id}`, {
      role: 'member',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().membership.role).toBe('member');
    expect(await rowCounts(h)).toEqual(before);
  });

  test('two facilitators demoting each other at once never leave the group without one', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await signUp(h.app);
      const group = await createGroup(h.app, a, `Standoff ${round}`);
      const b = await signUp(h.app);
      await join(h.app, a, group.id, b, 'facilitator');
      expect(await facilitatorCount(group.id)).toBe(2);
      const before = await rowCounts(h);

      const [ab, ba] = await Promise.all([
        req(a, 'PATCH', `/groups/${group.id}/members/${b.id}`, { role: 'member' }),
        req(b, 'PATCH', `/groups/${group.id}/members/${a.id}`, { role: 'member' }),
      ]);
      const statuses = [ab.statusCode, ba.statusCode].sort();
      expect(statuses[0]).toBe(200);
      // The loser was demoted a moment earlier (403) or would have demoted the last facilitator (409).
      expect([403, 409]).toContain(statuses[1]);
      expect(await facilitatorCount(group.id)).toBe(1);
      const after = await rowCounts(h);
      expect(after.events - before.events).toBe(2); // one role change and its notification
      expect(after.notifications - before.notifications).toBe(1);
    }
  });

  test.each([
    ['an unknown role', { role: 'owner' }],
    ['no role', {}],
    ['a number', { role: 1 }],
  ])('400 validation_failed on /role for %s', async (_label, payload) => {
    const { facilitator, member, group } = await circle('Bad role');
    const res = await req(facilitator, 'PATCH', `/groups/${group.id}/members/${member.id}`, payload);
    // Every detail points at /role (a union may explain itself in more than one detail).
    expect([...new Set(detailPaths(expectError(res, 400, 'validation_failed')))]).toEqual(['/role']);
    expect(await roleOf(group.id, member.id)).toBe('member');
  });

  test('403 for a member (even on themself), 404 for outsiders, non-members and malformed ids; nothing is written', async () => {
    const { facilitator, member, outsider, group } = await circle('Role guard');
    const before = await rowCounts(h);
    expectError(
      await req(member, 'PATCH', `/groups/${group.id}/members/${member.id}`, { role: 'facilitator' }),
      403,
      'forbidden',
    );
    expectError(
      await req(member, 'PATCH', `/groups/${group.id}/members/${facilitator.id}`, { role: 'member' }),
      403,
      'forbidden',
    );
    expectError(
      await req(outsider, 'PATCH', `/groups/${group.id}/members/${member.id}`, { role: 'facilitator' }),
      404,
      'not_found',
    );
    expectError(
      await req(facilitator, 'PATCH', `/groups/${group.id}/members/${outsider.id}`, { role: 'facilitator' }),
      404,
      'not_found',
    );
    expectError(
      await req(facilitator, 'PATCH', `/groups/${group.id}/members/not-a-user`, { role: 'facilitator' }),
      404,
      'not_found',
    );
    expectError(
      await req(facilitator, 'PATCH', `/groups/nope/members/${member.id}`, { role: 'facilitator' }),
      404,
      'not_found',
    );
    expect(await rowCounts(h)).toEqual(before);
    expect(await roleOf(group.id, member.id)).toBe('member');
  });
});

describe('DELETE /groups/:id/members/:userId', () => {
  test('a member leaves: 204, a member.left event, and the group is then hidden from them', async () => {
    const { facilitator, member, group } = await circle('Leavable');
    const res = await req(member, 'DELETE', `/groups/${group.id}/members/${member.id}`);
    expect(res.statusCode).toBe(204);
    expect(await roleOf(group.id, member.id)).toBeNull();
    const left = await eventRows(h, { groupId: group.id, kind: 'member.left' });
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ actor_id: member.id, subject_id: member.id });
    expect(left[0]!.data).toMatchObject({ userId: member.id, removed: false });
    expectError(await req(member, 'GET', `/groups/${group.id}`), 404, 'not_found');
    expect((await req(facilitator, 'GET', `/groups/${group.id}`)).json().group.memberCount).toBe(1);
    expect((await req(member, 'GET', '/groups')).json().items).toEqual([]);
  });

  test('a facilitator removes a member: 204 and member.left marked removed', async () => {
    const { facilitator, member, group } = await circle('Removal');
    const res = await req(facilitator, 'DELETE', `/groups/${group.id}/members/${member.id}`);
    expect(res.statusCode).toBe(204);
    expect(await roleOf(group.id, member.id)).toBeNull();
    const left = await eventRows(h, { groupId: group.id, kind: 'member.left' });
    expect(left.map((e) => [e.actor_id, e.subject_id, e.data])).toEqual([
      [facilitator.id, member.id, expect.objectContaining({ userId: member.id, removed: true })],
    ]);
  });

  test('a member cannot remove someone else (403); outsiders, non-members and malformed ids are 404; nothing is written', async () => {
    const { facilitator, member, outsider, group } = await circle('Remove guard');
    const [other] = await addMembers(h.app, facilitator, group.id, 1);
    const before = await rowCounts(h);
    expectError(await req(member, 'DELETE', `/groups/${group.id}/members/${other!.id}`), 403, 'forbidden');
    expectError(
      await req(member, 'DELETE', `/groups/${group.id}/members/${facilitator.id}`),
      403,
      'forbidden',
    );
    expectError(await req(outsider, 'DELETE', `/groups/${group.id}/members/${member.id}`), 404, 'not_found');
    expectError(
      await req(outsider, 'DELETE', `/groups/${group.id}/members/${outsider.id}`),
      404,
      'not_found',
    );
    expectError(
      await req(facilitator, 'DELETE', `/groups/${group.id}/members/${outsider.id}`),
      404,
      'not_found',
    );
    expectError(await req(facilitator, 'DELETE', `/groups/${group.id}/members/bogus`), 404, 'not_found');
    expectError(await req(facilitator, 'DELETE', `/groups/bogus/members/${member.id}`), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
  });

  test('the last facilitator cannot leave while others remain (409, nothing written), but can after promoting someone', async () => {
    const { facilitator, member, group } = await circle('Captain');
    const before = await rowCounts(h);
    expectError(
      await req(facilitator, 'DELETE', `/groups/${group.id}/members/${facilitator.id}`),
      409,
      'conflict',
    );
    expect(await rowCounts(h)).toEqual(before);
    expect(await roleOf(group.id, facilitator.id)).toBe('facilitator');

    await req(facilitator, 'PATCH', `/groups/${group.id}/members/${member.id}`, { role: 'facilitator' });
    expect(
      (await req(facilitator, 'DELETE', `/groups/${group.id}/members/${facilitator.id}`)).statusCode,
    ).toBe(204);
    expect(await roleOf(group.id, facilitator.id)).toBeNull();
    expect(await facilitatorCount(group.id)).toBe(1);
  });

  test('a facilitator may remove a plain member without any facilitator rule getting in the way', async () => {
    const { facilitator, member, group } = await circle('Keeps one');
    expect((await req(facilitator, 'DELETE', `/groups/${group.id}/members/${member.id}`)).statusCode).toBe(
      204,
    );
    expect(await facilitatorCount(group.id)).toBe(1);
  });

  test('the last facilitator is told why they cannot leave, and what to do first', async () => {
    const { facilitator, group } = await circle('Told why');
    const error = expectError(
      await req(facilitator, 'DELETE', `/groups/${group.id}/members/${facilitator.id}`),
      409,
      'conflict',
    );
    expect(error.message).toMatch(/last facilitator.*make someone else a facilitator first/);
  });

  test('two facilitators leaving at once never leave the group without one', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await signUp(h.app);
      const group = await createGroup(h.app, a, `Walkout ${round}`);
      const b = await signUp(h.app);
      await join(h.app, a, group.id, b, 'facilitator');
      await join(h.app, a, group.id, await signUp(h.app));

      const [aLeaves, bLeaves] = await Promise.all([
        req(a, 'DELETE', `/groups/${group.id}/members/${a.id}`),
        req(b, 'DELETE', `/groups/${group.id}/members/${b.id}`),
      ]);
      expect([aLeaves.statusCode, bLeaves.statusCode].sort()).toEqual([204, 409]);
      expect(await facilitatorCount(group.id)).toBe(1);
    }
  });

  test('a group’s only member may leave it: no one is left without a facilitator', async () => {
    const loner = await signUp(h.app);
    const group = await createGroup(h.app, loner, 'Party of one');
    expect((await req(loner, 'DELETE', `/groups/${group.id}/members/${loner.id}`)).statusCode).toBe(204);
    expect(await roleOf(group.id, loner.id)).toBeNull();
    expect((await req(loner, 'GET', '/groups')).json().items).toEqual([]);
  });

  test('403 csrf_rejected for a cookie without Origin; the member stays', async () => {
    const { member, group } = await circle('Csrf leave');
    const res = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/groups/${group.id}/members/${member.id}`,
      headers: { cookie: member.headers.cookie },
    });
    expectError(res, 403, 'csrf_rejected');
    expect(await roleOf(group.id, member.id)).toBe('member');
  });
});

describe('authentication', () => {
  test('every group route is 401 without a session, before looking at the body', async () => {
    const { group, member } = await circle('Anonymous');
    const anon = { origin: ORIGIN };
    const calls: [string, string, unknown?][] = [
      ['POST', '/groups', { name: 3 }],
      ['GET', '/groups'],
      ['GET', `/groups/${group.id}`],
      ['PATCH', `/groups/${group.id}`, { name: 3 }],
      ['GET', `/groups/${group.id}/members?limit=abc`],
      ['PATCH', `/groups/${group.id}/members/${member.id}`, { role: 'x' }],
      ['DELETE', `/groups/${group.id}/members/${member.id}`],
    ];
    for (const [method, url, payload] of calls) {
      const res = await h.app.inject({
        method: method as 'GET',
        url: `/api/v1${url}`,
        headers: anon,
        ...(payload ? { payload: payload as object } : {}),
      });
      expect({ method, url, status: res.statusCode, code: res.json().error?.code }).toEqual({
        method,
        url,
        status: 401,
        code: 'unauthenticated',
      });
    }
  });
});
