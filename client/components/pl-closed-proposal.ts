import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { closedProposalLine } from '../data/open-proposal-text';
import { kindLabel, participationText } from '../data/proposal-labels';
import type { Proposal } from '../data/proposals';
import { formatDateTime } from '../data/time-text';
import { t } from '../i18n';
import { sharedStyles } from '../ui/styles';
import './pl-outcome';
import './pl-proposal-card';

/**
 * A closed proposal in a thread's timeline, collapsed to what was decided:
 * its title, "Closed" and when, how many voted, the verdict or winner line,
 * and the outcome statement (once: the full card, which states it too, is
 * shown only instead of this summary). A button expands the full card —
 * results, votes, the decision record — and collapses it again.
 */
@customElement('pl-closed-proposal')
export class PlClosedProposal extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      article {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
        padding: var(--pl-space-2);
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: var(--pl-space-half) var(--pl-space-1);
      }
      h2 {
        font-size: var(--pl-text-md);
        overflow-wrap: anywhere;
      }
      .badge.closed {
        background: var(--pl-color-text);
        color: var(--pl-color-surface);
      }
      .line {
        font-weight: var(--pl-weight-medium);
      }
      .toggle {
        align-self: flex-start;
      }
      .expanded {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
    `,
  ];

  /** The closed proposal (the timeline's, kept live by the thread's store). */
  @property({ attribute: false }) proposal: Proposal | null = null;

  @state() private expanded = false;

  override render() {
    const p = this.proposal;
    if (!p) return nothing;
    const toggle = html`<button
      type="button"
      class="secondary small toggle"
      aria-expanded=${this.expanded ? 'true' : 'false'}
      @click=${this.#toggle}
    >
      ${this.expanded ? t('Show less') : t('Show results and votes')}<span class="sr-only">: ${p.title}</span>
    </button>`;
    if (this.expanded) {
      return html`<div class="expanded">
        ${toggle}
        <pl-proposal-card .proposal=${p}></pl-proposal-card>
      </div>`;
    }
    const line = closedProposalLine(p);
    return html`<article class="card" aria-labelledby="summary-title">
      <div class="head">
        <h2 id="summary-title">${p.title}</h2>
        <span class="badge closed">${t('Closed')}</span>
        <span class="badge">${kindLabel(p.kind)}</span>
      </div>
      <p class="small muted">
        ${p.closedAt ? `${t('Closed {date}', { date: formatDateTime(p.closedAt) })} · ` : ''}${participationText(p.voterCount, p.eligibleCount, true)}
      </p>
      ${line ? html`<p class="line" data-verdict=${p.results?.verdict ?? ''}>${line}</p>` : nothing}
      <pl-outcome .proposal=${p}></pl-outcome>
      ${toggle}
    </article>`;
  }

  async #toggle() {
    this.expanded = !this.expanded;
    // The button moves with the change: keep focus on it.
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('button.toggle')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-closed-proposal': PlClosedProposal;
  }
}
