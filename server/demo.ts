import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from './app';
import { loadConfig } from './config';

// `npm run demo`: a believable platform co-op deliberating, written through the public API so it
// exercises exactly what people use. Names and words are invented.

const PASSWORD = 'plenary-demo-2026';
const people = [
  { name: 'Amara Okafor', email: 'amara@demo.plenary.coop' },
  { name: 'Tomás Ferreira', email: 'tomas@demo.plenary.coop' },
  { name: 'Ingrid Halvorsen', email: 'ingrid@demo.plenary.coop' },
  { name: 'Kenji Watanabe', email: 'kenji@demo.plenary.coop' },
  { name: 'Leila Haddad', email: 'leila@demo.plenary.coop' },
  { name: 'Priya Raman', email: 'priya@demo.plenary.coop' },
];

const discussion: [number, string][] = [
  [
    1,
    'A crowdfunding campaign to buy a stake in the platform is all over the news this week. Could we use the attention to talk about member ownership, or would joining in blur what we stand for?',
  ],
  [
    2,
    'The visibility is tempting. But buying shares and owning a platform together are different things: who would vote those shares, and for what?',
  ],
  [
    3,
    'I would want to ask the organiser some questions before we put our name next to theirs. What happens to the money if they fall short?',
  ],
  [
    4,
    'We do not need a controlling stake to matter. A well-argued minority position, with a co-op plan behind it, can shift a board conversation.',
  ],
  [
    0,
    'Good points. Two separate questions, then: do we ally with the campaign at all, and what do we do with the moment either way?',
  ],
  [
    5,
    'Whatever we decide, the hashtag has drowned out every mention of co-operative ownership. A short public statement from us would put it back in.',
  ],
  [
    2,
    'Agreed on a statement. I am wary of the alliance, though: the campaign is framed around removing one account, and that is not our fight.',
  ],
  [
    1,
    'Then say that in the statement: we welcome the energy, and here is what shared ownership would actually look like.',
  ],
  [
    3,
    'Could we also start a user union? People who rely on the platform have no collective voice today, shares or no shares.',
  ],
  [4, 'A union is a long road, but it is ours to walk, unlike the campaign. I would back starting it.'],
  [
    0,
    'I have put up a consent proposal on the alliance and a poll on next steps. Please vote by the end of the week; blocks need a reason.',
  ],
  [
    5,
    'Voted. For the record, I abstained on the alliance: I would rather decide after we have spoken to the organiser.',
  ],
];

async function main() {
  const config = loadConfig({ ...process.env, RATE_LIMITS: 'off', LOG_LEVEL: 'warn' });
  const app = await buildApp({ config, serveClient: false, logger: { level: 'warn' } });
  await app.ready();
  const origin = 'http://localhost';

  async function call(method: string, url: string, cookie: string | null, payload?: unknown) {
    const res: LightMyRequestResponse = await app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { host: 'localhost', ...(cookie ? { cookie, origin } : {}) },
      payload: payload as object,
    });
    if (res.statusCode >= 300 && res.statusCode !== 204) {
      throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
    }
    return res;
  }

  const existing = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: people[0]!.email, password: PASSWORD },
  });
  if (existing.statusCode === 200) {
    console.log('The demo data is already here.');
    printSignIn(config.publicUrl ?? `http://localhost:${config.port}`);
    await app.close();
    return;
  }

  const sessions: { cookie: string; id: string }[] = [];
  for (const person of people) {
    const res = await call('POST', '/auth/register', null, { ...person, password: PASSWORD });
    const cookie = res.cookies.find((c) => c.name === 'plenary_session')!;
    sessions.push({ cookie: `plenary_session=${cookie.value}`, id: res.json().user.id });
  }
  const [facilitator] = sessions;
  const group = (
    await call('POST', '/groups', facilitator!.cookie, {
      name: 'Commons Platform Co-op',
      description:
        'Members and workers who want the platforms we depend on to be owned and run by their users.',
    })
  ).json().group;
  for (const member of sessions.slice(1)) {
    const inv = await call('POST', `/groups/${group.id}/invitations`, facilitator!.cookie, {});
    await call('POST', `/invitations/${inv.json().invitation.token}/accept`, member.cookie);
  }
  await call('PATCH', `/groups/${group.id}/members/${sessions[1]!.id}`, facilitator!.cookie, {
    role: 'facilitator',
  });

  const thread = (
    await call('POST', `/groups/${group.id}/threads`, sessions[1]!.cookie, {
      title: 'Should we ally with the #BuyTwitter crowdfunding campaign?',
      body: 'A campaign to buy a stake in the platform is getting a lot of attention. Where do we stand, and what do we do with the moment?\n\n1. Clarify our mission and values using this as a test case.\n2. Use the new public energy around platform ownership.',
    })
  ).json().thread;
  let previous: string | null = null;
  for (const [author, body] of discussion) {
    const res = await call('POST', `/threads/${thread.id}/comments`, sessions[author]!.cookie, {
      body,
      ...(author === 2 && previous ? { parentId: previous } : {}),
    });
    previous = res.json().comment.id;
  }

  const week = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const alliance = (
    await call('POST', `/threads/${thread.id}/proposals`, facilitator!.cookie, {
      kind: 'proposal',
      title: 'Ally with the crowdfunding campaign',
      details:
        'We publicly support the campaign and offer to advise on co-operative ownership of any shares bought.',
      closesAt: week,
    })
  ).json().proposal;
  const positions = ['agree', 'agree', 'disagree', 'abstain', 'agree', 'abstain'];
  const reasons = [
    '',
    'Worth the visibility.',
    'Not our fight as framed.',
    'Talk to the organiser first.',
    '',
    '',
  ];
  for (const [i, s] of sessions.entries()) {
    if (i === 3) continue; // someone always has not voted yet
    await call('PUT', `/proposals/${alliance.id}/vote`, s.cookie, {
      choices: [{ optionId: positions[i] }],
      ...(reasons[i] ? { reason: reasons[i] } : {}),
    });
  }

  const poll = (
    await call('POST', `/threads/${thread.id}/proposals`, facilitator!.cookie, {
      kind: 'poll',
      title: 'What should we do next?',
      options: [{ label: 'Draft a short statement' }, { label: 'Form a user union' }, { label: 'Both' }],
      closesAt: week,
    })
  ).json().proposal;
  const picks = [2, 0, 2, 1, 2];
  for (const [i, pick] of picks.entries()) {
    await call('PUT', `/proposals/${poll.id}/vote`, sessions[i]!.cookie, {
      choices: [{ optionId: poll.options[pick].id }],
    });
  }

  const wording = (
    await call('POST', `/threads/${thread.id}/proposals`, sessions[1]!.cookie, {
      kind: 'ranked_choice',
      title: 'Which opening line for our statement?',
      options: [
        { label: 'Own the platforms you depend on.' },
        { label: 'Buying shares is not the same as sharing power.' },
        { label: 'Users deserve a vote, not just a voice.' },
      ],
      closesAt: week,
    })
  ).json().proposal;
  const ballots = [
    [1, 2, 0],
    [1, 0],
    [2, 1, 0],
    [0, 1],
    [1, 2],
    [2, 1, 0],
  ];
  for (const [i, ranking] of ballots.entries()) {
    await call('PUT', `/proposals/${wording.id}/vote`, sessions[i]!.cookie, {
      choices: ranking.map((option, rank) => ({ optionId: wording.options[option].id, rank: rank + 1 })),
    });
  }
  await call('POST', `/proposals/${wording.id}/close`, sessions[1]!.cookie, {
    outcome: {
      statement:
        'Our statement opens with **"Buying shares is not the same as sharing power."** Tomás drafts it this week; comments in this thread until Friday.',
      reviewOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    },
  });

  console.log(`Demo group "${group.name}" is ready, with a thread, three proposals and a decided outcome.`);
  printSignIn(config.publicUrl ?? `http://localhost:${config.port}`);
  await app.close();
}

function printSignIn(url: string) {
  console.log(`\nOpen ${url} and sign in as any of these (password: ${PASSWORD}):`);
  for (const p of people) console.log(`  ${p.email.padEnd(28)} ${p.name}`);
  console.log(`  (${people[0]!.name} and ${people[1]!.name} are facilitators)`);
}

await main();
