import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkBallot } from '../../client/data/ballot-draft';
import type { Proposal, VoteBody } from '../../client/data/proposals';
import { BALLOT_CASES, type BallotCase } from '../data/malformed-ballots';
import { createGroup, expectError, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { createProposal, inSeconds } from '../helpers/factories';
import { startThread } from '../helpers/threads';

// One table of ballots, two judges: the server through the HTTP API, and the check the web
// client's vote form runs before sending. They must refuse the same ballots with the same words,
// and take the same ones.

let h: Harness;
let facilitator: Person;
let member: Person;
let threadId: string;

beforeAll(async () => {
  h = await startApp();
  facilitator = await signUp(h.app, { name: 'Fran Facilitator' });
  member = await signUp(h.app, { name: 'Mo Member' });
  const groupId = (await createGroup(h.app, facilitator)).id;
  await join(h.app, facilitator, groupId, member);
  threadId = (await startThread(h.app, facilitator, groupId)).id;
});
afterAll(() => h?.close());

/** Creates the case's proposal and spells its ballot out with the proposal's option ids. */
async function setUp(c: BallotCase): Promise<{ proposal: Proposal; body: VoteBody }> {
  const { options, ...settings } = c.proposal;
  const created = await createProposal(h.app, facilitator, threadId, {
    ...settings,
    ...(options && {
      options: options.map((label, i) =>
        c.proposal.kind === 'meeting' ? { label, startsAt: inSeconds(86_400 * (i + 2)) } : { label },
      ),
    }),
  });
  const proposal = created as unknown as Proposal;
  const idOf = new Map(proposal.options.map((o) => [o.label, o.id]));
  const choices = c.choices.map(({ option, ...fields }) => ({
    ...(option !== undefined && { optionId: idOf.get(option) ?? option }),
    ...fields,
  }));
  return {
    proposal,
    body: { choices: choices as VoteBody['choices'], ...(c.reason !== undefined && { reason: c.reason }) },
  };
}

describe('server and client judge ballots alike', () => {
  test.each(BALLOT_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { proposal, body } = await setUp(c);

    const res = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/proposals/${proposal.id}/vote`,
      headers: member.headers,
      payload: body,
    });
    if (c.details.length === 0) expect(res.statusCode, res.body).toBe(200);
    else expect(expectError(res, 400, 'validation_failed').details).toEqual(c.details);

    expect(checkBallot(proposal, { reason: null, ...body })).toEqual(c.details);
  });

  test('every kind of proposal is covered', () => {
    const kinds = new Set(BALLOT_CASES.map((c) => c.proposal.kind));
    expect([...kinds].sort()).toEqual(['dot_vote', 'meeting', 'poll', 'proposal', 'ranked_choice', 'score']);
  });
});
