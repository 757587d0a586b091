import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StreamEvent } from '../../shared/schemas/stream';
import { createGroup, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { createProposal } from '../helpers/factories';
import { as } from '../helpers/requests';
import { listenOn, type StreamClient, subscribeAs } from '../helpers/stream';
import { startThread } from '../helpers/threads';

// What a subscriber receives when people vote: the stream is where anonymity and
// hidden results must hold too, not only in the stored events and over HTTP.
let h: Harness;
let base: string;
let ada: Person;
let bo: Person;
let groupId: string;

beforeAll(async () => {
  h = await startApp();
  base = await listenOn(h.app);
  ada = await signUp(h.app, { name: 'Ada' });
  bo = await signUp(h.app, { name: 'Bo' });
  groupId = (await createGroup(h.app, ada)).id;
  await join(h.app, ada, groupId, bo);
});
afterAll(() => h?.close());

async function voteAs(person: Person, proposalId: string, optionId: string) {
  const res = await as(h.app, person).put(`/api/v1/proposals/${proposalId}/vote`, {
    choices: [{ optionId }],
  });
  expect(res.statusCode).toBe(200);
}

async function voteEvent(ws: StreamClient, topic: string): Promise<StreamEvent> {
  const frame = await ws.waitFor(
    (m) => m.type === 'event' && m.topic === topic && m.event.kind === 'vote.cast',
  );
  return (frame as { event: StreamEvent }).event;
}

describe('vote.cast on the stream', () => {
  test('names the voter and carries the tally on an open proposal', async () => {
    const threadId = (await startThread(h.app, ada, groupId)).id;
    const p = await createProposal(h.app, ada, threadId, { kind: 'proposal' });
    const ws = await subscribeAs(base, ada, `thread:${threadId}`);
    await voteAs(bo, p.id, 'agree');
    const event = await voteEvent(ws, `thread:${threadId}`);
    expect(event.actor).toMatchObject({ id: bo.id });
    expect(event.data).toMatchObject({
      proposalId: p.id,
      vote: { voter: { id: bo.id }, choices: [{ optionId: 'agree' }] },
      voterCount: 1,
      results: {
        options: expect.arrayContaining([expect.objectContaining({ optionId: 'agree', count: 1 })]),
      },
    });
    await ws.close();
  });

  test('on an anonymous proposal, no subscriber learns who voted', async () => {
    const threadId = (await startThread(h.app, ada, groupId)).id;
    const p = await createProposal(h.app, ada, threadId, { kind: 'proposal', anonymous: true });
    const ws = await subscribeAs(base, ada, `thread:${threadId}`, `group:${groupId}`);
    await voteAs(bo, p.id, 'block');
    for (const topic of [`thread:${threadId}`, `group:${groupId}`]) {
      const event = await voteEvent(ws, topic);
      expect(event.actor).toBeNull();
      // No ballot either: its choices and reason would pair up with whoever was seen voting then.
      expect(event.data).toMatchObject({ vote: null, voterCount: 1 });
      expect(JSON.stringify(event.data)).not.toContain('choices');
      expect(JSON.stringify(event)).not.toContain(bo.id);
    }
    await ws.close();
  });

  test('while results are hidden, subscribers get the count and neither ballot nor tally', async () => {
    const threadId = (await startThread(h.app, ada, groupId)).id;
    const p = await createProposal(h.app, ada, threadId, {
      kind: 'proposal',
      resultsHiddenUntilClosed: true,
    });
    const ws = await subscribeAs(base, ada, `thread:${threadId}`);
    await voteAs(bo, p.id, 'disagree');
    const event = await voteEvent(ws, `thread:${threadId}`);
    expect(event.data).toMatchObject({ vote: null, results: null, voterCount: 1 });
    expect(JSON.stringify(event.data)).not.toContain('disagree');
    await ws.close();
  });
});
