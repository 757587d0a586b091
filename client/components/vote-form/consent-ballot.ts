import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { CONSENT_HINTS, CONSENT_IDS, CONSENT_LABELS } from '../../data/proposal-labels';
import type { Proposal } from '../../data/proposals';
import { t } from '../../i18n';
import { type BallotContext, choicesError, describedBy } from './ballot-parts';

/** A consent proposal's ballot: one position (agree, abstain, disagree, block), each with its hint. */
export function consentBallot(p: Proposal, ctx: BallotContext) {
  const selected = ctx.draft.selected[0] ?? null;
  return html`<fieldset aria-describedby=${ifDefined(describedBy(ctx.errors.choices && 'err-choices'))}>
    <legend>${t('Your position')}</legend>
    ${choicesError(ctx.errors)}
    <div class="choices consent">
      ${CONSENT_IDS.filter((id) => p.options.some((o) => o.id === id)).map(
        (id, i) => html`<label class="choice ${id}">
          <input
            type="radio"
            name="position"
            id=${i === 0 ? 'first-choice' : `choice-${id}`}
            .value=${id}
            .checked=${selected === id}
            aria-invalid=${ctx.errors.choices ? 'true' : 'false'}
            @change=${() => ctx.edit({ selected: [id] })}
          />
          <span><strong>${t(CONSENT_LABELS[id])}</strong><span class="small muted">${t(CONSENT_HINTS[id])}</span></span>
        </label>`,
      )}
    </div>
  </fieldset>`;
}
