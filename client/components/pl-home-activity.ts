import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { HomeThread } from '../data/home';
import { t } from '../i18n';
import { absoluteTime, relativeTime } from '../ui/format';
import { sharedStyles } from '../ui/styles';

/**
 * "Recent activity": threads of the viewer's groups with comments they have
 * not read, most recently active first, each with its group and how many
 * comments are unread; each leads to its thread.
 */
@customElement('pl-home-activity')
export class PlHomeActivity extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      a.thread {
        display: flex;
        align-items: baseline;
        justify-content: space-between;
        gap: var(--pl-space-2);
        padding: var(--pl-space-1) var(--pl-space-2);
        background: var(--pl-color-surface);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
        color: var(--pl-color-text);
        text-decoration: none;
      }
      a.thread:hover {
        border-color: var(--pl-color-accent);
      }
      .title {
        font-weight: var(--pl-weight-bold);
      }
      .where {
        display: block;
      }
      .badge {
        flex: none;
      }
    `,
  ];

  /** Threads with unread comments, in the order to show them. */
  @property({ attribute: false }) threads: HomeThread[] = [];

  /** The time "3 min ago" counts from; the page moves it on. */
  @property({ type: Number }) now = Date.now();

  override render() {
    if (this.threads.length === 0)
      return html`<p class="muted small">${t('Nothing unread in your groups. You are up to date.')}</p>`;
    return html`<ul>
      ${this.threads.map(
        (thread) => html`<li>
          <a class="thread" href="/threads/${encodeURIComponent(thread.id)}">
            <span>
              <span class="title">${thread.title}</span>
              <span class="where small muted"
                >${thread.group.name} ·
                <time datetime=${thread.lastActivityAt} title=${absoluteTime(thread.lastActivityAt)}
                  >${relativeTime(thread.lastActivityAt, this.now)}</time
                ></span
              >
            </span>
            ${
              thread.unreadCount > 0
                ? html`<span class="badge accent">${t('{count, plural, one {# unread} other {# unread}}', { count: thread.unreadCount })}</span>`
                : nothing
            }
          </a>
        </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-home-activity': PlHomeActivity;
  }
}
