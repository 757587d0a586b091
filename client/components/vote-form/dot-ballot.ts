import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { dotsLeftText, dotsUsed, optionKey } from '../../data/ballot-draft';
import type { Proposal } from '../../data/proposals';
import { t } from '../../i18n';
import { type BallotContext, choicesError, describedBy, optionError } from './ballot-parts';

/** A dot vote's ballot: a number field with − and + per option, and the dots left. */
export function dotBallot(p: Proposal, ctx: BallotContext) {
  const used = dotsUsed(ctx.draft);
  const left = p.dotsPerVoter - used;
  return html`<fieldset aria-describedby=${describedBy('dots-left', ctx.errors.choices && 'err-choices')!}>
    <legend>${t('Place your dots')}</legend>
    <p class="dots-left ${left < 0 ? 'over' : ''}" id="dots-left" aria-live="polite">
      ${dotsLeftText(used, p.dotsPerVoter)}
    </p>
    ${choicesError(ctx.errors)}
    <div class="rows">
      ${p.options.map((o, i) => {
        const value = ctx.draft.values[o.id] ?? 0;
        const err = ctx.errors[optionKey(o.id)];
        return html`<div class="row">
          <div class="stepper">
            <label for="opt-${i}">${o.label}</label>
            <button
              class="secondary"
              type="button"
              aria-label=${t('One dot fewer on {option}', { option: o.label })}
              ?disabled=${value <= 0}
              @click=${() => ctx.setValue(o.id, Math.max(0, value - 1))}
            >
              −
            </button>
            <input
              class="dots"
              type="number"
              id="opt-${i}"
              inputmode="numeric"
              min="0"
              max=${p.dotsPerVoter}
              step="1"
              .value=${String(value)}
              aria-invalid=${err ? 'true' : 'false'}
              aria-describedby=${ifDefined(err ? `err-opt-${i}` : undefined)}
              @input=${(e: Event) => ctx.setValue(o.id, numberOrNaN((e.target as HTMLInputElement).value))}
            />
            <button
              class="secondary"
              type="button"
              aria-label=${t('One more dot on {option}', { option: o.label })}
              ?disabled=${left <= 0}
              @click=${() => ctx.setValue(o.id, value + 1)}
            >
              +
            </button>
          </div>
          ${optionError(ctx.errors, o.id, i)}
        </div>`;
      })}
    </div>
  </fieldset>`;
}

/** A typed number of dots: empty is none, anything else as typed (NaN included, for the check to name). */
function numberOrNaN(text: string): number {
  return text.trim() === '' ? 0 : Number(text);
}
