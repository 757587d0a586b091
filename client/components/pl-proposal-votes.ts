import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { describeChoices } from '../data/ballot-draft';
import type { ProposalStore } from '../data/proposal-store';
import type { Proposal, Vote } from '../data/proposals';
import { markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';
import { linklikeStyles, sectionStyles, votesStyles } from './pl-proposal-card.styles';

/**
 * "How people voted" on a proposal card: who voted what, with their reasons,
 * behind a button that loads them through the store. Says so instead when
 * votes are anonymous. Hides itself (the `hidden` attribute) while there is
 * nothing to show: no votes yet, or results hidden until the close.
 */
@customElement('pl-proposal-votes')
export class PlProposalVotes extends LitElement {
  static override styles = [sharedStyles, markdownStyles, sectionStyles, linklikeStyles, votesStyles];

  /** The proposal whose votes to show. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  /** The proposal's store, asked for the votes. */
  @property({ attribute: false }) store: ProposalStore | null = null;

  /** The votes, from the store; null until loaded. */
  @property({ attribute: false }) votes: Vote[] | null = null;

  @state() private showVotes = false;

  /** What the section shows: the anonymity notice, the list, or (no votes yet, results hidden) nothing. */
  #showing(): 'anonymous' | 'list' | null {
    const p = this.proposal;
    if (!p || p.voterCount === 0) return null;
    if (p.anonymous) return 'anonymous';
    return p.resultsHiddenUntilClosed && !p.closedAt ? null : 'list';
  }

  protected override willUpdate(): void {
    // An empty section would still take its gap and its rule in the card.
    this.hidden = this.#showing() === null;
  }

  override render() {
    const p = this.proposal;
    const showing = this.#showing();
    if (!p || !showing) return nothing;
    if (showing === 'anonymous') {
      return html`<section aria-label="How people voted">
        <p class="small muted">Votes are anonymous: nobody, facilitators included, can see who voted what.</p>
      </section>`;
    }
    const votes = this.votes;
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

  #toggleVotes() {
    this.showVotes = !this.showVotes;
    if (this.showVotes) void this.store?.loadVotes();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-proposal-votes': PlProposalVotes;
  }
}
