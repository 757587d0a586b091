import type { LitElement, ReactiveController } from 'lit';
import { sortOpenProposals } from '../data/open-proposals';
import { OpenProposalsStore } from '../data/open-proposals-store';
import type { Proposal, Vote } from '../data/proposals';
import type { StreamEvent } from '../data/stream';
import type { TimelineRow } from '../data/thread-store';
import { t } from '../i18n';
import { onDemandSettled } from '../ui/on-demand';
import type { PlOpenProposals } from './pl-open-proposals';
import type { PlProposalCard } from './pl-proposal-card';

/** Older pages tried when the ballot asked for is not in the pages shown. */
const MAX_PAGES_FOR_BALLOT = 6;

/** Below the sticky app bar: where a ballot scrolled to starts. */
const BALLOT_TOP = 96;

export interface OpenProposalsOptions {
  threadId: () => string;
  /** The thread's group, once the thread is loaded (the list of open proposals is the group's). */
  groupId: () => string | undefined;
  viewerId: () => string | null;
  /** Whether older pages of the timeline exist that are not loaded. */
  olderHidden: () => boolean;
  /** Loads the page before the oldest shown, keeping the reader's place. */
  loadOlder: () => Promise<void>;
  /** Shows a visible notice. */
  notice: (text: string) => void;
}

/**
 * The thread page's part in its open proposals: keeps the
 * {@link OpenProposalsStore} of the thread shown (the host hands it the
 * thread's events), remembers which proposals were seen open this visit
 * (they keep their full card if they close), and takes the reader to the
 * panel and to a ballot. The host renders `pl-open-proposals` and the
 * timeline's proposals as `li[data-proposal-id] pl-proposal-card`.
 */
export class OpenProposalsController implements ReactiveController {
  readonly #host: LitElement;
  readonly #options: OpenProposalsOptions;
  #store: OpenProposalsStore | null = null;
  #unsubscribe: (() => void) | null = null;
  readonly #seenOpen = new Set<string>();
  #seenIn = '';

  constructor(host: LitElement, options: OpenProposalsOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The open proposals, in the order to show them. */
  get proposals(): Proposal[] {
    return sortOpenProposals(this.#store?.value.proposals ?? []);
  }

  hostConnected(): void {
    this.#sync();
  }

  hostUpdate(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#store = null;
  }

  /** Takes in one event of the thread's topic. */
  absorb(event: StreamEvent): void {
    this.#store?.absorb(event);
  }

  /** Loads the list again (events may have been missed). */
  reload(): void {
    void this.#store?.load();
  }

  /** Shows a proposal the reader has just created. */
  add(proposal: Proposal): void {
    this.#store?.add(proposal);
  }

  /**
   * Notes the proposals among `rows` (open ones as seen open), and says which
   * have their own row and which were seen open this visit, for the timeline.
   */
  rowsShown(rows: readonly TimelineRow[]): { proposalRows: Set<string>; seenOpen: ReadonlySet<string> } {
    const proposalRows = new Set<string>();
    for (const row of rows) {
      const p = row.type === 'proposal' ? row.item.proposal : undefined;
      if (!p) continue;
      proposalRows.add(p.id);
      if (!p.closedAt) this.#seenOpen.add(p.id);
    }
    return { proposalRows, seenOpen: this.#seenOpen };
  }

  /** A card's `vote-changed`: the panel says "You voted" (anonymous votes name nobody in events). */
  readonly voteChanged = (event: CustomEvent<{ vote: Vote | null }>): void => {
    const row = event
      .composedPath()
      .find((el): el is HTMLElement => el instanceof HTMLElement && Boolean(el.dataset.proposalId));
    if (row) this.#store?.setMyVote(row.dataset.proposalId!, event.detail.vote);
  };

  /** To the panel: scrolled into view, its heading focused. */
  readonly showPanel = async (): Promise<void> => {
    await this.#host.updateComplete;
    await onDemandSettled(); // the panel's code, loaded with the first open proposal
    const panel = this.#host.renderRoot.querySelector<PlOpenProposals>('pl-open-proposals');
    panel?.scrollIntoView({ block: 'start' });
    await panel?.focusHeading?.();
  };

  /**
   * To a proposal's ballot: scrolled to just below the app bar, its first
   * control focused. A proposal in an older page is looked for a few pages back.
   */
  readonly voteNow = async (event: CustomEvent<{ proposalId: string }>): Promise<void> => {
    const selector = `li[data-proposal-id="${CSS.escape(event.detail.proposalId)}"]`;
    const rowOf = () => this.#host.renderRoot.querySelector<HTMLElement>(selector);
    for (let page = 0; !rowOf(); page++) {
      if (page >= MAX_PAGES_FOR_BALLOT || !this.#options.olderHidden()) {
        this.#options.notice(
          t('That proposal is further back in the thread. Load earlier comments to find it.'),
        );
        return;
      }
      await this.#options.loadOlder();
      await this.#host.updateComplete;
    }
    await onDemandSettled(); // the cards' code, loaded with the first proposal shown
    const row = rowOf()!;
    const card = row.querySelector<PlProposalCard>('pl-proposal-card');
    const ballot = card?.ballot ? await card.ballot() : null;
    const target: HTMLElement = ballot ?? card ?? row;
    scrollBy({ top: target.getBoundingClientRect().top - BALLOT_TOP });
    if (!ballot?.focusFirstControl()) target.focus({ preventScroll: true });
  };

  /** One store per thread shown, made once its group is known. */
  #sync(): void {
    const threadId = this.#options.threadId();
    const groupId = this.#options.groupId();
    if (this.#seenIn !== threadId) {
      this.#seenIn = threadId;
      this.#seenOpen.clear();
    }
    if (this.#store?.threadId === threadId && this.#unsubscribe) return;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (!threadId || !groupId) {
      this.#store = null;
      return;
    }
    this.#store = new OpenProposalsStore(threadId, groupId, this.#options.viewerId());
    this.#unsubscribe = this.#store.subscribe(() => this.#host.requestUpdate());
    void this.#store.load();
  }
}
