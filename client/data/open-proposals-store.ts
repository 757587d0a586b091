import { ApiError, api } from './api';
import { Coalesced } from './coalesced';
import { applyOpenProposalEvent } from './open-proposals';
import { getProposal, type Proposal, type Vote } from './proposals';
import { Store } from './store';
import type { StreamEvent } from './stream';

/** The open proposals of one thread, for the panel at the top of its page. */
export interface OpenProposalsState {
  status: 'loading' | 'ready' | 'error';
  /** Open ones only, each with the reader's `myVote` once known; in no particular order. */
  proposals: Proposal[];
  error: ApiError | null;
}

/** Pages of the group's open proposals read at most: a thread rarely has more than a handful open. */
const MAX_PAGES = 5;

const enc = encodeURIComponent;

/**
 * The open proposals of one thread as one reader sees them, wherever they
 * sit in its timeline (an older page the reader has not loaded included).
 * Loads them over HTTP, then follows the `thread:<id>` events the page
 * hands it ({@link applyOpenProposalEvent}); an answer that may predate an
 * event absorbed meanwhile is fetched again, as the proposal store does.
 */
export class OpenProposalsStore extends Store<OpenProposalsState> {
  #changes = 0;
  readonly #loads = new Coalesced(() => this.#load());
  readonly #refetching = new Set<string>();

  constructor(
    readonly threadId: string,
    readonly groupId: string,
    /** The reader, to recognise their own votes in events. */
    readonly viewerId: string | null,
  ) {
    super({ status: 'loading', proposals: [], error: null });
  }

  /** Loads the thread's open proposals afresh (on arrival, and after the stream says events were missed). */
  load(): Promise<void> {
    return this.#loads.run();
  }

  /** Takes in one event of the thread's topic. */
  absorb(event: StreamEvent): void {
    const { proposals, refetch } = applyOpenProposalEvent(this.value.proposals, event, this.viewerId);
    if (proposals !== this.value.proposals) {
      this.#changes += 1;
      this.#patch({ proposals });
    }
    for (const id of refetch) void this.#refetch(id);
  }

  /** Shows a proposal the reader has just created, before its event arrives. */
  add(proposal: Proposal): void {
    if (proposal.closedAt || this.value.proposals.some((p) => p.id === proposal.id)) return;
    this.#patch({ proposals: [...this.value.proposals, proposal] });
  }

  /** The reader's own vote, cast or retracted on this page (anonymous votes name nobody in events). */
  setMyVote(proposalId: string, vote: Vote | null): void {
    if (!this.value.proposals.some((p) => p.id === proposalId)) return;
    this.#changes += 1;
    this.#patch({
      proposals: this.value.proposals.map((p) => (p.id === proposalId ? { ...p, myVote: vote } : p)),
    });
  }

  async #load(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = this.#changes;
      try {
        const proposals = await this.#fetchOpen();
        if (this.#changes !== before && attempt < 2) continue;
        this.#patch({ status: 'ready', proposals, error: null });
      } catch (err) {
        const error = err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
        this.#patch({ status: this.value.status === 'ready' ? 'ready' : 'error', error });
      }
      return;
    }
  }

  /**
   * The group's open proposals of this thread. The server filters by
   * `threadId` (the service takes it; the query schema does not name it yet),
   * and the list is filtered here too, so that either way only this thread's show.
   */
  async #fetchOpen(): Promise<Proposal[]> {
    const found: Proposal[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ status: 'open', threadId: this.threadId, limit: '100' });
      if (cursor) query.set('cursor', cursor);
      const answer: { items: Proposal[]; nextCursor: string | null } = await api(
        'GET',
        `/groups/${enc(this.groupId)}/proposals?${query}`,
      );
      found.push(...answer.items.filter((p) => p.threadId === this.threadId && !p.closedAt));
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return found;
  }

  /** Asks again for one proposal, for the reader's part in it; one request per proposal at a time. */
  async #refetch(proposalId: string): Promise<void> {
    if (this.#refetching.has(proposalId)) return;
    this.#refetching.add(proposalId);
    try {
      const before = this.#changes;
      const fresh = await getProposal(proposalId);
      const current = this.value.proposals.find((p) => p.id === proposalId);
      if (!current) return; // closed meanwhile
      const others = this.value.proposals.filter((p) => p !== current);
      if (fresh.closedAt) this.#patch({ proposals: others });
      else {
        // Counts absorbed while the request was out are newer than the answer's: take only the reader's part then.
        const { myVote, myDelegate, permissions } = fresh;
        const next = this.#changes === before ? fresh : { ...current, myVote, myDelegate, permissions };
        this.#patch({ proposals: [...others, next] });
      }
    } catch {
      // The proposal stays as the events left it; the next load or event corrects it.
    } finally {
      this.#refetching.delete(proposalId);
    }
  }

  #patch(patch: Partial<OpenProposalsState>): void {
    this.set({ ...this.value, ...patch });
  }
}
