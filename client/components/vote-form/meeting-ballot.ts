import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { optionKey } from '../../data/ballot-draft';
import { MEETING_ANSWERS } from '../../data/proposal-labels';
import type { Proposal } from '../../data/proposals';
import { formatDateTime } from '../../data/time-text';
import { t } from '../../i18n';
import { type BallotContext, choicesError, describedBy, optionError } from './ballot-parts';

/** A meeting-time ballot: yes, if need be or no for every slot, with its time in the reader's zone. */
export function meetingBallot(p: Proposal, ctx: BallotContext) {
  return html`<fieldset aria-describedby=${describedBy('meeting-hint', ctx.errors.choices && 'err-choices')!}>
    <legend>${t('When can you make it?')}</legend>
    <p class="hint" id="meeting-hint">${t('Answer for every slot. Times are in your time zone.')}</p>
    ${choicesError(ctx.errors)}
    <div class="slots">
      ${p.options.map((o, i) => {
        const value = ctx.draft.values[o.id];
        const err = ctx.errors[optionKey(o.id)];
        return html`<fieldset
          class="slot"
          aria-describedby=${ifDefined(err ? `err-opt-${i}` : undefined)}
          aria-invalid=${err ? 'true' : 'false'}
        >
          <legend>
            ${o.label}
            ${o.startsAt ? html`<span class="when">${formatDateTime(o.startsAt)}</span>` : nothing}
          </legend>
          <div class="answers">
            ${MEETING_ANSWERS.map(
              (a) => html`<label>
                <input
                  type="radio"
                  name="slot-${i}"
                  id=${a.score === 2 ? `opt-${i}` : `opt-${i}-${a.score}`}
                  .value=${String(a.score)}
                  .checked=${value === a.score}
                  @change=${() => ctx.setValue(o.id, a.score)}
                />
                ${t(a.label)}
              </label>`,
            )}
          </div>
          ${optionError(ctx.errors, o.id, i)}
        </fieldset>`;
      })}
    </div>
  </fieldset>`;
}
