import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues, type ReactiveController } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type FieldErrors, splitErrors } from '../data/api';
import { sessionContext, streamContext } from '../data/context';
import { groupStore } from '../data/group-store';
import { type ProposalStore, proposalStore } from '../data/proposal-store';
import {
  countdownText,
  countdownTick,
  defaultClosingInput,
  describeChoices,
  formatDateTime,
  fromLocalInput,
  kindLabel,
  participationText,
} from '../data/proposal-view';
import type { Proposal } from '../data/proposals';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { TopicController } from '../data/topic-controller';
import { cssProps } from '../ui/css-props';
import { markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';
import './pl-irv-rounds';
import './pl-outcome';
import './pl-results-bars';
import './pl-remind-button';
import './pl-results-pie';
import './pl-vote-form';

/** Re-renders its host when the countdown's text may have changed. */
class CountdownController implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | null = null;
  constructor(
    private readonly host: LitElement,
    private readonly closesAt: () => string | null,
  ) {
    host.addController(this);
  }
  hostConnected(): void {
    this.#schedule();
  }
  hostDisconnected(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
  hostUpdated(): void {
    if (!this.#timer) this.#schedule();
  }
  #schedule(): void {
    const at = this.closesAt();
    if (!at || !this.host.isConnected) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.host.requestUpdate();
      },
      countdownTick(at, Date.now()),
    );
  }
}

type Panel = 'close' | 'outcome' | 'reopen' | null;

/**
 * A proposal, live: title, details, kind and countdown; how many have voted
 * and who has not; the caller's vote and the ballot while open; results
 * (unless hidden until the close); who voted what (unless anonymous); the
 * outcome once stated; and, for facilitators and the author, closing with an
 * outcome, stating the outcome, and (facilitators) reopening.
 *
 * Follows `thread:<threadId>` on the live stream (shared, ref-counted, with
 * the thread page's own subscription) through a {@link ProposalStore}.
 */
@customElement('pl-proposal-card')
export class PlProposalCard extends LitElement {
  static override styles = [
    sharedStyles,
    markdownStyles,
    css`
      article {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-3);
      }
      header {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      .badges {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-half);
      }
      .badge.open {
        background: var(--pl-color-accent-soft);
        color: var(--pl-color-accent-hover);
      }
      .badge.closed {
        background: var(--pl-color-text);
        color: var(--pl-color-surface);
      }
      h2 {
        overflow-wrap: anywhere;
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        gap: 2px var(--pl-space-1);
      }
      .countdown {
        font-weight: var(--pl-weight-medium);
        color: var(--pl-color-text);
      }
      .details {
        max-width: 70ch;
      }
      section {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      section + section {
        border-top: 1px solid var(--pl-color-border);
        padding-top: var(--pl-space-3);
      }
      .participation {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: var(--pl-space-1);
      }
      .meter {
        height: 8px;
        border-radius: var(--pl-radius-pill);
        background: var(--pl-color-surface-muted);
        overflow: hidden;
      }
      .meter span {
        display: block;
        height: 100%;
        background: var(--pl-color-accent);
        transition: width 240ms ease;
      }
      .names {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-half);
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .mine {
        padding: 10px 12px;
        border-radius: var(--pl-radius-sm);
        background: var(--pl-color-surface-muted);
      }
      .votes {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: var(--pl-space-1);
      }
      .votes li {
        padding: var(--pl-space-1) 0;
        border-bottom: 1px solid var(--pl-color-border);
      }
      .votes li:last-child {
        border-bottom: 0;
      }
      .votes .who {
        font-weight: var(--pl-weight-medium);
      }
      .votes .reason {
        margin-top: 2px;
      }
      .manage {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
      }
      .panel {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
        padding: var(--pl-space-2);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius-sm);
        background: var(--pl-color-bg);
      }
      .panel h3 {
        font-size: var(--pl-text-md);
      }
      .two {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: var(--pl-space-2);
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
      }
      button.linklike {
        min-height: 32px;
        padding: 0 var(--pl-space-half);
        margin-left: calc(-1 * var(--pl-space-half));
        background: transparent;
        border-color: transparent;
        color: var(--pl-color-accent);
        text-decoration: underline;
        text-underline-offset: 0.15em;
        font-weight: var(--pl-weight-medium);
      }
      button.linklike:hover {
        background: var(--pl-color-accent-soft);
        color: var(--pl-color-accent-hover);
      }
      pl-irv-rounds {
        margin-top: var(--pl-space-2);
      }
      @media (prefers-reduced-motion: reduce) {
        .meter span {
          transition: none;
        }
      }
    `,
  ];

  /** The proposal to show; the card keeps it live from then on. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  @consume({ context: sessionContext })
  private session?: Session;

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private showUndecided = false;
  @state() private showVotes = false;
  @state() private panel: Panel = null;
  @state() private panelErrors: FieldErrors = {};
  @state() private panelError: string | null = null;
  @state() private busy = false;
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
  #wasClosed: boolean | null = null;

  constructor() {
    super();
    // Attaches itself to this element: re-renders as the countdown moves on.
    new CountdownController(this, () => {
      const p = this.#current();
      return p && !p.closedAt ? p.closesAt : null;
    });
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
      // Proposals from events carry no `myVote`: ask over HTTP for the caller's own.
      if (!store.knowsMyVote) void store.refresh();
      const group = groupStore(this.proposal.groupId);
      if (group.value.status === 'loading' && !group.value.group) void group.refresh();
    }
    const p = this.#current();
    if (p) {
      const closed = Boolean(p.closedAt);
      if (this.#wasClosed !== null && closed !== this.#wasClosed) {
        this.notice = closed ? 'Voting has closed.' : 'Voting has reopened.';
        this.panel = null;
      }
      this.#wasClosed = closed;
    }
  }

  override render() {
    const p = this.#current();
    if (!p) return nothing;
    const error = this.#state.value?.error;
    const closed = Boolean(p.closedAt);
    return html`<article class="card" aria-labelledby="proposal-title">
      <header>
        <div class="badges">
          <span class="badge">${kindLabel(p.kind)}</span>
          <span class="badge ${closed ? 'closed' : 'open'}">${closed ? 'Closed' : 'Open'}</span>
          ${p.anonymous ? html`<span class="badge">Anonymous</span>` : nothing}
          ${p.resultsHiddenUntilClosed && !closed ? html`<span class="badge">Results hidden until close</span>` : nothing}
        </div>
        <h2 id="proposal-title">${p.title}</h2>
        <p class="meta small muted">
          ${p.author ? html`<span>Proposed by ${p.author.name}</span><span aria-hidden="true">·</span>` : nothing}
          ${
            closed
              ? html`<span>Closed ${formatDateTime(p.closedAt!)}</span>`
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
        error && this.#state.value?.status === 'ready'
          ? html`<p class="alert" role="alert">Could not refresh this proposal: ${error.message}</p>`
          : nothing
      }
      ${closed && p.outcome ? html`<pl-outcome .proposal=${p}></pl-outcome>` : nothing}
      ${this.#participation(p)} ${closed ? this.#closedVote(p) : this.#ballot(p)} ${this.#results(p)}
      ${this.#votes(p)} ${this.#manage(p)}
    </article>`;
  }

  #participation(p: Proposal) {
    const closed = Boolean(p.closedAt);
    const share = p.eligibleCount > 0 ? Math.min(1, p.voterCount / p.eligibleCount) : 0;
    const undecided = this.#state.value?.undecided ?? null;
    const missing = Math.max(0, p.eligibleCount - p.voterCount);
    return html`<section aria-label="Participation">
      <div class="participation">
        <p class="participation-text"><strong>${participationText(p.voterCount, p.eligibleCount, closed)}</strong></p>
        ${
          // Anonymous proposals name nobody: who has voted, read as votes arrive, would say whose ballot was whose.
          !closed && missing > 0 && !p.anonymous
            ? html`<button
              class="linklike"
              type="button"
              aria-expanded=${this.showUndecided ? 'true' : 'false'}
              aria-controls="undecided"
              @click=${this.#toggleUndecided}
            >
              ${this.showUndecided ? 'Hide who has not voted' : 'Who has not voted?'}
            </button>`
            : nothing
        }
      </div>
      <div class="meter" aria-hidden="true"><span style=${cssProps({ width: `${share * 100}%` })}></span></div>
      <div id="undecided" ?hidden=${!this.showUndecided || closed}>
        ${
          undecided === null
            ? html`<p class="small muted" aria-busy="true">Loading…</p>`
            : undecided.length === 0
              ? html`<p class="small muted">Everyone has voted.</p>`
              : html`<p class="small muted" id="undecided-label">Not voted yet:</p>
                <ul class="names" aria-labelledby="undecided-label">
                  ${undecided.map((m) => html`<li class="badge">${m.name}</li>`)}
                </ul>`
        }
      </div>
    </section>`;
  }

  #ballot(p: Proposal) {
    const known = p.myVote !== undefined;
    return html`<section aria-labelledby="ballot-heading">
      <h3 id="ballot-heading">Your vote</h3>
      ${
        p.myVote
          ? html`<p class="mine small">
            You voted <strong>${describeChoices(p, p.myVote.choices)}</strong>.
            ${p.myVote.reason ? html`<span class="muted">Your reason: ${p.myVote.reason}</span>` : nothing}
          </p>`
          : nothing
      }
      ${
        known
          ? html`<pl-vote-form .proposal=${p} .store=${this.#store() ?? null}></pl-vote-form>`
          : html`<p class="small muted" aria-busy="true">Loading your vote…</p>`
      }
    </section>`;
  }

  #closedVote(p: Proposal) {
    if (!p.myVote) return nothing;
    return html`<p class="mine small">
      You voted <strong>${describeChoices(p, p.myVote.choices)}</strong>.
      ${p.myVote.reason ? html`<span class="muted">Your reason: ${p.myVote.reason}</span>` : nothing}
    </p>`;
  }

  #results(p: Proposal) {
    const closed = Boolean(p.closedAt);
    let body: unknown;
    if (!p.results) {
      body = html`<p class="notice">Results are hidden until the proposal closes.</p>`;
    } else if (p.kind === 'proposal') {
      body = html`<pl-results-pie .results=${p.results}></pl-results-pie>`;
    } else if (p.kind === 'ranked_choice') {
      body = html`<pl-results-bars .proposal=${p}></pl-results-bars><pl-irv-rounds .proposal=${p}></pl-irv-rounds>`;
    } else {
      body = html`<pl-results-bars .proposal=${p}></pl-results-bars>`;
    }
    return html`<section aria-labelledby="results-heading">
      <h3 id="results-heading">${closed ? 'Final results' : 'Results so far'}</h3>
      ${body}
    </section>`;
  }

  #votes(p: Proposal) {
    if (p.voterCount === 0) return nothing;
    if (p.anonymous) {
      return html`<section aria-label="How people voted">
        <p class="small muted">Votes are anonymous: nobody, facilitators included, can see who voted what.</p>
      </section>`;
    }
    if (p.resultsHiddenUntilClosed && !p.closedAt) return nothing;
    const votes = this.#state.value?.votes ?? null;
    return html`<section aria-label="How people voted">
      <div>
        <button
          class="linklike"
          type="button"
          aria-expanded=${this.showVotes ? 'true' : 'false'}
          aria-controls="votes"
          @click=${this.#toggleVotes}
        >
          ${this.showVotes ? 'Hide how people voted' : `Show how people voted (${p.voterCount})`}
        </button>
      </div>
      <div id="votes" ?hidden=${!this.showVotes}>
        ${
          votes === null
            ? html`<p class="small muted" aria-busy="true">Loading…</p>`
            : html`<ul class="votes">
              ${votes.map(
                (v) => html`<li>
                  <span class="who">${v.voter?.name ?? 'Anonymous'}</span>:
                  <span>${describeChoices(p, v.choices)}</span>
                  ${v.reason ? html`<div class="reason small muted markdown">${markdown(v.reason)}</div>` : nothing}
                </li>`,
              )}
            </ul>`
        }
      </div>
    </section>`;
  }

  // ------------------------------------------------------------ facilitators and the author

  #manage(p: Proposal) {
    const me = this.session?.user?.id;
    const facilitator = this.#group.value?.group?.myRole === 'facilitator';
    const author = Boolean(me && p.author?.id === me);
    if (!facilitator && !author) return nothing;
    const closed = Boolean(p.closedAt);
    return html`<section aria-label="Manage this proposal">
      <div class="manage">
        ${
          closed
            ? html`<button class="secondary" type="button" aria-expanded=${this.panel === 'outcome'} @click=${() => this.#open('outcome')}>
                ${p.outcome ? 'Restate the outcome' : 'State the outcome'}
              </button>
              ${
                facilitator
                  ? html`<button class="secondary" type="button" aria-expanded=${this.panel === 'reopen'} @click=${() => this.#open('reopen')}>
                    Reopen voting
                  </button>`
                  : nothing
              }`
            : html`<button class="secondary" type="button" aria-expanded=${this.panel === 'close'} @click=${() => this.#open('close')}>
              Close voting…
            </button>
            <pl-remind-button .proposalId=${p.id}></pl-remind-button>`
        }
      </div>
      ${this.#panel(p)}
    </section>`;
  }

  #panel(p: Proposal) {
    if (!this.panel) return nothing;
    const e = this.panelErrors;
    const formError = this.panelError ? html`<p class="alert" role="alert">${this.panelError}</p>` : nothing;
    const statement = (required: boolean) => html`<div class="field">
        <label for="statement">Outcome statement ${required ? '' : '(optional)'}</label>
        <textarea
          id="statement"
          name="statement"
          maxlength="100000"
          ?required=${required}
          .value=${this.panel === 'outcome' ? (p.outcome?.statement ?? '') : ''}
          aria-invalid=${e.statement ? 'true' : 'false'}
          aria-describedby="statement-hint ${e.statement ? 'statement-error' : ''}"
        ></textarea>
        <p class="hint" id="statement-hint">What the group decided, in a sentence or two. Markdown is fine.</p>
        ${e.statement ? html`<p class="field-error" id="statement-error">${e.statement}</p>` : nothing}
      </div>
      <div class="field">
        <label for="reviewOn">Review on (optional)</label>
        <input
          id="reviewOn"
          name="reviewOn"
          type="date"
          .value=${this.panel === 'outcome' ? (p.outcome?.reviewOn ?? '') : ''}
          aria-invalid=${e.reviewOn ? 'true' : 'false'}
          aria-describedby=${e.reviewOn ? 'reviewOn-error' : 'reviewOn-hint'}
        />
        ${
          e.reviewOn
            ? html`<p class="field-error" id="reviewOn-error">${e.reviewOn}</p>`
            : html`<p class="hint" id="reviewOn-hint">When the group should look at this decision again.</p>`
        }
      </div>`;
    const cancel = html`<button class="secondary" type="button" @click=${() => this.#open(null)}>Cancel</button>`;
    if (this.panel === 'close') {
      return html`<form class="panel" novalidate aria-labelledby="panel-heading" @submit=${this.#close}>
        <h3 id="panel-heading">Close voting now</h3>
        <p class="small muted">The results are final once closed. You can state the outcome now or later.</p>
        ${formError}${statement(false)}
        <div class="buttons">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Closing…' : 'Close voting'}</button>${cancel}
        </div>
      </form>`;
    }
    if (this.panel === 'outcome') {
      return html`<form class="panel" novalidate aria-labelledby="panel-heading" @submit=${this.#stateOutcome}>
        <h3 id="panel-heading">${p.outcome ? 'Restate the outcome' : 'State the outcome'}</h3>
        ${formError}${statement(true)}
        <div class="buttons">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Save outcome'}</button>${cancel}
        </div>
      </form>`;
    }
    return html`<form class="panel" novalidate aria-labelledby="panel-heading" @submit=${this.#reopen}>
      <h3 id="panel-heading">Reopen voting</h3>
      <p class="small muted">Votes already cast stay; the current outcome is set aside.</p>
      ${formError}
      <div class="field">
        <label for="closesAt">Voting closes</label>
        <input
          id="closesAt"
          name="closesAt"
          type="datetime-local"
          required
          .value=${defaultClosingInput(Date.now())}
          aria-invalid=${e.closesAt ? 'true' : 'false'}
          aria-describedby=${e.closesAt ? 'closesAt-error' : 'closesAt-hint'}
        />
        ${
          e.closesAt
            ? html`<p class="field-error" id="closesAt-error">${e.closesAt}</p>`
            : html`<p class="hint" id="closesAt-hint">In your time zone.</p>`
        }
      </div>
      <div class="buttons">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Reopening…' : 'Reopen voting'}</button>${cancel}
      </div>
    </form>`;
  }

  async #open(panel: Panel) {
    this.panel = this.panel === panel ? null : panel;
    this.panelErrors = {};
    this.panelError = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.panel textarea, .panel input')?.focus();
  }

  /** The outcome fields of a panel form, checked; null when there are errors (shown). */
  #outcomeFrom(
    form: HTMLFormElement,
    required: boolean,
  ): { statement: string; reviewOn: string | null } | null | 'none' {
    const statement = (form.elements.namedItem('statement') as HTMLTextAreaElement).value;
    const reviewOn = (form.elements.namedItem('reviewOn') as HTMLInputElement).value || null;
    const errors: FieldErrors = {};
    if (!statement.trim()) {
      if (required) errors.statement = 'Write the outcome statement.';
      else if (reviewOn) errors.statement = 'Add a statement to go with the review date.';
    }
    if (reviewOn && !/^\d{4}-\d{2}-\d{2}$/.test(reviewOn)) errors.reviewOn = 'Use a date like 2026-03-04.';
    this.panelErrors = errors;
    if (Object.keys(errors).length > 0) return null;
    return statement.trim() ? { statement, reviewOn } : 'none';
  }

  async #close(event: SubmitEvent) {
    event.preventDefault();
    const outcome = this.#outcomeFrom(event.target as HTMLFormElement, false);
    if (outcome === null) return this.#focusPanelError();
    await this.#act(
      () => this.#store()!.close(outcome === 'none' ? undefined : outcome),
      'Voting is closed.',
    );
  }

  async #stateOutcome(event: SubmitEvent) {
    event.preventDefault();
    const outcome = this.#outcomeFrom(event.target as HTMLFormElement, true);
    if (outcome === null || outcome === 'none') return this.#focusPanelError();
    await this.#act(() => this.#store()!.stateOutcome(outcome), 'The outcome is stated.');
  }

  async #reopen(event: SubmitEvent) {
    event.preventDefault();
    const value = ((event.target as HTMLFormElement).elements.namedItem('closesAt') as HTMLInputElement)
      .value;
    const closesAt = fromLocalInput(value);
    if (!closesAt || Date.parse(closesAt) <= Date.now()) {
      this.panelErrors = {
        closesAt: closesAt ? 'Choose a time in the future.' : 'Choose when voting closes.',
      };
      return this.#focusPanelError();
    }
    await this.#act(() => this.#store()!.reopen(closesAt), 'Voting has reopened.');
  }

  async #act(action: () => Promise<void>, done: string) {
    if (this.busy) return;
    this.busy = true;
    this.panelError = null;
    try {
      await action();
      this.panel = null;
      this.notice = done;
    } catch (err) {
      const split = splitErrors(err, [
        'statement',
        'reviewOn',
        'closesAt',
        'outcome.statement',
        'outcome.reviewOn',
      ]);
      const fields = split.fields;
      this.panelErrors = {
        statement: fields.statement ?? fields['outcome.statement'],
        reviewOn: fields.reviewOn ?? fields['outcome.reviewOn'],
        closesAt: fields.closesAt,
      };
      for (const k of Object.keys(this.panelErrors)) if (!this.panelErrors[k]) delete this.panelErrors[k];
      this.panelError = split.form;
      await this.#focusPanelError();
    } finally {
      this.busy = false;
    }
  }

  async #focusPanelError() {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.panel [aria-invalid="true"]')?.focus();
  }

  #toggleUndecided() {
    this.showUndecided = !this.showUndecided;
    if (this.showUndecided) void this.#store()?.loadUndecided();
  }

  #toggleVotes() {
    this.showVotes = !this.showVotes;
    if (this.showVotes) void this.#store()?.loadVotes();
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
