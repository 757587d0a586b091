import type { Kysely, Transaction } from 'kysely';
import type { Config } from '../config';
import { appendEvents, type EventInput } from '../db/events';
import type { DB } from '../db/schema';
import type { EmailWaker } from '../email/outbox';
import type { EventBus } from '../stream/bus';
import type { RateLimiter } from './rate-limiter';
import type { CachedTimelinePage, CommittedEvent, Principal, SharedTimelinePage } from './types';

/** What domain services need: the database, the bus, the configuration and the limits. */
export interface Ctx {
  db: Kysely<DB>;
  /** Statements in the order sent, on a connection of their own (`Database.inOrder`). */
  inOrder: Kysely<DB>;
  bus: EventBus;
  config: Config;
  limiter: RateLimiter;
  /** Recently checked sessions and tokens. */
  auth: CredentialCache;
  /** Recently read timeline pages. */
  timelines: TimelinePages;
  /** Wake the email worker after a commit that queued mail (a no-op where this process sends none). */
  email: EmailWaker;
}

// The caches are declared here, as what services may ask of them, and built by the context plugin
// (`auth-cache.ts`, `timeline-cache.ts`): this module imports none of the services that import it.

/** Who a session or API token belongs to, for a few seconds (`AuthCache`). */
export interface CredentialCache {
  get(key: string): Principal | undefined;
  set(key: string, principal: Principal): void;
  /** Forgets every credential of a user. */
  evictUser(userId: string): void;
}

/** Timeline pages and thread access, trusted while the thread has no newer event (`TimelineCache`). */
export interface TimelinePages {
  /** The thread's newest event id if known, with `userId` allowed to read it; undefined: ask the database. */
  knownAccess(threadId: string, userId: string): number | undefined;
  /** Call before an access check reads the database; hand the answer to `learnAccess`. */
  accessEpoch(): number;
  /** What the database answered to an access check that began at `epoch`. */
  learnAccess(threadId: string, groupId: string, userId: string, lastEventId: number, epoch: number): void;
  /** Call before reading a page from the database; hand the answer to `put`. */
  epoch(): number;
  get(key: string, version: number): CachedTimelinePage | undefined;
  put(key: string, version: number, epoch: number, page: SharedTimelinePage): CachedTimelinePage;
  /** Called after every commit that appended events, before its writer is answered. */
  committed(events: CommittedEvent[]): void;
  /** A user changed (a new name): forget every page that shows them. */
  evictUser(userId: string): void;
}

/**
 * Collects the events a change produces; they are written last, in the same
 * transaction. It carries the configuration, so what a change queues beside
 * its events (notification emails) can build links without a new parameter.
 */
export type Emit = ((event: EventInput) => void) & { config?: Config };

/**
 * Runs a change in one transaction together with its event rows, then tells
 * the bus once it has committed. A change that throws leaves no row and no event.
 */
export async function writeTransaction<T>(
  ctx: Ctx,
  change: (trx: Transaction<DB>, emit: Emit) => Promise<T>,
): Promise<T> {
  let committed: CommittedEvent[] = [];
  const result = await ctx.db.transaction().execute(async (trx) => {
    const pending: EventInput[] = [];
    const emit: Emit = Object.assign((event: EventInput) => void pending.push(event), { config: ctx.config });
    const value = await change(trx, emit);
    const ids = await appendEvents(trx, pending);
    committed = pending.map((e, i) => ({ ...e, id: ids[i]! }));
    for (const [i, id] of ids.entries()) {
      const target = pending[i]!.recordIdIn;
      if (target) {
        await trx
          .updateTable(target.table)
          .set({ event_id: String(id) })
          .where('id', '=', target.id)
          .execute();
      }
    }
    return value;
  });
  eventsCommitted(ctx, committed);
  return result;
}

/** After a commit that appended events, before the writer is answered: caches and other processes learn. */
export function eventsCommitted(ctx: Ctx, events: CommittedEvent[]): void {
  if (events.length === 0) return;
  ctx.timelines.committed(events);
  ctx.bus.announce(Math.max(...events.map((e) => e.id)));
  // Notifications may have queued their emails in the same transaction.
  if (events.some((e) => e.kind === 'notification.created')) ctx.email.wake();
  // And their pushes (`push-sender.ts`), sent from here without holding up the writer's answer.
  ctx.push?.notify(events);
}
