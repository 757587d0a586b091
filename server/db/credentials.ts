import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/**
 * Which credentials still sign someone in: sessions (by id) neither revoked
 * nor expired, API tokens (by hash) not deleted. One query for any number, so
 * a process can re-check every open websocket's credential at once.
 */
export async function liveCredentials(
  db: Handle,
  credentials: { sessionIds: string[]; tokenHashes: string[] },
): Promise<{ sessionIds: Set<string>; tokenHashes: Set<string> }> {
  const live = { sessionIds: new Set<string>(), tokenHashes: new Set<string>() };
  const { sessionIds, tokenHashes } = credentials;
  if (sessionIds.length === 0 && tokenHashes.length === 0) return live;
  const { rows } = await sql<{ session_id: string | null; token_hash: string | null }>`
    select id as session_id, null as token_hash from sessions
     where id = any(${sessionIds}::uuid[]) and revoked_at is null and expires_at > now()
    union all
    select null, token_hash from api_tokens where token_hash = any(${tokenHashes}::text[])`.execute(db);
  for (const row of rows) {
    if (row.session_id) live.sessionIds.add(row.session_id);
    if (row.token_hash) live.tokenHashes.add(row.token_hash);
  }
  return live;
}
