/**
 * A group with something on every screen, for the suites that visit them all
 * (accessibility, languages): a facilitator and a member, delegation on, a
 * thread with a comment and a proposal of each of the six kinds (the consent
 * proposal voted on and closed with an outcome), and an invitation.
 */
import { type ApiPerson, callApi, joinThroughApi, registerThroughApi, type TestServer } from './browser';

/** A screen: its name, who looks (null: signed out), its path, and a selector present once it has loaded. */
export type Screen = [name: string, who: ApiPerson | null, path: string, ready: string];

export async function seedEveryScreen(
  server: TestServer,
): Promise<{ ann: ApiPerson; bea: ApiPerson; screens: Screen[] }> {
  const ann = await registerThroughApi(server, 'Ann Facilitator');
  const bea = await registerThroughApi(server, 'Bea Member');
  const { group } = await callApi<{ group: { id: string } }>(server, ann, 'POST', '/groups', {
    name: 'Platform Co-op',
  });
  await joinThroughApi(server, ann, group.id, [bea]);
  await callApi(server, ann, 'PATCH', `/groups/${group.id}`, { settings: { delegation: true } });
  const { thread } = await callApi<{ thread: { id: string } }>(
    server,
    ann,
    'POST',
    `/groups/${group.id}/threads`,
    {
      title: 'Should we ally with #BuyTwitter?',
      body: 'A **draft** statement is below.',
    },
  );
  await callApi(server, bea, 'POST', `/threads/${thread.id}/comments`, { body: 'I agree, @ann.' });
  const closesAt = new Date(Date.now() + 3_600_000).toISOString();
  const proposals = [
    { kind: 'proposal', title: 'Ally with the campaign', quorumPercent: 50 },
    { kind: 'poll', title: 'Which name?', options: [{ label: 'Union' }, { label: 'Circle' }], maxChoices: 2 },
    {
      kind: 'ranked_choice',
      title: 'Spokesperson',
      options: [{ label: 'Ann' }, { label: 'Bea' }, { label: 'Cy' }],
    },
    { kind: 'score', title: 'Rate the plans', options: [{ label: 'Plan A' }, { label: 'Plan B' }] },
    { kind: 'dot_vote', title: 'Spend our dots', options: [{ label: 'Servers' }, { label: 'Legal' }] },
    {
      kind: 'meeting',
      title: 'When do we meet?',
      options: [
        { label: 'Monday', startsAt: closesAt },
        { label: 'Tuesday', startsAt: closesAt },
      ],
    },
  ];
  const ids: string[] = [];
  for (const body of proposals) {
    const { proposal } = await callApi<{ proposal: { id: string } }>(
      server,
      ann,
      'POST',
      `/threads/${thread.id}/proposals`,
      { closesAt, ...body },
    );
    ids.push(proposal.id);
  }
  await callApi(server, bea, 'PUT', `/proposals/${ids[0]}/vote`, { choices: [{ optionId: 'agree' }] });
  await callApi(server, ann, 'POST', `/proposals/${ids[0]}/close`, { outcome: { statement: 'We ally.' } });
  const { invitation } = await callApi<{ invitation: { token: string } }>(
    server,
    ann,
    'POST',
    `/groups/${group.id}/invitations`,
    {},
  );
  const screens: Screen[] = [
    ['sign in', null, '/login', 'h1'],
    ['sign up', null, '/signup', 'h1'],
    ['forgot password', null, '/forgot-password', 'h1'],
    ['invitation', null, `/invite/${invitation.token}`, 'h1'],
    ['home', bea, '/', 'h1'],
    ['group', ann, `/groups/${group.id}`, 'h1'],
    ['group settings', ann, `/groups/${group.id}/settings`, 'h1'],
    ['thread with proposals', bea, `/threads/${thread.id}`, 'pl-proposal-card'],
    ['decision log', bea, `/groups/${group.id}/decisions`, 'h1'],
    ['search', bea, '/search?q=statement', 'h1'],
    ['account settings', bea, '/settings/account', 'h1'],
    ['email settings', bea, '/settings/email', 'h1'],
  ];
  return { ann, bea, screens };
}
