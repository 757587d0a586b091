import { consume } from '@lit/context';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { requestEmailChange, resendVerification } from '../data/accounts';
import { type FieldErrors, splitErrors } from '../data/api';
import { sessionContext } from '../data/context';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import { t, tMarkup } from '../i18n';
import { checkFields, field, formAlert, formValues, revealErrors } from '../ui/forms';
import { sharedStyles } from '../ui/styles';
import './pl-language-setting';

const FIELDS = ['email', 'currentPassword'] as const;

/**
 * The account's email address: whether it is confirmed (with a way to get the
 * link again) and a form to move to another one, which happens only once the
 * new address confirms.
 */
@customElement('pl-account-settings-page')
export class PlAccountSettingsPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .wrap {
        max-width: var(--pl-form-width);
        margin: var(--pl-space-4) auto 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-3);
      }
      @media (max-width: 600px) {
        .wrap {
          margin-top: var(--pl-space-1);
        }
      }
      h2 {
        margin-bottom: var(--pl-space-1);
      }
      .address {
        overflow-wrap: anywhere;
        font-weight: var(--pl-weight-medium);
      }
      .status {
        margin: var(--pl-space-1) 0 var(--pl-space-2);
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
    `,
  ];

  @consume({ context: sessionContext })
  private session?: Session;

  readonly #session = new StoreController(this, () => this.session);

  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;
  /** The address a change link went to, once the server has taken the request. */
  @state() private pendingEmail: string | null = null;
  @state() private resend: 'idle' | 'busy' | 'sent' = 'idle';
  @state() private resendError: string | null = null;

  override render() {
    const user = this.#session.value?.user;
    if (!user) return nothing;
    return html`<div class="wrap">
      <h1 tabindex="-1">${t('Account')}</h1>
      <p class="muted">
        ${tMarkup('What Plenary emails you about is in {link}.', {}, { link: html`<a href="/settings/email">${t('email settings')}</a>` })}
      </p>
      <section class="card" aria-labelledby="address-heading">
        <h2 id="address-heading">${t('Email address')}</h2>
        <p class="address">${user.email}</p>
        ${
          user.emailVerified
            ? html`<p class="status muted">${t('Confirmed.')}</p>`
            : html`<p class="status muted">
                  ${t('Not confirmed yet: follow the link we emailed you, so you can reset your password with this address.')}
                </p>
                ${
                  this.resend === 'sent'
                    ? html`<p class="notice" role="status">${t("We've sent a new link to {email}.", { email: user.email ?? '' })}</p>`
                    : html`<button
                        class="secondary"
                        type="button"
                        ?disabled=${this.resend === 'busy'}
                        @click=${this.#resend}
                      >
                        ${this.resend === 'busy' ? t('Sending…') : t('Send the link again')}
                      </button>`
                }
                ${this.resendError ? html`<p class="alert" role="alert">${this.resendError}</p>` : nothing}`
        }
      </section>
      <section class="card" aria-labelledby="change-heading">
        <h2 id="change-heading">${t('Change your email address')}</h2>
        ${
          this.pendingEmail
            ? html`<p class="notice" role="status">
                ${t(
                  "We've sent a link to {newEmail}. Your address changes when you follow it (within 24 hours); until then, keep signing in with {email}.",
                  { newEmail: this.pendingEmail, email: user.email ?? '' },
                )}
              </p>`
            : nothing
        }
        <form novalidate @submit=${this.#submit} aria-describedby=${this.formError ? 'change-error' : nothing}>
          ${formAlert(this.formError, 'change-error')}
          ${field({
            name: 'email',
            label: t('New email address'),
            type: 'email',
            autocomplete: 'email',
            required: true,
            maxlength: 254,
            error: this.errors.email,
          })}
          ${field({
            name: 'currentPassword',
            label: t('Your password'),
            type: 'password',
            autocomplete: 'current-password',
            required: true,
            error: this.errors.currentPassword,
          })}
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Sending…') : t('Send a confirmation link')}</button>
        </form>
      </section>
      <pl-language-setting></pl-language-setting>
    </div>`;
  }

  async #resend() {
    this.resend = 'busy';
    this.resendError = null;
    try {
      await resendVerification();
      this.resend = 'sent';
    } catch (err) {
      this.resend = 'idle';
      this.resendError = splitErrors(err, []).form;
    }
  }

  async #submit(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy) return;
    const form = event.target as HTMLFormElement;
    this.formError = null;
    this.errors = checkFields(form);
    if (await revealErrors(this, this.errors)) return;
    const v = formValues(form);
    const email = v.email!.trim();
    this.busy = true;
    try {
      await requestEmailChange(email, v.currentPassword!);
      this.pendingEmail = email;
      form.reset();
    } catch (err) {
      const split = splitErrors(err, FIELDS);
      if ((err as { code?: string }).code === 'conflict' && !split.fields.email) {
        split.fields.email = t('Another account uses that address.');
        split.form = null;
      }
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
    'pl-account-settings-page': PlAccountSettingsPage;
  }
}
