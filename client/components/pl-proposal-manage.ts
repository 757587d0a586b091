import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type FieldErrors, splitErrors } from '../data/api';
import type { ProposalStore } from '../data/proposal-store';
import type { Proposal, ProposalPermissions } from '../data/proposals';
import { defaultClosingInput, fromLocalInput } from '../data/time-text';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';
import { manageStyles, sectionStyles } from './pl-proposal-card.styles';
import './pl-remind-button';
import './pl-save-template-button';

/** Until the server has said what the viewer may do (a proposal from an event): nothing. */
const NO_PERMISSIONS: ProposalPermissions = {
  edit: false,
  close: false,
  remind: false,
  stateOutcome: false,
  reopen: false,
  saveAsTemplate: false,
};

/** Detail of `pl-proposal-notice`. */
export interface ProposalNoticeDetail {
  /** What to announce, e.g. "Voting is closed." */
  message: string;
}

type Panel = 'close' | 'outcome' | 'reopen' | null;

/**
 * "Manage this proposal" on a proposal card: closing voting (with an outcome
 * or without), stating the outcome, reopening, and reminding those who have
 * not voted, and saving it as a template, each as far as the proposal's `permissions` (sent by the server) allow;
 * `close` and `remind` while it is open, `stateOutcome` and `reopen` once it is closed. The forms open
 * in place, take the focus, and close again when the proposal opens or closes.
 * Hides itself (the `hidden` attribute) while the viewer may do none of these.
 *
 * @fires pl-proposal-notice - {@link ProposalNoticeDetail}: an action succeeded; the card announces it
 */
@customElement('pl-proposal-manage')
export class PlProposalManage extends LitElement {
  static override styles = [sharedStyles, sectionStyles, manageStyles];

  /** The proposal to manage. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  /** The proposal's store, which closes, states the outcome and reopens. */
  @property({ attribute: false }) store: ProposalStore | null = null;

  @state() private panel: Panel = null;
  @state() private panelErrors: FieldErrors = {};
  @state() private panelError: string | null = null;
  @state() private busy = false;
  #wasClosed: boolean | null = null;

  #permissions(): ProposalPermissions {
    return this.proposal?.permissions ?? NO_PERMISSIONS;
  }

  /** Whether the viewer may do anything here in the proposal's present state. */
  #permitted(): boolean {
    const p = this.proposal;
    if (!p) return false;
    const { close, remind, stateOutcome, reopen, saveAsTemplate } = this.#permissions();
    return saveAsTemplate || (p.closedAt ? stateOutcome || reopen : close || remind);
  }

  protected override willUpdate(): void {
    // An empty section would still take its gap and its rule in the card.
    this.hidden = !this.#permitted();
    const p = this.proposal;
    if (p) {
      const closed = Boolean(p.closedAt);
      if (this.#wasClosed !== null && closed !== this.#wasClosed) this.panel = null;
      this.#wasClosed = closed;
    }
  }

  override render() {
    const p = this.proposal;
    if (!p || !this.#permitted()) return nothing;
    const can = this.#permissions();
    const closed = Boolean(p.closedAt);
    return html`<section aria-label=${t('Manage this proposal')}>
      <div class="manage">
        ${
          closed
            ? html`${
                can.stateOutcome
                  ? html`<button class="secondary" type="button" aria-expanded=${this.panel === 'outcome'} @click=${() => this.#open('outcome')}>
                    ${p.outcome ? t('Restate the outcome') : t('State the outcome')}
                  </button>`
                  : nothing
              }
              ${
                can.reopen
                  ? html`<button class="secondary" type="button" aria-expanded=${this.panel === 'reopen'} @click=${() => this.#open('reopen')}>
                    ${t('Reopen voting')}
                  </button>`
                  : nothing
              }`
            : html`${
                can.close
                  ? html`<button class="secondary" type="button" aria-expanded=${this.panel === 'close'} @click=${() => this.#open('close')}>
                    ${t('Close voting…')}
                  </button>`
                  : nothing
              }
              ${can.remind ? html`<pl-remind-button .proposalId=${p.id}></pl-remind-button>` : nothing}`
        }
        ${can.saveAsTemplate ? html`<pl-save-template-button .proposalId=${p.id}></pl-save-template-button>` : nothing}
      </div>
      ${this.#panel(p)}
    </section>`;
  }

  #panel(p: Proposal) {
    if (!this.panel) return nothing;
    const e = this.panelErrors;
    const formError = this.panelError ? html`<p class="alert" role="alert">${this.panelError}</p>` : nothing;
    const statement = (required: boolean) => html`<div class="field">
        <label for="statement">${required ? t('Outcome statement') : t('Outcome statement (optional)')}</label>
        <textarea
          id="statement"
          name="statement"
          maxlength="100000"
          ?required=${required}
          .value=${this.panel === 'outcome' ? (p.outcome?.statement ?? '') : ''}
          aria-invalid=${e.statement ? 'true' : 'false'}
          aria-describedby="statement-hint ${e.statement ? 'statement-error' : ''}"
        ></textarea>
        <p class="hint" id="statement-hint">${t('What the group decided, in a sentence or two. Markdown is fine.')}</p>
        ${e.statement ? html`<p class="field-error" id="statement-error">${e.statement}</p>` : nothing}
      </div>
      <div class="field">
        <label for="reviewOn">${t('Review on (optional)')}</label>
        <input
          id="reviewOn"
          name="reviewOn"
          type="date"
          .value=${this.panel === 'outcome' ? (p.outcome?.reviewOn ?? '') : ''}
          aria-invalid=${e.reviewOn ? 'true' : 'false'}
          aria-describedby=${e.reviewOn ? 'reviewOn-error' : 'reviewOn-hint'}
        />
        ${
          e.reviewOn
            ? html`<p class="field-error" id="reviewOn-error">${e.reviewOn}</p>`
            : html`<p class="hint" id="reviewOn-hint">${t('When the group should look at this decision again.')}</p>`
        }
      </div>`;
    const cancel = html`<button class="secondary" type="button" @click=${() => this.#open(null)}>${t('Cancel')}</button>`;
    if (this.panel === 'close') {
      return html`<form class="panel" novalidate aria-labelledby="panel-heading" @submit=${this.#close}>
        <h3 id="panel-heading">${t('Close voting now')}</h3>
        <p class="small muted">${t('The results are final once closed. You can state the outcome now or later.')}</p>
        ${formError}${statement(false)}
        <div class="buttons">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Closing…') : t('Close voting')}</button>${cancel}
        </div>
      </form>`;
    }
    if (this.panel === 'outcome') {
      return html`<form class="panel" novalidate aria-labelledby="panel-heading" @submit=${this.#stateOutcome}>
        <h3 id="panel-heading">${p.outcome ? t('Restate the outcome') : t('State the outcome')}</h3>
        ${formError}${statement(true)}
        <div class="buttons">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Saving…') : t('Save outcome')}</button>${cancel}
        </div>
      </form>`;
    }
    return html`<form class="panel" novalidate aria-labelledby="panel-heading" @submit=${this.#reopen}>
      <h3 id="panel-heading">${t('Reopen voting')}</h3>
      <p class="small muted">${t('Votes already cast stay; the current outcome is set aside.')}</p>
      ${formError}
      <div class="field">
        <label for="closesAt">${t('Voting closes')}</label>
        <input
          id="closesAt"
          name="closesAt"
          type="datetime-local"
          required
          .value=${defaultClosingInput(Date.now())}
          aria-invalid=${e.closesAt ? 'true' : 'false'}
          aria-describedby=${e.closesAt ? 'closesAt-error' : 'closesAt-hint'}
        />
        ${
          e.closesAt
            ? html`<p class="field-error" id="closesAt-error">${e.closesAt}</p>`
            : html`<p class="hint" id="closesAt-hint">${t('In your time zone.')}</p>`
        }
      </div>
      <div class="buttons">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Reopening…') : t('Reopen voting')}</button>${cancel}
      </div>
    </form>`;
  }

  async #open(panel: Panel) {
    this.panel = this.panel === panel ? null : panel;
    this.panelErrors = {};
    this.panelError = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.panel textarea, .panel input')?.focus();
  }

  /** The outcome fields of a panel form, checked; null when there are errors (shown). */
  #outcomeFrom(
    form: HTMLFormElement,
    required: boolean,
  ): { statement: string; reviewOn: string | null } | null | 'none' {
    const statement = (form.elements.namedItem('statement') as HTMLTextAreaElement).value;
    const reviewOn = (form.elements.namedItem('reviewOn') as HTMLInputElement).value || null;
    const errors: FieldErrors = {};
    if (!statement.trim()) {
      if (required) errors.statement = t('Write the outcome statement.');
      else if (reviewOn) errors.statement = t('Add a statement to go with the review date.');
    }
    if (reviewOn && !/^\d{4}-\d{2}-\d{2}$/.test(reviewOn)) errors.reviewOn = t('Use a date like 2026-03-04.');
    this.panelErrors = errors;
    if (Object.keys(errors).length > 0) return null;
    return statement.trim() ? { statement, reviewOn } : 'none';
  }

  async #close(event: SubmitEvent) {
    event.preventDefault();
    const outcome = this.#outcomeFrom(event.target as HTMLFormElement, false);
    if (outcome === null) return this.#focusPanelError();
    await this.#act(
      () => this.store!.close(outcome === 'none' ? undefined : outcome),
      t('Voting is closed.'),
    );
  }

  async #stateOutcome(event: SubmitEvent) {
    event.preventDefault();
    const outcome = this.#outcomeFrom(event.target as HTMLFormElement, true);
    if (outcome === null || outcome === 'none') return this.#focusPanelError();
    await this.#act(() => this.store!.stateOutcome(outcome), t('The outcome is stated.'));
  }

  async #reopen(event: SubmitEvent) {
    event.preventDefault();
    const value = ((event.target as HTMLFormElement).elements.namedItem('closesAt') as HTMLInputElement)
      .value;
    const closesAt = fromLocalInput(value);
    if (!closesAt || Date.parse(closesAt) <= Date.now()) {
      this.panelErrors = {
        closesAt: closesAt ? t('Choose a time in the future.') : t('Choose when voting closes.'),
      };
      return this.#focusPanelError();
    }
    await this.#act(() => this.store!.reopen(closesAt), t('Voting has reopened.'));
  }

  async #act(action: () => Promise<void>, done: string) {
    if (this.busy) return;
    this.busy = true;
    this.panelError = null;
    try {
      await action();
      this.panel = null;
      fireEvent(this, 'pl-proposal-notice', { message: done });
    } catch (err) {
      const split = splitErrors(err, [
        'statement',
        'reviewOn',
        'closesAt',
        'outcome.statement',
        'outcome.reviewOn',
      ]);
      const fields = split.fields;
      this.panelErrors = {
        statement: fields.statement ?? fields['outcome.statement'],
        reviewOn: fields.reviewOn ?? fields['outcome.reviewOn'],
        closesAt: fields.closesAt,
      };
      for (const k of Object.keys(this.panelErrors)) if (!this.panelErrors[k]) delete this.panelErrors[k];
      this.panelError = split.form;
      await this.#focusPanelError();
    } finally {
      this.busy = false;
    }
  }

  async #focusPanelError() {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.panel [aria-invalid="true"]')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-proposal-manage': PlProposalManage;
  }
  interface PlEvents {
    'pl-proposal-notice': ProposalNoticeDetail;
  }
}
