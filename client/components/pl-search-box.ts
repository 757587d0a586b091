import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { normaliseQuery } from '../data/search';
import { StoreController } from '../data/store-controller';
import { t } from '../i18n';
import { currentRoute, navigate } from '../router';
import { sharedStyles } from '../ui/styles';

/**
 * The app bar's search: a search field that opens `/search?q=…`. On narrow
 * screens it folds into a button that opens the search page, whose own field
 * takes over.
 */
@customElement('pl-search-box')
export class PlSearchBox extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        min-width: 0;
      }
      form {
        position: relative;
        display: flex;
        align-items: center;
      }
      svg {
        width: 18px;
        height: 18px;
      }
      .icon {
        position: absolute;
        left: 10px;
        pointer-events: none;
        color: var(--pl-color-text-muted);
      }
      /* Beats the shared input padding, which would put the text under the icon. */
      input#q[type='search'] {
        min-height: 36px;
        padding-left: 34px;
        background: var(--pl-color-bg);
        border-color: var(--pl-color-border);
      }
      input#q[type='search']:focus-visible {
        background: var(--pl-color-surface);
      }
      a.narrow {
        display: none;
        color: var(--pl-color-text);
      }
      @media (max-width: 600px) {
        form {
          display: none;
        }
        a.narrow {
          display: inline-flex;
          align-items: center;
          justify-content: center;
          width: 40px;
          height: 40px;
          border-radius: var(--pl-radius-sm);
        }
        a.narrow:hover {
          background: var(--pl-color-surface-muted);
        }
      }
    `,
  ];

  @state() private value = '';
  readonly #route = new StoreController(this, currentRoute);
  #shownQuery: string | null = null;

  protected override willUpdate(): void {
    // Show the query of the search page being looked at (and follow back/forward).
    const route = this.#route.value;
    const q = route?.name === 'search' ? route.q : '';
    if (q !== this.#shownQuery) {
      this.#shownQuery = q;
      this.value = q;
    }
  }

  override render() {
    const icon = html`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
      <circle cx="11" cy="11" r="7" /><path d="m20 20-3.5-3.5" stroke-linecap="round" />
    </svg>`;
    return html`<form role="search" aria-label=${t('Search Plenary')} @submit=${this.#submit}>
        <span class="icon">${icon}</span>
        <label class="sr-only" for="q">${t('Search threads and comments')}</label>
        <input
          id="q"
          name="q"
          type="search"
          maxlength="500"
          placeholder=${t('Search threads and comments')}
          autocomplete="off"
          enterkeyhint="search"
          .value=${this.value}
          @input=${(e: InputEvent) => {
            this.value = (e.target as HTMLInputElement).value;
          }}
        />
      </form>
      <a class="narrow" href="/search" title=${t('Search')}><span class="sr-only">${t('Search')}</span>${icon}</a>`;
  }

  #submit(event: SubmitEvent) {
    event.preventDefault();
    const q = normaliseQuery(this.value);
    if (!q) return;
    navigate(`/search?q=${encodeURIComponent(q)}`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-search-box': PlSearchBox;
  }
}
