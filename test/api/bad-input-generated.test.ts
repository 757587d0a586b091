import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, createGroup, type Harness, join, signUp, startApp } from '../helpers/app';
import { type BadRequest, badRequests, type RouteSpec, routesOf } from '../helpers/bad-requests';
import { createProposal } from '../helpers/factories';
import { as } from '../helpers/requests';
import { tableChecksums } from '../helpers/table-checksums';
import { postComment, startThread } from '../helpers/threads';

/**
 * At least 5,000 generated bad requests, spread over every route of the OpenAPI document: each
 * breaks its route's schema in one definite way. None may answer 5xx, none may succeed, each
 * answer is the contract's error shape, and every table is byte-for-byte what it was.
 */
const TOTAL = 5_000;
const SEED = 20261203;

let h: Harness;
let routes: RouteSpec[];
let pathValues: Record<string, string>;
let facilitatorHeaders: Record<string, string>;
let tokenHeaders: Record<string, string>;

beforeAll(async () => {
  // The email worker would mark queued mail as it goes, a change no refused request made.
  h = await startApp({ EMAIL_WORKER: 'off' });
  const ada = await signUp(h.app, { name: 'Ada Facilitator' });
  const bea = await signUp(h.app, { name: 'Bea Member' });
  const group = await createGroup(h.app, ada);
  await join(h.app, ada, group.id, bea);
  const thread = await startThread(h.app, ada, group.id);
  const comment = await postComment(h.app, ada, thread.id, 'The campaign needs a public statement.');
  const proposal = await createProposal(h.app, ada, thread.id, {
    kind: 'poll',
    options: [{ label: 'Ally' }, { label: 'Wait' }],
  });
  const invitation = await as(h.app, ada).post(`/api/v1/groups/${group.id}/invitations`, {});
  const token = await apiToken(h.app, ada);
  facilitatorHeaders = ada.headers;
  tokenHeaders = token.headers;
  pathValues = {
    groups: group.id,
    threads: thread.id,
    comments: comment.id,
    proposals: proposal.id,
    tokens: token.id,
    invitations: invitation.json().invitation.token,
    invitationId: invitation.json().invitation.id,
    userId: bea.id,
    emoji: '👍',
  };
  routes = routesOf(h.app.swagger() as never).filter((r) => r.path.startsWith('/api/v1/'));
});

afterAll(async () => {
  await h?.close();
});

/** The fixture's real value for a path parameter: `{id}` after `/threads/` is the thread's id. */
function pathValue(route: RouteSpec, name: string): string {
  if (name !== 'id' && name !== 'token') return pathValues[name] ?? 'x';
  const segment = route.path.match(/\/api\/v1\/(\w+)\/\{/)?.[1] ?? '';
  return pathValues[segment] ?? 'x';
}

function answerProblem(request: BadRequest, status: number, body: string): string | null {
  if (status >= 500) return `${status} (server error)`;
  if (status < 400) return `${status}: a bad request was accepted`;
  let parsed: { error?: { code?: unknown; message?: unknown } };
  try {
    parsed = JSON.parse(body);
  } catch {
    return `${status} with a body that is not JSON: ${body.slice(0, 80)}`;
  }
  if (typeof parsed.error?.code !== 'string' || typeof parsed.error?.message !== 'string')
    return `${status} not in the error shape: ${body.slice(0, 120)}`;
  if (request.violation.startsWith('bad path') && ![400, 404].includes(status))
    return `${status} ${parsed.error.code} for a bad path (want 400 or 404)`;
  return null;
}

describe('generated bad input', () => {
  it(`${TOTAL}+ bad requests over every route: no 5xx, no success, the error shape, nothing changed`, async () => {
    const before = await tableChecksums(h);
    const breakable = routes.filter((route) => badRequests(route, { headers: {}, pathValue }));
    const perRoute = Math.ceil(TOTAL / breakable.length);
    const viaToken = Math.floor(perRoute / 10);
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const [index, route] of breakable.entries()) {
      // A tenth as a bearer-token client (no cookie, no Origin): the same rules must hold.
      for (const [runs, headers] of [
        [perRoute - viaToken, facilitatorHeaders],
        [viaToken, tokenHeaders],
      ] as const) {
        const arbitrary = badRequests(route, { headers, pathValue })!;
        const samples = fc.sample(arbitrary, { numRuns: runs, seed: SEED + index });
        for (const request of samples) {
          const res = await h.app.inject({
            method: request.method as 'GET',
            url: request.url,
            headers: request.headers,
            payload: request.payload,
          });
          sent += 1;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const problem = answerProblem(request, res.statusCode, res.body);
          if (problem) problems.push(`${route.method} ${route.path} [${request.violation}] → ${problem}`);
        }
      }
    }
    const after = await tableChecksums(h);
    // Shown with the run so the figures are there to quote.
    console.info(
      `bad input: ${sent} requests over ${routes.length} routes; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect([...new Set(problems)].slice(0, 40)).toEqual([]);
    expect(after).toEqual(before);
    // A poisoned prototype would show up on every object of this process.
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  }, 300_000);

  it('covers every route the OpenAPI document lists, except those with nothing to break', () => {
    const breakable = routes.filter((route) => badRequests(route, { headers: {}, pathValue }) !== null);
    const unbreakable = routes
      .filter((route) => !breakable.includes(route))
      .map((r) => `${r.method} ${r.path}`);
    // GETs with neither parameters nor query take no input at all.
    expect(unbreakable.every((name) => name.startsWith('GET '))).toBe(true);
    expect(breakable.length).toBeGreaterThan(40);
  });
});
