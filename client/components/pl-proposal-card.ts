import { consume } from '@lit/context';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { describeChoices } from '../data/ballot-draft';
import { ClockController, nextCountdownTick } from '../data/clock';
import { sessionContext, streamContext } from '../data/context';
import { isFollowedVote } from '../data/delegations';
import { groupStore } from '../data/group-store';
import { PermissionsChangeController } from '../data/permissions-change-controller';
import { kindLabel } from '../data/proposal-labels';
import { type ProposalStore, proposalStore } from '../data/proposal-store';
import type { Proposal } from '../data/proposals';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { countdownText, formatDateTime } from '../data/time-text';
import { TopicController } from '../data/topic-controller';
import { t, tMarkup } from '../i18n';
import type { PlEvent } from '../ui/fire-event';
import { markdown, markdownStyles } from '../ui/markdown';
import { defineOnDemand } from '../ui/on-demand';
import { sharedStyles } from '../ui/styles';
import { cardStyles, sectionStyles } from './pl-proposal-card.styles';
import './pl-delegation-panel';
import './pl-outcome';
import './pl-proposal-manage';
import './pl-proposal-participation';
import './pl-proposal-results';
import './pl-proposal-votes';
import type { PlVoteForm } from './pl-vote-form';

// The ballot loads with the first open proposal shown: closed ones have none.
const loadVoteForm = () => import('./pl-vote-form');

/**
 * A proposal, live: title, details, kind and countdown; how many have voted
 * and who has not; the caller's vote and the ballot while open; results
 * (unless hidden until the close); who voted what (unless anonymous); the
 * outcome once stated; and, for facilitators and the author, closing with an
 * outcome, stating the outcome, and (facilitators) reopening.
 *
 * Follows `thread:<threadId>` on the live stream (shared, ref-counted, with
 * the thread page's own subscription) through a {@link ProposalStore}, and
 * hands the sections (`pl-proposal-participation`, `-results`, `-votes`,
 * `-manage`) what they show. Announces openings, closings and what the
 * manage section did in one live region.
 */
@customElement('pl-proposal-card')
export class PlProposalCard extends LitElement {
  static override styles = [sharedStyles, markdownStyles, sectionStyles, cardStyles];

  /** The proposal to show; the card keeps it live from then on. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  @consume({ context: sessionContext })
  private session?: Session;

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private notice = '';

  readonly #state = new StoreController(this, () => this.#store());
  readonly #group = new StoreController(this, () => {
    const p = this.#current();
    return p ? groupStore(p.groupId) : undefined;
  });
  readonly #topic = new TopicController(this, {
    stream: () => this.stream,
    topic: () => this.#store()?.topic ?? (this.proposal ? `thread:${this.proposal.threadId}` : null),
    onEvent: (event) => this.#store()?.absorb(event),
    onReset: () => this.#store()?.resync(),
  });
  /** A new role may allow other things on the proposal too. */
  protected readonly roleChange = new PermissionsChangeController(
    this,
    () => this.#group.value?.group,
    () => this.#store()?.refresh(),
  );
  #wasClosed: boolean | null = null;

  constructor() {
    super();
    // Attaches itself to this element: re-renders as the countdown moves on.
    new ClockController(this, () => {
      const p = this.#current();
      return p && !p.closedAt ? nextCountdownTick([p.closesAt]) : null;
    });
  }

  /** The card's ballot once rendered, for "Vote now" to scroll to; null when it shows none (closed). */
  async ballot(): Promise<PlVoteForm | null> {
    await this.updateComplete;
    const form = this.renderRoot.querySelector('pl-vote-form');
    if (!form || !(await defineOnDemand(loadVoteForm))) return null;
    await form.updateComplete;
    return form;
  }

  #store(): ProposalStore | undefined {
    return this.proposal ? proposalStore(this.proposal.id, this.session?.user?.id ?? null) : undefined;
  }

  /** The freshest form of the proposal: the store's, else the one handed in. */
  #current(): Proposal | null {
    return this.#state.value?.proposal ?? this.proposal;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const store = this.#store();
    if (changed.has('proposal') && store && this.proposal) {
      store.seed(this.proposal);
      // Proposals from events carry no `myVote` or `permissions`: ask over HTTP for the caller's own.
      if (!store.knowsMyVote) void store.refresh();
      groupStore(this.proposal.groupId).ensureLoaded();
    }
    const p = this.#current();
    if (p) {
      const closed = Boolean(p.closedAt);
      // The manage section closes its open form on the same change.
      if (this.#wasClosed !== null && closed !== this.#wasClosed) {
        this.notice = closed ? t('Voting has closed.') : t('Voting has reopened.');
      }
      this.#wasClosed = closed;
    }
  }

  override render() {
    const p = this.#current();
    if (!p) return nothing;
    const value = this.#state.value;
    const error = value?.error;
    const store = this.#store() ?? null;
    const closed = Boolean(p.closedAt);
    return html`<article class="card" aria-labelledby="proposal-title">
      <header>
        <div class="badges">
          <span class="badge">${kindLabel(p.kind)}</span>
          <span class="badge ${closed ? 'closed' : 'open'}">${closed ? t('Closed') : t('Open')}</span>
          ${p.anonymous ? html`<span class="badge">${t('Anonymous')}</span>` : nothing}
          ${p.resultsHiddenUntilClosed && !closed ? html`<span class="badge">${t('Results hidden until close')}</span>` : nothing}
        </div>
        <h2 id="proposal-title">${p.title}</h2>
        <p class="meta small muted">
          ${p.author ? html`<span>${t('Proposed by {name}', { name: p.author.name })}</span><span aria-hidden="true">·</span>` : nothing}
          ${
            closed
              ? html`<span>${t('Closed {date}', { date: formatDateTime(p.closedAt!) })}</span>`
              : html`<span
                ><span class="countdown">${capitalise(countdownText(p.closesAt, null, Date.now()))}</span>
                <span>(${formatDateTime(p.closesAt)})</span></span
              >`
          }
        </p>
        ${p.details ? html`<div class="details markdown">${markdown(p.details)}</div>` : nothing}
      </header>
      <p class="sr-only" role="status">${this.notice}</p>
      ${
        error && value?.status === 'ready'
          ? html`<p class="alert" role="alert">${t('Could not refresh this proposal: {error}', { error: error.message })}</p>`
          : nothing
      }
      ${closed && p.outcome ? html`<pl-outcome .proposal=${p}></pl-outcome>` : nothing}
      <pl-proposal-participation
        .proposal=${p}
        .store=${store}
        .undecided=${value?.undecided ?? null}
      ></pl-proposal-participation>
      ${closed ? this.#myVote(p) : this.#ballot(p)}
      <pl-proposal-results .proposal=${p}></pl-proposal-results>
      <pl-proposal-votes .proposal=${p} .store=${store} .votes=${value?.votes ?? null}></pl-proposal-votes>
      <pl-proposal-manage
        .proposal=${p}
        .store=${store}
        @pl-proposal-notice=${this.#announce}
      ></pl-proposal-manage>
    </article>`;
  }

  #ballot(p: Proposal) {
    const known = p.myVote !== undefined;
    void defineOnDemand(loadVoteForm);
    return html`<section aria-labelledby="ballot-heading">
      <h3 id="ballot-heading">${t('Your vote')}</h3>
      ${isFollowedVote(p.myVote) ? nothing : this.#myVote(p)}
      <pl-delegation-panel
        .proposal=${p}
        .store=${this.#store() ?? null}
        .members=${this.#group.value?.members ?? []}
        .myId=${this.session?.user?.id ?? ''}
      ></pl-delegation-panel>
      ${
        known
          ? html`<pl-vote-form .proposal=${p} .store=${this.#store() ?? null}></pl-vote-form>`
          : html`<p class="small muted" aria-busy="true">${t('Loading your vote…')}</p>`
      }
    </section>`;
  }

  /** The caller's own vote, if any: in the ballot while open, on its own once closed. */
  #myVote(p: Proposal) {
    const vote = p.myVote;
    if (!vote) return nothing;
    if (isFollowedVote(vote))
      return html`<p class="mine small">
        ${tMarkup('Your vote followed {name}’s: {choices}.', { name: vote.delegatedTo.name }, { choices: html`<strong>${describeChoices(p, vote.choices)}</strong>` })}
      </p>`;
    return html`<p class="mine small">
      ${tMarkup('You voted {choices}.', {}, { choices: html`<strong>${describeChoices(p, vote.choices)}</strong>` })}
      ${vote.reason ? html`<span class="muted">${t('Your reason: {reason}', { reason: vote.reason })}</span>` : nothing}
    </p>`;
  }

  #announce(event: PlEvent<'pl-proposal-notice'>) {
    this.notice = event.detail.message;
  }
}

function capitalise(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-proposal-card': PlProposalCard;
  }
}
