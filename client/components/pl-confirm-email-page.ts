import { consume } from '@lit/context';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { confirmEmailChange } from '../data/accounts';
import { ApiError, splitErrors } from '../data/api';
import { sessionContext } from '../data/context';
import type { Session } from '../data/session';
import { t } from '../i18n';
import { sharedStyles } from '../ui/styles';

/**
 * The page the link sent to a new address opens. The change waits for a
 * click: mail scanners open links on their own, and this one changes the account.
 */
@customElement('pl-confirm-email-page')
export class PlConfirmEmailPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .wrap {
        max-width: var(--pl-form-width);
        margin: var(--pl-space-4) auto 0;
      }
      h1 {
        margin-bottom: var(--pl-space-1);
      }
      p {
        margin-bottom: var(--pl-space-3);
      }
    `,
  ];

  /** The link's token (`?token=`). */
  @property() token = '';

  @consume({ context: sessionContext })
  private session?: Session;

  @state() private step: 'ready' | 'busy' | 'done' | 'broken' = 'ready';
  @state() private error: string | null = null;

  override render() {
    const home = this.session?.value.status === 'signed-in' ? '/' : '/login';
    if (this.step === 'done') {
      return html`<div class="wrap"><div class="card">
        <h1 tabindex="-1">${t('Your new address is confirmed')}</h1>
        <p class="muted">${t('Your account uses it from now on: sign in with it, and email comes to it.')}</p>
        <a class="button" href=${home}>${t('Go to Plenary')}</a>
      </div></div>`;
    }
    if (!this.token || this.step === 'broken') {
      return html`<div class="wrap"><div class="card">
        <h1 tabindex="-1">${t('This link does not work')}</h1>
        <p class="muted">
          ${t('It may have expired (links work for 24 hours), been used already, or been replaced by a newer request. Ask for the change again from your account settings.')}
        </p>
        <a class="button" href="/settings/account">${t('Account settings')}</a>
      </div></div>`;
    }
    return html`<div class="wrap"><div class="card">
      <h1 tabindex="-1">${t('Confirm your new email address')}</h1>
      <p class="muted">${t('Your Plenary account will use the address this link was sent to.')}</p>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      <button type="button" ?disabled=${this.step === 'busy'} @click=${this.#confirm}>
        ${this.step === 'busy' ? t('Confirming…') : t('Use this address')}
      </button>
    </div></div>`;
  }

  async #confirm() {
    if (this.step === 'busy') return;
    this.step = 'busy';
    this.error = null;
    try {
      await confirmEmailChange(this.token);
      if (this.session?.value.status === 'signed-in') await this.session.refresh();
      this.step = 'done';
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) this.step = 'broken';
      else {
        this.step = 'ready';
        this.error =
          err instanceof ApiError && err.status === 409
            ? t('Another account uses that address now, so yours keeps its current one.')
            : splitErrors(err, []).form;
      }
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-confirm-email-page': PlConfirmEmailPage;
  }
}
