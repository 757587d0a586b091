import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../server/db/schema';
import { hashApiToken } from '../../server/services/tokens';

/**
 * Simulated members for fault and soak tests: each member sends one request
 * at a time (comment, reaction or vote) to real server processes over
 * 127.0.0.1, and a ledger records what was acknowledged (2xx), refused (4xx)
 * or left in doubt (5xx, a dropped connection, a timeout). Afterwards the
 * database must hold every acknowledged write exactly once, nothing refused,
 * and for what was in doubt either outcome.
 */

export interface SimMember {
  id: string;
  name: string;
  token: string;
}

/** A group of `count` members with API tokens, written straight into the tables (no password hashing). */
export async function seedMembers(
  db: Kysely<DB>,
  count: number,
): Promise<{ groupId: string; members: SimMember[] }> {
  const tag = randomBytes(4).toString('hex');
  const group = await db
    .insertInto('groups')
    .values({ name: `Load ${tag}`, description: 'Simulated members.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const users = await db
    .insertInto('users')
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `sim-${tag}-${i}@example.org`,
        name: `Sim ${i + 1}`,
        handle: `sim${tag}${i}`,
        // Not a usable hash: these members act through API tokens only.
        password_hash: 'scrypt$1$1$1$none$none',
      })),
    )
    .returning(['id', 'name'])
    .execute();
  await db
    .insertInto('memberships')
    .values(
      users.map((u, i) => ({
        group_id: group.id,
        user_id: u.id,
        role: i === 0 ? ('facilitator' as const) : ('member' as const),
      })),
    )
    .execute();
  const tokens = users.map(() => `pl_${randomBytes(24).toString('base64url')}`);
  await db
    .insertInto('api_tokens')
    .values(users.map((u, i) => ({ user_id: u.id, name: 'sim', token_hash: hashApiToken(tokens[i]!) })))
    .execute();
  return { groupId: group.id, members: users.map((u, i) => ({ id: u.id, name: u.name, token: tokens[i]! })) };
}

/** Answer of one request: `status` null when no HTTP answer came (refused, reset, timed out). */
export interface Answer {
  status: number | null;
  // biome-ignore lint/suspicious/noExplicitAny: answers of every shape, read by callers that know which
  json: any;
}

/** One request as `token`; never throws. Past `timeoutMs` it gives up and counts as no answer. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<Answer> {
  try {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  } catch (err) {
    // Why no answer came (a timeout, a refused or reset connection), for the report.
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { status: null, json: { failed: cause } };
  }
}

/** Like `call`, but a non-2xx answer is an error: for setup steps. */
export async function must(baseUrl: string, method: string, path: string, token: string, body?: unknown) {
  const answer = await call(baseUrl, method, path, token, body);
  if (answer.status === null || answer.status >= 300)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json;
}

/** What a key (a voter's ballot, a member's reaction) was last acknowledged as, and what came after in doubt. */
interface Settled<T> {
  acked: T;
  doubtful: T[];
}

/** Everything the simulated members asked for, and what they were told. */
export class Ledger {
  requests = 0;
  /** Answers by class: `2xx`, `4xx`, `5xx`, `none` (no answer). */
  readonly answers = { '2xx': 0, '4xx': 0, '5xx': 0, none: 0 };
  /** The first few 4xx and 5xx answers, for failure messages. */
  readonly samples: string[] = [];
  /** Comment bodies (each unique) and what became of them: an id when acknowledged. */
  readonly comments = new Map<string, { threadId: string; id: string | null; outcome: Outcome }>();
  /** Acknowledged comment ids, for reactions to pick from. */
  readonly ackedCommentIds: string[] = [];
  /** `proposalId|userId` → option id of the ballot (null: never acknowledged). */
  readonly ballots = new Map<string, Settled<string | null>>();
  /** `commentId|userId|emoji` → whether the reaction is on. */
  readonly reactions = new Map<string, Settled<boolean>>();

  record(method: string, path: string, answer: Answer): Outcome {
    this.requests += 1;
    const { status } = answer;
    const cls = status === null ? 'none' : status >= 500 ? '5xx' : status >= 400 ? '4xx' : '2xx';
    this.answers[cls] += 1;
    if (cls !== '2xx' && this.samples.length < 10)
      this.samples.push(`${method} ${path} → ${status ?? 'no answer'} ${JSON.stringify(answer.json)}`);
    return cls === '2xx' ? 'acked' : cls === '4xx' ? 'refused' : 'doubtful';
  }

  /**
   * Each member sends one request at a time, so an acknowledged one settles what came before it;
   * except a request given up on (timed out) that the server still carries out later, which is
   * why a run that had any request go unanswered is suspect anyway.
   */
  settle<T>(map: Map<string, Settled<T>>, key: string, initial: T, value: T, outcome: Outcome): void {
    const entry = map.get(key) ?? { acked: initial, doubtful: [] };
    if (outcome === 'acked') map.set(key, { acked: value, doubtful: [] });
    else if (outcome === 'doubtful')
      map.set(key, { acked: entry.acked, doubtful: [...entry.doubtful, value] });
  }

  /** Acknowledged comments, votes and reactions. */
  get acknowledged() {
    let comments = 0;
    for (const c of this.comments.values()) if (c.outcome === 'acked') comments += 1;
    let votes = 0;
    for (const b of this.ballots.values()) if (b.acked !== null) votes += 1;
    return { comments, voters: votes };
  }
}

export type Outcome = 'acked' | 'refused' | 'doubtful';

/** The servers members talk to; a member moves to the next one when its server stops answering. */
export interface Scenario {
  servers: string[];
  threadIds: string[];
  /** Single-choice polls; a ballot is one option id. */
  proposals: { id: string; optionIds: string[] }[];
  /** Relative weights of the three actions. */
  mix: { comment: number; react: number; vote: number };
  /** Pause between one member's requests, uniform in [min, max] ms. */
  thinkMs: [number, number];
  /** Unique per run, so comment bodies from different runs never match. */
  tag: string;
  /** How long a member waits for an answer (default 15 s). */
  requestTimeoutMs?: number;
}

const EMOJIS = ['👍', '🎉', '🌱'];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One member's loop: one request at a time until `keepGoing()` turns false
 * or `maxRequests` were sent. `home` is the index of the member's server.
 */
export async function runMember(
  member: SimMember,
  index: number,
  scenario: Scenario,
  ledger: Ledger,
  keepGoing: () => boolean,
  maxRequests: number,
): Promise<void> {
  let home = index % scenario.servers.length;
  const { mix } = scenario;
  const timeout = scenario.requestTimeoutMs;
  const total = mix.comment + mix.react + mix.vote;
  // Spread the first requests over one think time, so 200 members do not start in one burst.
  await sleep(Math.random() * scenario.thinkMs[1]);
  for (let n = 0; n < maxRequests && keepGoing(); n++) {
    const server = scenario.servers[home]!;
    const roll = Math.random() * total;
    let answer: Answer;
    if (roll < mix.comment || ledger.ackedCommentIds.length === 0) {
      const threadId = pick(scenario.threadIds);
      const body = `${scenario.tag} m${index} n${n}`;
      answer = await call(server, 'POST', `/threads/${threadId}/comments`, member.token, { body }, timeout);
      const outcome = ledger.record('POST', 'comments', answer);
      const id = outcome === 'acked' ? (answer.json.comment.id as string) : null;
      ledger.comments.set(body, { threadId, id, outcome });
      if (id) ledger.ackedCommentIds.push(id);
    } else if (roll < mix.comment + mix.react) {
      const commentId = pick(ledger.ackedCommentIds);
      const emoji = pick(EMOJIS);
      const key = `${commentId}|${member.id}|${emoji}`;
      const on = !(ledger.reactions.get(key)?.acked ?? false);
      const path = `/comments/${commentId}/reactions/${encodeURIComponent(emoji)}`;
      answer = await call(server, on ? 'PUT' : 'DELETE', path, member.token, undefined, timeout);
      ledger.settle(
        ledger.reactions,
        key,
        false,
        on,
        ledger.record(on ? 'PUT' : 'DELETE', 'reactions', answer),
      );
    } else {
      const proposal = pick(scenario.proposals);
      const optionId = pick(proposal.optionIds);
      answer = await call(
        server,
        'PUT',
        `/proposals/${proposal.id}/vote`,
        member.token,
        { choices: [{ optionId }] },
        timeout,
      );
      const outcome = ledger.record('PUT', 'vote', answer);
      ledger.settle<string | null>(ledger.ballots, `${proposal.id}|${member.id}`, null, optionId, outcome);
    }
    // A load balancer sends the next request elsewhere when this server did not answer at all.
    if (answer.status === null) home = (home + 1) % scenario.servers.length;
    const [min, max] = scenario.thinkMs;
    await sleep(answer.status === null || answer.status >= 500 ? 200 : min + Math.random() * (max - min));
  }
}

/**
 * Compares the database with the ledger. Returns a list of problems (empty
 * when every acknowledged write is there once and nothing else is).
 */
export async function checkDatabase(db: Kysely<DB>, ledger: Ledger, scenario: Scenario): Promise<string[]> {
  const problems: string[] = [];
  const rows = await db
    .selectFrom('comments')
    .select(['id', 'body', 'thread_id'])
    .where('thread_id', 'in', scenario.threadIds)
    .execute();
  const byBody = new Map<string, { id: string }[]>();
  for (const row of rows) byBody.set(row.body, [...(byBody.get(row.body) ?? []), row]);
  for (const [body, c] of ledger.comments) {
    const found = byBody.get(body) ?? [];
    byBody.delete(body);
    if (c.outcome === 'acked' && (found.length !== 1 || found[0]!.id !== c.id))
      problems.push(`acknowledged comment ${c.id} (${body}) found ${found.length} times`);
    else if (c.outcome === 'doubtful' && found.length > 1)
      problems.push(`comment "${body}" (no answer) stored ${found.length} times`);
    else if (c.outcome === 'refused' && found.length > 0) problems.push(`refused comment "${body}" stored`);
  }
  for (const [body] of byBody)
    if (body.startsWith(scenario.tag)) problems.push(`comment "${body}" stored but never sent`);

  const votes = await db
    .selectFrom('votes')
    .select(['proposal_id', 'voter_id', 'choices'])
    .where(
      'proposal_id',
      'in',
      scenario.proposals.map((p) => p.id),
    )
    .execute();
  const stored = new Map<string, string>();
  for (const v of votes) {
    const key = `${v.proposal_id}|${v.voter_id}`;
    if (stored.has(key)) problems.push(`two ballots stored for ${key}`);
    stored.set(key, (v.choices as { optionId: string }[])[0]!.optionId);
  }
  for (const [key, ballot] of ledger.ballots) {
    const found = stored.get(key) ?? null;
    stored.delete(key);
    if (found !== ballot.acked && !ballot.doubtful.includes(found))
      problems.push(`ballot ${key}: stored ${found}, acknowledged ${ballot.acked}`);
  }
  for (const [key] of stored) problems.push(`ballot ${key} stored but never cast`);

  const reactionRows = await db
    .selectFrom('reactions')
    .select(['comment_id', 'user_id', 'emoji'])
    .where(
      'comment_id',
      'in',
      ledger.ackedCommentIds.length > 0 ? ledger.ackedCommentIds : ['00000000-0000-4000-8000-000000000000'],
    )
    .execute();
  const on = new Set(reactionRows.map((r) => `${r.comment_id}|${r.user_id}|${r.emoji}`));
  for (const [key, reaction] of ledger.reactions) {
    const found = on.delete(key);
    if (found !== reaction.acked && !reaction.doubtful.includes(found))
      problems.push(`reaction ${key}: stored ${found}, acknowledged ${reaction.acked}`);
  }
  for (const key of on) problems.push(`reaction ${key} stored but never sent`);
  return problems;
}

/** Each proposal of the scenario as HTTP shows it now (its tally), read as `token`. */
export async function readProposals(baseUrl: string, token: string, scenario: Scenario) {
  return Promise.all(
    scenario.proposals.map(
      async (p) =>
        (await must(baseUrl, 'GET', `/proposals/${p.id}`, token)).proposal as {
          id: string;
          voterCount: number;
          results: { options: { optionId: string; count: number }[] };
        },
    ),
  );
}

/**
 * The tallies HTTP showed (`readProposals`) against the ballots the database
 * holds, which `checkDatabase` matched with the acknowledged ones: counts per
 * option and voters. Returns problems, empty when they agree.
 */
export async function checkTallies(
  db: Kysely<DB>,
  shown: Awaited<ReturnType<typeof readProposals>>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const p of shown) {
    const votes = await db.selectFrom('votes').select('choices').where('proposal_id', '=', p.id).execute();
    const stored = new Map<string, number>();
    for (const v of votes) {
      const id = (v.choices as { optionId: string }[])[0]!.optionId;
      stored.set(id, (stored.get(id) ?? 0) + 1);
    }
    if (p.voterCount !== votes.length)
      problems.push(`proposal ${p.id}: voterCount ${p.voterCount}, ${votes.length} ballots stored`);
    for (const option of p.results.options) {
      if (option.count !== (stored.get(option.optionId) ?? 0))
        problems.push(
          `proposal ${p.id} option ${option.optionId}: tally ${option.count}, ${stored.get(option.optionId) ?? 0} ballots`,
        );
    }
  }
  return problems;
}

/** Creates `threads` threads and `proposals` single-choice polls through the API, as the facilitator. */
export async function createScenario(
  baseUrl: string,
  facilitator: SimMember,
  groupId: string,
  options: { threads: number; proposals: number; servers: string[] } & Pick<Scenario, 'mix' | 'thinkMs'>,
): Promise<Scenario> {
  const threadIds: string[] = [];
  const proposals: Scenario['proposals'] = [];
  for (let i = 0; i < options.threads; i++) {
    const created = await must(baseUrl, 'POST', `/groups/${groupId}/threads`, facilitator.token, {
      title: `Load thread ${i + 1}`,
    });
    threadIds.push(created.thread.id);
  }
  for (let i = 0; i < options.proposals; i++) {
    const created = await must(
      baseUrl,
      'POST',
      `/threads/${threadIds[i % threadIds.length]}/proposals`,
      facilitator.token,
      {
        kind: 'poll',
        title: `Load poll ${i + 1}`,
        options: [{ label: 'Red' }, { label: 'Green' }, { label: 'Blue' }, { label: 'Gold' }],
        closesAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      },
    );
    proposals.push({
      id: created.proposal.id,
      optionIds: created.proposal.options.map((o: { id: string }) => o.id),
    });
  }
  return {
    servers: options.servers,
    threadIds,
    proposals,
    mix: options.mix,
    thinkMs: options.thinkMs,
    tag: `load-${randomBytes(4).toString('hex')}`,
  };
}
