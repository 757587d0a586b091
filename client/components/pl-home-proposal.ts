import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { describeChoices } from '../data/ballot-draft';
import { isFollowedVote, ownVote } from '../data/delegations';
import type { HomeProposal } from '../data/home';
import { kindLabel } from '../data/proposal-labels';
import type { ProposalStore } from '../data/proposal-store';
import { countdownText, formatDateTime } from '../data/time-text';
import { t, tMarkup } from '../i18n';
import { defineOnDemand } from '../ui/on-demand';
import { sharedStyles } from '../ui/styles';

// The ballot loads when someone first opens one here.
const loadVoteForm = () => import('./pl-vote-form');

let nextId = 0;

/**
 * One proposal on the home page: its title (a link to its thread), kind,
 * group and thread, and its countdown. With `ballot`, a button opens
 * `<pl-vote-form>` in place, voting through the proposal's shared `store`
 * (so the vote shows wherever the proposal does); without, it says whether
 * the viewer has voted. A vote that follows a delegate's says whose.
 */
@customElement('pl-home-proposal')
export class PlHomeProposal extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      article {
        padding: var(--pl-space-2);
        background: var(--pl-color-surface);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
      }
      .head {
        display: flex;
        align-items: baseline;
        justify-content: space-between;
        gap: var(--pl-space-2);
      }
      h3 {
        margin: 0;
        font-size: 1.0625rem;
      }
      h3 a {
        color: var(--pl-color-text);
      }
      .meta {
        margin: var(--pl-space-half) 0 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0 var(--pl-space-1);
      }
      .countdown {
        font-weight: var(--pl-weight-bold);
      }
      .status {
        margin: var(--pl-space-1) 0 0;
      }
      .actions {
        margin-top: var(--pl-space-1);
      }
      pl-vote-form {
        display: block;
        margin-top: var(--pl-space-2);
      }
    `,
  ];

  /** The proposal, in its freshest form, with its group and thread. */
  @property({ attribute: false }) item: HomeProposal | null = null;

  /** The proposal's shared store, which the ballot votes through. */
  @property({ attribute: false }) store: ProposalStore | null = null;

  /** Offer the ballot here (the "Needs your vote" list); otherwise say whether the viewer voted. */
  @property({ type: Boolean }) ballot = false;

  /** The time the countdown counts from; the page moves it on. */
  @property({ type: Number }) now = Date.now();

  @state() private voting = false;

  readonly #id = `home-proposal-${++nextId}`;

  override render() {
    const item = this.item;
    if (!item) return nothing;
    const { proposal: p, group, thread } = item;
    const titleId = `${this.#id}-title`;
    return html`<article aria-labelledby=${titleId}>
      <div class="head">
        <h3 id=${titleId}><a href="/threads/${encodeURIComponent(thread.id)}">${p.title}</a></h3>
        <span class="badge">${kindLabel(p.kind)}</span>
      </div>
      <p class="meta small muted">
        <span>${group.name}</span><span aria-hidden="true">·</span><span>${thread.title}</span
        ><span aria-hidden="true">·</span>
        <span title=${formatDateTime(p.closesAt)}
          ><span class="countdown">${capitalise(countdownText(p.closesAt, p.closedAt, this.now))}</span></span
        >
        ${p.anonymous ? html`<span aria-hidden="true">·</span><span>${t('Anonymous')}</span>` : nothing}
      </p>
      ${this.#status()} ${this.ballot ? this.#ballot() : nothing}
    </article>`;
  }

  #status() {
    const p = this.item!.proposal;
    const vote = p.myVote;
    if (isFollowedVote(vote)) {
      return html`<p class="status small">
        ${tMarkup('Your vote follows {name}’s: {choices}.', { name: vote.delegatedTo.name }, { choices: html`<strong>${describeChoices(p, vote.choices)}</strong>` })}
        ${this.ballot ? t('Vote yourself to say otherwise.') : nothing}
      </p>`;
    }
    if (this.ballot) return nothing;
    const own = ownVote(vote);
    if (!own) return html`<p class="status small muted">${t('You have not voted yet.')}</p>`;
    return html`<p class="status small">${tMarkup('You voted {choices}.', {}, { choices: html`<strong>${describeChoices(p, own.choices)}</strong>` })}</p>`;
  }

  #ballot() {
    const p = this.item!.proposal;
    const formId = `${this.#id}-ballot`;
    if (this.voting) void defineOnDemand(loadVoteForm);
    return html`<div class="actions">
        <button
          class="small ${this.voting ? 'secondary' : ''}"
          type="button"
          aria-expanded=${this.voting ? 'true' : 'false'}
          aria-controls=${formId}
          aria-label=${this.voting ? t('Hide the ballot for {title}', { title: p.title }) : t('Vote on {title}', { title: p.title })}
          @click=${() => {
            this.voting = !this.voting;
          }}
        >
          ${this.voting ? t('Hide the ballot') : t('Vote')}
        </button>
      </div>
      ${
        this.voting
          ? html`<pl-vote-form id=${formId} .proposal=${p} .store=${this.store}></pl-vote-form>`
          : nothing
      }`;
  }
}

function capitalise(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-home-proposal': PlHomeProposal;
  }
}
