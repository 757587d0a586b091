import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { participationText } from '../data/proposal-labels';
import type { ProposalStore } from '../data/proposal-store';
import type { PersonRef, Proposal } from '../data/proposals';
import { verdictText } from '../data/verdict-text';
import { t } from '../i18n';
import { cssProps } from '../ui/css-props';
import { sharedStyles } from '../ui/styles';
import { linklikeStyles, participationStyles, sectionStyles } from './pl-proposal-card.styles';

/**
 * The "Participation" section of a proposal card: the verdict by quorum and
 * thresholds, when the proposal sets any; how many have voted, as text and a meter, and (while open, unless anonymous) who has not voted yet,
 * loaded through the store when first asked for.
 */
@customElement('pl-proposal-participation')
export class PlProposalParticipation extends LitElement {
  static override styles = [sharedStyles, sectionStyles, linklikeStyles, participationStyles];

  /** The proposal whose participation to show. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  /** The proposal's store, asked for the members who have not voted. */
  @property({ attribute: false }) store: ProposalStore | null = null;

  /** The members who have not voted, from the store; null until loaded. */
  @property({ attribute: false }) undecided: PersonRef[] | null = null;

  @state() private showUndecided = false;

  override render() {
    const p = this.proposal;
    if (!p) return nothing;
    const closed = Boolean(p.closedAt);
    const share = p.eligibleCount > 0 ? Math.min(1, p.voterCount / p.eligibleCount) : 0;
    const undecided = this.undecided;
    const missing = Math.max(0, p.eligibleCount - p.voterCount);
    const verdict = verdictText(p);
    return html`<section aria-label=${t('Participation')}>
      ${verdict ? html`<p class="verdict verdict-${p.results?.verdict}" data-verdict=${p.results?.verdict ?? ''} role="status">${verdict}</p>` : nothing}
      <div class="participation">
        <p class="participation-text">
          <strong>${participationText(p.voterCount, p.eligibleCount, closed)}</strong>${
            p.representedCount > p.voterCount
              ? html`<span class="small muted"> · ${t('{count} represented, with delegated votes', { count: p.representedCount })}</span>`
              : nothing
          }
        </p>
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
              ${this.showUndecided ? t('Hide who has not voted') : t('Who has not voted?')}
            </button>`
            : nothing
        }
      </div>
      <div class="meter" aria-hidden="true"><span style=${cssProps({ width: `${share * 100}%` })}></span></div>
      <div id="undecided" ?hidden=${!this.showUndecided || closed}>
        ${
          undecided === null
            ? html`<p class="small muted" aria-busy="true">${t('Loading…')}</p>`
            : undecided.length === 0
              ? html`<p class="small muted">${t('Everyone has voted.')}</p>`
              : html`<p class="small muted" id="undecided-label">${t('Not voted yet:')}</p>
                <ul class="names" aria-labelledby="undecided-label">
                  ${undecided.map((m) => html`<li class="badge">${m.name}</li>`)}
                </ul>`
        }
      </div>
    </section>`;
  }

  #toggleUndecided() {
    this.showUndecided = !this.showUndecided;
    if (this.showUndecided) void this.store?.loadUndecided();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-proposal-participation': PlProposalParticipation;
  }
}
