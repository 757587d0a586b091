import type { FanoutResult } from './fanout';
import { measureBareFanout, measureFanout, timedRequest } from './fanout';
import type { AppServer } from './procs';
import type { Member, Seed } from './seed';

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

/** A consent proposal in the hot thread, created through the API by the facilitator (as a person would). */
export async function createConsentProposal(server: AppServer, seed: Seed): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/threads/${seed.hotThreadId}/proposals`, {
    method: 'POST',
    headers: json(seed.members[0]!.token),
    body: JSON.stringify({
      kind: 'proposal',
      title: 'Adopt the bench charter',
      details: 'Shall we adopt it?',
      closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    }),
  });
  const body = await res.text();
  if (res.status !== 201) throw new Error(`creating the proposal failed: ${res.status} ${body}`);
  return (JSON.parse(body) as { proposal: { id: string } }).proposal.id;
}

export const VOTE_BODIES = [
  JSON.stringify({ choices: [{ optionId: 'agree' }] }),
  JSON.stringify({ choices: [{ optionId: 'disagree' }] }),
];

/** Stream URL authenticated with an API token, as bots and integrations connect. */
export function streamUrl(server: AppServer, member: Member): string {
  return `ws://127.0.0.1:${server.port}/api/v1/stream?token=${encodeURIComponent(member.token)}`;
}

export interface FanoutComparison {
  app: FanoutResult;
  bare: FanoutResult;
  /** app p99 / bare p99, answer → receipt. */
  ratio: number;
}

/**
 * The fan-out scenario: `subscribers` members follow `topic`, and `rounds`
 * votes are cast one at a time by other members; each vote's `vote.cast`
 * frame is timed from the vote's HTTP answer to every subscriber. Then the
 * same against a bare `ws` broadcast of a frame of the same size.
 */
export async function compareFanout(
  server: AppServer,
  seed: Seed,
  proposalId: string,
  options: { topic: string; subscribers: number; rounds: number; spacingMs: number; clientProcesses: number },
): Promise<FanoutComparison> {
  const { members } = seed;
  if (members.length < options.subscribers + 1) throw new Error('need more members than subscribers');
  const subscribers = members.slice(0, options.subscribers);
  // Voters are the members who do not subscribe, in turn (they may vote again: a replaced vote is an event too).
  const voters = members.slice(options.subscribers);
  const voterOf = (round: number) => voters[round % voters.length]!;
  const app = await measureFanout({
    label: `app ${options.topic.split(':')[0]} topic`,
    urls: subscribers.map((m) => streamUrl(server, m)),
    topic: options.topic,
    rounds: options.rounds,
    spacingMs: options.spacingMs,
    clientProcesses: options.clientProcesses,
    write: (round) =>
      timedRequest(`${server.url}/api/v1/proposals/${proposalId}/vote`, {
        method: 'PUT',
        headers: json(voterOf(round).token),
        body: VOTE_BODIES[round % 2],
      }),
    verify: (round, frame) =>
      frame.includes('"kind":"vote.cast"') && frame.includes(`"actor":{"id":"${voterOf(round).id}"`),
  });
  const bare = await measureBareFanout({
    subscribers: options.subscribers,
    rounds: options.rounds,
    spacingMs: options.spacingMs,
    clientProcesses: options.clientProcesses,
    frameBytes: app.frameBytes || 1024,
  });
  return { app, bare, ratio: app.fromAnswer.p99 / bare.fromAnswer.p99 };
}
