import { randomUUID } from 'node:crypto';
import type { NewProposalBody, Proposal } from '../../../shared/schemas/proposals';
import * as repo from '../../db/proposals';
import type { UserRow } from '../../db/schema';
import { threadForMember } from '../../db/threads';
import { can } from '../../domain/permissions';
import { AppError, forbidden, notFound } from '../../errors';
import { ballotKey } from '../ballots';
import { type Ctx, writeTransaction } from '../context';
import { applyTemplate } from '../templates';
import { isUuid, trimmed } from '../text';
import { notifyGroup } from './audience';
import { ballotSettings, checkOptions, decisionThresholds, futureDate } from './rules';
import { loadOne } from './view';

const threadClosed = () => new AppError(409, 'thread_closed', 'this thread is closed');

/** Puts a proposal to the thread's group and asks every other member to vote. */
export async function createProposal(
  ctx: Ctx,
  threadId: string,
  user: UserRow,
  given: NewProposalBody,
): Promise<Proposal> {
  const found = isUuid(threadId) ? await threadForMember(ctx.db, threadId, user.id) : undefined;
  if (!found) throw notFound('thread');
  const { thread } = found;
  if (!can(found.role, found.settings, 'create_proposal'))
    throw forbidden('only facilitators may create proposals here');
  const body = await applyTemplate(ctx, thread.group_id, given);
  const title = trimmed(body.title, '/title');
  const closesAt = futureDate(body.closesAt, '/closesAt');
  const options = checkOptions(body.kind, body.options);
  const settings = ballotSettings(body, options.length);
  const thresholds = decisionThresholds(body);
  if (thread.closed_at) throw threadClosed();

  const id = await writeTransaction(ctx, async (trx, emit) => {
    // Re-checked under the transaction: a thread closed a moment ago takes no new proposal.
    const locked = await repo.lockThreadForProposal(trx, threadId);
    if (!locked || locked.closed_at) throw threadClosed();
    const row = await repo.insertProposal(trx, {
      threadId,
      groupId: thread.group_id,
      authorId: user.id,
      kind: body.kind,
      title,
      details: body.details ?? '',
      closesAt,
      anonymous: body.anonymous ?? false,
      resultsHiddenUntilClosed: body.resultsHiddenUntilClosed ?? false,
      reasonRequired: body.reasonRequired ?? false,
      ...settings,
      ...thresholds,
      ballotSalt: randomUUID(),
      ballotKeyId: ballotKey(ctx.config.sessionSecret).id,
    });
    await repo.replaceOptions(trx, row.id, options);
    await repo.touchThread(trx, threadId);
    emit({
      kind: 'proposal.created',
      groupId: thread.group_id,
      threadId,
      actorId: user.id,
      subjectId: row.id,
      data: { proposal: await loadOne(trx, null, row.id) },
      recordIdIn: { table: 'proposals', id: row.id },
    });
    await notifyGroup(trx, emit, thread.group_id, user.id, (m) => ({
      userId: m.id,
      kind: 'proposal_created',
      actorId: user.id,
      groupId: thread.group_id,
      threadId,
      proposalId: row.id,
      text: `${user.name} asks you to vote: ${title}`,
    }));
    return row.id;
  });
  return loadOne(ctx, user.id, id);
}
