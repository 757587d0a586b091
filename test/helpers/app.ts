import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { migratedDatabase, type TestDatabase } from './database';

export type TestApp = Awaited<ReturnType<typeof buildApp>>;

/** The origin `inject` requests come from; cookie-authenticated writes must name it. */
export const ORIGIN = 'http://localhost:80';

export interface Harness {
  app: TestApp;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A fully built app on its own fresh database. */
export async function startApp(env: Record<string, string> = {}): Promise<Harness> {
  const db = await migratedDatabase();
  const config = loadConfig({
    SESSION_SECRET: 'test-secret-test-secret-test-secret-42',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'plenary-test-')),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp({ config, database: db.database, serveClient: false, logger: false });
  await app.ready();
  return {
    app,
    db,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

/** A signed-up person and the headers that act as them. */
export interface Person {
  id: string;
  name: string;
  handle: string;
  email: string;
  password: string;
  /** Cookie and Origin, as a browser would send them. */
  headers: Record<string, string>;
}

let counter = 0;

/** Registers someone new and returns their session. */
export async function signUp(
  app: TestApp,
  overrides: Partial<{ name: string; email: string; password: string }> = {},
) {
  counter += 1;
  const name = overrides.name ?? `Member ${counter}`;
  const email = overrides.email ?? `member${counter}-${Date.now()}@example.org`;
  const password = overrides.password ?? 'correct horse battery';
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { name, email, password },
  });
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  const user = res.json().user;
  return { ...user, email, password, headers: { cookie: sessionCookie(res), origin: ORIGIN } } as Person;
}

/** `name=value` of the session cookie a response set. */
export function sessionCookie(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === 'plenary_session');
  if (!cookie) throw new Error('no session cookie set');
  return `plenary_session=${cookie.value}`;
}

/** Creates a group as `person` and returns it. */
export async function createGroup(app: TestApp, person: Person, name = 'Platform Co-op Circle') {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/groups',
    headers: person.headers,
    payload: { name },
  });
  if (res.statusCode !== 201) throw new Error(`create group failed: ${res.statusCode} ${res.body}`);
  return res.json().group as { id: string; name: string };
}

/** Adds `person` to a group through a real invitation. */
export async function join(
  app: TestApp,
  facilitator: Person,
  groupId: string,
  person: Person,
  role = 'member',
) {
  const inv = await app.inject({
    method: 'POST',
    url: `/api/v1/groups/${groupId}/invitations`,
    headers: facilitator.headers,
    payload: { role },
  });
  if (inv.statusCode !== 201) throw new Error(`invite failed: ${inv.statusCode} ${inv.body}`);
  const token = inv.json().invitation.token;
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/invitations/${token}/accept`,
    headers: person.headers,
  });
  if (res.statusCode !== 200) throw new Error(`accept failed: ${res.statusCode} ${res.body}`);
}

/** A second, separate session for `person` (a login from another device). */
export async function logIn(app: TestApp, person: Person): Promise<Record<string, string>> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: person.email, password: person.password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return { cookie: sessionCookie(res), origin: ORIGIN };
}

/** An invitation to `groupId` created by `inviter`, with any of the contract's fields. */
export async function invite(
  app: TestApp,
  inviter: Person,
  groupId: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; token: string; url: string; role: string; maxUses: number | null; uses: number }> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/groups/${groupId}/invitations`,
    headers: inviter.headers,
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
  return res.json().invitation;
}

/** Signs up `count` people and adds each to the group with `role`, in joining order. */
export async function addMembers(
  app: TestApp,
  facilitator: Person,
  groupId: string,
  count: number,
  role = 'member',
): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const person = await signUp(app);
    await join(app, facilitator, groupId, person, role);
    people.push(person);
  }
  return people;
}

/** An API token of `person`: its id, and the secret shown once, as Bearer headers. */
export async function apiToken(app: TestApp, person: Person, name = 'bot') {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: person.headers,
    payload: { name },
  });
  if (res.statusCode !== 201) throw new Error(`token failed: ${res.statusCode} ${res.body}`);
  const token = res.json().token as { id: string; name: string; secret: string };
  return { ...token, headers: { authorization: `Bearer ${token.secret}` } };
}

/**
 * Tables a rejected request may still write to: the rate-limit counters (a
 * refused login counts towards the limit) and the migrator's own bookkeeping.
 */
const UNCOUNTED_TABLES = new Set(['rate_limits', 'kysely_migration', 'kysely_migration_lock']);

/**
 * Row counts of every table a request can write, found in the catalog so a
 * table added by a later migration is counted too: shows that a rejected
 * request changed nothing.
 */
export async function rowCounts(h: Harness): Promise<Record<string, number>> {
  const db = h.db.database.db;
  const tables = await sql<{ name: string }>`select tablename as name from pg_tables
    where schemaname = current_schema() order by tablename`.execute(db);
  const names = tables.rows.map((t) => t.name).filter((name) => !UNCOUNTED_TABLES.has(name));
  const counts = await sql<{ name: string; n: string | number }>`${sql.join(
    names.map((name) => sql`select ${name}::text as name, count(*) as n from ${sql.table(name)}`),
    sql` union all `,
  )}`.execute(db);
  return Object.fromEntries(counts.rows.map((r) => [r.name, Number(r.n)]));
}

/** Event rows, oldest first, optionally of one kind and one group. */
export async function eventRows(h: Harness, filter: { kind?: string; groupId?: string } = {}) {
  let q = h.db.database.db.selectFrom('events').selectAll().orderBy('id');
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.groupId) q = q.where('group_id', '=', filter.groupId);
  return q.execute();
}

/** A well-formed id that names nothing. */
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** The JSON pointers an error's details name, in order. */
export const detailPaths = (error: { details?: { path: string }[] }) =>
  (error.details ?? []).map((d) => d.path);

/** Checks a response is the contract's error shape with this status and code, and returns the error. */
export function expectError(res: LightMyRequestResponse, status: number, code: string) {
  const body = res.json();
  expect({ status: res.statusCode, code: body?.error?.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe('string');
  return body.error as { code: string; message: string; details?: { path: string; message: string }[] };
}
