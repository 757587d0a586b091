import { english } from '../../shared/i18n';
import { claimReminder, reminderRefusal } from '../db/deadlines';
import type { UserRow } from '../db/schema';
import { reminderText } from '../email/notification-text';
import { AppError, forbidden } from '../errors';
import { proposalClosed } from './ballots';
import { type Ctx, writeTransaction } from './context';
import { notifyNonVoters } from './proposal-closer';
import { permissionsOn, proposalAccess } from './proposals/view';

/** A proposal's members may be reminded by hand this often. */
const REMIND_EVERY_SECONDS = 3600;

/**
 * `POST /proposals/:id/remind`: a facilitator or the proposal's author tells
 * every member who has not voted yet (themselves aside) to vote, now. The
 * reminder is a `proposal_closing_soon` notification saying who sent it, so it
 * reaches members and their inboxes exactly as the automatic one does. Its
 * text is stored in English; each member's email and push say it in their
 * own language, in the same words (server/email/notification-text.ts).
 *
 * At most once an hour per proposal: one UPDATE checks the last reminder's time
 * and sets the new one, so of two requests at once (in one process or two) the
 * second waits for the first's row lock, re-reads the row and finds it taken.
 * Returns how many members were notified.
 */
export async function remindNonVoters(ctx: Ctx, proposalId: string, user: UserRow): Promise<number> {
  const p = await proposalAccess(ctx, proposalId, user.id);
  if (!permissionsOn(p, user.id).remind) {
    throw forbidden('only facilitators and the author may remind members to vote');
  }
  if (p.closed_at || p.closes_at.getTime() <= Date.now()) throw proposalClosed();
  return writeTransaction(ctx, async (trx, emit) => {
    const row = await claimReminder(trx, proposalId, REMIND_EVERY_SECONDS);
    if (!row) {
      const state = await reminderRefusal(trx, proposalId, REMIND_EVERY_SECONDS);
      if (!state || state.closed) throw proposalClosed();
      throw remindedRecently(Math.max(1, Number(state.wait ?? REMIND_EVERY_SECONDS)));
    }
    return notifyNonVoters(trx, emit, ctx.config.sessionSecret, row, {
      actorId: user.id,
      exceptUserId: user.id,
      text: reminderText(english, {
        actorName: user.name,
        title: row.title,
        closesAt: row.closes_at,
        now: row.now,
      }),
    });
  });
}

function remindedRecently(seconds: number): AppError {
  const minutes = Math.ceil(seconds / 60);
  return new AppError(
    429,
    'rate_limited',
    `members were reminded less than an hour ago; you can remind them again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
    undefined,
    { 'retry-after': String(seconds) },
  );
}
