import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Group } from '../data/groups';
import { NO_THREAD_PERMISSIONS, type Thread } from '../data/threads';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { absoluteTime, relativeTime } from '../ui/format';
import { markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';
import './pl-presence';

/** What a thread's controls ask of the page (`proposals`: to the panel of open proposals). */
export type ThreadAction = 'propose' | 'edit' | 'pin' | 'unpin' | 'close' | 'reopen' | 'proposals';

/** Detail of `pl-thread-action`. */
export interface ThreadActionDetail {
  action: ThreadAction;
}

/**
 * The top of a thread page: the group it is in, the title (the page's `h1`)
 * with Pinned / Closed badges, who started it and when, counts (the open
 * proposals' a button to their panel), who is here now, the Markdown context, and the controls the viewer may use (New
 * proposal; Edit; Pin, Unpin and Reopen for facilitators; Close for them and
 * the author). It only asks: the page acts, confirms and reports.
 *
 * @fires pl-thread-action - {@link ThreadActionDetail}: a control was used
 */
@customElement('pl-thread-header')
export class PlThreadHeader extends LitElement {
  static override styles = [
    sharedStyles,
    markdownStyles,
    css`
      :host {
        display: block;
        margin-bottom: var(--pl-space-3);
      }
      .crumb {
        margin-bottom: var(--pl-space-half);
        font-size: var(--pl-text-sm);
      }
      .title-row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-1);
      }
      h1 {
        overflow-wrap: anywhere;
        margin-right: var(--pl-space-1);
      }
      .badge.closed {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text);
      }
      .byline {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: var(--pl-space-1) var(--pl-space-2);
        margin-top: var(--pl-space-1);
      }
      .context {
        margin-top: var(--pl-space-2);
        max-width: 72ch;
      }
      button.count {
        min-height: 0;
        padding: 0;
        border: 0;
        background: none;
        color: var(--pl-color-accent);
        font: inherit;
        text-decoration: underline;
        text-underline-offset: 0.15em;
        cursor: pointer;
      }
      button.count:hover {
        color: var(--pl-color-accent-hover);
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
        margin-top: var(--pl-space-2);
      }
    `,
  ];

  /** The thread shown. */
  @property({ attribute: false }) thread: Thread | null = null;

  /** Its group, once loaded: its name, the viewer's role and whether members may propose. */
  @property({ attribute: false }) group: Group | null = null;

  /** The viewer's user id: the thread's author may edit and close it. */
  @property() viewerId = '';

  /** The edit form is open: no Edit button. */
  @property({ type: Boolean }) editing = false;

  /** The proposal form is open: no New proposal button. */
  @property({ type: Boolean }) proposing = false;

  /** A change the page asked for is on its way: Pin, Close and Reopen wait. */
  @property({ type: Boolean }) busy = false;

  /** Moves focus to the title (after the edit form closes). */
  async focusTitle(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
  }

  /** Moves focus to the button of `action`, if it is shown (after the form it opened closes). */
  async focusAction(action: ThreadAction): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`button[data-action="${action}"]`)?.focus();
  }

  override render() {
    const thread = this.thread;
    if (!thread) return nothing;
    // Permissions come with the thread and the group (the server's rules); the thread's state does the rest.
    const may = thread.permissions ?? NO_THREAD_PERMISSIONS;
    const closed = thread.closedAt !== null;
    const canEdit = may.edit;
    const canPin = may.pin;
    const canClose = !closed && may.close;
    const canReopen = closed && may.reopen;
    const canPropose = !closed && !!this.group?.permissions.createProposal;
    return html`<header>
      <p class="crumb">
        <a href="/groups/${encodeURIComponent(thread.groupId)}">${this.group?.name ?? t('Back to the group')}</a>
      </p>
      <div class="title-row">
        <h1 tabindex="-1">${thread.title}</h1>
        ${thread.pinned ? html`<span class="badge accent">${t('Pinned')}</span>` : nothing}
        ${
          closed
            ? html`<span class="badge closed" title=${t('Closed {date}', { date: absoluteTime(thread.closedAt!) })}
                >${t('{thread, select, closed {Closed} other {Open}}', { thread: 'closed' })}</span
              >`
            : nothing
        }
      </div>
      <div class="byline">
        <p class="muted small">
          ${thread.author ? t('Started by {name}', { name: thread.author.name }) : t('Started by a former member')}
          <time datetime=${thread.createdAt} title=${absoluteTime(thread.createdAt)}>${relativeTime(thread.createdAt)}</time>
          · ${t('{count, plural, one {# comment} other {# comments}}', { count: thread.commentCount })}${
            thread.openProposalCount > 0
              ? html` · <button
                  type="button"
                  class="count"
                  data-action="proposals"
                  @click=${() => fireEvent(this, 'pl-thread-action', { action: 'proposals' })}
                >${t('{count, plural, one {# open proposal} other {# open proposals}}', { count: thread.openProposalCount })}</button>`
              : nothing
          }
          ${
            thread.updatedAt !== thread.createdAt
              ? html` · <span title=${absoluteTime(thread.updatedAt)}>${t('edited')}</span>`
              : nothing
          }
        </p>
        <pl-presence .topic=${`thread:${thread.id}`} .viewerId=${this.viewerId}></pl-presence>
      </div>
      ${thread.body ? html`<div class="context markdown">${markdown(thread.body)}</div>` : nothing}
      ${
        canEdit || canPin || canClose || canReopen || canPropose
          ? html`<div class="controls" role="group" aria-label=${t('Thread actions')}>
            ${canPropose && !this.proposing ? this.#button('propose', t('New proposal'), { primary: true }) : nothing}
            ${canEdit && !this.editing ? this.#button('edit', t('Edit thread')) : nothing}
            ${
              canPin
                ? this.#button(thread.pinned ? 'unpin' : 'pin', thread.pinned ? t('Unpin') : t('Pin'), {
                    pressed: thread.pinned,
                    waits: true,
                  })
                : nothing
            }
            ${canClose ? this.#button('close', t('Close thread'), { waits: true }) : nothing}
            ${canReopen ? this.#button('reopen', t('Reopen thread'), { waits: true }) : nothing}
          </div>`
          : nothing
      }
    </header>`;
  }

  #button(
    action: ThreadAction,
    label: string,
    how: { primary?: boolean; pressed?: boolean; waits?: boolean } = {},
  ) {
    return html`<button
      type="button"
      class=${how.primary ? 'small' : 'secondary small'}
      data-action=${action}
      aria-pressed=${how.pressed === undefined ? nothing : how.pressed ? 'true' : 'false'}
      ?disabled=${!!how.waits && this.busy}
      @click=${() => fireEvent(this, 'pl-thread-action', { action })}
    >
      ${label}
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-thread-header': PlThreadHeader;
  }
  interface PlEvents {
    'pl-thread-action': ThreadActionDetail;
  }
}
