import { consume } from '@lit/context';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { resetPassword } from '../data/accounts';
import { type FieldErrors, splitErrors } from '../data/api';
import { sessionContext } from '../data/context';
import type { Session } from '../data/session';
import { t } from '../i18n';
import { navigate } from '../router';
import { checkFields, field, formAlert, formValues, revealErrors } from '../ui/forms';
import { authFormStyles, sharedStyles } from '../ui/styles';

/**
 * The page a password reset link opens: a new password, typed twice. The
 * server's answer carries a new session, so on success the person is signed
 * in and goes to their groups.
 */
@customElement('pl-reset-password-page')
export class PlResetPasswordPage extends LitElement {
  static override styles = [
    sharedStyles,
    authFormStyles,
    css`
    `,
  ];

  /** The link's token (`?token=`). */
  @property() token = '';

  @consume({ context: sessionContext })
  private session?: Session;

  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  /** The link itself does not work (expired, used, incomplete): only a new one helps. */
  @state() private linkBroken = false;
  @state() private busy = false;

  override render() {
    if (!this.token || this.linkBroken) {
      return html`<div class="wrap">
        <div class="card">
          <h1 tabindex="-1">${t('This link does not work')}</h1>
          <p class="lede muted">
            ${t('Password reset links work once, for one hour. If you copied it from the email, check that you copied all of it.')}
          </p>
          <a class="button" href="/forgot-password">${t('Send me a new link')}</a>
        </div>
      </div>`;
    }
    return html`<div class="wrap">
      <div class="card">
        <h1 tabindex="-1">${t('Choose a new password')}</h1>
        <p class="lede muted">${t('You will be signed out everywhere else, and signed in here.')}</p>
        <form novalidate @submit=${this.#submit} aria-describedby=${this.formError ? 'form-error' : nothing}>
          ${formAlert(this.formError, 'form-error')}
          ${field({
            name: 'password',
            label: t('New password'),
            type: 'password',
            autocomplete: 'new-password',
            required: true,
            minlength: 10,
            hint: t('At least 10 characters.'),
            error: this.errors.password,
          })}
          ${field({
            name: 'confirm',
            label: t('Type it again'),
            type: 'password',
            autocomplete: 'new-password',
            required: true,
            error: this.errors.confirm,
          })}
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Saving…') : t('Set password and sign in')}</button>
        </form>
      </div>
    </div>`;
  }

  async #submit(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy) return;
    const form = event.target as HTMLFormElement;
    this.formError = null;
    const v = formValues(form);
    this.errors = checkFields(form);
    if (!this.errors.password && !this.errors.confirm && v.password !== v.confirm) {
      this.errors = { confirm: t('The two passwords differ.') };
    }
    if (await revealErrors(this, this.errors)) return;
    this.busy = true;
    try {
      await resetPassword(this.token, v.password!);
      await this.session?.refresh();
      // Replaced, so the spent link does not stay in the tab's history.
      navigate('/', { replace: true });
    } catch (err) {
      const split = splitErrors(err, ['password', 'token']);
      if (split.fields.token) {
        this.linkBroken = true;
        return;
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
    'pl-reset-password-page': PlResetPasswordPage;
  }
}
