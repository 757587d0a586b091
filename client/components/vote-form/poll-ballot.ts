import { html } from 'lit';
import { pollInstruction } from '../../data/ballot-draft';
import type { Proposal } from '../../data/proposals';
import { t } from '../../i18n';
import { type BallotContext, choicesError, describedBy } from './ballot-parts';

/**
 * A poll's ballot: radio buttons, or checkboxes when more than one choice is
 * allowed. Once the maximum is ticked, the other boxes are disabled (and the
 * hint says so) rather than letting a voter tick one too many and hear about
 * it on submitting.
 */
export function pollBallot(p: Proposal, ctx: BallotContext) {
  const multi = p.maxChoices > 1;
  const chosen = ctx.draft.selected.length;
  const full = multi && chosen >= p.maxChoices;
  return html`<fieldset aria-describedby=${describedBy('poll-hint', ctx.errors.choices && 'err-choices')!}>
    <legend>${t('Your choice')}</legend>
    <p class="hint" id="poll-hint">
      ${pollInstruction(p.minChoices, p.maxChoices)}${multi ? ` ${t('{count} chosen.', { count: chosen })}` : ''}
      ${full ? t('Untick one to choose another.') : ''}
    </p>
    ${choicesError(ctx.errors)}
    <div class="choices">
      ${p.options.map(
        (o, i) => html`<label class="choice">
          <input
            type=${multi ? 'checkbox' : 'radio'}
            name="choice"
            id=${i === 0 ? 'first-choice' : `choice-${i}`}
            .value=${o.id}
            .checked=${ctx.draft.selected.includes(o.id)}
            ?disabled=${full && !ctx.draft.selected.includes(o.id)}
            aria-invalid=${ctx.errors.choices ? 'true' : 'false'}
            @change=${(e: Event) => pollChanged(ctx, o.id, (e.target as HTMLInputElement).checked, multi)}
          />
          <span>${o.label}</span>
        </label>`,
      )}
    </div>
  </fieldset>`;
}

/** One choice picked (the only one, for a single-choice poll) or unpicked. */
function pollChanged(ctx: BallotContext, optionId: string, checked: boolean, multi: boolean) {
  if (!multi) ctx.edit({ selected: [optionId] });
  else {
    const rest = ctx.draft.selected.filter((id) => id !== optionId);
    ctx.edit({ selected: checked ? [...rest, optionId] : rest });
  }
}
