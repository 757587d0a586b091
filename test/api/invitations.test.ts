import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createGroup,
  eventRows,
  expectError,
  type Harness,
  invite,
  join,
  ORIGIN,
  type Person,
  rowCounts,
  signUp,
  startApp,
  MISSING_ID,
  detailPaths,
} from '../helpers/app';

// Contract: "Groups, members, invitations" (POST /groups/:id/invitations, GET /invitations/:token, accept).

let h: Harness;
beforeAll(async () => {
  // Many sign-ups from one address; the invitation limits have their own tests (errors.test.ts).
  h = await startApp({ RATE_LIMITS: 'off' });
});
afterAll(() => h?.close());

function create(person: Person | null, groupId: string, payload?: unknown) {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/groups/${groupId}/invitations`,
    headers: person?.headers ?? { origin: ORIGIN },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}
function preview(token: string, headers: Record<string, string> = {}) {
  return h.app.inject({ url: `/api/v1/invitations/${token}`, headers });
}
function accept(person: Person | null, token: string) {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/invitations/${token}/accept`,
    headers: person?.headers ?? { origin: ORIGIN },
  });
}
async function invitationRow(token: string) {
  return h.db.database.db
    .selectFrom('invitations')
    .selectAll()
    .where('token', '=', token)
    .executeTakeFirstOrThrow();
}
async function isMember(groupId: string, userId: string) {
  const row = await h.db.database.db
    .selectFrom('memberships')
    .select('role')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

async function circle(name = 'Circle') {
  const facilitator = await signUp(h.app, { name: `${name} Facilitator` });
  const group = await createGroup(h.app, facilitator, name);
  const member = await signUp(h.app, { name: `${name} Member` });
  await join(h.app, facilitator, group.id, member);
  const outsider = await signUp(h.app, { name: `${name} Outsider` });
  return { facilitator, member, outsider, group };
}

describe('POST /groups/:id/invitations', () => {
  test('201 {invitation} with the contract fields and defaults (member, unlimited, expires in 14 days)', async () => {
    const { facilitator, group } = await circle('Inviting');
    const res = await create(facilitator, group.id, {});
    expect(res.statusCode).toBe(201);
    const { invitation } = res.json();
    expect(invitation).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/),
      url: `${ORIGIN}/invite/${invitation.token}`,
      role: 'member',
      email: null,
      expiresAt: expect.any(String),
      maxUses: null,
      uses: 0,
    });
    const days = (Date.parse(invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThanOrEqual(14);
  });

  test('a body is optional: all its fields are', async () => {
    const { facilitator, group } = await circle('No body');
    const res = await create(facilitator, group.id);
    expect(res.statusCode).toBe(201);
    expect(res.json().invitation).toMatchObject({ role: 'member', maxUses: null, uses: 0 });
  });

  test('takes role, maxUses, expiresAt and email as given', async () => {
    const { facilitator, group } = await circle('Explicit');
    const expiresAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const res = await create(facilitator, group.id, { role: 'facilitator', maxUses: 3, expiresAt });
    expect(res.statusCode).toBe(201);
    expect(res.json().invitation).toMatchObject({
      role: 'facilitator',
      maxUses: 3,
      uses: 0,
      expiresAt,
      email: null,
    });
  });

  test('an invitation to an email is single-use by default and notifies an existing account', async () => {
    const { facilitator, group } = await circle('By email');
    const invitee = await signUp(h.app);
    const res = await create(facilitator, group.id, { email: invitee.email.toUpperCase() });
    expect(res.statusCode).toBe(201);
    expect(res.json().invitation).toMatchObject({ email: invitee.email.toUpperCase(), maxUses: 1 });
    const notes = await h.db.database.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', invitee.id)
      .execute();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ kind: 'invited', actor_id: facilitator.id, group_id: group.id });
  });

  test.each([
    ['a past expiresAt', { expiresAt: new Date(Date.now() - 60_000).toISOString() }, '/expiresAt'],
    ['a date without a time for expiresAt', { expiresAt: '2099-01-01' }, '/expiresAt'],
    ['text for expiresAt', { expiresAt: 'tomorrow' }, '/expiresAt'],
    ['a number for expiresAt', { expiresAt: 1_900_000_000_000 }, '/expiresAt'],
    ['maxUses of 0', { maxUses: 0 }, '/maxUses'],
    ['a fractional maxUses', { maxUses: 1.5 }, '/maxUses'],
    ['a string for maxUses', { maxUses: '3' }, '/maxUses'],
    ['an unknown role', { role: 'owner' }, '/role'],
    ['a malformed email', { email: 'someone' }, '/email'],
    ['a number for email', { email: 5 }, '/email'],
  ])('400 validation_failed for %s; no invitation is written', async (_label, payload, path) => {
    const { facilitator, group } = await circle('Strict invite');
    const before = await rowCounts(h);
    const error = expectError(await create(facilitator, group.id, payload), 400, 'validation_failed');
    expect(detailPaths(error)).toContain(path);
    expect(await rowCounts(h)).toEqual(before);
  });

  test('fields the contract does not name are ignored', async () => {
    const { facilitator, group } = await circle('Extra fields');
    const res = await create(facilitator, group.id, { uses: 7, token: 'chosen-token', groupId: MISSING_ID });
    expect(res.statusCode).toBe(201);
    const { invitation } = res.json();
    expect(invitation.uses).toBe(0);
    expect(invitation.token).not.toBe('chosen-token');
    expect((await invitationRow(invitation.token)).group_id).toBe(group.id);
  });

  test('members may invite while membersCanInvite is on, but never as facilitator (403)', async () => {
    const { member, group } = await circle('Open invites');
    const res = await create(member, group.id, {});
    expect(res.statusCode).toBe(201);
    expect(res.json().invitation.role).toBe('member');
    const before = await rowCounts(h);
    expectError(await create(member, group.id, { role: 'facilitator' }), 403, 'forbidden');
    expect(await rowCounts(h)).toEqual(before);
  });

  test('membersCanInvite=false stops members (403, nothing written) while facilitators still can', async () => {
    const { facilitator, member, group } = await circle('Closed invites');
    const patched = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/groups/${group.id}`,
      headers: facilitator.headers,
      payload: { settings: { membersCanInvite: false } },
    });
    expect(patched.json().group.settings.membersCanInvite).toBe(false);
    const before = await rowCounts(h);
    expectError(await create(member, group.id, {}), 403, 'forbidden');
    expect(await rowCounts(h)).toEqual(before);
    expect((await create(facilitator, group.id, {})).statusCode).toBe(201);
    expect((await create(facilitator, group.id, { role: 'facilitator' })).statusCode).toBe(201);
  });

  test('404 for outsiders, unknown and malformed group ids; 401 without a session; nothing is written', async () => {
    const { outsider, facilitator, group } = await circle('Invite guard');
    const before = await rowCounts(h);
    expectError(await create(outsider, group.id, {}), 404, 'not_found');
    expectError(await create(facilitator, MISSING_ID, {}), 404, 'not_found');
    expectError(await create(facilitator, 'not-an-id', {}), 404, 'not_found');
    expectError(await create(null, group.id, { maxUses: 'x' }), 401, 'unauthenticated');
    expectError(
      await h.app.inject({
        method: 'POST',
        url: `/api/v1/groups/${group.id}/invitations`,
        headers: { cookie: facilitator.headers.cookie },
        payload: {},
      }),
      403,
      'csrf_rejected',
    );
    expect(await rowCounts(h)).toEqual(before);
  });
});

describe('GET /invitations/:token', () => {
  test('anyone, signed in or not, sees {invitation: {groupName, role, valid}}', async () => {
    const { facilitator, group } = await circle('Preview Club');
    const inv = await invite(h.app, facilitator, group.id, { role: 'facilitator' });
    const res = await preview(inv.token);
    expect(res.statusCode).toBe(200);
    expect(res.json().invitation).toMatchObject({
      groupName: 'Preview Club',
      role: 'facilitator',
      valid: true,
    });
    const signedIn = await preview(inv.token, (await signUp(h.app)).headers);
    expect(signedIn.json().invitation.valid).toBe(true);
  });

  test('404 for an unknown token, however it looks', async () => {
    expectError(await preview('nope'), 404, 'not_found');
    expectError(await preview('x'.repeat(32)), 404, 'not_found');
    expectError(await preview('%F0%9F%97%B3'), 404, 'not_found');
  });

  test('valid:false once expired', async () => {
    const { facilitator, group } = await circle('Expiring');
    const inv = await invite(h.app, facilitator, group.id);
    await h.db.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', inv.id)
      .execute();
    const res = await preview(inv.token);
    expect(res.statusCode).toBe(200);
    expect(res.json().invitation.valid).toBe(false);
  });

  test('valid:false once used up', async () => {
    const { facilitator, group } = await circle('Single use');
    const inv = await invite(h.app, facilitator, group.id, { maxUses: 1 });
    expect((await accept(await signUp(h.app), inv.token)).statusCode).toBe(200);
    const res = await preview(inv.token);
    expect(res.statusCode).toBe(200);
    expect(res.json().invitation.valid).toBe(false);
  });
});

describe('POST /invitations/:token/accept', () => {
  test('200 {membership} in the invitation’s role, one use taken, member.joined logged', async () => {
    const { facilitator, group } = await circle('Joinable');
    const inv = await invite(h.app, facilitator, group.id, { maxUses: 5 });
    const newcomer = await signUp(h.app, { name: 'New Comer' });
    const res = await accept(newcomer, inv.token);
    expect(res.statusCode).toBe(200);
    expect(res.json().membership).toMatchObject({
      user: { id: newcomer.id, name: 'New Comer' },
      role: 'member',
      joinedAt: expect.any(String),
    });
    expect(await isMember(group.id, newcomer.id)).toBe('member');
    expect((await invitationRow(inv.token)).uses).toBe(1);

    const joined = await eventRows(h, { groupId: group.id, kind: 'member.joined' });
    const mine = joined.filter((e) => e.subject_id === newcomer.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ actor_id: newcomer.id });
    expect(mine[0]!.data).toMatchObject({ userId: newcomer.id, role: 'member' });

    const group2 = await h.app.inject({ url: `/api/v1/groups/${group.id}`, headers: newcomer.headers });
    expect(group2.json().group).toMatchObject({ myRole: 'member', memberCount: 3 });
  });

  test('a facilitator invitation makes a facilitator', async () => {
    const { facilitator, group } = await circle('Co-facilitate');
    const inv = await invite(h.app, facilitator, group.id, { role: 'facilitator' });
    const p = await signUp(h.app);
    const res = await accept(p, inv.token);
    expect(res.json().membership.role).toBe('facilitator');
    expect(await isMember(group.id, p.id)).toBe('facilitator');
  });

  test('404 for an unknown token; nothing is written', async () => {
    const p = await signUp(h.app);
    const before = await rowCounts(h);
    expectError(await accept(p, 'no-such-token'), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
  });

  test('404 once expired; nothing is written', async () => {
    const { facilitator, group } = await circle('Expired accept');
    const inv = await invite(h.app, facilitator, group.id);
    await h.db.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', inv.id)
      .execute();
    const p = await signUp(h.app);
    const before = await rowCounts(h);
    expectError(await accept(p, inv.token), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
    expect(await isMember(group.id, p.id)).toBeNull();
  });

  test('404 once maxUses are used up; nothing is written', async () => {
    const { facilitator, group } = await circle('Used up');
    const inv = await invite(h.app, facilitator, group.id, { maxUses: 2 });
    expect((await accept(await signUp(h.app), inv.token)).statusCode).toBe(200);
    expect((await accept(await signUp(h.app), inv.token)).statusCode).toBe(200);
    const third = await signUp(h.app);
    const before = await rowCounts(h);
    expectError(await accept(third, inv.token), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
    expect((await invitationRow(inv.token)).uses).toBe(2);
    expect(await isMember(group.id, third.id)).toBeNull();
  });

  test('409 conflict for someone already a member, without using up a use', async () => {
    const { facilitator, member, group } = await circle('Already in');
    const inv = await invite(h.app, facilitator, group.id, { maxUses: 1 });
    const before = await rowCounts(h);
    expectError(await accept(member, inv.token), 409, 'conflict');
    expectError(await accept(facilitator, inv.token), 409, 'conflict');
    expect(await rowCounts(h)).toEqual(before);
    expect((await invitationRow(inv.token)).uses).toBe(0);
    expect(await isMember(group.id, facilitator.id)).toBe('facilitator');
    // The single use is still there for someone new.
    expect((await accept(await signUp(h.app), inv.token)).statusCode).toBe(200);
  });

  test('two people accepting a maxUses:1 invitation at once: exactly one joins', async () => {
    for (let round = 0; round < 3; round++) {
      const facilitator = await signUp(h.app);
      const group = await createGroup(h.app, facilitator, `Race ${round}`);
      const inv = await invite(h.app, facilitator, group.id, { maxUses: 1 });
      const a = await signUp(h.app);
      const b = await signUp(h.app);
      const before = await rowCounts(h);
      const results = await Promise.all([accept(a, inv.token), accept(b, inv.token)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 404]);
      const members = [await isMember(group.id, a.id), await isMember(group.id, b.id)];
      expect(members.filter(Boolean)).toHaveLength(1);
      expect((await invitationRow(inv.token)).uses).toBe(1);
      const after = await rowCounts(h);
      expect(after.memberships - before.memberships).toBe(1);
      expect(after.events - before.events).toBe(1);
    }
  });

  test('an invitation sent to an email is for that email only (403 for others), case aside', async () => {
    const { facilitator, group } = await circle('Addressed');
    const invitee = await signUp(h.app);
    const inv = await invite(h.app, facilitator, group.id, { email: invitee.email.toUpperCase() });
    const stranger = await signUp(h.app);
    const before = await rowCounts(h);
    expectError(await accept(stranger, inv.token), 403, 'forbidden');
    expect(await rowCounts(h)).toEqual(before);
    expect((await accept(invitee, inv.token)).statusCode).toBe(200);
  });

  test('401 without a session and 403 csrf_rejected for a cookie without Origin; nothing is written', async () => {
    const { facilitator, group } = await circle('Guarded accept');
    const inv = await invite(h.app, facilitator, group.id);
    const p = await signUp(h.app);
    const before = await rowCounts(h);
    expectError(await accept(null, inv.token), 401, 'unauthenticated');
    expectError(
      await h.app.inject({
        method: 'POST',
        url: `/api/v1/invitations/${inv.token}/accept`,
        headers: { cookie: p.headers.cookie },
      }),
      403,
      'csrf_rejected',
    );
    expectError(
      await h.app.inject({
        method: 'POST',
        url: `/api/v1/invitations/${inv.token}/accept`,
        headers: { cookie: p.headers.cookie, origin: 'https://attacker.example' },
      }),
      403,
      'csrf_rejected',
    );
    expect(await rowCounts(h)).toEqual(before);
    expect(await isMember(group.id, p.id)).toBeNull();
  });

  test('Bearer tokens may accept without an Origin', async () => {
    const { facilitator, group } = await circle('Bot joins');
    const inv = await invite(h.app, facilitator, group.id);
    const p = await signUp(h.app);
    const token = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: p.headers,
      payload: { name: 'b' },
    });
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${inv.token}/accept`,
      headers: { authorization: `Bearer ${token.json().token.secret}` },
    });
    expect(res.statusCode).toBe(200);
  });
});
