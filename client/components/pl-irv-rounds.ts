import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { listText, optionLabel } from '../data/proposal-labels';
import type { Proposal } from '../data/proposals';
import { irvStory, irvTable, topMark } from '../data/result-view';
import { t } from '../i18n';
import { sharedStyles } from '../ui/styles';

/**
 * A ranked-choice count step by step: a table of each instant-runoff round
 * (votes per option, who was eliminated when), the rounds in words (who went
 * out and where their votes moved), Borda points, and the Condorcet (Schulze)
 * winner. The table scrolls inside its own box, so a phone's page never
 * scrolls sideways.
 */
@customElement('pl-irv-rounds')
export class PlIrvRounds extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        /* Lets the table's own box scroll instead of widening a flex or grid parent. */
        min-width: 0;
        max-width: 100%;
      }
      .winners {
        overflow-wrap: anywhere;
        display: grid;
        gap: var(--pl-space-half);
        margin-bottom: var(--pl-space-2);
      }
      .scroll {
        /* Positioned, so the hidden "eliminated" words (absolutely placed) scroll with the table instead of widening the page. */
        position: relative;
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
        /* Wide enough to read a long label in a few lines; the rounds scroll past it on a phone. */
        min-width: min(12em, 45vw);
        max-width: 18em;
        overflow-wrap: anywhere;
        position: sticky;
        left: 0;
        z-index: 1;
        background: var(--pl-color-surface);
        box-shadow: inset -1px 0 0 var(--pl-color-border);
      }
      thead th {
        background: var(--pl-color-surface-muted);
        font-weight: var(--pl-weight-medium);
      }
      thead th:first-child {
        background: var(--pl-color-surface-muted);
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
      th .badge,
      th .status {
        margin-left: var(--pl-space-half);
      }
      th .status {
        display: block;
        margin-left: 0;
        font-weight: normal;
      }
      .story {
        list-style: none;
        margin: var(--pl-space-2) 0 0;
        padding: 0;
        display: grid;
        gap: var(--pl-space-1);
        overflow-wrap: anywhere;
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
    if (table.rounds === 0) return html`<p class="muted">${t('No rankings yet.')}</p>`;
    const winners = results.winnerIds.map((id) => optionLabel(p, id));
    const mark = winners.length > 1 ? t('Tied') : topMark(p);
    return html`
      <div class="winners">
        <p>
          <strong>${t('Instant runoff:')}</strong>
          ${this.#runoffText(winners, Boolean(p.closedAt))}
        </p>
        <p>
          <strong>${t('Condorcet (Schulze):')}</strong>
          ${condorcet ? optionLabel(p, condorcet) : html`<span class="muted">${t('none, tied')}</span>`}
        </p>
        <p>
          <strong>${t('Borda count:')}</strong>
          ${
            bordaLeaders.length
              ? t('{names} ({count, plural, one {# point} other {# points}})', {
                  names: listText(bordaLeaders),
                  count: bordaTop,
                })
              : html`<span class="muted">${t('no points yet')}</span>`
          }
        </p>
      </div>
      <div class="scroll" role="region" aria-label=${t('Instant-runoff rounds')} tabindex="0">
        <table>
          <caption>
            ${t('Votes in each round of the instant runoff')}
          </caption>
          <thead>
            <tr>
              <th scope="col">${t('Option')}</th>
              ${Array.from({ length: table.rounds }, (_, i) => html`<th scope="col">${t('Round {round}', { round: i + 1 })}</th>`)}
              <th scope="col">${t('Borda points')}</th>
            </tr>
          </thead>
          <tbody>
            ${table.rows.map(
              (row) => html`<tr class=${row.winner ? 'win' : ''}>
                <th scope="row">
                  ${row.label}
                  ${row.winner ? html`<span class="badge accent">${mark}</span>` : nothing}
                  ${
                    row.eliminatedIn !== null
                      ? html`<span class="status small muted">${t('Eliminated in round {round}', { round: row.eliminatedIn + 1 })}</span>`
                      : nothing
                  }
                </th>
                ${row.counts.map((count, i) => {
                  if (count === null)
                    return html`<td class="gone"><span aria-hidden="true">–</span><span class="sr-only">${t('eliminated')}</span></td>`;
                  const out = row.eliminatedIn === i;
                  const last = i === table.rounds - 1;
                  return html`<td class=${out ? 'out' : last ? 'last' : ''} title=${out ? t('Eliminated after this round') : ''}>${count}</td>`;
                })}
                <td>${row.borda}</td>
              </tr>`,
            )}
            ${
              table.exhausted.some((n) => n > 0)
                ? html`<tr>
                  <th scope="row" class="muted">${t('Exhausted (no further preference)')}</th>
                  ${table.exhausted.map((n) => html`<td class="gone">${n}</td>`)}
                  <td></td>
                </tr>`
                : nothing
            }
          </tbody>
        </table>
      </div>
      <ol class="story" aria-label=${t('The rounds in words')}>
        ${irvStory(p, results).map((line) => html`<li><strong>${t('Round {round}.', { round: line.round })}</strong> ${line.text}</li>`)}
      </ol>
    `;
  }

  /** "Amira is leading", "Amira won", "Amira and Chen are tied". */
  #runoffText(winners: string[], closed: boolean) {
    if (winners.length === 0) return html`<span class="muted">${t('no winner')}</span>`;
    const names = listText(winners);
    if (winners.length > 1)
      return closed ? t('{names} tied', { names }) : t('{names} are tied so far', { names });
    return closed ? t('{names} won', { names }) : t('{names} is leading so far', { names });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-irv-rounds': PlIrvRounds;
  }
}
