import { sql, type Transaction } from 'kysely';
import * as repo from '../db/proposals';
import type { DB } from '../db/schema';
import { voterKey } from './ballots';
import { type Ctx, type Emit, writeTransaction } from './context';
import { addNotifications } from './notifications';
import { announceClosed } from './proposals';

const CLOSE_BATCH = 50;

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

/** "3 hours", "2 days", "40 minutes": how far off `closesAt` is, as a reminder says it. */
export function timeLeft(closesAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.round((closesAt.getTime() - now.getTime()) / 60_000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  return hours < 48 ? plural(hours, 'hour') : plural(Math.round(hours / 24), 'day');
}

/** What a reminder needs of its proposal. */
export interface ReminderProposal {
  id: string;
  group_id: string;
  thread_id: string;
  title: string;
  closes_at: Date;
  anonymous: boolean;
  ballot_salt: string | null;
  ballot_key_id: string | null;
}

/**
 * Notifies every member of the proposal's group who has not voted (everyone
 * in the group may vote, as the eligible count says), except `exceptUserId`;
 * returns how many. On anonymous proposals "has voted" is found through the
 * HMAC ballot keys, inside the server: who was reminded is never shown to
 * anyone but each recipient, so no member learns who voted.
 */
export async function notifyNonVoters(
  trx: Transaction<DB>,
  emit: Emit,
  secret: string,
  p: ReminderProposal,
  notice: { actorId: string | null; exceptUserId: string | null; text: string },
): Promise<number> {
  const [members, keys] = await Promise.all([
    repo.groupMembers(trx, p.group_id),
    repo.voterKeysOf(trx, p.id),
  ]);
  const voted = new Set(keys.map((k) => k.voter_key));
  const recipients = members.filter(
    (m) => m.id !== notice.exceptUserId && !voted.has(voterKey(secret, p, m.id) ?? ''),
  );
  await addNotifications(
    trx,
    emit,
    recipients.map((m) => ({
      userId: m.id,
      kind: 'proposal_closing_soon' as const,
      actorId: notice.actorId,
      groupId: p.group_id,
      threadId: p.thread_id,
      proposalId: p.id,
      text: notice.text,
    })),
  );
  return recipients.length;
}

/**
 * Reminds members who have not voted, once, when a proposal comes within
 * REMINDER_HOURS of its close (not those put to a vote inside that window:
 * their members were told just now). Exactly once across processes: each
 * batch claims its proposals by flipping `closing_soon_notified` under
 * `for update skip locked`, in the transaction that stores the notifications;
 * a process that reaches a row another has just claimed re-reads it after the
 * lock and finds it flipped. Returns how many proposals it reminded about.
 */
export async function remindClosingSoon(ctx: Ctx): Promise<number> {
  const window = `${ctx.config.reminderHours} hours`;
  let total = 0;
  for (;;) {
    const reminded = await writeTransaction(ctx, async (trx, emit) => {
      const due = await sql<ReminderProposal & { now: Date }>`
        update proposals set closing_soon_notified = true
        where id in (
          select id from proposals
          where closed_at is null and not closing_soon_notified
            and closes_at <= now() + ${window}::interval
            and closes_at > now()
            and created_at < closes_at - ${window}::interval
          order by closes_at
          limit ${CLOSE_BATCH}
          for update skip locked
        ) and not closing_soon_notified
        returning id, group_id, thread_id, title, closes_at, anonymous, ballot_salt, ballot_key_id,
          now() as now`.execute(trx);
      for (const p of due.rows) {
        await notifyNonVoters(trx, emit, ctx.config.sessionSecret, p, {
          actorId: null,
          exceptUserId: null,
          text: `"${p.title}" closes in ${timeLeft(p.closes_at, p.now)} and you have not voted yet`,
        });
      }
      return due.rows.length;
    });
    total += reminded;
    if (reminded < CLOSE_BATCH) return total;
  }
}
