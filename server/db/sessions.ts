import type { Kysely, Transaction } from 'kysely';
import type { DB, UserRow } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

export function insertSession(db: Handle, userId: string, tokenHash: string, expiresAt: Date) {
  return db
    .insertInto('sessions')
    .values({ user_id: userId, token_hash: tokenHash, expires_at: expiresAt })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** The live session's user for a token hash, or undefined when unknown, expired or revoked. */
export async function userForSession(
  db: Handle,
  tokenHash: string,
): Promise<{ sessionId: string; user: UserRow } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select('sessions.id as session_id')
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row) return undefined;
  const { session_id, ...user } = row;
  return { sessionId: session_id, user };
}

export function revokeSession(db: Handle, sessionId: string) {
  return db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sessionId).execute();
}

/** Revokes every session of a user except `keepId` (after a password change). */
export function revokeOtherSessions(db: Handle, userId: string, keepId: string | null) {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepId) query = query.where('id', '!=', keepId);
  return query.execute();
}

export function insertApiToken(db: Handle, userId: string, name: string, tokenHash: string) {
  return db
    .insertInto('api_tokens')
    .values({ user_id: userId, name, token_hash: tokenHash })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function userForApiToken(
  db: Handle,
  tokenHash: string,
): Promise<{ tokenId: string; user: UserRow } | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select('api_tokens.id as token_id')
    .where('api_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { token_id, ...user } = row;
  return { tokenId: token_id, user };
}

export function listApiTokens(db: Handle, userId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Deletes a token of this user; returns false when there is none with that id. */
export async function deleteApiToken(db: Handle, userId: string, tokenId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('api_tokens')
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes every API token of a user (after a password change); returns how many there were. */
export async function deleteApiTokensOf(db: Handle, userId: string): Promise<number> {
  const result = await db.deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
