import type { BenchContext } from '../lib/context';
import { errorsOf } from '../lib/load';
import type { AppServer } from '../lib/procs';
import type { Member } from '../lib/seed';
import { fmt, fmtBytes, log } from '../lib/util';

const GROUPS = 20;
const PROPOSALS_PER_GROUP = 10;

async function call(server: AppServer, who: Member, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/**
 * Scenario 3h: the home page of a member of 20 groups with 200 open proposals
 * they have not voted on, c=50, against reading a thread page (the hot
 * thread's first 50 items) as the same member, in the same run: home, thread,
 * home again, the home's p99 the worse of its two runs.
 */
export async function home(ctx: BenchContext): Promise<void> {
  const { report, server, seed } = ctx;
  await report.attempt('3h', 'Home page', async () => {
    const member = seed.members[1]!;
    const started = Date.now();
    for (let g = 0; g < GROUPS; g++) {
      const { group } = await call(server, member, 'POST', '/groups', { name: `Bench co-op ${g}` });
      const { thread } = await call(server, member, 'POST', `/groups/${group.id}/threads`, {
        title: `What we decide ${g}`,
      });
      for (let p = 0; p < PROPOSALS_PER_GROUP; p++) {
        await call(server, member, 'POST', `/threads/${thread.id}/proposals`, {
          kind: 'proposal',
          title: `Proposal ${g}.${p}`,
          closesAt: new Date(Date.now() + (1 + g * PROPOSALS_PER_GROUP + p) * 3_600_000).toISOString(),
        });
      }
    }
    log(
      `home: ${GROUPS} groups with ${GROUPS * PROPOSALS_PER_GROUP} open proposals in ${Date.now() - started} ms`,
    );

    const probe = await fetch(`${server.url}/api/v1/me/home`, {
      headers: { authorization: `Bearer ${member.token}`, 'accept-encoding': 'identity' },
    });
    const json = await probe.text();
    // The page's first view (`GET /me/home` without `?limit=`): the first 20 of each list, each counted whole.
    const shown = JSON.parse(json) as {
      needsVote: unknown[];
      needsVoteCount: number;
      closingSoon: unknown[];
      closingSoonCount: number;
      recentThreads: unknown[];
    };

    const measureHome = () =>
      ctx.loader.loadApp(server, { method: 'GET', path: '/api/v1/me/home', tokens: [member.token] });
    const first = await measureHome();
    const thread = await ctx.loader.loadApp(server, {
      method: 'GET',
      path: `/api/v1/threads/${seed.hotThreadId}/timeline?limit=50`,
      tokens: [member.token],
    });
    const again = await measureHome();
    const p99 = Math.max(first.result.p99, again.result.p99);
    const ratio = p99 / thread.result.p99;
    const errors = errorsOf(first.result) + errorsOf(again.result);
    report.record({
      id: '3h',
      name: `Home page (${GROUPS} groups, ${GROUPS * PROPOSALS_PER_GROUP} open proposals, c=50)`,
      status: ratio <= 2 && errors === 0 ? 'PASS' : 'MISS',
      metric: 'p99 ms',
      value: p99,
      baseline: thread.result.p99,
      ratio,
      target: 'p99 ≤ 2× a thread page read, 0 errors',
      p50Ms: Math.max(first.result.p50, again.result.p50),
      p99Ms: p99,
      errors,
      peakRssBytes: Math.max(first.peakRss, again.peakRss),
      notes: [
        `one request: ${fmtBytes(json.length)} of JSON, ${shown.needsVote.length} of ${shown.needsVoteCount} needing a vote, ${shown.closingSoon.length} of ${shown.closingSoonCount} closing soon, ${shown.recentThreads.length} threads`,
        `home ${fmt(first.result.rps, 0)} then ${fmt(again.result.rps, 0)} req/s (p99 ${fmt(first.result.p99, 1)} / ${fmt(again.result.p99, 1)} ms); thread page ${fmt(thread.result.rps, 0)} req/s, p99 ${fmt(thread.result.p99, 1)} ms`,
        ctx.loader.cpuNote(again.cpu, again.result.rps),
      ],
      details: { first: first.result, again: again.result, thread: thread.result },
    });
  });
}
