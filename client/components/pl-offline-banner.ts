import { css, html, LitElement, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { connectivity } from '../data/connectivity';
import { StoreController } from '../data/store-controller';
import { t } from '../i18n';
import { sharedStyles } from '../ui/styles';

/**
 * "You are offline": shown while the browser has no network, or while
 * Plenary's server does not answer, so a page whose data cannot load says why
 * instead of staying blank. It goes away by itself once requests get through.
 */
@customElement('pl-offline-banner')
export class PlOfflineBanner extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      p {
        margin: 0;
        padding: var(--pl-space-1) var(--pl-space-3);
        background: var(--pl-color-warning-soft);
        color: var(--pl-color-warning);
        border-bottom: 1px solid var(--pl-color-border);
        text-align: center;
        font-size: var(--pl-text-sm);
      }
      strong {
        font-weight: var(--pl-weight-bold);
      }
    `,
  ];

  readonly #connectivity = new StoreController(this, connectivity());

  override render() {
    const state = this.#connectivity.value;
    if (state === 'online' || state === undefined) return nothing;
    return html`<p role="status">
      <strong>${t('You are offline.')}</strong>
      ${
        state === 'offline'
          ? t('What you see may be out of date; Plenary catches up when you are back online.')
          : t('Plenary cannot be reached just now; what you see may be out of date.')
      }
    </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-offline-banner': PlOfflineBanner;
  }
}
