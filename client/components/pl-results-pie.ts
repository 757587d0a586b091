import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { percentText } from '../data/proposal-labels';
import type { Results } from '../data/proposals';
import { consentRows, pieSlices } from '../data/result-view';
import { t } from '../i18n';
import { sharedStyles } from '../ui/styles';

const R = 72;
/** Each position's fill: a colour and a pattern, so the chart reads without colour too. */
const FILLS = {
  agree: 'url(#fill-agree)',
  abstain: 'url(#fill-abstain)',
  disagree: 'url(#fill-disagree)',
  block: 'url(#fill-block)',
} as const;

/**
 * The results of a consent proposal: a pie of agree / abstain / disagree /
 * block with a legend giving each position's label, count and percent in
 * text, patterns as well as colours, and a flag when anyone blocked.
 */
@customElement('pl-results-pie')
export class PlResultsPie extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .wrap {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-3);
      }
      svg {
        width: 152px;
        height: 152px;
        flex: none;
      }
      .c-agree {
        color: var(--pl-color-accent);
      }
      .c-abstain {
        color: var(--pl-color-border-strong);
      }
      .c-disagree {
        color: var(--pl-color-warning);
      }
      .c-block {
        color: var(--pl-color-danger);
      }
      .slice {
        stroke: var(--pl-color-surface);
        stroke-width: 2;
      }
      .empty-ring {
        fill: none;
        stroke: var(--pl-color-border);
        stroke-width: 18;
      }
      .empty-text {
        fill: var(--pl-color-text-muted);
        font-size: 13px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: var(--pl-space-1);
        min-width: 200px;
        max-width: 360px;
        flex: 1 1 220px;
      }
      li {
        display: grid;
        grid-template-columns: 22px 1fr auto auto;
        align-items: center;
        gap: var(--pl-space-1);
      }
      .swatch {
        width: 22px;
        height: 22px;
        border-radius: 4px;
        overflow: hidden;
        border: 1px solid var(--pl-color-border);
      }
      .swatch svg {
        width: 22px;
        height: 22px;
        display: block;
      }
      .count {
        font-variant-numeric: tabular-nums;
        font-weight: var(--pl-weight-medium);
        text-align: right;
      }
      .pct {
        font-variant-numeric: tabular-nums;
        min-width: 4.5ch;
        text-align: right;
      }
      .blocked {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
        margin-bottom: var(--pl-space-2);
        padding: var(--pl-space-1) 12px;
        border-radius: var(--pl-radius-sm);
        border: 1px solid var(--pl-color-danger);
        background: var(--pl-color-danger-soft);
        font-weight: var(--pl-weight-medium);
      }
      .blocked strong {
        color: var(--pl-color-danger);
        text-transform: uppercase;
        letter-spacing: 0.04em;
        font-size: var(--pl-text-sm);
      }
    `,
  ];

  /** The consent proposal's results (`proposal.results`). */
  @property({ attribute: false }) results: Results | null = null;

  override render() {
    const results = this.results;
    if (!results) return nothing;
    const rows = consentRows(results);
    const total = rows.reduce((sum, r) => sum + r.count, 0);
    const slices = pieSlices(
      rows.map((r) => ({ id: r.id, value: r.count })),
      R,
      76,
      76,
    );
    const blockers = t(
      '{count, plural, one {One member blocks this proposal.} other {# members block this proposal.}}',
      { count: rows.find((r) => r.id === 'block')?.count ?? 0 },
    );
    const positions = rows
      .map((r) =>
        t('{position} {count} ({percent})', {
          position: r.label,
          count: r.count,
          percent: percentText(r.percent),
        }),
      )
      .join(', ');
    const chartLabel =
      total === 0
        ? t('Pie chart of positions: No votes yet.')
        : results.blocked
          ? t('Pie chart of positions: {positions}. Blocked.', { positions })
          : t('Pie chart of positions: {positions}.', { positions });
    return html`
      ${
        results.blocked
          ? html`<p class="blocked" role="note">
            <strong>${t('Blocked')}</strong>
            <span>${blockers}</span>
          </p>`
          : nothing
      }
      <div class="wrap">
        <svg viewBox="0 0 152 152" role="img" aria-label=${chartLabel}>
          ${this.#defs()}
          ${
            slices.length === 0
              ? svg`<circle class="empty-ring" cx="76" cy="76" r="62"></circle>
                <text class="empty-text" x="76" y="80" text-anchor="middle">${t('No votes yet')}</text>`
              : slices.map(
                  (s) =>
                    svg`<path class="slice c-${s.id}" d=${s.path} fill=${FILLS[s.id as keyof typeof FILLS]}>
                    <title>${rows.find((r) => r.id === s.id)?.label}: ${s.value}</title>
                  </path>`,
                )
          }
        </svg>
        <ul aria-label=${t('Positions')}>
          ${rows.map(
            (r) => html`<li data-position=${r.id}>
              <span class="swatch c-${r.id}" aria-hidden="true">
                <svg viewBox="0 0 22 22"><rect width="22" height="22" fill=${FILLS[r.id]}></rect></svg>
              </span>
              <span>${r.label}</span>
              <span class="count">${r.count}</span>
              <span class="pct muted">${percentText(r.percent)}</span>
            </li>`,
          )}
        </ul>
      </div>
    `;
  }

  /** One pattern per position, drawn in `currentColor` from its class (a token); swatches reuse them. */
  #defs() {
    return svg`<defs>
      <pattern id="fill-agree" class="c-agree" width="8" height="8" patternUnits="userSpaceOnUse">
        <rect width="8" height="8" fill="currentColor"></rect>
      </pattern>
      <pattern id="fill-abstain" class="c-abstain" width="8" height="8" patternUnits="userSpaceOnUse">
        <rect width="8" height="8" fill="currentColor" opacity="0.45"></rect>
        <circle cx="4" cy="4" r="1.6" fill="currentColor"></circle>
      </pattern>
      <pattern id="fill-disagree" class="c-disagree" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="8" height="8" fill="currentColor" opacity="0.55"></rect>
        <rect width="3" height="8" fill="currentColor"></rect>
      </pattern>
      <pattern id="fill-block" class="c-block" width="8" height="8" patternUnits="userSpaceOnUse">
        <rect width="8" height="8" fill="currentColor"></rect>
        <path d="M0 0 L8 8 M8 0 L0 8" stroke="white" stroke-width="1.4" opacity="0.85"></path>
      </pattern>
    </defs>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-results-pie': PlResultsPie;
  }
}
