import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Proposal } from '../data/proposals';
import { t } from '../i18n';
import { defineOnDemand } from '../ui/on-demand';
import { sharedStyles } from '../ui/styles';
import { resultsStyles, sectionStyles } from './pl-proposal-card.styles';
import './pl-irv-rounds';
import './pl-results-bars';

// Only consent proposals draw a pie.
const loadPie = () => import('./pl-results-pie');

/**
 * The results section of a proposal card: a pie for a consent proposal, bars
 * for a poll (and the instant-runoff rounds for ranked choice), or a notice
 * while the results are hidden until the close.
 */
@customElement('pl-proposal-results')
export class PlProposalResults extends LitElement {
  static override styles = [sharedStyles, sectionStyles, resultsStyles];

  /** The proposal whose results to show. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  override render() {
    const p = this.proposal;
    if (!p) return nothing;
    const closed = Boolean(p.closedAt);
    let body: unknown;
    if (!p.results) {
      body = html`<p class="notice">${t('Results are hidden until the proposal closes.')}</p>`;
    } else if (p.kind === 'proposal') {
      void defineOnDemand(loadPie);
      body = html`<pl-results-pie .results=${p.results}></pl-results-pie>`;
    } else if (p.kind === 'ranked_choice') {
      body = html`<pl-results-bars .proposal=${p}></pl-results-bars><pl-irv-rounds .proposal=${p}></pl-irv-rounds>`;
    } else {
      body = html`<pl-results-bars .proposal=${p}></pl-results-bars>`;
    }
    return html`<section aria-labelledby="results-heading">
      <h3 id="results-heading">${closed ? t('Final results') : t('Results so far')}</h3>
      ${body}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-proposal-results': PlProposalResults;
  }
}
