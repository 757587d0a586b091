import type { Vote } from '../../shared/schemas/proposals';
import { appendEvents, type EventInput } from '../db/events';
import type { BallotCount, PreviousVote } from '../db/proposals';
import * as repo from '../db/proposals';
import { validateBallot } from '../domain/ballot';
import type { Choice } from '../domain/tally';
import { type AppError, conflict, notFound } from '../errors';
import { ballotRules, presentVote, proposalClosed, summariseBallots, unweighted, voterKey } from './ballots';
import { type Ctx, eventsCommitted } from './context';
import { countBallots, delegationApplies, weightOf } from './counted-ballots';
import type { CommittedEvent } from './types';

export interface VoteRequest {
  proposalId: string;
  /** The voter's key on this proposal (`voterKey`). */
  voterKey: string;
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

/** Told the size of every batch of votes committed (the metrics plugin's histogram). */
export interface VoteBatchObserver {
  observe(size: number): void;
}

declare module './context' {
  interface Ctx {
    /** Set where the app keeps metrics: the size of each committed vote batch goes here. */
    voteBatchSizes?: VoteBatchObserver;
  }
}

/** Votes written together in one transaction, at most. */
const MAX_BATCH = 256;
/** Transactions in flight at once (on different proposals). */
const MAX_IN_FLIGHT = 2;

/**
 * Group commit for votes. A vote arriving while its proposal's previous
 * batch is being written waits for the next transaction, which then writes
 * every waiting vote on that proposal together: one lock, one upsert, one
 * event append and one commit for the lot. Under no load a vote is written
 * at once, alone. Each vote still gets its own answer: one that finds its
 * proposal closed gets 409, the others in the batch go through.
 *
 * One batch per proposal at a time: two would only queue on the proposal's
 * lock in the database, each half the size.
 */
export class VoteBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private readonly busy = new Set<string>();
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
    while (this.inFlight < MAX_IN_FLIGHT) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      for (const vote of this.queue) {
        if (batch.length < MAX_BATCH && !this.busy.has(vote.proposalId)) batch.push(vote);
        else rest.push(vote);
      }
      if (batch.length === 0) return;
      this.queue = rest;
      const proposals = new Set(batch.map((v) => v.proposalId));
      for (const id of proposals) this.busy.add(id);
      this.inFlight += 1;
      this.run(batch)
        .catch(() => {})
        .finally(() => {
          this.inFlight -= 1;
          for (const id of proposals) this.busy.delete(id);
          this.pump();
        });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const answers = await writeBatch(this.ctx, batch);
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
      await Promise.all(batch.map((p) => this.run([p])));
    }
  }
}

type Answer = { vote: Vote } | { error: AppError };

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

/** What a batch writes, and what each vote is answered, given what was read under the lock. */
function planVotes(
  secret: string,
  state: Awaited<ReturnType<typeof repo.voteBatchState>>,
  batch: VoteRequest[],
) {
  const proposals = new Map(state.map((p) => [p.id, { ...p, voters: new Set(p.voter_ids) }]));
  const answers: (Answer | null)[] = batch.map((v) => {
    const p = proposals.get(v.proposalId);
    if (!p?.voters.has(v.userId)) return { error: notFound('proposal') };
    if (p.closed_at || p.past_closing) return { error: proposalClosed() };
    // The key came from a cached copy of the proposal: reopening a vote-less anonymous one salts it anew.
    if (voterKey(secret, p, v.userId) !== v.voterKey)
      return { error: conflict('reload the proposal and vote again') };
    // Checked again under the lock: the options may have been edited since the request checked them.
    if (!validateBallot(ballotRules(p, p.options), v.choices).ok) {
      return { error: conflict('the options of this proposal changed; reload it and vote again') };
    }
    return null;
  });

  // The last vote of each voter in this batch is the one that stays; the earlier ones were replaced.
  const latest = new Map<string, number>();
  batch.forEach((v, i) => {
    if (answers[i] === null) latest.set(`${v.proposalId}|${v.voterKey}`, i);
  });
  const events: EventInput[] = [];
  const at = new Date();
  if (latest.size === 0)
    return {
      answers: answers as Answer[],
      history: [],
      votes: [],
      revived: [],
      events,
      ballots: new Map<string, Choice[][]>(),
    };
  const previous = new Map(
    state.flatMap((p) => p.previous.map((prev) => [`${p.id}|${prev.voter_key}`, prev] as const)),
  );

  // A fixed order of row locks, so two batches cannot deadlock on the same voters.
  const writes = [...latest.values()]
    .map((i) => batch[i]!)
    .sort((a, b) => (a.proposalId + a.voterKey < b.proposalId + b.voterKey ? -1 : 1));
  const named = (v: VoteRequest) => !proposals.get(v.proposalId)!.anonymous;
  // Replaced votes are kept (not on anonymous proposals): the stored one, and any replaced within this batch.
  const history = [
    ...writes.filter(named).flatMap((v) => {
      const stored = previous.get(`${v.proposalId}|${v.voterKey}`);
      return stored
        ? [
            {
              proposal_id: v.proposalId,
              voter_id: stored.voter_id,
              choices: stored.choices,
              reason: stored.reason,
            },
          ]
        : [];
    }),
    ...batch.flatMap((v, i) =>
      answers[i] === null && named(v) && latest.get(`${v.proposalId}|${v.voterKey}`) !== i
        ? [{ proposal_id: v.proposalId, voter_id: v.userId, choices: v.choices, reason: v.reason }]
        : [],
    ),
  ];
  const votes = writes.map((v) => {
    const anonymous = proposals.get(v.proposalId)!.anonymous;
    return {
      proposal_id: v.proposalId,
      voter_key: v.voterKey,
      voter_id: anonymous ? null : v.userId,
      choices: v.choices,
      reason: v.reason,
      at: anonymous ? null : at.toISOString(),
    };
  });
  // A member who left and came back replaces the ballot left behind: one fewer counted apart.
  const revived = state.flatMap((p) => {
    const n = writes.filter(
      (v) => v.proposalId === p.id && previous.get(`${p.id}|${v.voterKey}`)?.departed,
    ).length;
    return n > 0 ? [{ proposal_id: p.id, n }] : [];
  });

  // Each proposal's ballots once the batch is in, one per direct vote: a delegated count starts from them.
  const ballots = new Map<string, Choice[][]>();
  const summaries = new Map(
    state.flatMap((p) => {
      if (!writes.some((v) => v.proposalId === p.id)) return [];
      const mine = writes.filter((v) => v.proposalId === p.id);
      const eligible = p.eligible_count - (revived.find((r) => r.proposal_id === p.id)?.n ?? 0);
      const after = ballotsAfter(p, mine, previous);
      ballots.set(p.id, after);
      return [[p.id, summariseBallots(p, p.options, unweighted(after), eligible)] as const];
    }),
  );
  batch.forEach((v, i) => {
    if (answers[i] !== null) return;
    const p = proposals.get(v.proposalId)!;
    const stored = previous.get(`${v.proposalId}|${v.voterKey}`);
    const vote = presentVote(
      {
        proposal_id: v.proposalId,
        voter_id: v.userId,
        voter_name: v.userName,
        choices: v.choices,
        reason: v.reason,
        created_at: stored?.created_ms != null ? new Date(stored.created_ms) : at,
        updated_at: at,
      },
      p.anonymous,
    );
    answers[i] = { vote };
    if (latest.get(`${v.proposalId}|${v.voterKey}`) !== i) return;
    events.push({
      kind: 'vote.cast',
      groupId: p.group_id,
      threadId: p.thread_id,
      // On anonymous proposals not even the event log learns who voted.
      actorId: p.anonymous ? null : v.userId,
      subjectId: v.proposalId,
      // While results are hidden a ballot would give the tally away, and on anonymous proposals
      // its reason and choices would pair up with whoever was seen voting then: only counts move.
      data: {
        proposalId: v.proposalId,
        vote: p.results_hidden_until_closed || p.anonymous ? null : vote,
        ...summaries.get(v.proposalId)!,
      },
    });
  });
  return { answers: answers as Answer[], history, votes, revived, events, ballots };
}

type BatchState = Awaited<ReturnType<typeof repo.voteBatchState>>;

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
  plan: ReturnType<typeof planVotes>,
): Promise<void> {
  const written = new Set(plan.votes.map((v) => v.proposal_id));
  const delegable = state.filter((p) => written.has(p.id) && delegationApplies(p));
  if (delegable.length === 0) return;
  // The batch knows the ballots it leaves, and its answers name no one a vote follows.
  const counted = await countBallots(trx, delegable, { ballots: plan.ballots, names: false });
  for (const p of delegable) {
    const count = counted.get(p.id)!;
    if (!count.delegation) continue;
    for (const answer of plan.answers) {
      if ('vote' in answer && answer.vote.proposalId === p.id)
        answer.vote.weight = weightOf(count, answer.vote.voter?.id ?? null);
    }
    for (const event of plan.events) {
      if (event.subjectId !== p.id) continue;
      const data = event.data as { eligibleCount: number };
      Object.assign(data, summariseBallots(p, p.options, count, data.eligibleCount));
    }
  }
}

/** A proposal's ballots once `writes` are in: the counts read under the lock, less what they replace. */
function ballotsAfter(
  p: { id: string; ballots: BallotCount[] },
  writes: VoteRequest[],
  previous: Map<string, PreviousVote>,
): Choice[][] {
  const counts = new Map(p.ballots.map((b) => [b.hash, { ...b }]));
  for (const v of writes) {
    const replaced = previous.get(`${p.id}|${v.voterKey}`);
    if (replaced) counts.get(replaced.hash)!.n -= 1;
  }
  const ballots: Choice[][] = [];
  for (const { choices, n } of counts.values()) {
    for (let i = 0; i < n; i++) ballots.push(choices as Choice[]);
  }
  for (const v of writes) ballots.push(v.choices);
  return ballots;
}
