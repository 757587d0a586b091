import type { Transaction } from 'kysely';
import * as repo from '../db/proposals';
import type { DB } from '../db/schema';
import { voterKey, voteSummary } from './ballots';
import type { Ctx, Emit } from './context';

/**
 * What leaving a group, or being removed from it, does to the group's open
 * proposals, inside the leaving transaction (after the membership is gone):
 * the member's ballot is withdrawn, so counts, results, who may vote and who
 * has not voted agree again, and a `vote.retracted` event updates live
 * tallies. Closed proposals keep their final results.
 *
 * One exception: on an anonymous proposal whose results are on show,
 * withdrawing the ballot would show everyone what it was (the results before
 * and after differ by exactly that ballot), so it stays counted, marked as
 * left behind, and counts among those who could vote; nothing anyone sees
 * moves. A member who comes back replaces it by voting again.
 */
export async function withdrawBallotsOf(
  ctx: Ctx,
  trx: Transaction<DB>,
  emit: Emit,
  groupId: string,
  userId: string,
): Promise<void> {
  const open = await repo.openProposalsOfGroup(trx, groupId);
  const keyed = open.flatMap((p) => {
    const key = voterKey(ctx.config.sessionSecret, p, userId);
    return key === null ? [] : [{ p, key }];
  });
  const cast = await repo.votesByPairs(
    trx,
    keyed.map(({ p, key }) => ({ proposalId: p.id, voterKey: key })),
  );
  if (cast.length === 0) return;
  const name = (await trx.selectFrom('users').select('name').where('id', '=', userId).executeTakeFirst())
    ?.name;
  const members = await repo.memberCounts(trx, [groupId]);
  for (const { p, key } of keyed) {
    const vote = cast.find((v) => v.proposal_id === p.id && v.voter_key === key);
    if (!vote || vote.departed) continue;
    if (p.anonymous && !p.results_hidden_until_closed) {
      await trx
        .updateTable('votes')
        .set({ departed: true })
        .where('proposal_id', '=', p.id)
        .where('voter_key', '=', key)
        .execute();
      await repo.countDeparted(trx, p.id, 1);
      continue;
    }
    await trx.deleteFrom('votes').where('proposal_id', '=', p.id).where('voter_key', '=', key).execute();
    if (!p.anonymous) {
      await trx
        .insertInto('vote_history')
        .values({
          proposal_id: p.id,
          voter_id: userId,
          choices: JSON.stringify(vote.choices),
          reason: vote.reason,
        })
        .execute();
    }
    const eligible = (members.get(groupId) ?? 0) + p.departed_ballots;
    emit({
      kind: 'vote.retracted',
      groupId,
      threadId: p.thread_id,
      actorId: p.anonymous ? null : userId,
      subjectId: p.id,
      data: {
        proposalId: p.id,
        voter: p.anonymous ? null : { id: userId, name: name ?? '' },
        memberLeft: true,
        ...(await voteSummary(trx, p, eligible)),
      },
    });
  }
}
