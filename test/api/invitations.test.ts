import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createGroup,
  detailPaths,
  eventRows,
  expectError,
  type Harness,
  invite,
  join,
  MISSING_ID,
  ORIGIN,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { as } from '../helpers/requests';

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
  return as(h.app, { headers }).get(`/api/v1/invitations/${token}`);
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
      valid: true,
      issuedBy: { id: facilitator.id, name: facilitator.name },
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
    const patched = await as(h.app, facilitator).patch(`/api/v1/groups/${group.id}`, {
      settings: { membersCanInvite: false },
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

    const group2 = await as(h.app, newcomer).get(`/api/v1/groups/${group.id}`);
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
    const token = await as(h.app, p).post('/api/v1/tokens', { name: 'b' });
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${inv.token}/accept`,
      headers: { authorization: `Bearer ${token.json().token.secret}` },
    });
    expect(res.statusCode).toBe(200);
  });
});

// Contract 1.1: "A facilitator's invitation links stop working when that facilitator is demoted or
// leaves, unless another facilitator re-issues them; a removed member cannot rejoin through a link
// they used before." An invitation works only while its issuer may still issue that kind of
// invitation in the group; each link admits a person once, so whoever left or was removed needs a
// new link (or a re-issued one they never used).
describe('invitations follow their issuer’s standing', () => {
  function setRole(actor: Person, groupId: string, userId: string, role: string) {
    return as(h.app, actor).patch(`/api/v1/groups/${groupId}/members/${userId}`, { role });
  }
  function remove(actor: Person, groupId: string, userId: string) {
    return as(h.app, actor).delete(`/api/v1/groups/${groupId}/members/${userId}`);
  }
  function reissue(actor: Person, groupId: string, invitationId: string) {
    return as(h.app, actor).post(`/api/v1/groups/${groupId}/invitations/${invitationId}/reissue`);
  }
  async function listed(actor: Person, groupId: string, invitationId: string) {
    const res = await as(h.app, actor).get(`/api/v1/groups/${groupId}/invitations`);
    expect(res.statusCode).toBe(200);
    return (res.json().items as { id: string; valid: boolean; issuedBy: { id: string } | null }[]).find(
      (i) => i.id === invitationId,
    );
  }
  /** A group with two facilitators; the second has made an unlimited facilitator link. */
  async function coFacilitated(name: string) {
    const first = await signUp(h.app, { name: `${name} First` });
    const group = await createGroup(h.app, first, name);
    const second = await signUp(h.app, { name: `${name} Second` });
    await join(h.app, first, group.id, second, 'facilitator');
    const link = await invite(h.app, second, group.id, { role: 'facilitator' });
    expect(link.maxUses).toBeNull();
    return { first, second, group, link };
  }

  test('a facilitator demoted, who then leaves, cannot come back as facilitator through their own link', async () => {
    const { first, second, group, link } = await coFacilitated('Demoted issuer');
    expect((await setRole(first, group.id, second.id, 'member')).statusCode).toBe(200);
    expect((await remove(second, group.id, second.id)).statusCode).toBe(204);
    const before = await rowCounts(h);
    expectError(await accept(second, link.token), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
    expect(await isMember(group.id, second.id)).toBeNull();
  });

  test('a demoted facilitator’s links stop working at once: preview valid:false, listed as invalid, accept 404', async () => {
    const { first, second, group, link } = await coFacilitated('Stopped links');
    const memberLink = await invite(h.app, second, group.id, { role: 'member', maxUses: 10 });
    expect((await preview(link.token)).json().invitation.valid).toBe(true);
    expect(await listed(first, group.id, link.id)).toMatchObject({
      valid: true,
      issuedBy: { id: second.id },
    });

    expect((await setRole(first, group.id, second.id, 'member')).statusCode).toBe(200);
    const shown = await preview(link.token);
    expect(shown.statusCode).toBe(200);
    expect(shown.json().invitation.valid).toBe(false);
    expect(await listed(first, group.id, link.id)).toMatchObject({ valid: false });

    const newcomer = await signUp(h.app);
    const before = await rowCounts(h);
    expectError(await accept(newcomer, link.token), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
    expect(await isMember(group.id, newcomer.id)).toBeNull();
    expect((await invitationRow(link.token)).uses).toBe(0);

    // The links they made as facilitator stop too, even those that make members, although members
    // may invite here: the contract ties a facilitator's links to that facilitator's role.
    expect((await preview(memberLink.token)).json().invitation.valid).toBe(false);
    expectError(await accept(newcomer, memberLink.token), 404, 'not_found');
    // A link they make now, as a member who may invite, works.
    const ownLink = await invite(h.app, second, group.id, { role: 'member' });
    expect((await accept(newcomer, ownLink.token)).statusCode).toBe(200);
  });

  test('a member’s link keeps working when that member is made a facilitator', async () => {
    const { first, group } = await coFacilitated('Promoted issuer');
    const riser = await signUp(h.app);
    await join(h.app, first, group.id, riser);
    const link = await invite(h.app, riser, group.id, { role: 'member', maxUses: 5 });
    expect((await setRole(first, group.id, riser.id, 'facilitator')).statusCode).toBe(200);
    expect((await preview(link.token)).json().invitation.valid).toBe(true);
    expect((await accept(await signUp(h.app), link.token)).statusCode).toBe(200);
  });

  test('a member’s links stop working when they leave or when members may no longer invite', async () => {
    const { facilitator, member, group } = await circle('Member links');
    const leaver = await signUp(h.app);
    await join(h.app, facilitator, group.id, leaver);
    const leaversLink = await invite(h.app, leaver, group.id);
    const membersLink = await invite(h.app, member, group.id);
    const facilitatorsLink = await invite(h.app, facilitator, group.id);

    expect((await remove(leaver, group.id, leaver.id)).statusCode).toBe(204);
    expect((await preview(leaversLink.token)).json().invitation.valid).toBe(false);
    expectError(await accept(await signUp(h.app), leaversLink.token), 404, 'not_found');

    const patched = await as(h.app, facilitator).patch(`/api/v1/groups/${group.id}`, {
      settings: { membersCanInvite: false },
    });
    expect(patched.statusCode).toBe(200);
    expect((await preview(membersLink.token)).json().invitation.valid).toBe(false);
    expectError(await accept(await signUp(h.app), membersLink.token), 404, 'not_found');
    expect((await preview(facilitatorsLink.token)).json().invitation.valid).toBe(true);
    expect((await accept(await signUp(h.app), facilitatorsLink.token)).statusCode).toBe(200);
  });

  test('a link re-issued by another facilitator works again, with that facilitator as its issuer', async () => {
    const { first, second, group, link } = await coFacilitated('Reissued');
    expect((await setRole(first, group.id, second.id, 'member')).statusCode).toBe(200);
    expect((await preview(link.token)).json().invitation.valid).toBe(false);

    const res = await reissue(first, group.id, link.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().invitation).toMatchObject({
      id: link.id,
      token: link.token,
      role: 'facilitator',
      valid: true,
      issuedBy: { id: first.id, name: first.name },
    });
    expect((await preview(link.token)).json().invitation.valid).toBe(true);
    const newcomer = await signUp(h.app);
    const joined = await accept(newcomer, link.token);
    expect(joined.statusCode).toBe(200);
    expect(joined.json().membership.role).toBe('facilitator');
  });

  test('only a facilitator may re-issue (403 for a member, 404 for outsiders and unknown links); nothing changes', async () => {
    const { first, second, group, link } = await coFacilitated('Reissue guard');
    expect((await setRole(first, group.id, second.id, 'member')).statusCode).toBe(200);
    const outsider = await signUp(h.app);
    const other = await createGroup(h.app, first, 'Another circle');
    const before = await rowCounts(h);
    expectError(await reissue(second, group.id, link.id), 403, 'forbidden');
    expectError(await reissue(outsider, group.id, link.id), 404, 'not_found');
    expectError(await reissue(first, group.id, MISSING_ID), 404, 'not_found');
    expectError(await reissue(first, group.id, 'not-an-id'), 404, 'not_found');
    expectError(await reissue(first, other.id, link.id), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
    expect((await preview(link.token)).json().invitation.valid).toBe(false);
    expect((await invitationRow(link.token)).created_by).toBe(second.id);
  });

  test('a removed member cannot rejoin through the link they used; others still can', async () => {
    const { facilitator, group } = await circle('Removed');
    const link = await invite(h.app, facilitator, group.id, { maxUses: 10 });
    const removed = await signUp(h.app);
    expect((await accept(removed, link.token)).statusCode).toBe(200);
    expect((await remove(facilitator, group.id, removed.id)).statusCode).toBe(204);

    const before = await rowCounts(h);
    expectError(await accept(removed, link.token), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
    expect(await isMember(group.id, removed.id)).toBeNull();
    expect((await invitationRow(link.token)).uses).toBe(1);

    expect((await accept(await signUp(h.app), link.token)).statusCode).toBe(200);
    // A new link, or one they never used, lets them back in: someone chose to invite them again.
    const fresh = await invite(h.app, facilitator, group.id);
    expect((await accept(removed, fresh.token)).statusCode).toBe(200);
  });

  test('whoever left is treated the same: a link admits each person once', async () => {
    const { facilitator, group } = await circle('Left');
    const link = await invite(h.app, facilitator, group.id, { maxUses: 10 });
    const leaver = await signUp(h.app);
    expect((await accept(leaver, link.token)).statusCode).toBe(200);
    expect((await remove(leaver, group.id, leaver.id)).statusCode).toBe(204);
    const before = await rowCounts(h);
    expectError(await accept(leaver, link.token), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
  });
});

// A facilitator's invitation screen lists the group's links (GET /groups/:id/invitations) and revokes
// one (DELETE /groups/:id/invitations/:invitationId): whoever holds a revoked link can no longer join.
describe('listing and revoking a group’s invitation links', () => {
  function list(actor: Person, groupId: string) {
    return as(h.app, actor).get(`/api/v1/groups/${groupId}/invitations`);
  }
  function revoke(actor: Person | null, groupId: string, invitationId: string) {
    return as(h.app, actor ?? { headers: { origin: ORIGIN } }).delete(
      `/api/v1/groups/${groupId}/invitations/${invitationId}`,
    );
  }
  type Listed = { id: string; token: string; uses: number; maxUses: number | null; expiresAt: string | null };
  async function listedIds(actor: Person, groupId: string) {
    const res = await list(actor, groupId);
    expect(res.statusCode).toBe(200);
    return (res.json().items as Listed[]).map((i) => i.id);
  }

  test('a facilitator sees each link with its role, uses, limit and expiry', async () => {
    const { facilitator, group } = await circle('Listed links');
    const capped = await invite(h.app, facilitator, group.id, { maxUses: 3 });
    const forFacilitators = await invite(h.app, facilitator, group.id, { role: 'facilitator' });
    expect((await accept(await signUp(h.app), capped.token)).statusCode).toBe(200);

    const res = await list(facilitator, group.id);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as (Listed & { role: string; valid: boolean })[];
    expect(items.find((i) => i.id === capped.id)).toMatchObject({
      role: 'member',
      uses: 1,
      maxUses: 3,
      valid: true,
      email: null,
      issuedBy: { id: facilitator.id, name: facilitator.name },
    });
    expect(items.find((i) => i.id === forFacilitators.id)).toMatchObject({
      role: 'facilitator',
      uses: 0,
      maxUses: null,
      valid: true,
    });
    const expiry = Date.parse(items.find((i) => i.id === capped.id)!.expiresAt!);
    expect(expiry - Date.now()).toBeGreaterThan(13 * 86_400_000);
  });

  test('a revoked link admits no one: 204, then accept and preview are 404 and the list drops it', async () => {
    const { facilitator, outsider, group } = await circle('Revoked link');
    const revoked = await invite(h.app, facilitator, group.id);
    const kept = await invite(h.app, facilitator, group.id);

    expect((await revoke(facilitator, group.id, revoked.id)).statusCode).toBe(204);

    const before = await rowCounts(h);
    expectError(await accept(outsider, revoked.token), 404, 'not_found');
    expectError(await preview(revoked.token), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
    expect(await isMember(group.id, outsider.id)).toBeNull();
    const ids = await listedIds(facilitator, group.id);
    expect(ids).not.toContain(revoked.id);
    expect(ids).toContain(kept.id);

    // The group's other link is untouched, and the revoked one cannot be revoked twice.
    expect((await accept(outsider, kept.token)).statusCode).toBe(200);
    expectError(await revoke(facilitator, group.id, revoked.id), 404, 'not_found');
  });

  test('revoking a link people joined through keeps them in the group', async () => {
    const { facilitator, group } = await circle('Joined then revoked');
    const link = await invite(h.app, facilitator, group.id, { maxUses: 5 });
    const joiner = await signUp(h.app);
    expect((await accept(joiner, link.token)).statusCode).toBe(200);

    expect((await revoke(facilitator, group.id, link.id)).statusCode).toBe(204);
    expect(await isMember(group.id, joiner.id)).toBe('member');
    expectError(await accept(await signUp(h.app), link.token), 404, 'not_found');
  });

  test('only the group’s facilitators revoke its links: 403 for a member, 404 otherwise; the link still works', async () => {
    const { facilitator, member, outsider, group } = await circle('Revoke guard');
    const link = await invite(h.app, facilitator, group.id);
    const elsewhere = await signUp(h.app);
    const otherGroup = await createGroup(h.app, elsewhere, 'Another circle');

    const before = await rowCounts(h);
    expectError(await revoke(member, group.id, link.id), 403, 'forbidden');
    expectError(await revoke(outsider, group.id, link.id), 404, 'not_found');
    // A facilitator of another group cannot reach this group's link through their own group.
    expectError(await revoke(elsewhere, otherGroup.id, link.id), 404, 'not_found');
    expectError(await revoke(facilitator, group.id, MISSING_ID), 404, 'not_found');
    expectError(await revoke(facilitator, group.id, 'not-an-id'), 404, 'not_found');
    expectError(await revoke(null, group.id, link.id), 401, 'unauthenticated');
    expectError(
      await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/groups/${group.id}/invitations/${link.id}`,
        headers: { cookie: facilitator.headers.cookie },
      }),
      403,
      'csrf_rejected',
    );
    expect(await rowCounts(h)).toEqual(before);
    expect((await accept(outsider, link.token)).statusCode).toBe(200);
  });
});
