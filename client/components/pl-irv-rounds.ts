import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { optionLabel } from '../data/proposal-labels';
import type { Proposal } from '../data/proposals';
import { irvNarrative, irvTable } from '../data/result-view';
import { sharedStyles } from '../ui/styles';

/**
 * A ranked-choice count step by step: a table of each instant-runoff round
 * (votes per option, who was eliminated), the rounds in words, Borda points,
 * and the Condorcet (Schulze) winner.
 */
@customElement('pl-irv-rounds')
export class PlIrvRounds extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .winners {
        display: grid;
        gap: var(--pl-space-half);
        margin-bottom: var(--pl-space-2);
      }
      .scroll {
        overflow-x: auto;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius-sm);
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-variant-numeric: tabular-nums;
        font-size: var(--pl-text-sm);
      }
      caption {
        text-align: left;
        padding: var(--pl-space-1) 12px;
        font-weight: var(--pl-weight-medium);
        border-bottom: 1px solid var(--pl-color-border);
      }
      th,
      td {
        padding: 6px 12px;
        border-bottom: 1px solid var(--pl-color-border);
        text-align: right;
        white-space: nowrap;
      }
      tr:last-child > * {
        border-bottom: 0;
      }
      th[scope='row'],
      thead th:first-child {
        text-align: left;
        white-space: normal;
        min-width: 8ch;
        overflow-wrap: anywhere;
      }
      thead th {
        background: var(--pl-color-surface-muted);
        font-weight: var(--pl-weight-medium);
      }
      td.out {
        color: var(--pl-color-danger);
        font-weight: var(--pl-weight-medium);
      }
      td.gone {
        color: var(--pl-color-text-muted);
      }
      tr.win th[scope='row'] {
        font-weight: var(--pl-weight-bold);
      }
      tr.win td.last {
        background: var(--pl-color-accent-soft);
        font-weight: var(--pl-weight-bold);
      }
      ol {
        margin: var(--pl-space-2) 0 0;
        padding-left: var(--pl-space-3);
      }
    `,
  ];

  /** A ranked-choice proposal with `results`. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  override render() {
    const p = this.proposal;
    const results = p?.results;
    if (!p || !results) return nothing;
    const table = irvTable(p, results);
    const condorcet = results.condorcetWinnerId;
    const bordaTop = Math.max(0, ...table.rows.map((r) => r.borda));
    const bordaLeaders = table.rows.filter((r) => bordaTop > 0 && r.borda === bordaTop).map((r) => r.label);
    if (table.rounds === 0) return html`<p class="muted">No rankings yet.</p>`;
    const winners = results.winnerIds.map((id) => optionLabel(p, id));
    const settled = Boolean(p.closedAt);
    return html`
      <div class="winners">
        <p>
          <strong>Instant runoff:</strong>
          ${winners.length === 0 ? 'no winner' : winners.length > 1 ? `tie between ${winners.join(' and ')}` : winners[0]}
          ${settled ? '' : html`<span class="muted">(so far)</span>`}
        </p>
        <p>
          <strong>Condorcet (Schulze):</strong>
          ${condorcet ? optionLabel(p, condorcet) : html`<span class="muted">none, tied</span>`}
        </p>
        <p>
          <strong>Borda count:</strong>
          ${bordaLeaders.length ? `${bordaLeaders.join(' and ')} (${bordaTop} points)` : html`<span class="muted">no points yet</span>`}
        </p>
      </div>
      <div class="scroll" role="region" aria-label="Instant-runoff rounds" tabindex="0">
        <table>
          <caption>
            Votes in each round of the instant runoff
          </caption>
          <thead>
            <tr>
              <th scope="col">Option</th>
              ${Array.from({ length: table.rounds }, (_, i) => html`<th scope="col">Round ${i + 1}</th>`)}
              <th scope="col">Borda points</th>
            </tr>
          </thead>
          <tbody>
            ${table.rows.map(
              (row) => html`<tr class=${row.winner ? 'win' : ''}>
                <th scope="row">${row.label}${row.winner ? html` <span class="badge accent">Winner</span>` : nothing}</th>
                ${row.counts.map((count, i) => {
                  if (count === null) return html`<td class="gone"><span aria-label="out">–</span></td>`;
                  const out = row.eliminatedIn === i;
                  const last = i === table.rounds - 1;
                  return html`<td class=${out ? 'out' : last ? 'last' : ''}>
                    ${count}${out ? html` <span>✕ out</span>` : nothing}
                  </td>`;
                })}
                <td>${row.borda}</td>
              </tr>`,
            )}
            ${
              table.exhausted.some((n) => n > 0)
                ? html`<tr>
                  <th scope="row" class="muted">No continuing choice</th>
                  ${table.exhausted.map((n) => html`<td class="gone">${n}</td>`)}
                  <td></td>
                </tr>`
                : nothing
            }
          </tbody>
        </table>
      </div>
      <ol aria-label="Rounds in words">
        ${irvNarrative(p, results).map((line) => html`<li class="small">${line}</li>`)}
      </ol>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-irv-rounds': PlIrvRounds;
  }
}
