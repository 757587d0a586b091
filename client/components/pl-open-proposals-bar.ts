import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { ClockController, nextCountdownTick } from '../data/clock';
import { ownVote } from '../data/delegations';
import { myVoteNote, openProposalState } from '../data/open-proposal-text';
import type { Proposal } from '../data/proposals';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';

/** Proposals the bar lists at most; the rest are one button away, in the panel. */
const SHOWN = 2;

/**
 * The open proposals in one or two compact lines, for the bottom of the
 * viewport while the panel at the top of the page is scrolled out of view:
 * so that a reader deep in the discussion (landed at the first unread
 * comment, say) still has "Vote now" in reach. Renders nothing while the
 * panel (`watch`) is on screen or nothing is open.
 *
 * @fires pl-vote-now - `VoteNowDetail` (pl-open-proposals): the reader wants to vote on a proposal
 * @fires pl-show-open-proposals - the reader asked for the panel (more are open than the bar lists)
 */
@customElement('pl-open-proposals-bar')
export class PlOpenProposalsBar extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      aside {
        pointer-events: auto;
        margin-bottom: var(--pl-space-2);
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-half);
        padding: var(--pl-space-1) var(--pl-space-2);
        background: var(--pl-color-surface);
        border: 1px solid var(--pl-color-accent);
        border-radius: var(--pl-radius);
        box-shadow: var(--pl-shadow-lg);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        /* One column no wider than the bar: a long title is cut short, never the page widened. */
        grid-template-columns: minmax(0, 1fr);
        gap: var(--pl-space-half);
      }
      li {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
      }
      .what {
        flex: 1;
        min-width: 0;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .title {
        font-weight: var(--pl-weight-bold);
      }
      button {
        flex: none;
      }
      .more {
        align-self: flex-start;
      }
    `,
  ];

  /** The open proposals, in the order to show them (`sortOpenProposals`). */
  @property({ attribute: false }) proposals: Proposal[] = [];

  /** The panel this bar stands in for: the bar shows only while it is out of view. */
  @property({ attribute: false }) watch: Element | null = null;

  @state() private panelInView = true;

  #observer: IntersectionObserver | null = null;
  #observed: Element | null = null;

  constructor() {
    super();
    // Attaches itself: the countdowns move on while the page stays open.
    new ClockController(this, () => nextCountdownTick(this.proposals.map((p) => p.closesAt)));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The sticky app bar hides the top of the viewport: the panel under it is out of view too.
    this.#observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) this.panelInView = entry.isIntersecting;
      },
      { rootMargin: '-72px 0px 0px 0px' },
    );
    this.#observed = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer?.disconnect();
    this.#observer = null;
    this.#observed = null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.watch === this.#observed || !this.#observer) return;
    if (this.#observed) this.#observer.unobserve(this.#observed);
    this.#observed = this.watch;
    if (this.watch) this.#observer.observe(this.watch);
    else this.panelInView = true;
  }

  override render() {
    const list = this.proposals;
    if (list.length === 0 || this.panelInView) return nothing;
    const now = Date.now();
    const rest = list.length - SHOWN;
    return html`<aside aria-label=${t('Open proposals')}>
      <ul>
        ${repeat(
          list.slice(0, SHOWN),
          (p) => p.id,
          (p) => {
            const note = myVoteNote(p);
            return html`<li>
              <span class="what small" title=${p.title}>
                <span class="title">${p.title}</span>
                <span class="muted"> · ${openProposalState(p, now, true)}${note ? ` · ${note}` : ''}</span>
              </span>
              <button
                type="button"
                class=${ownVote(p.myVote) ? 'secondary small' : 'small'}
                @click=${() => fireEvent(this, 'pl-vote-now', { proposalId: p.id })}
              >
                ${ownVote(p.myVote) ? t('Change your vote') : t('Vote now')}<span class="sr-only">: ${p.title}</span>
              </button>
            </li>`;
          },
        )}
      </ul>
      ${
        rest > 0
          ? html`<button type="button" class="secondary small more" @click=${() => fireEvent(this, 'pl-show-open-proposals')}>
            ${t('{count, plural, one {# more open proposal} other {# more open proposals}}', { count: rest })}
          </button>`
          : nothing
      }
    </aside>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-open-proposals-bar': PlOpenProposalsBar;
  }
  interface PlEvents {
    'pl-show-open-proposals': undefined;
  }
}
