import type { Vote } from '../../shared/schemas/proposals';
import { appendEvents } from '../db/events';
import * as repo from '../db/proposals';
import { type Ctx, eventsCommitted } from './context';
import { countBallots, delegationApplies } from './counted-ballots';
import type { CommittedEvent } from './types';
import { VoteCopies } from './vote-copies';
import {
  type Answer,
  applyDelegatedCount,
  type BatchState,
  planVotes,
  type VotePlan,
  type VoteRequest,
} from './vote-plan';

export type { VoteRequest } from './vote-plan';

interface Pending extends VoteRequest {
  resolve(vote: Vote): void;
  reject(err: unknown): void;
}

/** Told the size of every batch of votes committed (the metrics plugin's histogram). */
export interface VoteBatchObserver {
  observe(size: number): void;
}

/** Told how each batch was written: from the process's copy of its proposal, or the locked way. */
export interface VoteBatchPathCounter {
  inc(labels: { path: 'copy' | 'locked' }): void;
}

declare module './context' {
  interface Ctx {
    /** Set where the app keeps metrics: the size of each committed vote batch goes here. */
    voteBatchSizes?: VoteBatchObserver;
    /** Set where the app keeps metrics: which way each batch was written. */
    voteBatchPaths?: VoteBatchPathCounter;
  }
}

/** Votes written together in one batch, at most. */
const MAX_BATCH = 256;
/** Batches in flight at once. */
const MAX_IN_FLIGHT = 2;

/**
 * Group commit for votes. A vote arriving while its proposal's previous
 * batch is being written waits for the next batch, which then writes every
 * waiting vote on that proposal together: one lock, one upsert, one event
 * append and one commit for the lot. Under no load a vote is written at
 * once, alone. Each vote still gets its own answer: one that finds its
 * proposal closed gets 409, the others in the batch go through.
 *
 * A busy proposal's batches are written from this process's copy of it
 * (`vote-copies.ts`: one statement, no read under the lock); the others, and
 * any whose copy another writer made stale, the locked way (`writeBatch`).
 *
 * A proposal's batches are written in the order they were formed, so a
 * voter's later ballot always wins. Written the locked way, one at a time
 * (two would only queue on the proposal's lock, each half the size). From the
 * copy, a second may be sent while the first is on its way: it expects the
 * version the first leaves, so it waits in Postgres for the first's commit
 * rather than in this process for its answer, and fails if the first did.
 */
export class VoteBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private readonly inFlightOf = new Map<string, number>();
  /** Each proposal's newest batch until it finishes: a later batch's locked write waits for it. */
  private readonly newest = new Map<string, Promise<void>>();
  private pumpScheduled = false;

  private readonly copies: VoteCopies;

  constructor(private readonly ctx: Ctx) {
    this.copies = new VoteCopies(ctx.db, ctx.inOrder, ctx.config.sessionSecret);
  }

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

  /** Whether a batch of the proposal may start now: none in flight, or one behind a batch from the copy. */
  private admits(proposalId: string): boolean {
    const n = this.inFlightOf.get(proposalId) ?? 0;
    return n === 0 || (n === 1 && this.copies.has(proposalId));
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      const admitted = new Map<string, boolean>();
      for (const vote of this.queue) {
        if (!admitted.has(vote.proposalId)) admitted.set(vote.proposalId, this.admits(vote.proposalId));
        if (batch.length < MAX_BATCH && admitted.get(vote.proposalId)) batch.push(vote);
        else rest.push(vote);
      }
      if (batch.length === 0) return;
      this.queue = rest;
      const proposals = [...new Set(batch.map((v) => v.proposalId))];
      const before = Promise.all(proposals.flatMap((id) => this.newest.get(id) ?? []));
      for (const id of proposals) this.inFlightOf.set(id, (this.inFlightOf.get(id) ?? 0) + 1);
      this.inFlight += 1;
      const running = this.run(batch, before).catch(() => {});
      for (const id of proposals) this.newest.set(id, running);
      running.finally(() => {
        this.inFlight -= 1;
        for (const id of proposals) {
          const n = (this.inFlightOf.get(id) ?? 1) - 1;
          if (n > 0) this.inFlightOf.set(id, n);
          else this.inFlightOf.delete(id);
          if (this.newest.get(id) === running) this.newest.delete(id);
        }
        this.pump();
      });
    }
  }

  /** Writes `batch` and answers each vote; `before` settles once the proposals' earlier batches have finished. */
  private async run(batch: Pending[], before: Promise<unknown>): Promise<void> {
    try {
      const answers = await this.write(batch, before);
      this.ctx.voteBatchSizes?.observe(batch.length);
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
      await Promise.all(batch.map((p) => this.run([p], before)));
    }
  }

  /** Each proposal's votes from its copy where it has a current one; the rest together, the locked way. */
  private async write(batch: VoteRequest[], before: Promise<unknown>): Promise<Answer[]> {
    const answers: Answer[] = new Array(batch.length);
    const byProposal = new Map<string, number[]>();
    batch.forEach((v, i) => {
      const indexes = byProposal.get(v.proposalId);
      if (indexes) indexes.push(i);
      else byProposal.set(v.proposalId, [i]);
    });
    const locked: number[] = [];
    await Promise.all(
      [...byProposal].map(async ([proposalId, indexes]) => {
        const written = await this.copies.write(
          proposalId,
          indexes.map((i) => batch[i]!),
        );
        if (!written) {
          locked.push(...indexes);
          return;
        }
        eventsCommitted(this.ctx, written.events);
        this.ctx.voteBatchPaths?.inc({ path: 'copy' });
        indexes.forEach((i, k) => {
          answers[i] = written.answers[k]!;
        });
      }),
    );
    if (locked.length === 0) return answers;
    locked.sort((a, b) => a - b);
    const proposals = new Set(locked.map((i) => batch[i]!.proposalId));
    // An earlier batch of the same proposal may still be on its way: this one goes after it.
    await before;
    for (const id of proposals) this.copies.forget(id);
    const lockedAnswers = await writeBatch(
      this.ctx,
      locked.map((i) => batch[i]!),
    );
    locked.forEach((i, k) => {
      answers[i] = lockedAnswers[k]!;
    });
    this.ctx.voteBatchPaths?.inc({ path: 'locked' });
    // Before the proposal's next batch may start, so no write of this process slips past the copy;
    // not while a later batch is in flight, which will write the locked way and move the version.
    // A copy that could not be read is only a missed shortcut: the next locked batch tries again.
    await Promise.all(
      [...proposals]
        .filter((id) => this.inFlightOf.get(id) === 1)
        .map((id) => this.copies.afterLockedBatch(id).catch(() => {})),
    );
    return answers;
  }
}

/**
 * Writes a batch of votes in one transaction of three statements: one reads
 * everything under the proposals' lock (`voteBatchState`), one writes
 * history and votes, one appends the events. The new results are worked out
 * in between from the ballot counts read under the lock, less the ballots
 * this batch replaces, plus its own: no ballot is read twice.
 */
async function writeBatch(ctx: Ctx, batch: VoteRequest[]): Promise<Answer[]> {
  let committed: CommittedEvent[] = [];
  const answers = await ctx.db.transaction().execute(async (trx) => {
    const state = await repo.voteBatchState(
      trx,
      [...new Set(batch.map((v) => v.proposalId))],
      [...new Set(batch.map((v) => v.userId))],
      [...new Set(batch.map((v) => v.voterKey))],
    );
    const plan = planVotes(ctx.config.sessionSecret, state, batch);
    if (plan.votes.length > 0) {
      await repo.writeVotes(trx, plan.history, plan.votes, plan.revived);
      await weighDelegatedVotes(trx, state, plan);
      const ids = await appendEvents(trx, plan.events);
      committed = plan.events.map((e, i) => ({ ...e, id: ids[i]! }));
    }
    return plan.answers;
  });
  eventsCommitted(ctx, committed);
  return answers;
}

/**
 * Where delegations bear on a proposal, its ballots weigh by the chains that
 * end at them: once the batch's votes are written (still under the lock), the
 * chain members' votes are read with them (one statement; the chains
 * themselves come from this process's copy while the group's delegation graph
 * is unchanged), and the events and answers take the weights and results in
 * place of the unweighted ones.
 */
async function weighDelegatedVotes(
  trx: Parameters<typeof countBallots>[0],
  state: BatchState,
  plan: VotePlan,
): Promise<void> {
  const written = new Set(plan.votes.map((v) => v.proposal_id));
  const delegable = state.filter((p) => written.has(p.id) && delegationApplies(p));
  if (delegable.length === 0) return;
  // The batch knows the ballots it leaves, and its answers name no one a vote follows.
  const counted = await countBallots(trx, delegable, { ballots: plan.ballots, names: false });
  for (const p of delegable) applyDelegatedCount(p, plan, counted.get(p.id)!);
}
