import { randomBytes } from 'node:crypto';
import { hashApiToken } from '../../server/services/tokens';
import type { Harness, Person, TestApp } from './app';

/** A member made straight in the database, acting through an API token (no password hashing: fast). */
export interface BulkMember {
  id: string;
  name: string;
  headers: Record<string, string>;
}

/** Adds `count` members to a group in one go, each with an API token. */
export async function bulkMembers(
  h: Harness,
  groupId: string,
  count: number,
  prefix = 'Voter',
): Promise<BulkMember[]> {
  const db = h.db.database.db;
  const tag = randomBytes(4).toString('hex');
  const users = await db
    .insertInto('users')
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `${prefix.toLowerCase()}-${tag}-${i}@example.org`,
        name: `${prefix} ${i + 1}`,
        handle: `${prefix.toLowerCase()}-${tag}-${i}`,
        password_hash: 'scrypt$1$1$1$none$none',
      })),
    )
    .returning(['id', 'name'])
    .execute();
  await db
    .insertInto('memberships')
    .values(users.map((u) => ({ group_id: groupId, user_id: u.id, role: 'member' as const })))
    .execute();
  const secrets = users.map(() => `pl_${randomBytes(24).toString('base64url')}`);
  await db
    .insertInto('api_tokens')
    .values(users.map((u, i) => ({ user_id: u.id, name: 'test', token_hash: hashApiToken(secrets[i]!) })))
    .execute();
  return users.map((u, i) => ({
    id: u.id,
    name: u.name,
    headers: { authorization: `Bearer ${secrets[i]}` },
  }));
}

/** An ISO time `seconds` from now. */
export function inSeconds(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}

/** Creates a proposal in a thread through the API and returns it. */
export async function createProposal(
  app: TestApp,
  person: Person | BulkMember,
  threadId: string,
  body: Record<string, unknown>,
) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/threads/${threadId}/proposals`,
    headers: person.headers,
    payload: { closesAt: inSeconds(3600), title: 'Ally with the crowdfunding campaign', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create proposal failed: ${res.statusCode} ${res.body}`);
  return res.json().proposal as {
    id: string;
    options: { id: string; label: string }[];
    [key: string]: unknown;
  };
}
