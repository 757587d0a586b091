import { type Kysely, sql, type Transaction } from 'kysely';
import type { PatchPreferencesBody, Preferences } from '../../shared/schemas/email';
import type { DB, EmailNotifications } from '../db/schema';
import { invalid, notFound } from '../errors';
import type { Ctx } from '../services/context';
import { isUuid } from '../services/text';
import { DIGEST_UNSUBSCRIBE, readUnsubscribeToken } from './layout';

type Handle = Kysely<DB> | Transaction<DB>;

const DEFAULTS = { digest: 'off', digestHour: 8, timeZone: 'UTC' } as const;

/** Whether the runtime knows an IANA zone by this name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A member's email preferences; `groups` holds only the groups set apart from `email`. */
export async function getPreferences(db: Handle, userId: string): Promise<Preferences> {
  const [row, groups] = await Promise.all([
    db
      .selectFrom('users')
      .leftJoin('user_preferences', 'user_preferences.user_id', 'users.id')
      .select([
        'users.email_notifications',
        'user_preferences.digest',
        'user_preferences.digest_hour',
        'user_preferences.time_zone',
      ])
      .where('users.id', '=', userId)
      .executeTakeFirst(),
    db
      .selectFrom('group_email_preferences')
      .select(['group_id', 'email'])
      .where('user_id', '=', userId)
      .execute(),
  ]);
  if (!row) throw notFound('user');
  return {
    email: row.email_notifications,
    digest: row.digest ?? DEFAULTS.digest,
    digestHour: row.digest_hour ?? DEFAULTS.digestHour,
    timeZone: row.time_zone ?? DEFAULTS.timeZone,
    groups: Object.fromEntries(groups.map((g) => [g.group_id, g.email])),
  };
}

/** Changes what was sent and leaves the rest; groups must be the caller's own (else 400, nothing changed). */
export async function updatePreferences(
  ctx: Ctx,
  userId: string,
  patch: PatchPreferencesBody,
): Promise<Preferences> {
  if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone)) {
    throw invalid('/timeZone', 'is not a time zone this server knows (an IANA name such as Europe/Paris)');
  }
  const groupEntries = Object.entries(patch.groups ?? {});
  return ctx.db.transaction().execute(async (trx) => {
    if (groupEntries.length > 0) {
      const ids = groupEntries.map(([id]) => id);
      const bad = ids.find((id) => !isUuid(id));
      const mine = new Set(
        bad
          ? []
          : (
              await trx
                .selectFrom('memberships')
                .select('group_id')
                .where('user_id', '=', userId)
                .where('group_id', 'in', ids)
                .execute()
            ).map((m) => m.group_id),
      );
      const notMine = bad ?? ids.find((id) => !mine.has(id));
      if (notMine !== undefined) throw invalid(`/groups/${notMine}`, 'is not one of your groups');
      const set = groupEntries.filter((e): e is [string, EmailNotifications] => e[1] !== null);
      const cleared = groupEntries.filter(([, v]) => v === null).map(([id]) => id);
      if (set.length > 0) {
        await trx
          .insertInto('group_email_preferences')
          .values(set.map(([groupId, email]) => ({ user_id: userId, group_id: groupId, email })))
          .onConflict((oc) => oc.columns(['user_id', 'group_id']).doUpdateSet({ email: sql`excluded.email` }))
          .execute();
      }
      if (cleared.length > 0) {
        await trx
          .deleteFrom('group_email_preferences')
          .where('user_id', '=', userId)
          .where('group_id', 'in', cleared)
          .execute();
      }
    }
    if (patch.email !== undefined) {
      await trx
        .updateTable('users')
        .set({ email_notifications: patch.email })
        .where('id', '=', userId)
        .execute();
    }
    const own = {
      ...(patch.digest !== undefined ? { digest: patch.digest } : {}),
      ...(patch.digestHour !== undefined ? { digest_hour: patch.digestHour } : {}),
      ...(patch.timeZone !== undefined ? { time_zone: patch.timeZone } : {}),
    };
    if (Object.keys(own).length > 0) {
      await trx
        .insertInto('user_preferences')
        .values({ user_id: userId, ...own })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(own))
        .execute();
    }
    return getPreferences(trx, userId);
  });
}

/**
 * One-click unsubscribe (RFC 8058): the signed token names the member and the
 * group; that group's mail stops for them. Repeating it changes nothing more.
 * Returns false for a token this server did not sign.
 */
export async function unsubscribe(ctx: Ctx, token: string): Promise<boolean> {
  const target = readUnsubscribeToken(ctx.config, token);
  // A digest's link (it covers every group) turns the digest off.
  if (target?.groupId === DIGEST_UNSUBSCRIBE && isUuid(target.userId)) {
    await sql`update user_preferences set digest = 'off' where user_id = ${target.userId}`.execute(ctx.db);
    return true;
  }
  if (!target || !isUuid(target.userId) || !isUuid(target.groupId)) return false;
  // The account or group may be gone since the mail left: then there is nothing left to stop.
  await sql`
    insert into group_email_preferences (user_id, group_id, email)
    select u.id, g.id, 'none' from users u, groups g where u.id = ${target.userId} and g.id = ${target.groupId}
    on conflict (user_id, group_id) do update set email = 'none'`.execute(ctx.db);
  return true;
}
