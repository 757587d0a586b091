import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Proposal } from '../data/proposals';
import { formatDateTime, formatDay } from '../data/time-text';
import { t } from '../i18n';
import { markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';

/**
 * The outcome of a closed proposal: the statement, prominently, who stated it
 * and when, and the date the group means to review it. Renders nothing while
 * there is no outcome.
 */
@customElement('pl-outcome')
export class PlOutcome extends LitElement {
  static override styles = [
    sharedStyles,
    markdownStyles,
    css`
      section {
        border-left: 4px solid var(--pl-color-accent);
        background: var(--pl-color-accent-soft);
        border-radius: 0 var(--pl-radius-sm) var(--pl-radius-sm) 0;
        padding: 12px var(--pl-space-2);
      }
      .label {
        font-size: var(--pl-text-sm);
        font-weight: var(--pl-weight-bold);
        text-transform: uppercase;
        letter-spacing: 0.05em;
        color: var(--pl-color-accent-hover);
      }
      .statement {
        margin: var(--pl-space-half) 0 var(--pl-space-1);
        font-size: 1.0625rem;
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        gap: 2px var(--pl-space-2);
      }
    `,
  ];

  /** The proposal whose `outcome` to show. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  override render() {
    const outcome = this.proposal?.outcome;
    if (!outcome) return nothing;
    const stated = outcome.author
      ? t('Stated by {name}', { name: outcome.author.name })
      : t('Stated by a former member');
    return html`<section aria-label=${t('Outcome')}>
      <p class="label" aria-hidden="true">${t('Outcome')}</p>
      <div class="statement markdown">${markdown(outcome.statement)}</div>
      <p class="meta small muted">
        <span>${stated} · ${formatDateTime(outcome.createdAt)}</span>
        ${outcome.reviewOn ? html`<span><strong>${t('Review on {date}', { date: formatDay(outcome.reviewOn) })}</strong></span>` : nothing}
      </p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-outcome': PlOutcome;
  }
}
