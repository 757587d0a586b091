import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { insertApiToken, insertSession } from '../../server/db/sessions';
import { hashApiToken, hashSessionToken } from '../../server/services/tokens';
import { createGroup, type Harness, invite, ORIGIN, type Person, signUp, type TestApp } from './app';
import { createProposal } from './factories';
import { openStream } from './stream';

/** Everyone the authorisation matrix asks, in the order its cells run. */
export const PRINCIPALS = [
  'anonymous',
  'outsider',
  'member',
  'facilitator',
  'removedMember',
  'demotedFacilitator',
  'apiToken',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

/** The people behind the principals, plus a bystander member that member routes can target. */
export interface Cast {
  facilitator: Person;
  member: Person;
  outsider: Person;
  removedMember: Person;
  demotedFacilitator: Person;
  bystander: Person;
}

/**
 * The cast, once per file. Only the bystander signs up for real (the login row
 * needs a password that works); the others go straight into the table, as a
 * password check costs more than a whole fixture on a busy machine. Every
 * fixture gives them fresh credentials.
 */
export async function signUpCast(h: Harness): Promise<Cast> {
  const names = {
    facilitator: 'Ada Facilitator',
    member: 'Bo Member',
    outsider: 'Cy Outsider',
    removedMember: 'Di Removed',
    demotedFacilitator: 'Ed Demoted',
  };
  const tag = randomBytes(4).toString('hex');
  const rows = await h.db.database.db
    .insertInto('users')
    .values(
      Object.entries(names).map(([key, name]) => ({
        email: `${key.toLowerCase()}-${tag}@example.org`,
        name,
        handle: `${key.toLowerCase().slice(0, 20)}-${tag}`,
        password_hash: 'scrypt$1$1$1$none$none',
      })),
    )
    .returningAll()
    .execute();
  const people = Object.fromEntries(
    Object.keys(names).map((key) => {
      const r = rows.find((row) => row.email === `${key.toLowerCase()}-${tag}@example.org`)!;
      return [key, { id: r.id, name: r.name, handle: r.handle, email: r.email, password: '', headers: {} }];
    }),
  ) as Omit<Cast, 'bystander'>;
  return { ...people, bystander: await signUp(h.app, { name: 'Fay Bystander' }) };
}

/**
 * One group as the matrix needs it: the member wrote a thread, a comment in it
 * and an open proposal; `invitation` is an unused link from the facilitator,
 * `removedMemberLink` the link the removed member joined through, and
 * `demotedLink` a link the demoted facilitator issued while still one.
 */
export interface Fixture {
  groupId: string;
  threadId: string;
  commentId: string;
  proposalId: string;
  agreeOptionId: string;
  invitation: { id: string; token: string };
  removedMemberLink: string;
  demotedLink: { id: string; token: string };
  /** The id of the API token that `apiToken` uses (the member's). */
  memberTokenId: string;
  /** The thread's newest event when the fixture was done. */
  lastEventId: number;
  /** Whatever the row's `setup` answered (ids or tokens it made). */
  extra: Record<string, string>;
  userIds: Record<keyof Cast, string>;
  /** Headers that act as each principal, with credentials made for this fixture. */
  headers: Record<PrincipalName, Record<string, string>>;
}

/** A fixture before the removal and the demotion: what a case's `setup` may still use. */
export type Draft = Omit<Fixture, 'lastEventId' | 'extra'> & { harness: Harness };
/** Changes a draft fixture; an object it answers becomes the fixture's `extra`. */
export type Setup = (draft: Draft) => Promise<unknown>;

async function mintSession(h: Harness, userId: string): Promise<Record<string, string>> {
  // Straight into the table: signing in again would cost a password check per person per fixture.
  const token = randomBytes(32).toString('base64url');
  const secret = h.app.ctx.config.sessionSecret;
  await insertSession(
    h.db.database.db,
    userId,
    hashSessionToken(token, secret),
    new Date(Date.now() + 86_400_000),
  );
  return { cookie: `plenary_session=${token}`, origin: ORIGIN };
}

async function expectOk(res: LightMyRequestResponse, what: string) {
  if (res.statusCode >= 300) throw new Error(`${what} failed: ${res.statusCode} ${res.body}`);
  return res.statusCode === 204 ? undefined : res.json();
}

/** Sends one request as `headers`; `body` undefined sends none. */
export function send(
  h: Harness,
  headers: Record<string, string>,
  method: string,
  url: string,
  body?: unknown,
) {
  return h.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

/**
 * Builds a fresh group through the API. `setup` runs while the removed member
 * and the demoted facilitator still hold their places; then both are read
 * back into every cache a request fills, and removed or demoted a moment
 * before the cells run.
 */
export async function buildFixture(h: Harness, cast: Cast, setup?: Setup): Promise<Fixture> {
  const db = h.db.database.db;
  const userIds = Object.fromEntries(Object.entries(cast).map(([k, p]) => [k, p.id])) as Fixture['userIds'];
  const session = Object.fromEntries(
    await Promise.all(Object.entries(cast).map(async ([k, p]) => [k, await mintSession(h, p.id)])),
  ) as Record<keyof Cast, Record<string, string>>;
  const secret = `pl_${randomBytes(24).toString('base64url')}`;
  const token = await insertApiToken(db, cast.member.id, 'matrix', hashApiToken(secret));
  const headers: Fixture['headers'] = {
    anonymous: {},
    outsider: session.outsider,
    member: session.member,
    facilitator: session.facilitator,
    removedMember: session.removedMember,
    demotedFacilitator: session.demotedFacilitator,
    apiToken: { authorization: `Bearer ${secret}` },
  };
  const as = (who: keyof Cast) => ({ ...cast[who], headers: session[who] });

  const groupId = (await createGroup(h.app, as('facilitator'), 'Matrix Co-op')).id;
  // Joining is not what the matrix asks about (invitations have their own rows): straight into the table,
  // but the removed member joins through a real link, which the rows about links used before need.
  await db
    .insertInto('memberships')
    .values([
      { group_id: groupId, user_id: cast.member.id, role: 'member' as const },
      { group_id: groupId, user_id: cast.bystander.id, role: 'member' as const },
      { group_id: groupId, user_id: cast.demotedFacilitator.id, role: 'facilitator' as const },
    ])
    .execute();
  const removedMemberLink = (await invite(h.app, as('facilitator'), groupId)).token;
  await expectOk(
    await send(h, session.removedMember, 'POST', `/api/v1/invitations/${removedMemberLink}/accept`),
    'the removed member joining',
  );
  const invitation = await invite(h.app, as('facilitator'), groupId);
  const demotedLink = await invite(h.app, as('demotedFacilitator'), groupId);
  const { thread } = await expectOk(
    await send(h, session.member, 'POST', `/api/v1/groups/${groupId}/threads`, {
      title: 'Where should the spring assembly meet?',
      body: 'The hall or the park.',
    }),
    'thread',
  );
  const { comment } = await expectOk(
    await send(h, session.member, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: 'The hall.' }),
    'comment',
  );
  const proposal = await createProposal(h.app, as('member'), thread.id, { kind: 'proposal' });
  const draft: Draft = {
    harness: h,
    groupId,
    threadId: thread.id,
    commentId: comment.id,
    proposalId: proposal.id,
    agreeOptionId:
      proposal.options.find((o) => o.label.toLowerCase() === 'agree')?.id ?? proposal.options[0]!.id,
    invitation: { id: invitation.id, token: invitation.token },
    removedMemberLink,
    demotedLink: { id: demotedLink.id, token: demotedLink.token },
    memberTokenId: token.id,
    userIds,
    headers,
  };
  const answered = setup ? await setup(draft) : undefined;
  const extra = (typeof answered === 'object' && answered !== null ? answered : {}) as Record<string, string>;

  // Whatever a process remembers about them (credentials, timeline access) is now warm.
  for (const who of ['removedMember', 'demotedFacilitator'] as const) {
    for (const url of [
      `/api/v1/groups/${groupId}`,
      `/api/v1/threads/${thread.id}/timeline`,
      `/api/v1/proposals/${proposal.id}`,
      `/api/v1/comments/${comment.id}`,
    ]) {
      await expectOk(await send(h, session[who], 'GET', url), `${who} warming ${url}`);
    }
  }
  await expectOk(
    await send(
      h,
      session.facilitator,
      'DELETE',
      `/api/v1/groups/${groupId}/members/${cast.removedMember.id}`,
    ),
    'removal',
  );
  await expectOk(
    await send(
      h,
      session.facilitator,
      'PATCH',
      `/api/v1/groups/${groupId}/members/${cast.demotedFacilitator.id}`,
      {
        role: 'member',
      },
    ),
    'demotion',
  );
  const last = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('thread_id', '=', thread.id)
    .executeTakeFirstOrThrow();
  const { harness: _h, ...rest } = draft;
  return { ...rest, lastEventId: Number(last.id), extra };
}

/** `METHOD /path` of every route registered under `prefix`, as Fastify registered it (HEAD left out). */
export function registeredRoutes(app: TestApp, prefix = '/api/v1/'): Set<string> {
  const found = new Set<string>();
  const paths: string[] = [];
  // printRoutes draws a tree whose children continue their parent's path: 4 characters a level.
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = line.match(/^((?:│ {3}| {4})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    paths.length = depth;
    const path = (paths[depth - 1] ?? '') + m[2];
    paths[depth] = path;
    if (!path.startsWith(prefix)) continue;
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') found.add(`${method} ${path}`);
  }
  return found;
}

/** Tables that change without anyone changing data: counters of refused attempts, the migrator's own. */
const NOT_DATA = new Set(['rate_limits', 'kysely_migration', 'kysely_migration_lock']);
/** Credentials: what a request may touch there is when they were last used, so their rows are compared without it. */
const CREDENTIALS = new Set(['sessions', 'api_tokens']);
const tableLists = new WeakMap<Harness, string[]>();

/**
 * A fingerprint of every table, keyed by table, read in one query: equal
 * before and after a request means it wrote nothing, whichever table it
 * might have touched. Any insert or update gives its row a newer `xmin`,
 * and a delete lowers the count; credentials are compared by content, but
 * for when they were last used.
 */
export async function stateDigest(h: Harness): Promise<Record<string, string>> {
  const db = h.db.database.db;
  let tables = tableLists.get(h);
  if (!tables) {
    const rows = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
    tables = rows.rows.map((r) => r.table_name).filter((t) => !NOT_DATA.has(t));
    tableLists.set(h, tables);
  }
  const parts = tables.map((t) =>
    CREDENTIALS.has(t)
      ? sql`select ${t} as t, count(*)::text || ':' || coalesce(md5(string_agg(r, '|' order by r)), '') as sum
          from (select (to_jsonb(x) - 'last_used_at')::text as r from ${sql.table(t)} x) rows`
      : sql`select ${t} as t, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text as sum
          from ${sql.table(t)}`,
  );
  const result = await sql<{ t: string; sum: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(result.rows.map((r) => [r.t, r.sum]));
}

/** The tables whose fingerprint differs between two digests. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}

const CODES: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
};
/** A cell as the matrix shows it: the status, and a refusal's error code. */
export const shown = (status: number) => (status >= 400 ? `${status} ${CODES[status] ?? '?'}` : `${status}`);

/** What the runner needs of a row: how to ask, and what to build first. */
export interface Ask {
  method: string;
  request: (fx: Fixture, who: PrincipalName) => { url: string; body?: unknown };
  setup?: Setup;
  /** A websocket upgrade rather than a request: 101 when the socket opens. */
  websocket?: true;
}

/**
 * How long an unchanged fixture serves further rows. Under the auth cache's
 * 10 s, so the removal and the demotion are still "a moment ago" for a cache
 * that remembered too much.
 */
const REUSE_MS = 5_000;

/** Runs matrix cells: builds or reuses fixtures, and tells which tables a refusal changed. */
export class MatrixRunner {
  /** The fixture in use, and whether anything has changed it since it was built. */
  private current: { fx: Fixture; builtAt: number; clean: boolean } | undefined;
  /** The state as the last cell left it, while nothing else has written since. */
  private lastDigest: Record<string, string> | undefined;

  constructor(
    private readonly h: Harness,
    private readonly cast: Cast,
    private readonly baseUrl: string,
  ) {}

  /** A new fixture; `setup` runs before the removal and the demotion. */
  async fresh(setup?: Setup): Promise<Fixture> {
    const fx = await buildFixture(this.h, this.cast, setup);
    this.current = { fx, builtAt: Date.now(), clean: !setup };
    this.lastDigest = undefined;
    return fx;
  }

  /** The current fixture while nothing has changed it and it is recent, else a new one. */
  fixtureFor(setup?: Setup): Promise<Fixture> {
    const c = this.current;
    if (!setup && c?.clean && Date.now() - c.builtAt < REUSE_MS) return Promise.resolve(c.fx);
    return this.fresh(setup);
  }

  /** Credentials for the stream: the cookie, or the API token as `?token=`. */
  streamAuth(fx: Fixture, who: PrincipalName) {
    return who === 'apiToken'
      ? { token: fx.headers.apiToken.authorization!.slice('Bearer '.length) }
      : { cookie: fx.headers[who].cookie };
  }

  /** One cell: the status, and for a refusal its error code and any table it changed. */
  async run(fx: Fixture, who: PrincipalName, ask: Ask): Promise<string> {
    const before = this.lastDigest ?? (await stateDigest(this.h));
    const { status, code } = await this.attempt(fx, who, ask);
    const after = await stateDigest(this.h);
    this.lastDigest = after;
    const changed = changedTables(before, after);
    if (changed.length > 0 && this.current?.fx === fx) this.current.clean = false;
    if (status < 400) return `${status}`;
    return `${status} ${code}${changed.length ? `; changed ${changed.join(', ')}` : ''}`;
  }

  /** Anything written outside `run` makes the last digest stale. */
  forget(): void {
    this.current = undefined;
    this.lastDigest = undefined;
  }

  private async attempt(
    fx: Fixture,
    who: PrincipalName,
    ask: Ask,
  ): Promise<{ status: number; code?: string }> {
    const { url, body } = ask.request(fx, who);
    if (!ask.websocket) {
      const res = await send(this.h, fx.headers[who], ask.method, url, body);
      // The unsubscribe confirmation is a page for people; every other refusal is the contract's JSON.
      const isPage = String(res.headers['content-type'] ?? '').startsWith('text/html');
      const code =
        res.statusCode < 400
          ? undefined
          : isPage
            ? CODES[res.statusCode]
            : (res.json()?.error?.code ?? 'no error body');
      return { status: res.statusCode, code };
    }
    try {
      await (await openStream(this.baseUrl, this.streamAuth(fx, who))).close();
      return { status: 101 };
    } catch (err) {
      const status = Number(String(err).match(/upgrade refused: (\d+)/)?.[1]);
      if (!status) throw err;
      return { status, code: CODES[status] };
    }
  }
}
