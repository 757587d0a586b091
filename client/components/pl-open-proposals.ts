import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { ClockController, nextCountdownTick } from '../data/clock';
import { ownVote } from '../data/delegations';
import { myVoteNote, openProposalState } from '../data/open-proposal-text';
import { kindLabel } from '../data/proposal-labels';
import type { Proposal } from '../data/proposals';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';

/** Detail of `pl-vote-now`: the proposal whose ballot to go to. */
export interface VoteNowDetail {
  proposalId: string;
}

/**
 * The thread's open proposals, pinned at the top of its page: each with its
 * kind, how many have voted and when it closes, the reader's own part ("You
 * voted", "Your vote follows Bea’s"), and a button to its ballot. Renders
 * nothing while none is open. It only asks: the page scrolls to the ballot.
 *
 * @fires pl-vote-now - {@link VoteNowDetail}: the reader wants to vote on a proposal
 */
@customElement('pl-open-proposals')
export class PlOpenProposals extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        scroll-margin-top: 96px;
      }
      section {
        margin-bottom: var(--pl-space-3);
        padding: var(--pl-space-2);
        border: 1px solid var(--pl-color-accent);
        border-left-width: 4px;
      }
      h2 {
        font-size: var(--pl-text-md);
        margin-bottom: var(--pl-space-1);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: var(--pl-space-1) var(--pl-space-2);
        padding: var(--pl-space-1) 0;
      }
      li + li {
        border-top: 1px solid var(--pl-color-border);
      }
      .what {
        min-width: 0;
        flex: 1 1 20rem;
      }
      .title {
        font-weight: var(--pl-weight-bold);
        overflow-wrap: anywhere;
        margin-right: var(--pl-space-1);
      }
      .state,
      .mine {
        margin-top: 2px;
      }
      .mine {
        color: var(--pl-color-accent-hover);
        font-weight: var(--pl-weight-medium);
      }
    `,
  ];

  /** The open proposals, in the order to show them (`sortOpenProposals`). */
  @property({ attribute: false }) proposals: Proposal[] = [];

  constructor() {
    super();
    // Attaches itself: the countdowns move on while the page stays open.
    new ClockController(this, () => nextCountdownTick(this.proposals.map((p) => p.closesAt)));
  }

  /** Moves focus to the panel's heading (from the thread header's "2 open proposals"). */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  override render() {
    const list = this.proposals;
    if (list.length === 0) return nothing;
    const now = Date.now();
    return html`<section class="card" aria-labelledby="open-proposals-heading">
      <h2 id="open-proposals-heading" tabindex="-1">
        ${t('{count, plural, one {Open proposal} other {# open proposals}}', { count: list.length })}
      </h2>
      <ul>
        ${repeat(
          list,
          (p) => p.id,
          (p) => {
            const note = myVoteNote(p);
            return html`<li data-proposal-id=${p.id}>
              <div class="what">
                <span class="title">${p.title}</span>
                <span class="badge">${kindLabel(p.kind)}</span>
                <p class="state small muted">${openProposalState(p, now)}</p>
                ${note ? html`<p class="mine small">${note}</p>` : nothing}
              </div>
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
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-open-proposals': PlOpenProposals;
  }
  interface PlEvents {
    'pl-vote-now': VoteNowDetail;
  }
}
