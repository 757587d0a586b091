import type { Transaction } from 'kysely';
import type { Vote } from '../../shared/schemas/proposals';
import type { Choice } from '../domain/tally';
import * as repo from '../db/proposals';
import type { DB } from '../db/schema';
import { type AppError, conflict, notFound } from '../errors';
import { validateBallot } from '../domain/ballot';
import { type Ctx, writeTransaction } from './context';
import { ballotRules, presentVote, proposalClosed, voterKey, voteSummary } from './proposals';

export interface VoteRequest {
  proposalId: string;
  userId: string;
  userName: string;
  /** Already checked by `validateBallot`. */
  choices: Choice[];
  reason: string | null;
}

interface Pending extends VoteRequest {
  resolve(vote: Vote): void;
  reject(err: unknown): void;
}

/** Votes written together in one transaction, at most. */
const MAX_BATCH = 256;
/** Transactions in flight at once: one writing while the next gathers. */
const MAX_IN_FLIGHT = 2;

/**
 * Group commit for votes. A vote arriving while the database is busy waits
 * for the next transaction, which then writes every waiting vote together:
 * one proposal lock, one upsert, one event append and one commit for the
 * lot. Under no load a vote is written at once, alone. Each vote still gets
 * its own answer: one that finds its proposal closed gets 409, the others
 * in the batch go through.
 */
export class VoteBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(private readonly ctx: Ctx) {}

  submit(request: VoteRequest): Promise<Vote> {
    return new Promise<Vote>((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      // Wait for the end of this turn of the event loop: the votes that arrived in it go together.
      // (PGlite answers inside this thread, so without this every vote would start its own batch.)
      if (this.pumpScheduled) return;
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      this.run(batch)
        .catch(() => {})
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const answers = await writeTransaction(this.ctx, (trx, emit) => castVotes(trx, emit, batch));
      batch.forEach((p, i) => {
        const answer = answers[i]!;
        if ('error' in answer) p.reject(answer.error);
        else p.resolve(answer.vote);
      });
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // One bad apple (or a deadlock) must not fail everyone: retry each alone.
      await Promise.all(batch.map((p) => this.run([p])));
    }
  }
}

type Answer = { vote: Vote } | { error: AppError };

/**
 * Writes a batch of votes. Proposals are share-locked first, so a close
 * (which updates the proposal row) waits for these votes and counts them,
 * and votes that come after a close see it and get 409.
 */
async function castVotes(
  trx: Transaction<DB>,
  emit: Parameters<Parameters<typeof writeTransaction>[1]>[1],
  batch: VoteRequest[],
): Promise<Answer[]> {
  const proposalIds = [...new Set(batch.map((v) => v.proposalId))];
  const proposals = new Map((await repo.lockProposalsForVoting(trx, proposalIds)).map((p) => [p.id, p]));
  const members = await repo.membershipsAmong(
    trx,
    [...proposals.values()].map((p) => p.group_id),
    [...new Set(batch.map((v) => v.userId))],
  );
  const options = await repo.optionsOf(trx, proposalIds);
  const answers: (Answer | null)[] = batch.map((v) => {
    const p = proposals.get(v.proposalId);
    if (!p || !members.has(`${p.group_id}:${v.userId}`)) return { error: notFound('proposal') };
    if (p.closed_at || p.past_closing) return { error: proposalClosed() };
    // Checked again under the lock: the options may have been edited since the request checked them.
    const rules = ballotRules(
      p,
      options.filter((o) => o.proposal_id === p.id),
    );
    if (!validateBallot(rules, v.choices).ok) {
      return { error: conflict('the options of this proposal changed; reload it and vote again') };
    }
    return null;
  });

  // The last vote of each voter in this batch is the one that stays; the earlier ones were replaced.
  const latest = new Map<string, number>();
  batch.forEach((v, i) => {
    if (answers[i] === null)
      latest.set(`${v.proposalId}|${voterKey(proposals.get(v.proposalId)!, v.userId)}`, i);
  });
  const writes = [...latest.entries()]
    .map(([key, i]) => ({
      key: key.split('|')[1]!,
      i,
      v: batch[i]!,
      p: proposals.get(batch[i]!.proposalId)!,
    }))
    // A fixed order of row locks, so two batches cannot deadlock on the same voters.
    .sort((a, b) => (a.v.proposalId + a.key < b.v.proposalId + b.key ? -1 : 1));

  if (writes.length > 0) {
    const previous = await repo.votesByKeys(
      trx,
      writes.filter((w) => !w.p.anonymous).map((w) => ({ proposalId: w.v.proposalId, voterKey: w.key })),
    );
    const history = [
      ...previous.map((r) => ({
        proposal_id: r.proposal_id,
        voter_id: r.voter_id,
        choices: JSON.stringify(r.choices),
        reason: r.reason,
      })),
      // Votes replaced within this same batch are history too.
      ...batch.flatMap((v, i) => {
        const p = proposals.get(v.proposalId);
        if (answers[i] !== null || !p || p.anonymous) return [];
        if (latest.get(`${v.proposalId}|${voterKey(p, v.userId)}`) === i) return [];
        return [
          {
            proposal_id: v.proposalId,
            voter_id: v.userId,
            choices: JSON.stringify(v.choices),
            reason: v.reason,
          },
        ];
      }),
    ];
    if (history.length > 0) await trx.insertInto('vote_history').values(history).execute();

    const now = new Date();
    const rows = await trx
      .insertInto('votes')
      .values(
        writes.map((w) => ({
          proposal_id: w.v.proposalId,
          voter_key: w.key,
          voter_id: w.p.anonymous ? null : w.v.userId,
          choices: JSON.stringify(w.v.choices),
          reason: w.v.reason,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['proposal_id', 'voter_key']).doUpdateSet((eb) => ({
          choices: eb.ref('excluded.choices'),
          reason: eb.ref('excluded.reason'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returningAll()
      .execute();
    const stored = new Map(rows.map((r) => [`${r.proposal_id}|${r.voter_key}`, r]));

    const summaries = new Map<string, Awaited<ReturnType<typeof voteSummary>>>();
    for (const id of new Set(writes.map((w) => w.v.proposalId)))
      summaries.set(
        id,
        await voteSummary(
          trx,
          id,
          proposals.get(id)!,
          options.filter((o) => o.proposal_id === id),
        ),
      );

    batch.forEach((v, i) => {
      if (answers[i] !== null) return;
      const p = proposals.get(v.proposalId)!;
      const row = stored.get(`${v.proposalId}|${voterKey(p, v.userId)}`)!;
      const vote = presentVote(
        { ...row, voter_name: v.userName, choices: v.choices, reason: v.reason },
        p.anonymous,
      );
      answers[i] = { vote };
      if (latest.get(`${v.proposalId}|${row.voter_key}`) !== i) return;
      emit({
        kind: 'vote.cast',
        groupId: p.group_id,
        threadId: p.thread_id,
        // On anonymous proposals not even the event log learns who voted.
        actorId: p.anonymous ? null : v.userId,
        subjectId: v.proposalId,
        // While results are hidden a ballot would give the tally away: only the count moves.
        data: {
          proposalId: v.proposalId,
          vote: p.results_hidden_until_closed ? null : vote,
          ...summaries.get(v.proposalId)!,
        },
      });
    });
  }
  return answers as Answer[];
}
