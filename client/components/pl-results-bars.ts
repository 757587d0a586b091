import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Proposal } from '../data/proposals';
import { resultRows, topMark, winnerText } from '../data/result-view';
import { formatDateTime } from '../data/time-text';
import { t } from '../i18n';
import { cssProps } from '../ui/css-props';
import { sharedStyles } from '../ui/styles';

/**
 * Results of a poll, score vote, dot vote, ranked choice (first preferences)
 * or meeting poll as horizontal bars, each with its figures and their units
 * in text (a dot vote's share of all dots too). Meeting slots stack yes and
 * if-need-be. The top option is marked "Leading" while voting is open and
 * "Winner" (or "Best slot") only once it has closed.
 */
@customElement('pl-results-bars')
export class PlResultsBars extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .leader {
        margin-bottom: var(--pl-space-1);
        font-weight: var(--pl-weight-medium);
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 12px;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: baseline;
        gap: 2px var(--pl-space-1);
        margin-bottom: var(--pl-space-half);
      }
      .label {
        overflow-wrap: anywhere;
      }
      .when {
        display: block;
      }
      .nums {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .track {
        display: flex;
        height: 14px;
        border-radius: var(--pl-radius-pill);
        background: var(--pl-color-surface-muted);
        overflow: hidden;
      }
      .bar {
        height: 100%;
        background: var(--pl-color-border-strong);
        transition: width 240ms ease;
      }
      .winner .bar.main,
      .meeting .bar.main {
        background: var(--pl-color-accent);
      }
      .bar.maybe {
        background: repeating-linear-gradient(
          -45deg,
          var(--pl-color-accent-soft) 0 4px,
          var(--pl-color-accent) 4px 6px
        );
        opacity: 0.8;
      }
      .key {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-2);
        margin-top: var(--pl-space-1);
      }
      .key span::before {
        content: '';
        display: inline-block;
        width: 12px;
        height: 12px;
        margin-right: 6px;
        vertical-align: -1px;
        border-radius: 2px;
        background: var(--pl-color-accent);
      }
      .key .k-maybe::before {
        background: repeating-linear-gradient(-45deg, var(--pl-color-accent-soft) 0 3px, var(--pl-color-accent) 3px 5px);
      }
      @media (prefers-reduced-motion: reduce) {
        .bar {
          transition: none;
        }
      }
    `,
  ];

  /** The proposal whose `results` to draw (not consent: that is a pie). */
  @property({ attribute: false }) proposal: Proposal | null = null;

  override render() {
    const p = this.proposal;
    if (!p?.results) return nothing;
    const rows = resultRows(p, p.results);
    const leader = winnerText(p, p.results);
    const meeting = p.kind === 'meeting';
    const startsAt = new Map(p.options.map((o) => [o.id, o.startsAt ?? null]));
    const tied = rows.filter((row) => row.winner).length > 1;
    const mark = tied ? t('Tied') : topMark(p);
    return html`
      ${leader ? html`<p class="leader">${leader}</p>` : html`<p class="leader muted">${t('No votes yet.')}</p>`}
      ${
        p.kind === 'ranked_choice'
          ? html`<p class="small muted">${t('Bars show first preferences; the instant runoff below decides.')}</p>`
          : nothing
      }
      <ol class=${meeting ? 'meeting' : ''} aria-label=${t('Results by option')}>
        ${rows.map((row) => {
          const when = startsAt.get(row.optionId);
          return html`<li class=${row.winner ? 'winner' : ''}>
            <div class="head">
              <span class="label">
                ${row.label}
                ${meeting && when ? html`<span class="when small muted">${formatDateTime(when)}</span>` : nothing}
              </span>
              <span class="nums small">
                ${row.winner && leader ? html`<span class="badge accent">${mark}</span>` : nothing} ${row.text}
              </span>
            </div>
            <div class="track" aria-hidden="true">
              <span class="bar main" style=${cssProps({ width: `${row.share * 100}%` })}></span>
              ${meeting ? html`<span class="bar maybe" style=${cssProps({ width: `${(row.maybeShare ?? 0) * 100}%` })}></span>` : nothing}
            </div>
          </li>`;
        })}
      </ol>
      ${
        meeting
          ? html`<p class="key small muted" aria-hidden="true"><span>${t('Yes')}</span><span class="k-maybe">${t('If need be')}</span></p>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-results-bars': PlResultsBars;
  }
}
