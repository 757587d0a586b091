import type { Vote } from '../../shared/schemas/proposals';
import type { EventInput } from '../db/events';
import type * as repo from '../db/proposals';
import type { BallotCount, PreviousVote } from '../db/proposals';
import { validateBallot } from '../domain/ballot';
import type { Choice } from '../domain/tally';
import { type AppError, conflict, notFound } from '../errors';
import { ballotRules, presentVote, proposalClosed, summariseBallots, unweighted, voterKey } from './ballots';
import { type CountedBallots, delegationApplies, weightOf } from './counted-ballots';

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

export type Answer = { vote: Vote } | { error: AppError };

/**
 * What a batch knows of its proposals before it writes: as read under their
 * lock (`voteBatchState`), or as a process's copy holds them (`vote-copies.ts`).
 */
export type BatchState = Awaited<ReturnType<typeof repo.voteBatchState>>;

export type VotePlan = ReturnType<typeof planVotes>;

/**
 * What a batch writes, and what each vote is answered, given what was read
 * under the lock (or a copy holds). Where delegation applies, the events' counts
 * and results are the caller's to add, from a delegated count (`applyDelegatedCount`).
 */
export function planVotes(secret: string, state: BatchState, batch: VoteRequest[]) {
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
      // Where delegations may bear on it, `applyDelegatedCount` counts it once, weighed: not twice.
      if (delegationApplies(p)) return [[p.id, { eligibleCount: eligible }] as const];
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

/**
 * Where delegations may bear on a proposal (`delegationApplies`), `planVotes`
 * leaves its counts out, and the caller must hand its count here: the plan's
 * events take the counts and results of `count` (the proposal's ballots once
 * the batch is in, chains resolved) and its answers the weights.
 */
export function applyDelegatedCount(p: BatchState[number], plan: VotePlan, count: CountedBallots): void {
  if (count.delegation) {
    for (const answer of plan.answers) {
      if ('vote' in answer && answer.vote.proposalId === p.id)
        answer.vote.weight = weightOf(count, answer.vote.voter?.id ?? null);
    }
  }
  for (const event of plan.events) {
    if (event.subjectId !== p.id) continue;
    const data = event.data as { eligibleCount: number };
    Object.assign(data, summariseBallots(p, p.options, count, data.eligibleCount));
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
