import { css, html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { Membership } from '../data/groups';
import { t } from '../i18n';
import { sharedStyles } from '../ui/styles';

/** What {@link PlSuccessorDialog.ask} shows. */
export interface SuccessorOptions {
  groupName: string;
  /** The members who could take over, in the order to list them. */
  candidates: Membership[];
}

/**
 * Asks the only facilitator of a group, who wants to leave, to name someone
 * to take over: a modal on the native <dialog> (focus is trapped, Escape
 * cancels, focus returns to where it was). Call `ask()` and await the chosen
 * member's user id, or null when they cancel.
 */
@customElement('pl-successor-dialog')
export class PlSuccessorDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dialog {
        width: min(480px, calc(100vw - 32px));
        max-height: calc(100vh - 64px);
        padding: var(--pl-space-3);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
        background: var(--pl-color-surface);
        color: var(--pl-color-text);
        box-shadow: var(--pl-shadow-lg);
      }
      dialog::backdrop {
        background: rgb(16 20 18 / 45%);
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
      fieldset {
        margin: 0;
        padding: 0;
        border: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
        max-height: 50vh;
        overflow-y: auto;
      }
      legend {
        padding: 0;
        margin-bottom: var(--pl-space-1);
      }
      .choice {
        display: flex;
        align-items: center;
        gap: 12px;
        font-weight: normal;
      }
      .choice input {
        width: 20px;
        height: 20px;
        margin: 0;
        flex: none;
        accent-color: var(--pl-color-accent);
      }
      .buttons {
        justify-content: flex-end;
      }
    `,
  ];

  @state() private options: SuccessorOptions = { groupName: '', candidates: [] };
  @state() private chosen: string | null = null;
  @state() private missing = false;
  @query('dialog') private dialog!: HTMLDialogElement;
  #resolve: ((userId: string | null) => void) | null = null;

  /** Opens the dialog; resolves with the chosen member's user id, or null on cancel or Escape. */
  async ask(options: SuccessorOptions): Promise<string | null> {
    this.#resolve?.(null);
    this.options = options;
    this.chosen = null;
    this.missing = false;
    await this.updateComplete;
    this.dialog.returnValue = '';
    this.dialog.showModal();
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  override render() {
    const { groupName, candidates } = this.options;
    return html`<dialog aria-labelledby="title" aria-describedby="why" @close=${this.#closed}>
      <form novalidate @submit=${this.#submit}>
        <h2 id="title">${t('Name a new facilitator first')}</h2>
        <p id="why">
          ${t(
            'You are the only facilitator of {group}. A group needs one to manage members and settings, so choose who takes over; they become a facilitator, then you leave.',
            { group: groupName },
          )}
        </p>
        <fieldset aria-describedby=${this.missing ? 'missing' : nothing}>
          <legend>${t('New facilitator')}</legend>
          ${candidates.map(
            (m) => html`<label class="choice">
              <input
                type="radio"
                name="successor"
                .value=${m.user.id}
                .checked=${this.chosen === m.user.id}
                @change=${() => {
                  this.chosen = m.user.id;
                  this.missing = false;
                }}
              />
              <span>${m.user.name} <span class="muted small">@${m.user.handle}</span></span>
            </label>`,
          )}
        </fieldset>
        ${this.missing ? html`<p class="field-error" id="missing" role="alert">${t('Choose who takes over.')}</p>` : nothing}
        <div class="buttons">
          <button class="secondary" type="button" @click=${this.#cancel}>${t('Cancel')}</button>
          <button class="danger solid" type="submit">${t('Make facilitator and leave')}</button>
        </div>
      </form>
    </dialog>`;
  }

  #submit(event: SubmitEvent) {
    event.preventDefault();
    if (!this.chosen) {
      this.missing = true;
      this.renderRoot.querySelector<HTMLInputElement>('input[name="successor"]')?.focus();
      return;
    }
    this.dialog.close('confirm');
  }

  #cancel() {
    this.dialog.close('cancel');
  }

  #closed() {
    const resolve = this.#resolve;
    this.#resolve = null;
    resolve?.(this.dialog.returnValue === 'confirm' ? this.chosen : null);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-successor-dialog': PlSuccessorDialog;
  }
}
