import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { requestPasswordReset } from '../data/accounts';
import { type FieldErrors, splitErrors } from '../data/api';
import { t } from '../i18n';
import { checkFields, field, formAlert, formValues, revealErrors } from '../ui/forms';
import { authFormStyles, sharedStyles } from '../ui/styles';

/**
 * "Forgot password?": asks for an address and says the same thing whether or
 * not it has an account, as the server does.
 */
@customElement('pl-forgot-password-page')
export class PlForgotPasswordPage extends LitElement {
  static override styles = [
    sharedStyles,
    authFormStyles,
    css`
      .switch {
        margin-top: var(--pl-space-3);
        text-align: center;
      }
    `,
  ];

  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;
  /** The address a link was asked for, once the server has answered. */
  @state() private sentTo: string | null = null;

  override render() {
    return html`<div class="wrap">
      <div class="card">
        <h1 tabindex="-1">${t('Forgot your password?')}</h1>
        ${
          this.sentTo
            ? html`<p class="notice" role="status">
                ${t(
                  "If an account exists for {email}, we've sent a link to choose a new password. It works for one hour. Check your spam folder if it does not arrive within a few minutes.",
                  { email: this.sentTo },
                )}
              </p>`
            : html`<p class="lede muted">
                ${t("Enter the email address of your account and we'll send you a link to choose a new password.")}
              </p>
              <form novalidate @submit=${this.#submit} aria-describedby=${this.formError ? 'form-error' : nothing}>
                ${formAlert(this.formError, 'form-error')}
                ${field({
                  name: 'email',
                  label: t('Email'),
                  type: 'email',
                  autocomplete: 'email',
                  required: true,
                  maxlength: 254,
                  error: this.errors.email,
                })}
                <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Sending…') : t('Send me a link')}</button>
              </form>`
        }
      </div>
      <p class="switch">${t('Remembered it?')} <a href="/login">${t('Sign in')}</a></p>
    </div>`;
  }

  async #submit(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy) return;
    const form = event.target as HTMLFormElement;
    this.formError = null;
    this.errors = checkFields(form);
    if (await revealErrors(this, this.errors)) return;
    const email = formValues(form).email!.trim();
    this.busy = true;
    try {
      await requestPasswordReset(email);
      this.sentTo = email;
    } catch (err) {
      const split = splitErrors(err, ['email']);
      this.errors = split.fields;
      this.formError = split.form;
      await revealErrors(this, split.fields, this.formError);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-forgot-password-page': PlForgotPasswordPage;
  }
}
