import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ApiError } from '../data/api';
import { type PushState, pushState, turnPushOff, turnPushOn } from '../data/push';
import { m, t } from '../i18n';
import { sharedStyles } from '../ui/styles';

const HINTS: Record<PushState, string> = {
  on: m('This browser shows your notifications, even when Plenary is closed.'),
  off: m('Turn on to have this browser show your notifications, even when Plenary is closed.'),
  denied: m(
    'Notifications are blocked for this site in your browser. Allow them in the browser’s site settings, then try again.',
  ),
  unsupported: m(
    'This browser cannot get push notifications from Plenary here (it needs a browser with push support, over https).',
  ),
};

/**
 * "Push notifications on this device": a switch for this browser only. On
 * asks the browser's permission, subscribes through the service worker and
 * registers the subscription; off deletes it. Which notifications arrive
 * follows the member's levels, as email does.
 */
@customElement('pl-push-toggle')
export class PlPushToggle extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .switch {
        display: flex;
        gap: 12px;
        align-items: flex-start;
      }
      input {
        width: 20px;
        height: 20px;
        margin: 2px 0 0;
        flex: none;
        accent-color: var(--pl-color-accent);
      }
      label {
        display: block;
        font-weight: var(--pl-weight-medium);
      }
    `,
  ];

  @state() private state: PushState | 'loading' = 'loading';
  @state() private busy = false;
  @state() private error: string | null = null;

  #abort: AbortController | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort?.abort();
  }

  async #load() {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const state = await pushState(abort.signal);
      if (!abort.signal.aborted) this.state = state;
    } catch (err) {
      if (abort.signal.aborted) return;
      this.state = 'off';
      this.error = err instanceof ApiError ? err.message : t('Whether push is on here could not be checked.');
    }
  }

  override render() {
    const s = this.state;
    const on = s === 'on';
    const usable = s === 'on' || s === 'off';
    return html`<div class="switch">
        <input
          type="checkbox"
          role="switch"
          id="push-toggle"
          .checked=${on}
          aria-checked=${on ? 'true' : 'false'}
          ?disabled=${!usable || this.busy}
          aria-describedby="push-hint"
          @change=${this.#toggle}
        />
        <div>
          <label for="push-toggle">${t('Push notifications on this device')}</label>
          <p class="hint" id="push-hint" aria-busy=${s === 'loading' ? 'true' : 'false'}>
            ${s === 'loading' ? t('Checking this browser…') : t(HINTS[s])}
          </p>
        </div>
      </div>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}`;
  }

  async #toggle(event: Event) {
    const input = event.target as HTMLInputElement;
    const wanted = input.checked;
    // The switch shows what is true, not what was clicked, until the browser and the server agree.
    input.checked = this.state === 'on';
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      this.state = wanted ? await turnPushOn() : await turnPushOff();
      if (wanted && this.state === 'off')
        this.error = t('Notifications were not allowed, so push stays off.');
    } catch (err) {
      this.error =
        err instanceof ApiError
          ? err.message
          : wanted
            ? t('Push could not be turned on here. Try again in a moment.')
            : t('Push could not be turned off here. Try again in a moment.');
      await this.#load();
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-push-toggle': PlPushToggle;
  }
}
