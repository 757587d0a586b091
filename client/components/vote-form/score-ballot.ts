import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { optionKey } from '../../data/ballot-draft';
import type { Proposal } from '../../data/proposals';
import { t } from '../../i18n';
import { type BallotContext, choicesError, describedBy, optionError } from './ballot-parts';

/** A score vote's ballot: a slider from 0 to the maximum for every option. */
export function scoreBallot(p: Proposal, ctx: BallotContext) {
  return html`<fieldset aria-describedby=${describedBy('score-hint', ctx.errors.choices && 'err-choices')!}>
    <legend>${t('Score each option')}</legend>
    <p class="hint" id="score-hint">${t('From 0 (not at all) to {max} (the best).', { max: p.maxScore })}</p>
    ${choicesError(ctx.errors)}
    <div class="rows">
      ${p.options.map((o, i) => {
        const value = ctx.draft.values[o.id] ?? 0;
        const err = ctx.errors[optionKey(o.id)];
        return html`<div class="row">
          <label for="opt-${i}">${o.label}</label>
          <div class="slider">
            <input
              class="range"
              type="range"
              id="opt-${i}"
              min="0"
              max=${p.maxScore}
              step="1"
              .value=${String(value)}
              aria-valuetext=${t('{value} of {max}', { value, max: p.maxScore })}
              aria-invalid=${err ? 'true' : 'false'}
              aria-describedby=${ifDefined(err ? `err-opt-${i}` : undefined)}
              @input=${(e: Event) => ctx.setValue(o.id, Number((e.target as HTMLInputElement).value))}
            />
            <output for="opt-${i}" aria-hidden="true">${value}</output>
          </div>
          ${optionError(ctx.errors, o.id, i)}
        </div>`;
      })}
    </div>
  </fieldset>`;
}
