import { HOME_LIST_LIMIT } from '../../shared/limits';
import { ApiError } from './api';
import { Coalesced } from './coalesced';
import { ownVote } from './delegations';
import { getHome, type HomeReply, homeLists } from './home';
import { type ProposalStore, proposalStore } from './proposal-store';
import type { Proposal } from './proposals';
import { Store } from './store';
import type { StreamEvent } from './stream';

/** What the home page shows, and how loading went. */
export interface HomeState {
  status: 'loading' | 'ready' | 'error';
  /** The server's last answer; its proposals may be older than their stores' (see `HomeStore.lists`). */
  reply: HomeReply;
  /** The last failure; with status `ready` it is a failed refresh over data still shown. */
  error: ApiError | null;
  /** Moves on whenever a listed proposal's store changes, so listeners re-render. */
  revision: number;
}

const EMPTY: HomeReply = {
  needsVote: [],
  needsVoteCount: 0,
  closingSoon: [],
  closingSoonCount: 0,
  recentThreads: [],
};

/**
 * Group events that may add or move an item, or change a name shown: the
 * page asks the server again (coalesced, so a burst costs at most two loads).
 * Votes and closings of listed proposals need no load: their stores absorb them.
 */
const RELOAD_KINDS = new Set([
  'proposal.created',
  'proposal.reopened',
  'proposal.updated',
  'comment.created',
  'comment.deleted',
  'thread.created',
  'thread.updated',
  'group.updated',
]);

/** `vote.cast` / `vote.retracted` data, as far as the home page reads it. */
interface VoteEventData {
  proposalId?: string;
  vote?: { voter?: { id: string } | null };
  voter?: { id: string } | null;
}

/**
 * The viewer's home page: the server's lists (`GET /me/home`), with each
 * listed proposal kept live in its shared {@link ProposalStore} (the one
 * `<pl-vote-form>` votes through, so a vote cast here shows at once). Takes in
 * the events of the viewer's `group:<id>` topics: it hands each to the
 * listed proposals' stores, and loads the lists again when a proposal,
 * comment or thread appears or changes. Call `dispose` when the page goes.
 */
export class HomeStore extends Store<HomeState> {
  readonly #loads = new Coalesced(() => this.#fetch());
  /** The listed proposals' stores, and how to stop listening to each. */
  readonly #watched = new Map<string, { store: ProposalStore; stop: () => void }>();
  /** Proposals per list asked for: the server's first view until `showAll`. */
  #limit: number | undefined;

  constructor(
    /** The signed-in viewer: their own votes decide what needs them. */
    readonly viewerId: string,
  ) {
    super({ status: 'loading', reply: EMPTY, error: null, revision: 0 });
  }

  /** Loads the lists; concurrent calls share one fetch (plus one more if asked meanwhile). */
  refresh(): Promise<void> {
    return this.#loads.run();
  }

  /** Whether the lists are asked for whole (`showAll`), rather than the server's first view. */
  get showingAll(): boolean {
    return this.#limit !== undefined;
  }

  /** Asks for each list whole (as many as the server gives, `HOME_LIST_LIMIT`), from now on. */
  showAll(): Promise<void> {
    this.#limit = HOME_LIST_LIMIT;
    return this.refresh();
  }

  /** The two proposal lists as they stand at `now`, each proposal in its freshest form. */
  lists(now: number) {
    return homeLists(this.value.reply, (p) => this.current(p), now);
  }

  /** The freshest form of a listed proposal: its store's, else the one given. */
  current(proposal: Proposal): Proposal {
    return this.#watched.get(proposal.id)?.store.value.proposal ?? proposal;
  }

  /** Takes in one event of one of the viewer's `group:<id>` topics. */
  absorb(event: StreamEvent): void {
    for (const { store } of this.#watched.values()) store.absorb(event);
    if (RELOAD_KINDS.has(event.kind)) {
      // The viewer's own comment leaves nothing unread.
      if (!(event.kind === 'comment.created' && event.actor?.id === this.viewerId)) void this.refresh();
      return;
    }
    const data = event.data as VoteEventData;
    const watched = data.proposalId ? this.#watched.get(data.proposalId) : undefined;
    if (!watched) {
      // A vote taken back on a proposal not listed (the viewer's own, say): it may need them again.
      if (event.kind === 'vote.retracted' && (!data.voter || data.voter.id === this.viewerId))
        void this.refresh();
      return;
    }
    // Anonymous votes name nobody: the viewer's own, cast in another tab, is known only by asking.
    const p = watched.store.value.proposal;
    const anonymousVote =
      (event.kind === 'vote.cast' && !data.vote?.voter) || (event.kind === 'vote.retracted' && !data.voter);
    if (p?.anonymous && anonymousVote) void watched.store.refresh();
  }

  /** Stops following the listed proposals' stores. */
  dispose(): void {
    for (const { stop } of this.#watched.values()) stop();
    this.#watched.clear();
  }

  async #fetch(): Promise<void> {
    try {
      const reply = await getHome(this.#limit);
      this.#watch([...reply.needsVote, ...reply.closingSoon].map((i) => i.proposal));
      this.set({ ...this.value, status: 'ready', reply, error: null });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
      this.set({ ...this.value, status: this.value.status === 'ready' ? 'ready' : 'error', error });
    }
  }

  /**
   * Follows the stores of the proposals now listed, seeding each with the
   * server's form. A store already holding an older form that disagrees on
   * what matters here (the viewer's vote, the close) is asked to load again:
   * it may have missed events while no page followed it.
   */
  #watch(proposals: Proposal[]): void {
    const wanted = new Set(proposals.map((p) => p.id));
    for (const [id, { stop }] of this.#watched) {
      if (wanted.has(id)) continue;
      stop();
      this.#watched.delete(id);
    }
    for (const p of proposals) {
      const store = proposalStore(p.id, this.viewerId);
      const held = store.value.proposal;
      store.seed(p);
      if (held && disagree(held, p)) void store.refresh();
      if (this.#watched.has(p.id)) continue;
      const stop = store.subscribe(() => this.set({ ...this.value, revision: this.value.revision + 1 }));
      this.#watched.set(p.id, { store, stop });
    }
  }
}

/** Whether two forms of a proposal differ in the viewer's vote or in when it closes. */
function disagree(a: Proposal, b: Proposal): boolean {
  const mine = (p: Proposal) => JSON.stringify([ownVote(p.myVote)?.choices ?? null, Boolean(p.myVote)]);
  return a.closedAt !== b.closedAt || a.closesAt !== b.closesAt || mine(a) !== mine(b);
}
