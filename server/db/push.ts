import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** A browser's subscription as the push service gave it. */
export interface NewPushSubscriptionRow {
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Stores a subscription. An endpoint already stored is the same browser
 * subscribing again (perhaps signed into another account): its row moves to
 * this user with the new keys, and counts as new.
 */
export function upsertPushSubscription(db: Handle, s: NewPushSubscriptionRow) {
  const row = { user_id: s.userId, endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth };
  return db
    .insertInto('push_subscriptions')
    .values(row)
    .onConflict((oc) =>
      oc.column('endpoint').doUpdateSet({
        user_id: s.userId,
        p256dh: s.p256dh,
        auth: s.auth,
        created_at: new Date(),
        last_sent_at: null,
        failure_count: 0,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type PushSubscriptionRow = Awaited<ReturnType<typeof upsertPushSubscription>>;

/** A user's subscriptions, oldest first. */
export function pushSubscriptionsOf(db: Handle, userIds: readonly string[]) {
  return db
    .selectFrom('push_subscriptions')
    .selectAll()
    .where('user_id', 'in', userIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Deletes one of the user's subscriptions; false when they have none by that id. */
export async function deletePushSubscription(db: Handle, userId: string, id: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('push_subscriptions')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

/** The push service says the browser is gone (404, 410): nobody will read this endpoint again. */
export async function forgetPushEndpoint(db: Handle, endpoint: string): Promise<void> {
  await db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).execute();
}

/** A push went through: when, and the failures before it forgotten. */
export async function pushDelivered(db: Handle, endpoint: string): Promise<void> {
  await db
    .updateTable('push_subscriptions')
    .set({ last_sent_at: new Date(), failure_count: 0 })
    .where('endpoint', '=', endpoint)
    .execute();
}

/** A push failed for a reason that may pass (a 5xx, a timeout): counted. */
export async function pushFailed(db: Handle, endpoint: string): Promise<void> {
  await db
    .updateTable('push_subscriptions')
    .set((eb) => ({ failure_count: eb('failure_count', '+', 1) }))
    .where('endpoint', '=', endpoint)
    .execute();
}

/**
 * The server's VAPID key pair. `generated` is stored unless a pair already
 * is; whichever pair the table holds afterwards is answered, so processes
 * starting together all end up with the first one written.
 */
export async function storedVapidKeys(
  db: Handle,
  generated: () => { publicKey: string; privateKey: string },
): Promise<{ publicKey: string; privateKey: string }> {
  const read = () => db.selectFrom('vapid_keys').select(['public_key', 'private_key']).executeTakeFirst();
  let row = await read();
  if (!row) {
    const keys = generated();
    await db
      .insertInto('vapid_keys')
      .values({ public_key: keys.publicKey, private_key: keys.privateKey })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    row = await read();
  }
  if (!row) throw new Error('vapid_keys holds no row after inserting one');
  return { publicKey: row.public_key, privateKey: row.private_key };
}
