import type { PatchProposalBody, Proposal } from '../../../shared/schemas/proposals';
import * as repo from '../../db/proposals';
import type { UserRow } from '../../db/schema';
import { hasVotes } from '../../db/votes';
import { conflict, forbidden, invalid } from '../../errors';
import { proposalClosed } from '../ballots';
import { type Ctx, writeTransaction } from '../context';
import { trimmed } from '../text';
import { checkOptions, futureDate } from './rules';
import { loadOne, permissionsOn, proposalAccess } from './view';

/** Edits an open proposal; options change only until the first vote. */
export async function updateProposal(
  ctx: Ctx,
  proposalId: string,
  user: UserRow,
  body: PatchProposalBody,
): Promise<Proposal> {
  const p = await proposalAccess(ctx, proposalId, user.id);
  if (!permissionsOn(p, user.id).edit)
    throw forbidden('only facilitators and the author may edit this proposal');
  const title = body.title === undefined ? undefined : trimmed(body.title, '/title');
  const closesAt = body.closesAt === undefined ? undefined : futureDate(body.closesAt, '/closesAt');
  const options = body.options === undefined ? undefined : checkOptions(p.kind, body.options);
  if (options && p.kind === 'poll' && p.max_choices > options.length) {
    throw invalid(
      '/options',
      `this poll lets people choose ${p.max_choices}; give at least that many options`,
    );
  }
  await writeTransaction(ctx, async (trx, emit) => {
    const locked = await repo.lockProposal(trx, proposalId);
    if (!locked || locked.closed_at || locked.closes_at.getTime() <= Date.now()) throw proposalClosed();
    if (options && p.kind !== 'proposal') {
      if (await hasVotes(trx, proposalId))
        throw conflict('votes have been cast; the options can no longer change');
      await repo.replaceOptions(trx, proposalId, options);
    }
    await repo.updateProposal(trx, proposalId, { title, details: body.details, closesAt });
    emit({
      kind: 'proposal.updated',
      groupId: p.group_id,
      threadId: p.thread_id,
      actorId: user.id,
      subjectId: proposalId,
      data: { proposal: await loadOne(trx, null, proposalId) },
    });
  });
  return loadOne(ctx, user.id, proposalId);
}
