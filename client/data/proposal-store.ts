import { ApiError } from './api';
import { Coalesced } from './coalesced';
import type { OutcomeBody, PersonRef, Proposal, Results, Vote, VoteBody } from './proposals';
import * as proposals from './proposals';
import { Store } from './store';
import type { StreamEvent } from './stream';

/** What a proposal card shows, and how loading went. */
export interface ProposalState {
  status: 'loading' | 'ready' | 'error';
  /** The proposal as the viewer sees it; `myVote` comes from HTTP (events leave it out). */
  proposal: Proposal | null;
  /** The votes the viewer may see (everyone's, or only their own while results are hidden); null until asked for. */
  votes: Vote[] | null;
  /** Members who have not voted; null until asked for. */
  undecided: PersonRef[] | null;
  /** The last failure; with status `ready` it is a failed refresh over data still shown. */
  error: ApiError | null;
}

/** `vote.cast` and `vote.retracted` data (server/services/vote-batcher.ts, proposals.ts). */
interface VoteEventData {
  proposalId: string;
  vote?: Vote;
  voter?: PersonRef | null;
  voterCount: number;
  representedCount?: number;
  eligibleCount: number;
  results: Results | null;
}

const PROPOSAL_KINDS = new Set([
  'proposal.created',
  'proposal.updated',
  'proposal.closed',
  'proposal.reopened',
  'outcome.created',
]);
/** Events that move the counts: votes, and delegations given or withdrawn (`proposal.recounted`). */
const VOTE_KINDS = new Set(['vote.cast', 'vote.retracted', 'proposal.recounted']);

/**
 * Whether the viewer's own view of the proposal may have changed with someone
 * else's vote or delegation: whose vote theirs follows, or how many theirs
 * carries. Events carry only counts, so these viewers ask over HTTP again.
 */
function followsDelegation(p: Proposal, kind: string): boolean {
  if (!p.delegation) return false;
  if (kind === 'proposal.recounted') return true;
  const mine = p.myVote;
  return Boolean(p.myDelegate) || Boolean(mine && ('delegatedTo' in mine || mine.weight > 1));
}

/** Event ids remembered for de-duplication (one store may hear a topic through several paths). */
const SEEN_LIMIT = 500;

/**
 * One proposal, as one viewer sees it, kept up to date from the `thread:<id>`
 * topic: proposal events replace it (keeping `myVote` and `permissions`, which events omit),
 * vote events update the counts and results, and the lists of votes and of
 * undecided members follow when someone has asked for them. Events are
 * de-duplicated by id; an HTTP answer that may predate an event absorbed
 * meanwhile is fetched again.
 */
export class ProposalStore extends Store<ProposalState> {
  readonly #seen = new Set<number>();
  #changes = 0;
  #wantVotes = false;
  #wantUndecided = false;
  readonly #proposalFetch = new Coalesced(() => this.#fetchProposal());
  readonly #votesFetch = new Coalesced(() => this.#fetchVotes());
  readonly #undecidedFetch = new Coalesced(() => this.#fetchUndecided());

  constructor(
    readonly proposalId: string,
    /** The signed-in viewer, to recognise their own votes in events. */
    readonly viewerId: string | null,
  ) {
    super({ status: 'loading', proposal: null, votes: null, undecided: null, error: null });
  }

  /** The stream topic that carries this proposal's events, once its thread is known. */
  get topic(): string | null {
    const threadId = this.value.proposal?.threadId;
    return threadId ? `thread:${threadId}` : null;
  }

  /**
   * Takes a proposal someone else loaded (the thread page's timeline). Used
   * only while this store has none; a `myVote` it carries fills in a missing one.
   */
  seed(proposal: Proposal): void {
    if (proposal.id !== this.proposalId) return;
    const current = this.value.proposal;
    if (!current) this.#patch({ status: 'ready', proposal });
    else if (current.myVote === undefined && proposal.myVote !== undefined) {
      this.#patch({ proposal: { ...current, myVote: proposal.myVote, permissions: proposal.permissions } });
    }
  }

  /** Whether the viewer's own vote and permissions are known (they are not after a mere event). */
  get knowsMyVote(): boolean {
    return this.value.proposal?.myVote !== undefined;
  }

  /** Loads the proposal over HTTP; concurrent calls share one fetch. */
  refresh(): Promise<void> {
    return this.#proposalFetch.run();
  }

  /** Loads, and from now on keeps up, the votes the viewer may see. */
  loadVotes(): Promise<void> {
    this.#wantVotes = true;
    return this.#votesFetch.run();
  }

  /** Loads, and from now on keeps up, the members who have not voted. */
  loadUndecided(): Promise<void> {
    this.#wantUndecided = true;
    return this.#undecidedFetch.run();
  }

  /** Refetches everything shown (after the stream says events may have been missed). */
  resync(): void {
    void this.refresh();
    if (this.#wantVotes) void this.#votesFetch.run();
    if (this.#wantUndecided) void this.#undecidedFetch.run();
  }

  /** Takes in one event of the proposal's thread (others are ignored). */
  absorb(event: StreamEvent): void {
    if (this.#seen.has(event.id)) return;
    const data = event.data as Record<string, unknown>;
    if (PROPOSAL_KINDS.has(event.kind)) {
      const incoming = data.proposal as Proposal | undefined;
      if (incoming?.id !== this.proposalId) return;
      this.#remember(event.id);
      const current = this.value.proposal;
      const wasClosed = Boolean(current?.closedAt);
      this.#patch({
        status: 'ready',
        proposal: { ...incoming, myVote: current?.myVote, permissions: current?.permissions },
      });
      // Closing reveals hidden results and everyone's votes; reopening hides them again.
      if (wasClosed !== Boolean(incoming.closedAt)) this.#followLists();
      return;
    }
    if (!VOTE_KINDS.has(event.kind)) return;
    const vote = data as unknown as VoteEventData;
    if (vote.proposalId !== this.proposalId) return;
    this.#remember(event.id);
    const current = this.value.proposal;
    if (!current) return; // the fetch under way will be repeated and bring it
    const voter = event.kind === 'vote.cast' ? (vote.vote?.voter ?? null) : (vote.voter ?? null);
    const mine = voter !== null && voter.id === this.viewerId;
    let myVote = current.myVote;
    if (mine) myVote = event.kind === 'vote.cast' ? (vote.vote ?? myVote) : null;
    this.#patch({
      proposal: {
        ...current,
        voterCount: vote.voterCount,
        representedCount: vote.representedCount ?? vote.voterCount,
        eligibleCount: vote.eligibleCount,
        results: vote.results,
        myVote,
      },
    });
    this.#followVote(event.kind, voter, vote.vote ?? null, current);
    if (!mine && followsDelegation(current, event.kind)) void this.refresh();
  }

  /** Casts or replaces the viewer's vote; the counts follow from the stream. */
  async vote(body: VoteBody): Promise<Vote> {
    const vote = await proposals.castVote(this.proposalId, body);
    this.#setMyVote(vote);
    return vote;
  }

  /** Withdraws the viewer's vote. */
  async retract(): Promise<void> {
    await proposals.retractVote(this.proposalId);
    this.#setMyVote(null);
  }

  /** Closes voting now, optionally with the outcome. */
  async close(outcome?: OutcomeBody): Promise<void> {
    this.#take(await proposals.closeProposal(this.proposalId, outcome));
    this.#followLists();
  }

  /** States (or restates) the outcome of the closed proposal. */
  async stateOutcome(body: OutcomeBody): Promise<void> {
    this.#take(await proposals.stateOutcome(this.proposalId, body));
  }

  /** Opens voting again until `closesAt`. */
  async reopen(closesAt: string): Promise<void> {
    this.#take(await proposals.reopenProposal(this.proposalId, closesAt));
    this.#followLists();
  }

  #remember(id: number): void {
    this.#changes += 1;
    this.#seen.add(id);
    if (this.#seen.size > SEEN_LIMIT) this.#seen.delete(this.#seen.values().next().value!);
  }

  #setMyVote(vote: Vote | null): void {
    const current = this.value.proposal;
    if (current) this.#patch({ proposal: { ...current, myVote: vote } });
    // Own votes are the only ones listed while results are hidden, and anonymous ones carry no name to match.
    if (this.#wantVotes) void this.#votesFetch.run();
  }

  /** An answer from a facilitator action: newer than anything streamed so far for this viewer. */
  #take(proposal: Proposal): void {
    this.#changes += 1;
    this.#patch({ status: 'ready', proposal, error: null });
  }

  #followLists(): void {
    if (this.#wantVotes) void this.#votesFetch.run();
    if (this.#wantUndecided) void this.#undecidedFetch.run();
  }

  #followVote(kind: string, voter: PersonRef | null, vote: Vote | null, p: Proposal): void {
    const visible = !p.anonymous && !(p.resultsHiddenUntilClosed && !p.closedAt);
    if (this.#wantVotes && this.value.votes) {
      if (visible && voter) {
        const others = this.value.votes.filter((v) => v.voter?.id !== voter.id);
        this.#patch({ votes: kind === 'vote.cast' && vote ? [...others, vote] : others });
      } else void this.#votesFetch.run();
    }
    if (this.#wantUndecided && this.value.undecided) {
      if (voter && kind === 'vote.cast') {
        this.#patch({ undecided: this.value.undecided.filter((m) => m.id !== voter.id) });
      } else void this.#undecidedFetch.run();
    }
  }

  async #fetchProposal(): Promise<void> {
    // An event absorbed while the request was out may be newer than its answer: ask again (a few times at most).
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = this.#changes;
      try {
        const proposal = await proposals.getProposal(this.proposalId);
        if (this.#changes !== before && attempt < 2) continue;
        this.#patch({ status: 'ready', proposal, error: null });
      } catch (err) {
        const error = toApiError(err);
        if (error.status === 404 || !this.value.proposal)
          this.#patch({ status: 'error', proposal: null, error });
        else this.#patch({ error });
      }
      return;
    }
  }

  async #fetchVotes(): Promise<void> {
    try {
      this.#patch({ votes: await proposals.listVotes(this.proposalId) });
    } catch (err) {
      this.#patch({ error: toApiError(err) });
    }
  }

  async #fetchUndecided(): Promise<void> {
    try {
      this.#patch({ undecided: await proposals.listUndecided(this.proposalId) });
    } catch (err) {
      this.#patch({ error: toApiError(err) });
    }
  }

  #patch(patch: Partial<ProposalState>): void {
    this.set({ ...this.value, ...patch });
  }
}

function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
}

const stores = new Map<string, ProposalStore>();

/**
 * The store of one proposal for one viewer, shared by every element that
 * shows it. Keyed by viewer too: `myVote` belongs to whoever is signed in.
 */
export function proposalStore(proposalId: string, viewerId: string | null): ProposalStore {
  const key = `${viewerId ?? ''}|${proposalId}`;
  let store = stores.get(key);
  if (!store) {
    store = new ProposalStore(proposalId, viewerId);
    stores.set(key, store);
  }
  return store;
}

/** Drops every cached proposal (on sign-out, say). */
export function forgetProposalStores(): void {
  stores.clear();
}
