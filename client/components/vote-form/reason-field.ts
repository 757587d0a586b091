import { html, nothing } from 'lit';
import type { Proposal } from '../../data/proposals';
import { t } from '../../i18n';
import { type BallotContext, describedBy } from './ballot-parts';

/**
 * The reason field: required, strongly encouraged (with a block) or optional,
 * with the warning about a block given without a reason.
 */
export function reasonField(p: Proposal, ctx: BallotContext, warning: string | null) {
  const blocking = p.kind === 'proposal' && ctx.draft.selected.includes('block');
  const err = ctx.errors.reason;
  const hint = p.reasonRequired
    ? t('This proposal asks everyone to give a reason.')
    : blocking
      ? t('Strongly encouraged for a block: say what would need to change.')
      : t('Optional. Markdown is fine.');
  const label = p.reasonRequired
    ? t('Reason (required)')
    : blocking
      ? t('Reason (strongly encouraged)')
      : t('Reason (optional)');
  return html`<div class="field">
    <label for="reason">${label}</label>
    <textarea
      id="reason"
      name="reason"
      .value=${ctx.draft.reason}
      ?required=${p.reasonRequired}
      maxlength="100000"
      aria-invalid=${err ? 'true' : 'false'}
      aria-describedby=${describedBy(err && 'err-reason', 'reason-hint', warning && 'reason-warning')!}
      @input=${(e: Event) => ctx.edit({ reason: (e.target as HTMLTextAreaElement).value })}
    ></textarea>
    <p class="hint" id="reason-hint">${hint}</p>
    ${warning ? html`<p class="warning" id="reason-warning">${warning}</p>` : nothing}
    ${err ? html`<p class="field-error" id="err-reason">${err}</p>` : nothing}
  </div>`;
}
