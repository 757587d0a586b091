import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type FieldErrors, splitErrors } from '../data/api';
import { sessionContext } from '../data/context';
import type { Session } from '../data/session';
import { t } from '../i18n';
import { authPath, navigate } from '../router';
import { checkFields, field, formAlert, formValues, revealErrors } from '../ui/forms';
import { authFormStyles, sharedStyles } from '../ui/styles';

const FIELDS = {
  login: ['email', 'password'],
  signup: ['name', 'email', 'password'],
} as const;

/**
 * Sign in or sign up. After success it goes to `next` (an invitation, say).
 */
@customElement('pl-auth-page')
export class PlAuthPage extends LitElement {
  static override styles = [
    sharedStyles,
    authFormStyles,
    css`
      button[type='submit'] {
        margin-top: var(--pl-space-1);
      }
      .switch {
        margin-top: var(--pl-space-3);
        text-align: center;
      }
      .forgot {
        margin-top: var(--pl-space-2);
        text-align: center;
      }
    `,
  ];

  /** Which form to show. */
  @property() mode: 'login' | 'signup' = 'login';

  /** Where to go after signing in (a path on this site). */
  @property() next = '/';

  @consume({ context: sessionContext })
  private session?: Session;

  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('mode')) {
      this.errors = {};
      this.formError = null;
    }
  }

  override render() {
    const signup = this.mode === 'signup';
    const toInvite = this.next.startsWith('/invite/');
    return html`<div class="wrap">
      <div class="card">
        <h1>${signup ? t('Create your account') : t('Sign in to Plenary')}</h1>
        <p class="lede muted">
          ${
            toInvite
              ? signup
                ? t('Create an account to accept your invitation.')
                : t('Sign in to accept your invitation.')
              : signup
                ? t('Discuss, propose and decide together with your group.')
                : t('Welcome back.')
          }
        </p>
        <form novalidate @submit=${this.#submit} aria-describedby=${this.formError ? 'form-error' : nothing}>
          ${formAlert(this.formError, 'form-error')}
          ${
            signup
              ? field({
                  name: 'name',
                  label: t('Your name'),
                  autocomplete: 'name',
                  required: true,
                  maxlength: 200,
                  error: this.errors.name,
                })
              : nothing
          }
          ${field({
            name: 'email',
            label: t('Email'),
            type: 'email',
            autocomplete: 'email',
            required: true,
            maxlength: 254,
            error: this.errors.email,
          })}
          ${field({
            name: 'password',
            label: t('Password'),
            type: 'password',
            autocomplete: signup ? 'new-password' : 'current-password',
            required: true,
            minlength: signup ? 10 : undefined,
            hint: signup ? t('At least 10 characters.') : undefined,
            error: this.errors.password,
          })}
          <button type="submit" ?disabled=${this.busy}>
            ${
              signup
                ? this.busy
                  ? t('Creating account…')
                  : t('Create account')
                : this.busy
                  ? t('Signing in…')
                  : t('Sign in')
            }
          </button>
        </form>
        ${signup ? nothing : html`<p class="forgot"><a href="/forgot-password">${t('Forgot password?')}</a></p>`}
      </div>
      <p class="switch">
        ${
          signup
            ? html`${t('Already have an account?')} <a href=${authPath('login', this.next)}>${t('Sign in')}</a>`
            : html`${t('New to Plenary?')} <a href=${authPath('signup', this.next)}>${t('Create an account')}</a>`
        }
      </p>
    </div>`;
  }

  async #submit(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy || !this.session) return;
    const form = event.target as HTMLFormElement;
    this.formError = null;
    this.errors = checkFields(form);
    if (await revealErrors(this, this.errors)) return;
    const v = formValues(form);
    this.busy = true;
    try {
      if (this.mode === 'signup') {
        await this.session.signUp({ name: v.name!.trim(), email: v.email!.trim(), password: v.password! });
      } else {
        await this.session.signIn({ email: v.email!.trim(), password: v.password! });
      }
      navigate(this.next, { replace: true });
    } catch (err) {
      const split = splitErrors(err, FIELDS[this.mode]);
      if (this.mode === 'signup' && (err as { code?: string }).code === 'conflict' && !split.fields.email) {
        // The server names no field for a taken email; it can only be that one (and says so in English).
        split.fields.email = t('An account with that email already exists.');
        split.form = null;
      }
      this.errors = split.fields;
      this.formError =
        this.mode === 'login' && (err as { status?: number }).status === 401
          ? t('That email and password do not match an account.')
          : split.form;
      await revealErrors(this, split.fields, this.formError);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-auth-page': PlAuthPage;
  }
}
