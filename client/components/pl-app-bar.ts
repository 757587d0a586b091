import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { User } from '../data/accounts';
import type { ConnectionState } from '../data/stream';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';
import './pl-notifications';
import './pl-search-box';

/**
 * The bar across the top: the product name (a link home), a "Reconnecting…"
 * indicator while the live stream is down, the signed-in person and Sign out.
 *
 * @fires pl-sign-out - the person asked to sign out
 */
@customElement('pl-app-bar')
export class PlAppBar extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      /* Sticky on the host: a sticky header inside a host of its own height would scroll away. */
      :host {
        display: block;
        position: sticky;
        top: 0;
        z-index: 5;
      }
      header {
        background: var(--pl-color-surface);
        border-bottom: 1px solid var(--pl-color-border);
      }
      .inner {
        display: flex;
        align-items: center;
        gap: var(--pl-space-2);
        max-width: var(--pl-content-width);
        min-height: 56px;
        margin: 0 auto;
        padding: 0 var(--pl-space-3);
      }
      @media (max-width: 600px) {
        .inner {
          gap: var(--pl-space-1);
          padding: 0 var(--pl-space-2);
        }
      }
      .brand {
        display: inline-flex;
        align-items: center;
        gap: var(--pl-space-1);
        color: var(--pl-color-text);
        font-weight: var(--pl-weight-bold);
        font-size: 1.125rem;
        text-decoration: none;
        border-radius: var(--pl-radius-sm);
      }
      .brand:hover {
        color: var(--pl-color-text);
      }
      .mark {
        display: inline-grid;
        place-items: center;
        width: 28px;
        height: 28px;
        border-radius: 8px;
        background: var(--pl-color-accent);
        color: var(--pl-color-on-accent);
        font-size: 0.95rem;
      }
      .spacer {
        flex: 1;
      }
      pl-search-box {
        flex: 0 1 340px;
        margin-left: var(--pl-space-2);
      }
      @media (max-width: 600px) {
        pl-search-box {
          flex: none;
          margin-left: 0;
        }
      }
      @media (max-width: 420px) {
        /* Room for search and the bell on the smallest screens, where the name shrank to a letter. */
        .name {
          display: none;
        }
      }
      .status:empty {
        display: none;
      }
      .reconnecting {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        padding: 2px 10px;
        border-radius: var(--pl-radius-pill);
        background: var(--pl-color-warning-soft);
        color: var(--pl-color-warning);
        font-size: var(--pl-text-sm);
        font-weight: var(--pl-weight-medium);
        white-space: nowrap;
      }
      .dot {
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: currentColor;
        animation: pulse 1.2s ease-in-out infinite;
      }
      @keyframes pulse {
        50% {
          opacity: 0.3;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .dot {
          animation: none;
        }
      }
      .user {
        display: inline-flex;
        align-items: center;
        gap: var(--pl-space-1);
        min-width: 0;
      }
      .settings {
        display: inline-grid;
        place-items: center;
        width: 40px;
        height: 40px;
        border-radius: var(--pl-radius-sm);
        color: var(--pl-color-text);
      }
      .settings:hover {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text);
      }
      .settings svg {
        width: 22px;
        height: 22px;
      }
      .name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        max-width: 24ch;
        color: var(--pl-color-text-muted);
        text-decoration: none;
      }
      a.name:hover {
        color: var(--pl-color-text);
        text-decoration: underline;
      }
      @media (max-width: 480px) {
        .name {
          max-width: 11ch;
          font-size: var(--pl-text-sm);
        }
      }
    `,
  ];

  /** The signed-in person; null shows no account controls. */
  @property({ attribute: false }) user: User | null = null;

  /** The live stream's state; `reconnecting` shows the indicator. */
  @property() connection: ConnectionState = 'idle';

  override render() {
    return html`<header>
      <div class="inner">
        <a class="brand" href="/"><span class="mark" aria-hidden="true">P</span>Plenary</a>
        ${this.user ? html`<pl-search-box></pl-search-box>` : nothing}
        <span class="spacer"></span>
        <span class="status" role="status"
          >${
            this.connection === 'reconnecting'
              ? html`<span class="reconnecting" title=${t('Live updates are paused; the page still works')}
                ><span class="dot" aria-hidden="true"></span>${t('Reconnecting…')}</span
              >`
              : nothing
          }</span
        >
        ${
          this.user
            ? html`<span class="user">
              <pl-notifications .userId=${this.user.id}></pl-notifications>
              <a class="settings" href="/settings/email" aria-label=${t('Email settings')} title=${t('Email settings')}
                ><svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
                  <rect x="3" y="5" width="18" height="14" rx="2" />
                  <path d="m3 7 9 6 9-6" stroke-linejoin="round" /></svg
              ></a>
              <a class="name" href="/settings/account" title=${t('Account settings ({who})', { who: this.user.email ?? this.user.name })}
                >${this.user.name}</a
              >
              <button class="secondary small" type="button" @click=${this.#signOut}>${t('Sign out')}</button>
            </span>`
            : nothing
        }
      </div>
    </header>`;
  }

  #signOut() {
    fireEvent(this, 'pl-sign-out');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-app-bar': PlAppBar;
  }
  interface PlEvents {
    'pl-sign-out': undefined;
  }
}
