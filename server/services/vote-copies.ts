import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BallotCount, PreviousVote } from '../db/proposals';
import type { DB } from '../db/schema';
import { type CopiedVote, type VoteCopyRow, voteCopyOf, writeVotesAtVersion } from '../db/vote-copies';
import type { Choice } from '../domain/tally';
import { countWithKnownGraph, delegationApplies } from './counted-ballots';
import type { CommittedEvent } from './types';
import { type Answer, applyDelegatedCount, type BatchState, planVotes, type VoteRequest } from './vote-plan';

/** Copies kept at once, most recently used last; a copy of a proposal of 2,000 votes is ~0.5 MB. */
const MAX_COPIES = 64;
/** A proposal gets a copy once it has had two batches within this long: a lone vote never pays for one. */
const BUSY_WITHIN_MS = 10_000;
/**
 * Copies found stale three times running mean another process writes the proposal too: each would
 * keep spoiling the other's copy, so for this long neither makes one. Once or twice is only other
 * kinds of write (a retraction, a departure) passing by.
 */
const STALE_BACKOFF_MS = 2_000;

interface VoteCopy {
  row: VoteCopyRow;
  /** `proposals.vote_version` of what the copy holds. */
  version: string;
  /** Every stored vote by voter key; `hash` names its bucket in `counts`. */
  votes: Map<string, PreviousVote>;
  /** The stored votes grouped by ballot: what the tally counts. */
  counts: Map<string, BallotCount>;
}

/** What a batch written from a copy hands back; null when it must go the locked way instead. */
export type CopyWrite = { answers: Answer[]; events: CommittedEvent[] } | null;

/**
 * A process's copies of the open proposals it is taking many votes on, each
 * with every stored vote and the version they are at (migration 0024). A
 * batch of votes on a proposal with a current copy is planned from the copy
 * (no read under a lock) and written as one statement that checks the version
 * and holds the proposal's lock only while Postgres runs it; when another
 * writer (another process, a retraction, a departure, an edit, the close)
 * moved the version, that statement writes nothing, the copy goes, and the
 * batch is written the locked way (`vote-batcher.ts`). Anonymous proposals
 * never get a copy: a process should not hold who voted what longer than a
 * request needs, and their ballots are unlinked at the close.
 */
export class VoteCopies {
  private readonly copies = new Map<string, VoteCopy>();
  private readonly lastLockedBatch = new Map<string, number>();
  /** Copies found stale in a row, and until when no new one is made. */
  private readonly stale = new Map<string, { times: number; until: number }>();

  constructor(
    private readonly db: Kysely<DB>,
    /** Where the batches go: in the order sent, so a batch sent behind another finds its version. */
    private readonly inOrder: Kysely<DB>,
    private readonly secret: string,
  ) {}

  has(proposalId: string): boolean {
    return this.copies.has(proposalId);
  }

  /** Drops a copy: its proposal is about to be written the locked way. */
  forget(proposalId: string): void {
    this.copies.delete(proposalId);
  }

  /**
   * Called after a batch was written the locked way, before the proposal's
   * next batch may start: makes a copy when the proposal is busy enough.
   */
  async afterLockedBatch(proposalId: string): Promise<void> {
    const now = Date.now();
    const last = this.lastLockedBatch.get(proposalId);
    this.lastLockedBatch.set(proposalId, now);
    if (this.lastLockedBatch.size > 4 * MAX_COPIES)
      this.lastLockedBatch.delete(this.firstKey(this.lastLockedBatch));
    if (last === undefined || now - last > BUSY_WITHIN_MS) return;
    if ((this.stale.get(proposalId)?.until ?? 0) > now) return;
    const row = await voteCopyOf(this.db, proposalId);
    if (!row || row.anonymous || row.closed_at || row.past_closing) return;
    const copy: VoteCopy = { row, version: row.version, votes: new Map(), counts: new Map() };
    for (const vote of row.votes) addVote(copy, fromCopied(vote));
    this.copies.delete(proposalId);
    this.copies.set(proposalId, copy);
    if (this.copies.size > MAX_COPIES) this.copies.delete(this.firstKey(this.copies));
  }

  /**
   * Writes `batch` (votes on one proposal) from the proposal's copy, or
   * returns null when the copy is missing, out of date, or the batch needs
   * what only the locked way does (a ballot left behind by a member who
   * went and came back, an answer other than success).
   */
  async write(proposalId: string, batch: VoteRequest[]): Promise<CopyWrite> {
    const copy = this.copies.get(proposalId);
    if (!copy) return null;
    // A batch this cannot write goes the locked way, and the copy goes now, before anything else of
    // the proposal is sent from it: that write must not be overtaken.
    const unusable = () => {
      this.drop(proposalId, copy);
      return null;
    };
    const state = stateOf(copy, batch);
    if (state[0]!.previous.some((v) => v.departed)) return unusable();
    const plan = planVotes(this.secret, state, batch);
    if (plan.answers.some((a) => 'error' in a) || plan.votes.length === 0) return unusable();

    const p = state[0]!;
    let graphVersion: string | null = null;
    if (delegationApplies(p)) {
      const mine = new Map(plan.votes.map((v) => [v.voter_id, v.choices as Choice[]]));
      const counted = countWithKnownGraph(p, plan.ballots.get(p.id)!, (memberId) => {
        if (mine.has(memberId)) return mine.get(memberId);
        const stored = copy.votes.get(memberId);
        return stored && !stored.departed && stored.voter_id ? (stored.choices as Choice[]) : undefined;
      });
      if (!counted) return unusable();
      graphVersion = counted.version;
      applyDelegatedCount(p, plan, counted.count);
    }

    const expected = {
      proposalId,
      version: copy.version,
      nextVersion: randomUUID(),
      memberCount: copy.row.member_count,
      groupDelegation: copy.row.group_delegation,
      voterIds: [...new Set(batch.map((v) => v.userId))],
      graphVersion,
    };
    // The copy takes the batch before it is written: a batch sent while this one is on its way plans
    // from it and expects the version this one leaves. If this one fails, so will that one.
    copy.version = expected.nextVersion;
    for (const v of plan.votes) {
      const replaced = copy.votes.get(v.voter_key);
      if (replaced) removeVote(copy, replaced);
      addVote(copy, {
        voter_key: v.voter_key,
        voter_id: v.voter_id,
        hash: '',
        choices: v.choices,
        reason: v.reason,
        created_ms: replaced?.created_ms ?? (v.at === null ? null : Date.parse(v.at)),
        departed: false,
      });
    }
    let outcome: Awaited<ReturnType<typeof writeVotesAtVersion>>;
    try {
      outcome = await writeVotesAtVersion(this.inOrder, expected, plan.history, plan.votes, plan.events);
    } catch (err) {
      this.drop(proposalId, copy);
      throw err;
    }
    if (!outcome.written) {
      this.drop(proposalId, copy);
      if (!outcome.versionMoved) return null;
      const times = (this.stale.get(proposalId)?.times ?? 0) + 1;
      this.stale.set(proposalId, { times, until: times >= 3 ? Date.now() + STALE_BACKOFF_MS : 0 });
      if (this.stale.size > 4 * MAX_COPIES) this.stale.delete(this.firstKey(this.stale));
      return null;
    }
    this.stale.delete(proposalId);
    return { answers: plan.answers, events: plan.events.map((e, i) => ({ ...e, id: outcome.ids[i]! })) };
  }

  /** Drops `copy` if it is still the proposal's (a newer one may have replaced it meanwhile). */
  private drop(proposalId: string, copy: VoteCopy): void {
    if (this.copies.get(proposalId) === copy) this.copies.delete(proposalId);
  }

  private firstKey(map: Map<string, unknown>): string {
    return map.keys().next().value!;
  }
}

function fromCopied([voter_key, voter_id, choices, reason, departed, created_ms]: CopiedVote): PreviousVote {
  return { voter_key, voter_id, hash: '', choices, reason, departed, created_ms };
}

/** Buckets by the ballot's JSON: the same ballot written differently only splits a bucket, never miscounts. */
function addVote(copy: VoteCopy, vote: PreviousVote): void {
  vote.hash = JSON.stringify(vote.choices);
  copy.votes.set(vote.voter_key, vote);
  const bucket = copy.counts.get(vote.hash);
  if (bucket) bucket.n += 1;
  else copy.counts.set(vote.hash, { hash: vote.hash, choices: vote.choices, n: 1 });
}

function removeVote(copy: VoteCopy, vote: PreviousVote): void {
  copy.votes.delete(vote.voter_key);
  const bucket = copy.counts.get(vote.hash)!;
  bucket.n -= 1;
  if (bucket.n === 0) copy.counts.delete(vote.hash);
}

/**
 * The proposal as `voteBatchState` would read it under the lock, from the
 * copy: every voter of the batch taken for a member (the statement that
 * writes checks they still are, and writes nothing otherwise).
 */
function stateOf(copy: VoteCopy, batch: VoteRequest[]): BatchState {
  const { row } = copy;
  const keys = new Set(batch.map((v) => v.voterKey));
  return [
    {
      id: row.id,
      group_id: row.group_id,
      thread_id: row.thread_id,
      // Whether it is still open is the writing statement's to check, against the database's clock.
      closed_at: null,
      past_closing: false,
      anonymous: row.anonymous,
      results_hidden_until_closed: row.results_hidden_until_closed,
      ballot_salt: row.ballot_salt,
      ballot_key_id: row.ballot_key_id,
      kind: row.kind,
      min_choices: row.min_choices,
      max_choices: row.max_choices,
      max_score: row.max_score,
      dots_per_voter: row.dots_per_voter,
      quorum_percent: row.quorum_percent,
      pass_percent: row.pass_percent,
      block_vetoes: row.block_vetoes,
      eligible_count: row.member_count + row.departed_ballots,
      group_delegation: row.group_delegation,
      voter_ids: [...new Set(batch.map((v) => v.userId))],
      options: row.options.map((o) => ({
        ...o,
        proposal_id: row.id,
        starts_at: o.starts_at === null ? null : new Date(o.starts_at),
      })),
      ballots: [...copy.counts.values()],
      previous: [...keys].flatMap((key) => {
        const stored = copy.votes.get(key);
        return stored ? [stored] : [];
      }),
    },
  ];
}
