import { sql } from 'kysely';
import * as repo from '../db/proposals';
import type { UserRow } from '../db/schema';
import { AppError, forbidden, notFound } from '../errors';
import { proposalClosed } from './ballots';
import { type Ctx, writeTransaction } from './context';
import { notifyNonVoters, type ReminderProposal, timeLeft } from './proposal-closer';
import { isUuid } from './text';

/** A proposal's members may be reminded by hand this often. */
const REMIND_EVERY_SECONDS = 3600;

/**
 * `POST /proposals/:id/remind`: a facilitator or the proposal's author tells
 * every member who has not voted yet (themselves aside) to vote, now. The
 * reminder is a `proposal_closing_soon` notification saying who sent it, so it
 * reaches members and their inboxes exactly as the automatic one does.
 *
 * At most once an hour per proposal: one UPDATE checks the last reminder's time
 * and sets the new one, so of two requests at once (in one process or two) the
 * second waits for the first's row lock, re-reads the row and finds it taken.
 * Returns how many members were notified.
 */
export async function remindNonVoters(ctx: Ctx, proposalId: string, user: UserRow): Promise<number> {
  const p = isUuid(proposalId) ? await repo.proposalForMember(ctx.db, proposalId, user.id) : undefined;
  if (!p) throw notFound('proposal');
  if (p.role !== 'facilitator' && p.author_id !== user.id) {
    throw forbidden('only facilitators and the author may remind members to vote');
  }
  if (p.closed_at || p.closes_at.getTime() <= Date.now()) throw proposalClosed();
  return writeTransaction(ctx, async (trx, emit) => {
    const taken = await sql<ReminderProposal & { now: Date }>`
      update proposals set last_reminded_at = now()
      where id = ${proposalId} and closed_at is null and closes_at > now()
        and (last_reminded_at is null
          or last_reminded_at <= now() - ${`${REMIND_EVERY_SECONDS} seconds`}::interval)
      returning id, group_id, thread_id, title, closes_at, anonymous, ballot_salt, ballot_key_id,
        now() as now`.execute(trx);
    const row = taken.rows[0];
    if (!row) {
      const now = await sql<{ closed: boolean; wait: number | string | null }>`
        select closed_at is not null or closes_at <= now() as closed,
          ceil(extract(epoch from last_reminded_at + ${`${REMIND_EVERY_SECONDS} seconds`}::interval - now())) as wait
        from proposals where id = ${proposalId}`.execute(trx);
      const state = now.rows[0];
      if (!state || state.closed) throw proposalClosed();
      throw remindedRecently(Math.max(1, Number(state.wait ?? REMIND_EVERY_SECONDS)));
    }
    return notifyNonVoters(trx, emit, ctx.config.sessionSecret, row, {
      actorId: user.id,
      exceptUserId: user.id,
      text: `${user.name} reminds you to vote on "${row.title}", which closes in ${timeLeft(row.closes_at, row.now)}`,
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
