import { VOTE_BODIES } from '../lib/app';
import type { BenchContext } from '../lib/context';
import { errorsOf } from '../lib/load';
import type { AppServer } from '../lib/procs';
import type { Member } from '../lib/seed';
import { fmt, log } from '../lib/util';

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function call(server: AppServer, who: Member, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: json(who.token),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function newProposal(server: AppServer, ctx: BenchContext, title: string): Promise<string> {
  const { proposal } = await call(
    server,
    ctx.seed.members[0]!,
    'POST',
    `/threads/${ctx.seed.hotThreadId}/proposals`,
    {
      kind: 'proposal',
      title,
      closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    },
  );
  return proposal.id as string;
}

/**
 * Scenario 1d: votes when 30 % of the 2,000 members delegate (chains up to 5
 * deep), against the same voters on a proposal of the same group with
 * delegation off, in the same run. The 1,400 members who do not delegate vote
 * (a delegator who voted would only override their delegation); the 600
 * delegators form 120 chains of five, each ending at a voter. Measured off,
 * on, off again, and compared with the mean of the two "off" runs, because a
 * machine drifts within minutes.
 */
export async function delegation(ctx: BenchContext): Promise<void> {
  const { report, server, seed } = ctx;
  await report.attempt('1d', 'Votes with delegation', async () => {
    const members = seed.members;
    const facilitator = members[0]!;
    const delegators = members.slice(members.length - Math.round(members.length * 0.3));
    const voters = members.slice(0, members.length - delegators.length);
    const tokens = voters.map((m) => m.token);

    const measure = async (proposalId: string) =>
      ctx.loader.loadApp(server, {
        method: 'PUT',
        path: `/api/v1/proposals/${proposalId}/vote`,
        tokens,
        bodies: VOTE_BODIES,
      });

    const plain = await newProposal(server, ctx, 'Votes without delegation');
    const before = await measure(plain);

    await call(server, facilitator, 'PATCH', `/groups/${seed.groupId}`, { settings: { delegation: true } });
    const started = Date.now();
    // Chains of five: d0 → d1 → d2 → d3 → d4 → a voter.
    for (let i = 0; i < delegators.length; i++) {
      const next = (i + 1) % 5 === 0 ? voters[Math.floor(i / 5) % voters.length]! : delegators[i + 1]!;
      await call(server, delegators[i]!, 'PUT', `/groups/${seed.groupId}/delegation`, {
        delegateId: next.id,
      });
    }
    log(`delegation: ${delegators.length} group delegations given in ${Date.now() - started} ms`);
    const delegated = await newProposal(server, ctx, 'Votes with delegation');
    const withDelegation = await measure(delegated);
    const check = await call(server, facilitator, 'GET', `/proposals/${delegated}`);
    await call(server, facilitator, 'PATCH', `/groups/${seed.groupId}`, { settings: { delegation: false } });
    const plainAgain = await newProposal(server, ctx, 'Votes without delegation, again');
    const after = await measure(plainAgain);

    const withoutRps = (before.result.rps + after.result.rps) / 2;
    const slowdown = withoutRps / withDelegation.result.rps;
    const errors = errorsOf(withDelegation.result);
    report.record({
      id: '1d',
      name: 'Votes, 30 % delegating (chains of 5)',
      status: slowdown <= 1.25 && errors === 0 ? 'PASS' : 'MISS',
      metric: 'votes/s',
      value: withDelegation.result.rps,
      baseline: withoutRps,
      ratio: withDelegation.result.rps / withoutRps,
      target: 'votes/s ≥ 0.8× without delegation (slowdown ≤ 1.25×), 0 errors',
      p50Ms: withDelegation.result.p50,
      p99Ms: withDelegation.result.p99,
      errors,
      peakRssBytes: withDelegation.peakRss,
      notes: [
        `without delegation: ${fmt(before.result.rps, 0)} then ${fmt(after.result.rps, 0)} votes/s (p99 ${fmt(before.result.p99, 1)} / ${fmt(after.result.p99, 1)} ms); slowdown ${fmt(slowdown, 2)}×`,
        `at the end: ${check.proposal.voterCount} voted, ${check.proposal.representedCount} represented of ${check.proposal.eligibleCount}`,
        ctx.loader.cpuNote(withDelegation.cpu, withDelegation.result.rps),
        ...withDelegation.result.errorSamples,
        ...withDelegation.trace.map((l) => `with delegation: ${l}`),
        ...before.trace.map((l) => `without delegation: ${l}`),
      ],
      details: { with: withDelegation.result, before: before.result, after: after.result },
    });
  });
}
