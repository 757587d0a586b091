import { consume } from '@lit/context';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { languageName } from '../../shared/i18n';
import { setLanguage } from '../data/accounts';
import { splitErrors } from '../data/api';
import { sessionContext } from '../data/context';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import { chooseLocale, LOCALES, t } from '../i18n';
import { sharedStyles } from '../ui/styles';

/**
 * The member's language: one of those Plenary speaks, or "as my browser".
 * Kept on the account, so it follows them to every device and into their
 * emails; the page changes language as soon as the server has it.
 */
@customElement('pl-language-setting')
export class PlLanguageSetting extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      label {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      select {
        max-width: 20rem;
      }
    `,
  ];

  @consume({ context: sessionContext })
  private session?: Session;

  readonly #session = new StoreController(this, () => this.session);

  @state() private busy = false;
  @state() private error: string | null = null;

  override render() {
    const user = this.#session.value?.user;
    if (!user) return nothing;
    const browser = languageName(chooseLocale(null));
    return html`
      <section class="card" aria-labelledby="language-heading">
        <h2 id="language-heading">${t('Language')}</h2>
        <label>
          <span>${t('Plenary speaks to you, on screen and in emails, in')}</span>
          <select @change=${this.#change} ?disabled=${this.busy}>
            <option value="" ?selected=${!user.locale}>${t('The language of my browser ({language})', { language: browser })}</option>
            ${LOCALES.map(
              (locale) =>
                html`<option value=${locale} lang=${locale} ?selected=${user.locale === locale}>${languageName(locale)}</option>`,
            )}
          </select>
        </label>
        ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      </section>
    `;
  }

  async #change(event: Event) {
    const value = (event.target as HTMLSelectElement).value;
    this.busy = true;
    this.error = null;
    try {
      this.session?.updated(await setLanguage(value || null));
    } catch (err) {
      this.error = splitErrors(err, []).form;
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-language-setting': PlLanguageSetting;
  }
}
