import { css, html, LitElement } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { t } from '../i18n';
import { sharedStyles } from '../ui/styles';

/** What {@link PlConfirmDialog.ask} shows, in the reader's language (the caller translates). */
export interface ConfirmOptions {
  title: string;
  message: string;
  /** The confirming button's text, e.g. "Remove". */
  confirmLabel: string;
  /** Styles the confirming button as destructive. */
  danger?: boolean;
}

/**
 * A modal yes/no question on the native <dialog> (focus is trapped, Escape
 * cancels, focus returns to where it was). Call `ask()` and await the answer.
 */
@customElement('pl-confirm-dialog')
export class PlConfirmDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dialog {
        width: min(440px, calc(100vw - 32px));
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
      p {
        margin: var(--pl-space-1) 0 var(--pl-space-3);
      }
      .buttons {
        justify-content: flex-end;
      }
    `,
  ];

  @state() private options: ConfirmOptions = { title: '', message: '', confirmLabel: '' };
  @query('dialog') private dialog!: HTMLDialogElement;
  #resolve: ((ok: boolean) => void) | null = null;

  /** Opens the dialog; resolves true on confirm, false on cancel or Escape. */
  async ask(options: ConfirmOptions): Promise<boolean> {
    this.#resolve?.(false);
    this.options = options;
    await this.updateComplete;
    this.dialog.returnValue = '';
    this.dialog.showModal();
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  override render() {
    const o = this.options;
    return html`<dialog aria-labelledby="title" aria-describedby="message" @close=${this.#closed}>
      <form method="dialog">
        <h2 id="title">${o.title}</h2>
        <p id="message">${o.message}</p>
        <div class="buttons">
          <button class="secondary" value="cancel" autofocus>${t('Cancel')}</button>
          <button class=${o.danger ? 'danger solid' : ''} value="confirm">${o.confirmLabel || t('OK')}</button>
        </div>
      </form>
    </dialog>`;
  }

  #closed() {
    const resolve = this.#resolve;
    this.#resolve = null;
    resolve?.(this.dialog.returnValue === 'confirm');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-confirm-dialog': PlConfirmDialog;
  }
}
