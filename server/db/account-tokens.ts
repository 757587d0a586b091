import { type Kysely, sql, type Transaction } from 'kysely';
import type { AccountTokenPurpose, DB, UserRow } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** A uuid no account has: the statements below then match nothing, at the same cost. */
export const NO_USER = '00000000-0000-0000-0000-000000000000';

/**
 * Stores a new link's token hash for `userId` (or, for NO_USER, nothing) and
 * drops that account's earlier links of the same purpose, used or not, and any
 * of its expired ones: one statement, so the newest link is the only one that
 * works. Answers whether a row was stored.
 */
export async function issueAccountToken(
  trx: Transaction<DB>,
  token: {
    purpose: AccountTokenPurpose;
    userId: string;
    tokenHash: string;
    newEmail: string | null;
    expiresAt: Date;
  },
): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with earlier as (
      delete from account_tokens
       where user_id = ${token.userId}::uuid and (purpose = ${token.purpose}::text or expires_at < now()))
    insert into account_tokens (purpose, token_hash, user_id, new_email, expires_at)
    select ${token.purpose}::text, ${token.tokenHash}::text, id, ${token.newEmail}::text, ${token.expiresAt.toISOString()}::timestamptz
      from users where id = ${token.userId}::uuid
    returning id`.execute(trx);
  return rows.length > 0;
}

/** A link still usable (unused, unexpired) with its account, or undefined. */
export async function liveAccountToken(
  db: Handle,
  purpose: AccountTokenPurpose,
  tokenHash: string,
): Promise<{ tokenId: string; newEmail: string | null; user: UserRow } | undefined> {
  const row = await db
    .selectFrom('account_tokens')
    .innerJoin('users', 'users.id', 'account_tokens.user_id')
    .selectAll('users')
    .select(['account_tokens.id as token_id', 'account_tokens.new_email as token_email'])
    .where('account_tokens.token_hash', '=', tokenHash)
    .where('account_tokens.purpose', '=', purpose)
    .where('account_tokens.used_at', 'is', null)
    .where('account_tokens.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row) return undefined;
  const { token_id, token_email, ...user } = row;
  return { tokenId: token_id, newEmail: token_email, user };
}

/**
 * Marks a link used if it still was usable; false when another request used it
 * first (the row lock makes concurrent uses queue, and only the first finds it unused).
 */
export async function useAccountToken(trx: Transaction<DB>, tokenId: string): Promise<boolean> {
  const result = await trx
    .updateTable('account_tokens')
    .set({ used_at: new Date() })
    .where('id', '=', tokenId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Drops an account's unused links of these purposes (after a new password, or a new address). */
export async function dropAccountTokens(
  db: Handle,
  userId: string,
  purposes: AccountTokenPurpose[],
): Promise<void> {
  await db
    .deleteFrom('account_tokens')
    .where('user_id', '=', userId)
    .where('purpose', 'in', purposes)
    .where('used_at', 'is', null)
    .execute();
}

/** Marks the account's address verified while it is still `email`; undefined when the account moved on. */
export function markEmailVerified(db: Handle, userId: string, email: string): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({ email_verified_at: sql`coalesce(email_verified_at, now())` })
    .where('id', '=', userId)
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .returningAll()
    .executeTakeFirst();
}

/** Gives the account a new address, verified by the link that brought it. */
export function setVerifiedEmail(db: Handle, userId: string, email: string): Promise<UserRow> {
  return db
    .updateTable('users')
    .set({ email, email_verified_at: new Date() })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The read an address with an account costs in place of queuing its email,
 * so that an unknown address is not answered measurably sooner.
 */
export async function outboxProbe(trx: Transaction<DB>, key: string): Promise<void> {
  await trx.selectFrom('email_outbox').select('id').where('dedupe_key', '=', key).execute();
}
