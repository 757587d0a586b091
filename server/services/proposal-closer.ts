import { sql } from 'kysely';
import * as repo from '../db/proposals';
import { type Ctx, writeTransaction } from './context';
import { addNotifications } from './notifications';
import { voterKey } from './ballots';
import { announceClosed } from './proposals';

const CLOSE_BATCH = 50;
const CLOSING_SOON_HOURS = 24;

/**
 * Closes every proposal whose closing time has passed. Any number of server
 * processes may run this at once: the UPDATE … WHERE closed_at IS NULL takes
 * each row for exactly one of them (the others skip locked rows or find it
 * closed), so each proposal closes once, with one `proposal.closed` event.
 * Returns how many it closed.
 */
export async function closeDueProposals(ctx: Ctx): Promise<number> {
  let total = 0;
  for (;;) {
    const closed = await writeTransaction(ctx, async (trx, emit) => {
      const rows = await sql<{ id: string }>`
        update proposals set closed_at = closes_at
        where id in (
          select id from proposals
          where closed_at is null and closes_at <= now()
          order by closes_at
          limit ${CLOSE_BATCH}
          for update skip locked
        ) and closed_at is null
        returning id`.execute(trx);
      for (const { id } of rows.rows) await announceClosed(trx, emit, id, null);
      return rows.rows.length;
    });
    total += closed;
    if (closed < CLOSE_BATCH) return total;
  }
}

/** Reminds members who have not voted, once, a day before a proposal closes. */
export async function remindClosingSoon(ctx: Ctx): Promise<number> {
  return writeTransaction(ctx, async (trx, emit) => {
    const due = await sql<{
      id: string;
      group_id: string;
      thread_id: string;
      title: string;
      anonymous: boolean;
      ballot_salt: string | null;
      ballot_key_id: string | null;
    }>`
      update proposals set closing_soon_notified = true
      where id in (
        select id from proposals
        where closed_at is null and not closing_soon_notified
          and closes_at <= now() + ${`${CLOSING_SOON_HOURS} hours`}::interval
          and closes_at > now()
          and created_at < closes_at - ${`${CLOSING_SOON_HOURS} hours`}::interval
        limit ${CLOSE_BATCH}
        for update skip locked
      )
      returning id, group_id, thread_id, title, anonymous, ballot_salt, ballot_key_id`.execute(trx);
    for (const p of due.rows) {
      const [members, keys] = await Promise.all([
        repo.groupMembers(trx, p.group_id),
        repo.voterKeysOf(trx, p.id),
      ]);
      const voted = new Set(keys.map((k) => k.voter_key));
      await addNotifications(
        trx,
        emit,
        members
          .filter((m) => !voted.has(voterKey(ctx.config.sessionSecret, p, m.id) ?? ''))
          .map((m) => ({
            userId: m.id,
            kind: 'proposal_closing_soon' as const,
            actorId: null,
            groupId: p.group_id,
            threadId: p.thread_id,
            proposalId: p.id,
            text: `"${p.title}" closes within a day and you have not voted yet`,
          })),
      );
    }
    return due.rows.length;
  });
}
