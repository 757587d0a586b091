import { html, nothing } from 'lit';
import { ordinal } from '../../data/ballot-draft';
import type { Proposal } from '../../data/proposals';
import { t } from '../../i18n';
import { type BallotContext, choicesError, describedBy } from './ballot-parts';

/** The ranking's moves; the vote form carries them out, announces them and keeps focus on the moved option. */
export interface RankingActions {
  /** Moves option `id` (called `name`) `delta` places up (negative) or down. */
  move(id: string, delta: number, name: string): void;
  /** Adds option `id` (called `name`) at the end of the ranking, or takes it out. */
  toggleRank(id: string, name: string, add: boolean): void;
}

/**
 * A ranked-choice ballot: the ranked options in order, each with up, down and
 * remove buttons, then the options not ranked yet, each with an add button.
 */
export function rankedBallot(p: Proposal, ctx: BallotContext, ranking: RankingActions) {
  const order = ctx.draft.order.filter((id) => p.options.some((o) => o.id === id));
  const unranked = p.options.filter((o) => !order.includes(o.id));
  const label = (id: string) => p.options.find((o) => o.id === id)?.label ?? '';
  const index = (id: string) => p.options.findIndex((o) => o.id === id);
  return html`<fieldset aria-describedby=${describedBy('rank-hint', ctx.errors.choices && 'err-choices')!}>
    <legend>${t('Your ranking')}</legend>
    <p class="hint" id="rank-hint">
      ${t('Add options in order of preference, best first. Rank as many as you like: the rest stay unranked.')}
    </p>
    ${choicesError(ctx.errors)}
    ${
      order.length === 0
        ? html`<p class="empty-ranking small muted" id="first-choice" tabindex="-1">${t('Nothing ranked yet.')}</p>`
        : html`<ol class="ranking" aria-label=${t('Ranked options')}>
          ${order.map((id, pos) => {
            const name = label(id);
            const i = index(id);
            return html`<li>
              <span class="rank" aria-hidden="true">${pos + 1}.</span>
              <span class="name"><span class="sr-only">${ordinal(pos + 1)}: </span>${name}</span>
              <button
                class="secondary icon small"
                type="button"
                id="up-${i}"
                aria-label=${t('Move {name} up', { name })}
                ?disabled=${pos === 0}
                @click=${() => ranking.move(id, -1, name)}
              >
                ↑
              </button>
              <button
                class="secondary icon small"
                type="button"
                id="down-${i}"
                aria-label=${t('Move {name} down', { name })}
                ?disabled=${pos === order.length - 1}
                @click=${() => ranking.move(id, 1, name)}
              >
                ↓
              </button>
              <button
                class="ghost small"
                type="button"
                id="unrank-${i}"
                aria-label=${t('Remove {name} from the ranking', { name })}
                @click=${() => ranking.toggleRank(id, name, false)}
              >
                ${t('Remove')}
              </button>
            </li>`;
          })}
        </ol>`
    }
    ${
      unranked.length > 0
        ? html`<p class="sub small" id="unranked-heading">${t('Not ranked')}</p>
          <ul class="ranking unranked" aria-labelledby="unranked-heading">
            ${unranked.map((o) => {
              const i = index(o.id);
              return html`<li>
                <span class="name">${o.label}</span>
                <button
                  class="secondary small"
                  type="button"
                  id="rank-${i}"
                  aria-label=${t('Rank {name}', { name: o.label })}
                  @click=${() => ranking.toggleRank(o.id, o.label, true)}
                >
                  ${t('Add as {place}', { place: ordinal(order.length + 1) })}
                </button>
              </li>`;
            })}
          </ul>`
        : nothing
    }
  </fieldset>`;
}
