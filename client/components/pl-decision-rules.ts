import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { PASS_PERCENT_KINDS } from '../../shared/verdict';
import type { FieldErrors } from '../data/api';
import type { ProposalKind } from '../data/proposals';
import { m, t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';
import { proposalFieldsetStyles } from './pl-proposal-form.styles';

/** Sent (bubbling, composed) on every edit: the fields that changed, as typed. */
export type DecisionRulesChange = Partial<{
  quorumPercent: string;
  passPercent: string;
  blockVetoes: boolean;
}>;

/** What the pass threshold measures, per kind, in the form's words. */
const PASS_HINTS: Partial<Record<ProposalKind, string>> = {
  proposal: m('Agree as a share of agree and disagree (abstentions count towards quorum only).'),
  poll: m("The leading option's share of the votes."),
  score: m("The leading option's average as a share of the highest score."),
};

/**
 * The "Decision rules" of a new proposal: a quorum, a pass threshold where
 * the kind has one, and whether a block vetoes a consent proposal. Every
 * field may stay empty: then the proposal gets no verdict, only results.
 *
 * @fires decision-rules-change - {@link DecisionRulesChange}
 */
@customElement('pl-decision-rules')
export class PlDecisionRules extends LitElement {
  static override styles = [
    sharedStyles,
    proposalFieldsetStyles,
    css`
      .numbers {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
        gap: var(--pl-space-2);
      }
      input[type='number'] {
        max-width: 10ch;
      }
    `,
  ];

  @property() kind: ProposalKind = 'proposal';
  @property() quorumPercent = '';
  @property() passPercent = '';
  @property({ type: Boolean }) blockVetoes = true;
  /** The form's errors, by the server's field keys. */
  @property({ attribute: false }) errors: FieldErrors = {};

  override render() {
    const passHint = PASS_HINTS[this.kind];
    return html`<fieldset aria-describedby="rules-hint">
      <legend>${t('Decision rules')}</legend>
      <p class="hint" id="rules-hint">${t('Optional. With either set, the card says whether the proposal passes.')}</p>
      <div class="numbers">
        ${this.#percent(
          'quorumPercent',
          t('Quorum (%)'),
          this.quorumPercent,
          t('Of the members who may vote, the share who must take part.'),
        )}
        ${
          PASS_PERCENT_KINDS.includes(this.kind) && passHint
            ? this.#percent('passPercent', t('Passes at (%)'), this.passPercent, t(passHint))
            : nothing
        }
      </div>
      ${
        this.kind === 'proposal'
          ? html`<div class="check">
            <input
              id="field-blockVetoes"
              type="checkbox"
              .checked=${this.blockVetoes}
              aria-describedby="field-blockVetoes-hint"
              @change=${(ev: Event) => this.#change({ blockVetoes: (ev.target as HTMLInputElement).checked })}
            />
            <div>
              <label for="field-blockVetoes">${t('A block stops it')}</label>
              <p class="hint" id="field-blockVetoes-hint">${t('Off: a block counts as a disagree.')}</p>
            </div>
          </div>`
          : nothing
      }
    </fieldset>`;
  }

  #percent(name: 'quorumPercent' | 'passPercent', label: string, value: string, hint: string) {
    const id = `field-${name}`;
    const err = this.errors[name];
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input
        id=${id}
        type="number"
        inputmode="numeric"
        min="1"
        max="100"
        step="1"
        placeholder=${t('none')}
        .value=${value}
        aria-invalid=${err ? 'true' : 'false'}
        aria-describedby=${ifDefined([`${id}-hint`, err ? `${id}-error` : ''].filter(Boolean).join(' '))}
        @input=${(ev: Event) => this.#change({ [name]: (ev.target as HTMLInputElement).value })}
      />
      <p class="hint" id="${id}-hint">${hint}</p>
      ${err ? html`<p class="field-error" id="${id}-error">${err}</p>` : nothing}
    </div>`;
  }

  #change(detail: DecisionRulesChange) {
    fireEvent(this, 'decision-rules-change', detail);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-decision-rules': PlDecisionRules;
  }
  interface PlEvents {
    'decision-rules-change': DecisionRulesChange;
  }
}
