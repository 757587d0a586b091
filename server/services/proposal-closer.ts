import type { Transaction } from 'kysely';
import { english } from '../../shared/i18n';
import { type ClaimedProposal, claimClosingSoon, closeDue } from '../db/deadlines';
import type { DB } from '../db/schema';
import { closingSoonText } from '../email/notification-text';
import { type Ctx, type Emit, writeTransaction } from './context';
import { appendDecisionRecord } from './decision-records';
import { addNotifications } from './notifications';
import { nonVoters } from './proposals/audience';
import { announceClosed } from './proposals/closing';

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
      const ids = await closeDue(trx, CLOSE_BATCH);
      for (const id of ids) {
        await announceClosed(trx, emit, id, null);
        await appendDecisionRecord(trx, id, 'closed');
      }
      return ids.length;
    });
    total += closed;
    if (closed < CLOSE_BATCH) return total;
  }
}

/** What a reminder needs of its proposal: what a claim returns, whichever made it. */
export type ReminderProposal = Omit<ClaimedProposal, 'now'>;

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
  const recipients = (await nonVoters(trx, secret, p)).filter((m) => m.id !== notice.exceptUserId);
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
  let total = 0;
  for (;;) {
    const reminded = await writeTransaction(ctx, async (trx, emit) => {
      const due = await claimClosingSoon(trx, ctx.config.reminderHours, CLOSE_BATCH);
      for (const p of due) {
        await notifyNonVoters(trx, emit, ctx.config.sessionSecret, p, {
          actorId: null,
          exceptUserId: null,
          // Stored in English; each reader's email, push and list say it in their language.
          text: closingSoonText(english, { title: p.title, closesAt: p.closes_at, now: p.now }),
        });
      }
      return due.length;
    });
    total += reminded;
    if (reminded < CLOSE_BATCH) return total;
  }
}
