import { type ApiPerson, callApi, registerThroughApi, type TestServer } from './browser';
import { inBatches, pack, payloadFile, searchWords, split } from './xss';

/*
 * The data of test/browser/xss.test.ts: every payload of test/data/xss-payloads.json in every
 * text field a member can write, made through the HTTP API.
 *
 * Names, titles and labels hold 200 characters, so they carry the payloads packed several to a
 * field, each prefixed with a tag (U3, G3, T3, …) that tells the test which field it is looking
 * at. Long texts (bodies, details, reasons, statements, descriptions) carry all of them at once.
 */

export const PAYLOADS = payloadFile.payloads.map((p) => p.payload.trim());
/** Every payload, one paragraph each: what a Markdown field gets. */
export const ALL = PAYLOADS.join('\n\n');
/** Name-sized chunks (195 characters, leaving room for the tag). */
export const CHUNKS = pack(PAYLOADS, 195);
export const K = CHUNKS.length;
/** Search takes 500 characters and 20 words; the few payloads longer than that go alone (and are refused). */
export const SEARCH_CHUNKS = pack(PAYLOADS, (q) => q.length <= 500 && searchWords(q) <= 20);
/** Option labels: at most 50 options to a proposal, so the payloads are spread over a few. */
export const OPTION_SETS = split(PAYLOADS, Math.ceil(PAYLOADS.length / Math.ceil(PAYLOADS.length / 50)));
const COMMENT_SETS = split(PAYLOADS, 12);
/** Chunk `i` as the name of field `tag`: U users, G groups, T threads, P proposals, K tokens. */
export const named = (tag: string, i: number) => `${tag}${i} ${CHUNKS[i]}`;
/** Authors of the first thread's comments, in order. */
export const COMMENT_AUTHORS = COMMENT_SETS.map((_, j) => named('U', j % K));
export const PASSWORD = 'a-long-enough-password';

/** Polls (open), then ranked choices (closed), then plain proposals (every other one closed). */
const kindOf = (i: number) =>
  i < OPTION_SETS.length ? 'poll' : i < 2 * OPTION_SETS.length ? 'ranked_choice' : 'proposal';
/** The proposals whose Markdown fields carry every payload (the others carry their chunk). */
const full = (i: number) => i < 2 * OPTION_SETS.length;

interface Proposal {
  id: string;
  options: { id: string; label: string }[];
}

/**
 * Accounts `U0…` (the viewer, whose screens the test opens, and one more per chunk), groups
 * `G0…` (all the viewer's, each with an invitation link; everyone else joins G0), in G0 a thread
 * `T0…` and a proposal `P0…` per chunk started by that chunk's account, two ballots with reasons
 * on each, outcomes on the closed ones; in T0 comments (the first mentions the viewer), the
 * viewer's comment edited once, a reply to it, reactions; API tokens `K0…`. `outsider` belongs
 * to no group.
 */
export async function seed(server: TestServer) {
  const api = <T>(person: ApiPerson | null, method: string, path: string, body?: unknown) =>
    callApi<T>(server, person, method, path, body);
  const stamp = Date.now();
  const register = (name: string, email: string) =>
    registerThroughApi(server, name, `${email}-${stamp}@example.org`);

  const viewer = await register(named('U', 0), 'viewer');
  const people = await inBatches(CHUNKS, 4, (_, i) => register(named('U', i), `u${i}`));
  const outsiderEmail = `outsider-${stamp}@example.org`;
  const outsider = await registerThroughApi(server, named('U', K - 1), outsiderEmail);

  const groups = await inBatches(CHUNKS, 6, async (_, i) => {
    const { group } = await api<{ group: { id: string } }>(viewer, 'POST', '/groups', {
      name: named('G', i),
      description: i === 0 ? ALL : CHUNKS[i],
    });
    const { invitation } = await api<{ invitation: { token: string } }>(
      viewer,
      'POST',
      `/groups/${group.id}/invitations`,
      {},
    );
    return { id: group.id, token: invitation.token };
  });
  const g0 = groups[0]!.id;
  await inBatches(people, 6, (p) => api(p, 'POST', `/invitations/${groups[0]!.token}/accept`));

  const threads = await inBatches(people, 6, async (p, i) => {
    const { thread } = await api<{ thread: { id: string } }>(p, 'POST', `/groups/${g0}/threads`, {
      title: named('T', i),
      body: i === 0 ? ALL : CHUNKS[i],
    });
    return thread.id;
  });
  const proposals = await inBatches(people, 6, async (p, i) => {
    const kind = kindOf(i);
    const options = kind === 'proposal' ? undefined : OPTION_SETS[i % OPTION_SETS.length]!;
    const { proposal } = await api<{ proposal: Proposal }>(p, 'POST', `/threads/${threads[i]}/proposals`, {
      kind,
      title: named('P', i),
      details: full(i) ? ALL : CHUNKS[i],
      ...(options ? { options: options.map((label) => ({ label })) } : {}),
      closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    return proposal;
  });
  const ballot = (p: Proposal, i: number, nth: number) => {
    const optionId = p.options[nth % p.options.length]!.id;
    return kindOf(i) === 'ranked_choice' ? [{ optionId, rank: 1 }] : [{ optionId }];
  };
  await inBatches(proposals, 6, async (p, i) => {
    const reason = full(i) ? ALL : CHUNKS[i];
    await api(viewer, 'PUT', `/proposals/${p.id}/vote`, { choices: ballot(p, i, 0), reason });
    await api(people[i]!, 'PUT', `/proposals/${p.id}/vote`, { choices: ballot(p, i, 1), reason: CHUNKS[i] });
  });
  const closed = proposals
    .map((p, i) => ({ p, i }))
    .filter(({ i }) => kindOf(i) === 'ranked_choice' || (kindOf(i) === 'proposal' && i % 2 === 0));
  await inBatches(closed, 4, ({ p, i }) =>
    api(viewer, 'POST', `/proposals/${p.id}/close`, { outcome: { statement: full(i) ? ALL : CHUNKS[i] } }),
  );

  const t0 = threads[0]!;
  await inBatches(COMMENT_SETS, 4, (set, j) =>
    api(people[j % K]!, 'POST', `/threads/${t0}/comments`, {
      body: `${j === 0 ? `@${viewer.handle} ` : ''}${set.join('\n\n')}`,
    }),
  );
  const { comment } = await api<{ comment: { id: string } }>(viewer, 'POST', `/threads/${t0}/comments`, {
    body: ALL,
  });
  await api(viewer, 'PATCH', `/comments/${comment.id}`, { body: [...PAYLOADS].reverse().join('\n\n') });
  await api(people[1 % K]!, 'POST', `/threads/${t0}/comments`, { body: ALL, parentId: comment.id });
  for (const p of people.slice(0, 3)) {
    await api(p, 'PUT', `/comments/${comment.id}/reactions/${encodeURIComponent('👍')}`);
  }

  await inBatches(CHUNKS, 6, (_, i) => api(viewer, 'POST', '/tokens', { name: named('K', i) }));

  return {
    stamp,
    viewer,
    outsider,
    outsiderEmail,
    groups,
    threads,
    /** Titles of the closed proposals, which the decision log lists. */
    closedTitles: closed.map(({ i }) => named('P', i)),
  };
}
