import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { streamContext } from '../data/context';
import { absorbPersonalEvent } from '../data/group-store';
import { groupNotifications, type NotificationEntry } from '../data/notification-groups';
import { NotificationStore, notificationHref } from '../data/notifications';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { TopicController } from '../data/topic-controller';
import { t } from '../i18n';
import { navigate } from '../router';
import { absoluteTime, relativeTime } from '../ui/format';
import { inlineMarkdown } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';

/**
 * The notifications bell: the unread count on the button, and a panel with
 * the newest notifications (each a link to where it happened), "Mark all
 * read", and more on request. Live from the `me` topic. Notifications about
 * one thing share a line (client/data/notification-groups.ts); the count is
 * the server's, of notifications.
 */
@customElement('pl-notifications')
export class PlNotifications extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: inline-block;
        position: relative;
      }
      button.bell {
        position: relative;
        width: 40px;
        min-height: 40px;
        padding: 0;
        border-color: transparent;
        background: transparent;
        color: var(--pl-color-text);
      }
      button.bell:hover,
      button.bell[aria-expanded='true'] {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text);
      }
      button.bell svg {
        width: 22px;
        height: 22px;
      }
      .count {
        position: absolute;
        top: 2px;
        right: 0;
        min-width: 18px;
        height: 18px;
        padding: 0 5px;
        border-radius: var(--pl-radius-pill);
        background: var(--pl-color-danger);
        color: #fff;
        font-size: 0.7rem;
        font-weight: var(--pl-weight-bold);
        line-height: 18px;
        text-align: center;
      }
      .panel {
        position: absolute;
        right: 0;
        top: calc(100% + 8px);
        z-index: 20;
        width: min(380px, calc(100vw - 16px));
        max-height: min(70vh, 560px);
        display: flex;
        flex-direction: column;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
        background: var(--pl-color-surface);
        box-shadow: var(--pl-shadow-lg);
      }
      @media (max-width: 480px) {
        .panel {
          position: fixed;
          right: 8px;
          left: 8px;
          top: 60px;
          width: auto;
        }
      }
      .panel-head {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: var(--pl-space-1);
        padding: 12px var(--pl-space-2);
        border-bottom: 1px solid var(--pl-color-border);
      }
      .panel-head h2 {
        font-size: var(--pl-text-md);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 4px;
        overflow-y: auto;
      }
      li a,
      li .item {
        display: grid;
        grid-template-columns: 10px minmax(0, 1fr);
        gap: 2px 10px;
        padding: 10px 12px;
        border-radius: var(--pl-radius-sm);
        color: var(--pl-color-text);
        text-decoration: none;
      }
      li a:hover {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text);
      }
      .dot {
        width: 8px;
        height: 8px;
        margin-top: 7px;
        border-radius: 50%;
      }
      .unread .dot {
        background: var(--pl-color-accent);
      }
      .unread .text {
        font-weight: var(--pl-weight-medium);
      }
      .text {
        overflow-wrap: anywhere;
      }
      .text code {
        font-family: var(--pl-font-mono);
        font-size: 0.9em;
      }
      .summary {
        grid-column: 2;
        font-size: var(--pl-text-sm);
        color: var(--pl-color-text);
      }
      .when {
        grid-column: 2;
        font-size: var(--pl-text-sm);
        color: var(--pl-color-text-muted);
      }
      .empty,
      .foot {
        padding: var(--pl-space-2);
      }
      .foot {
        border-top: 1px solid var(--pl-color-border);
        text-align: center;
      }
    `,
  ];

  /** Whose notifications (the signed-in person's id); changing it starts afresh. */
  @property() userId = '';

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private open = false;
  @state() private error: string | null = null;

  readonly store = new NotificationStore();
  readonly #state = new StoreController(this, this.store);
  /** Follows `me` while signed in; the store absorbs what arrives. */
  protected readonly liveTopic = new TopicController(this, {
    stream: () => this.stream,
    topic: () => (this.userId ? 'me' : null),
    onEvent: (event) => {
      this.store.absorb(event);
      absorbPersonalEvent(event);
    },
    onReset: () => void this.store.refresh(),
  });

  readonly #onDocumentClick = (event: MouseEvent) => {
    if (this.open && !event.composedPath().includes(this)) this.open = false;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('click', this.#onDocumentClick);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('click', this.#onDocumentClick);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('userId')) {
      this.store.clear();
      this.open = false;
      if (this.userId) void this.store.refresh();
    }
  }

  override render() {
    const s = this.#state.value!;
    const unread = s.unreadCount;
    const label = unread > 0 ? t('Notifications, {count} unread', { count: unread }) : t('Notifications');
    return html`<button
        class="bell"
        type="button"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="notifications-panel"
        aria-label=${label}
        title=${label}
        @click=${this.#toggle}
      >
        <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" stroke-linejoin="round" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" stroke-linecap="round" />
        </svg>
        ${unread > 0 ? html`<span class="count" aria-hidden="true">${unread > 99 ? '99+' : unread}</span>` : nothing}
      </button>
      ${
        this.open
          ? html`<section
            id="notifications-panel"
            class="panel"
            aria-labelledby="notifications-heading"
            @keydown=${this.#panelKey}
          >
            <div class="panel-head">
              <h2 id="notifications-heading" tabindex="-1">${t('Notifications')}</h2>
              ${
                unread > 0
                  ? html`<button class="secondary small" type="button" @click=${() => this.#markRead()}>${t('Mark all read')}</button>`
                  : nothing
              }
            </div>
            ${this.error ? html`<p class="field-error empty" role="alert">${this.error}</p>` : nothing}
            ${
              s.status === 'loading' && s.items.length === 0
                ? html`<p class="muted empty" aria-busy="true">${t('Loading…')}</p>`
                : s.status === 'error' && s.items.length === 0
                  ? html`<p class="alert empty" role="alert">${t('Notifications could not be loaded.')}</p>`
                  : s.items.length === 0
                    ? html`<p class="muted empty">${t('Nothing yet. Mentions, replies and decisions will show here.')}</p>`
                    : html`<ul aria-label=${t('Notifications')}>
                      ${repeat(
                        groupNotifications(s.items),
                        (e) => e.key,
                        (e) => this.#entry(e),
                      )}
                    </ul>`
            }
            ${
              s.nextCursor
                ? html`<div class="foot">
                  <button class="secondary small" type="button" @click=${this.#more}>${t('Show older')}</button>
                </div>`
                : nothing
            }
          </section>`
          : nothing
      }`;
  }

  /** One line: a notification, or several about one thing (client/data/notification-groups.ts). */
  #entry(entry: NotificationEntry) {
    const unread = entry.unreadIds.length > 0;
    const href = notificationHref(entry.target);
    const content = html`<span class="dot" aria-hidden="true"></span>
      <span class="text">${unread ? html`<span class="sr-only">${t('Unread: ')}</span>` : nothing}${inlineMarkdown(entry.shown.text)}</span>
      ${entry.summary ? html`<span class="summary">${entry.summary}</span>` : nothing}
      <time class="when" datetime=${entry.at} title=${absoluteTime(entry.at)}>${relativeTime(entry.at)}</time>`;
    return html`<li class=${unread ? 'unread' : ''}>
      ${
        href
          ? html`<a href=${href} @click=${(e: MouseEvent) => this.#follow(e, entry, href)}>${content}</a>`
          : html`<div class="item">${content}</div>`
      }
    </li>`;
  }

  async #toggle() {
    this.open = !this.open;
    this.error = null;
    if (this.open) {
      void this.store.refresh();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#notifications-heading')?.focus({ preventScroll: true });
    }
  }

  #panelKey(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.open = false;
      this.renderRoot.querySelector<HTMLButtonElement>('button.bell')?.focus();
    }
  }

  #follow(event: MouseEvent, entry: NotificationEntry, href: string) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    this.open = false;
    // Opening the entry marks all it stands for: the thread or proposal is being looked at now.
    if (entry.unreadIds.length > 0) void this.#markRead(entry.unreadIds);
    const url = new URL(href, location.href);
    // Another comment of the thread being read: a hash change, which the thread page follows.
    if (url.pathname !== location.pathname || !url.hash) navigate(href);
    else if (location.hash === url.hash) dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = url.hash;
  }

  async #markRead(ids?: string[]) {
    this.error = null;
    try {
      await this.store.markRead(ids);
    } catch {
      this.error = t('Could not mark as read. Try again.');
    }
  }

  async #more() {
    try {
      await this.store.loadMore();
    } catch {
      this.error = t('Older notifications could not be loaded.');
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-notifications': PlNotifications;
  }
}
