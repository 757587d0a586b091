import { sql, type Transaction } from 'kysely';
import type { DB } from './schema';

// Claims on proposals made by the clock and by the remind button. Each is one
// UPDATE that takes its rows for exactly one caller, whatever the number of
// server processes running it at once.

/** What a reminder needs of its proposal, and the database's time when it was claimed. */
export interface ClaimedProposal {
  id: string;
  group_id: string;
  thread_id: string;
  title: string;
  closes_at: Date;
  anonymous: boolean;
  ballot_salt: string | null;
  ballot_key_id: string | null;
  now: Date;
}

/**
 * Closes up to `limit` proposals whose closing time has passed, at that time,
 * and returns their ids: rows another process holds are skipped, rows it has
 * just closed are found closed.
 */
export async function closeDue(trx: Transaction<DB>, limit: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    update proposals set closed_at = closes_at
    where id in (
      select id from proposals
      where closed_at is null and closes_at <= now()
      order by closes_at
      limit ${limit}
      for update skip locked
    ) and closed_at is null
    returning id`.execute(trx);
  return rows.rows.map((r) => r.id);
}

/**
 * Claims up to `limit` open proposals that have come within `hours` of their
 * close and have had no closing reminder, leaving out those put to a vote
 * inside that window; a process reaching a row another has just claimed
 * re-reads it after the lock and finds it flipped.
 */
export async function claimClosingSoon(
  trx: Transaction<DB>,
  hours: number,
  limit: number,
): Promise<ClaimedProposal[]> {
  const window = `${hours} hours`;
  const due = await sql<ClaimedProposal>`
    update proposals set closing_soon_notified = true
    where id in (
      select id from proposals
      where closed_at is null and not closing_soon_notified
        and closes_at <= now() + ${window}::interval
        and closes_at > now()
        and created_at < closes_at - ${window}::interval
      order by closes_at
      limit ${limit}
      for update skip locked
    ) and not closing_soon_notified
    returning id, group_id, thread_id, title, closes_at, anonymous, ballot_salt, ballot_key_id,
      now() as now`.execute(trx);
  return due.rows;
}

/**
 * Claims a reminder by hand for an open proposal unless one was sent less
 * than `everySeconds` ago; of two at once, the second waits for the first's
 * row lock, re-reads the row and finds it taken (undefined).
 */
export async function claimReminder(
  trx: Transaction<DB>,
  proposalId: string,
  everySeconds: number,
): Promise<ClaimedProposal | undefined> {
  const taken = await sql<ClaimedProposal>`
    update proposals set last_reminded_at = now()
    where id = ${proposalId} and closed_at is null and closes_at > now()
      and (last_reminded_at is null
        or last_reminded_at <= now() - ${`${everySeconds} seconds`}::interval)
    returning id, group_id, thread_id, title, closes_at, anonymous, ballot_salt, ballot_key_id,
      now() as now`.execute(trx);
  return taken.rows[0];
}

/** Why `claimReminder` found nothing: the proposal closed, or how many seconds until the next reminder. */
export async function reminderRefusal(trx: Transaction<DB>, proposalId: string, everySeconds: number) {
  const now = await sql<{ closed: boolean; wait: number | string | null }>`
    select closed_at is not null or closes_at <= now() as closed,
      ceil(extract(epoch from last_reminded_at + ${`${everySeconds} seconds`}::interval - now())) as wait
    from proposals where id = ${proposalId}`.execute(trx);
  return now.rows[0];
}
