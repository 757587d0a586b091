import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB, EmailNotifications, UserRow } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

export function findUserByEmail(db: Handle, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
}

/** Handles starting with `base`, to pick a free one. */
export async function handlesLike(db: Handle, base: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('users')
    .select('handle')
    .where('handle', 'like', `${base.replace(/[\\%_]/g, '\\$&')}%`)
    .execute();
  return new Set(rows.map((r) => r.handle));
}

export function insertUser(
  db: Handle,
  user: { email: string; name: string; handle: string; passwordHash: string; browserLocale?: string | null },
): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({
      email: user.email,
      name: user.name,
      handle: user.handle,
      password_hash: user.passwordHash,
      browser_locale: user.browserLocale ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Sets only the given fields; an empty patch changes nothing and returns the user as they are. */
export function updateUser(
  db: Handle,
  id: string,
  patch: {
    name?: string;
    emailNotifications?: EmailNotifications;
    passwordHash?: string;
    locale?: string | null;
    browserLocale?: string | null;
  },
): Promise<UserRow> {
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
    ...(patch.browserLocale !== undefined ? { browser_locale: patch.browserLocale } : {}),
    ...(patch.emailNotifications !== undefined ? { email_notifications: patch.emailNotifications } : {}),
    ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
  };
  // `update … set` with no column is a syntax error, and `PATCH {}` is a valid request.
  if (Object.keys(set).length === 0) {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }
  return db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * Of `userIds`, those whose email `viewerId` may see: the viewer themself and
 * anyone in a group the viewer facilitates (the contract's rule for `User.email`).
 */
export async function emailsVisibleTo(db: Handle, viewerId: string, userIds: string[]): Promise<Set<string>> {
  const visible = new Set(userIds.filter((id) => id === viewerId));
  const others = userIds.filter((id) => id !== viewerId);
  if (others.length === 0) return visible;
  const rows = await db
    .selectFrom('memberships as mine')
    .innerJoin('memberships as theirs', 'theirs.group_id', 'mine.group_id')
    .select('theirs.user_id')
    .distinct()
    .where('mine.user_id', '=', viewerId)
    .where('mine.role', '=', 'facilitator')
    .where('theirs.user_id', 'in', others)
    .execute();
  for (const row of rows) visible.add(row.user_id);
  return visible;
}

/** Display names by user id. */
export async function namesOf(db: Handle, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
