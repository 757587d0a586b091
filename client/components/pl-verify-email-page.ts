import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { verifyEmail } from '../data/accounts';
import { ApiError } from '../data/api';
import { sessionContext } from '../data/context';
import type { Session } from '../data/session';
import { t } from '../i18n';
import { sharedStyles } from '../ui/styles';

/**
 * The page an email verification link opens. Following the link is the whole
 * act (it only confirms the address received it), so it runs on arrival.
 */
@customElement('pl-verify-email-page')
export class PlVerifyEmailPage extends LitElement {
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

  readonly #verify = new Task(this, {
    task: async ([token]) => {
      if (!token) throw new ApiError(400, 'validation_failed', 'no token');
      await verifyEmail(token);
      // A signed-in tab shows the address as verified from now on.
      if (this.session?.value.status === 'signed-in') await this.session.refresh();
    },
    args: () => [this.token] as const,
  });

  override render() {
    const home = this.session?.value.status === 'signed-in' ? '/' : '/login';
    return html`<div class="wrap">
      <div class="card">
        ${this.#verify.render({
          pending: () => html`<h1 tabindex="-1">${t('Confirming your address…')}</h1>
            <p class="muted" aria-busy="true">${t('One moment.')}</p>`,
          complete: () => html`<h1 tabindex="-1">${t('Your email address is confirmed')}</h1>
            <p class="muted">${t('Thank you. You can reset your password with it whenever you need to.')}</p>
            <a class="button" href=${home}>${t('Go to Plenary')}</a>`,
          error: (err) =>
            err instanceof ApiError && err.status === 400
              ? html`<h1 tabindex="-1">${t('This link does not work')}</h1>
                  <p class="muted">
                    ${t('It may have expired (links work for seven days), been replaced by a newer one, or been for an address your account no longer uses. You can send a new link from your account settings.')}
                  </p>
                  <a class="button" href="/settings/account">${t('Account settings')}</a>`
              : html`<h1 tabindex="-1">${t('Your address could not be confirmed')}</h1>
                  <p class="alert" role="alert">
                    ${err instanceof ApiError ? err.message : t('Check your connection and reload the page.')}
                  </p>`,
        })}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-verify-email-page': PlVerifyEmailPage;
  }
}
