import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createGroup, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { createProposal, inSeconds } from '../helpers/factories';
import { startThread } from '../helpers/threads';

// Permissions arrive with each resource (#15) so the client never works them out itself.
// Each case checks what a resource says its viewer may do against what the server then
// lets them do: a permission the server would refuse, or a refusal it would allow, fails.
let h: Harness;
let fran: Person; // facilitator
let ada: Person; // member, author of the thread and the proposal
let bo: Person; // member

beforeAll(async () => {
  h = await startApp();
  [fran, ada, bo] = [
    await signUp(h.app, { name: 'Fran Facilitator' }),
    await signUp(h.app, { name: 'Ada Author' }),
    await signUp(h.app, { name: 'Bo Member' }),
  ];
});
afterAll(() => h?.close());

const api = (who: Person, method: string, url: string, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: who.headers,
    payload: payload as object,
  });

async function circle(name: string) {
  const groupId = (await createGroup(h.app, fran, name)).id;
  await join(h.app, fran, groupId, ada);
  await join(h.app, fran, groupId, bo);
  return groupId;
}

/** 2xx as "allowed", 403 as "refused"; anything else fails the test. */
function allowed(res: { statusCode: number; body: string }): boolean {
  if (res.statusCode === 403) return false;
  expect(res.statusCode, res.body).toBeLessThan(300);
  return true;
}

describe('group permissions', () => {
  test('follow the role and the group settings, and agree with what the server allows', async () => {
    const groupId = await circle('Settings circle');
    const of = async (who: Person) => (await api(who, 'GET', `/groups/${groupId}`)).json().group.permissions;

    expect(await of(fran)).toEqual({
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
    });
    const member = {
      updateGroup: false,
      changeRoles: false,
      removeMember: false,
      invite: true,
      inviteFacilitator: false,
      listInvitations: false,
      createSubgroup: false,
      startThread: true,
      createProposal: true,
      moderateComments: false,
      exportGroup: false,
      manageTemplates: false,
    };
    expect(await of(ada)).toEqual(member);
    // The list of my groups carries them too.
    const mine = (await api(ada, 'GET', '/groups'))
      .json()
      .items.find((g: { id: string }) => g.id === groupId);
    expect(mine.permissions).toEqual(member);

    const off = { membersCanStartThreads: false, membersCanCreateProposals: false, membersCanInvite: false };
    expect((await api(fran, 'PATCH', `/groups/${groupId}`, { settings: off })).statusCode).toBe(200);
    const restricted = await of(ada);
    expect(restricted).toEqual({ ...member, invite: false, startThread: false, createProposal: false });

    const threadId = (await startThread(h.app, fran, groupId)).id;
    const attempts: Record<string, () => Promise<{ statusCode: number; body: string }>> = {
      updateGroup: () => api(ada, 'PATCH', `/groups/${groupId}`, { description: 'ours' }),
      invite: () => api(ada, 'POST', `/groups/${groupId}/invitations`, {}),
      inviteFacilitator: () => api(ada, 'POST', `/groups/${groupId}/invitations`, { role: 'facilitator' }),
      listInvitations: () => api(ada, 'GET', `/groups/${groupId}/invitations`),
      createSubgroup: () => api(ada, 'POST', '/groups', { name: 'Sub', parentId: groupId }),
      startThread: () => api(ada, 'POST', `/groups/${groupId}/threads`, { title: 'Mine' }),
      createProposal: () =>
        api(ada, 'POST', `/threads/${threadId}/proposals`, {
          kind: 'proposal',
          title: 'Adopt it',
          closesAt: inSeconds(3600),
        }),
      changeRoles: () => api(ada, 'PATCH', `/groups/${groupId}/members/${bo.id}`, { role: 'facilitator' }),
      exportGroup: () => api(ada, 'GET', `/groups/${groupId}/export`),
    };
    for (const [action, attempt] of Object.entries(attempts)) {
      expect({ action, allowed: allowed(await attempt()) }).toEqual({ action, allowed: restricted[action] });
    }
  });

  test('change when the role does', async () => {
    const groupId = await circle('Promotion circle');
    expect(
      (await api(fran, 'PATCH', `/groups/${groupId}/members/${bo.id}`, { role: 'facilitator' })).statusCode,
    ).toBe(200);
    const group = (await api(bo, 'GET', `/groups/${groupId}`)).json().group;
    expect(group.permissions).toMatchObject({ changeRoles: true, updateGroup: true, moderateComments: true });
  });
});

describe('thread permissions', () => {
  const expected = {
    fran: { edit: true, pin: true, close: true, reopen: true },
    ada: { edit: true, pin: false, close: true, reopen: false },
    bo: { edit: false, pin: false, close: false, reopen: false },
  };

  test('arrive with the thread, its list and its creation, as each viewer may act', async () => {
    const groupId = await circle('Thread circle');
    const created = await startThread(h.app, ada, groupId);
    expect(created.permissions).toEqual(expected.ada);
    for (const [name, who] of [
      ['fran', fran],
      ['ada', ada],
      ['bo', bo],
    ] as const) {
      const thread = (await api(who, 'GET', `/threads/${created.id}`)).json().thread;
      expect({ name, permissions: thread.permissions }).toEqual({ name, permissions: expected[name] });
      const listed = (await api(who, 'GET', `/groups/${groupId}/threads`)).json().items[0];
      expect({ name, permissions: listed.permissions }).toEqual({ name, permissions: expected[name] });
    }
  });

  test('agree with what the server allows each of them', async () => {
    const groupId = await circle('Thread actions circle');
    const threadId = (await startThread(h.app, ada, groupId)).id;
    for (const [name, who] of [
      ['fran', fran],
      ['ada', ada],
      ['bo', bo],
    ] as const) {
      const may = (await api(who, 'GET', `/threads/${threadId}`)).json().thread.permissions;
      const patch = (body: object) => api(who, 'PATCH', `/threads/${threadId}`, body);
      const did = {
        edit: allowed(await patch({ title: `Edited by ${name}` })),
        pin: allowed(await patch({ pinned: true })),
        close: allowed(await patch({ closed: true })),
        // Reopening needs a closed thread: the facilitator closes it first if the viewer could not.
        reopen: await (async () => {
          await api(fran, 'PATCH', `/threads/${threadId}`, { closed: true });
          return allowed(await patch({ closed: false }));
        })(),
      };
      await api(fran, 'PATCH', `/threads/${threadId}`, { closed: false, pinned: false });
      expect({ name, did }).toEqual({ name, did: may });
    }
  });
});

describe('proposal permissions', () => {
  const expected = {
    fran: { edit: true, close: true, remind: true, stateOutcome: true, reopen: true, saveAsTemplate: true },
    ada: { edit: true, close: true, remind: true, stateOutcome: true, reopen: false, saveAsTemplate: false },
    bo: {
      edit: false,
      close: false,
      remind: false,
      stateOutcome: false,
      reopen: false,
      saveAsTemplate: false,
    },
  };
  const people = () =>
    [
      ['fran', fran],
      ['ada', ada],
      ['bo', bo],
    ] as const;

  test('arrive with the proposal, in the timeline and in the answer to its creation; never in events', async () => {
    const groupId = await circle('Proposal circle');
    const threadId = (await startThread(h.app, fran, groupId)).id;
    const created = await createProposal(h.app, ada, threadId, { kind: 'proposal' });
    expect(created.permissions).toEqual(expected.ada);
    for (const [name, who] of people()) {
      const proposal = (await api(who, 'GET', `/proposals/${created.id}`)).json().proposal;
      expect({ name, permissions: proposal.permissions }).toEqual({ name, permissions: expected[name] });
      const items = (await api(who, 'GET', `/threads/${threadId}/timeline`)).json().items;
      const inTimeline = items.find((i: { kind: string }) => i.kind === 'proposal').proposal;
      expect({ name, permissions: inTimeline.permissions }).toEqual({ name, permissions: expected[name] });
    }
    // Events are shared by every subscriber: what one viewer may do is not in them.
    const events = await h.db.database.db.selectFrom('events').select(['kind', 'data']).execute();
    const proposalEvents = events.filter((e) => e.kind.startsWith('proposal.'));
    expect(proposalEvents.length).toBeGreaterThan(0);
    for (const e of proposalEvents) expect(JSON.stringify(e.data)).not.toContain('"permissions"');
  });

  test('agree with what the server allows each of them', async () => {
    const groupId = await circle('Proposal actions circle');
    const threadId = (await startThread(h.app, fran, groupId)).id;
    for (const [name, who] of people()) {
      const p = await createProposal(h.app, ada, threadId, { kind: 'proposal', title: `For ${name}` });
      const may = (await api(who, 'GET', `/proposals/${p.id}`)).json().proposal.permissions;
      const at = `/proposals/${p.id}`;
      const did = {
        edit: allowed(await api(who, 'PATCH', at, { title: `Edited by ${name}` })),
        remind: allowed(await api(who, 'POST', `${at}/remind`)),
        close: allowed(await api(who, 'POST', `${at}/close`, {})),
        stateOutcome: await (async () => {
          await api(fran, 'POST', `${at}/close`, {});
          return allowed(await api(who, 'POST', `${at}/outcome`, { statement: `Agreed, says ${name}.` }));
        })(),
        reopen: allowed(await api(who, 'POST', `${at}/reopen`, { closesAt: inSeconds(7200) })),
        saveAsTemplate: allowed(await api(who, 'POST', `${at}/template`, { name: `Saved by ${name}` })),
      };
      expect({ name, did }).toEqual({ name, did: may });
    }
  });

  test('follow a change of role', async () => {
    const groupId = await circle('Proposal promotion circle');
    const threadId = (await startThread(h.app, fran, groupId)).id;
    const p = await createProposal(h.app, ada, threadId, { kind: 'proposal' });
    await api(fran, 'PATCH', `/groups/${groupId}/members/${bo.id}`, { role: 'facilitator' });
    expect((await api(bo, 'GET', `/proposals/${p.id}`)).json().proposal.permissions).toEqual(expected.fran);
    // A former member sees nothing at all, so there is nothing to claim.
    await api(fran, 'DELETE', `/groups/${groupId}/members/${ada.id}`);
    expect((await api(ada, 'GET', `/proposals/${p.id}`)).statusCode).toBe(404);
  });
});
