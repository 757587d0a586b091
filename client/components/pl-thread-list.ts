import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type FieldErrors, splitErrors } from '../data/api';
import { clearDraft } from '../data/comments';
import { sessionContext, streamContext } from '../data/context';
import { groupStore } from '../data/group-store';
import type { Group } from '../data/groups';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { type ThreadListStore, threadListStore } from '../data/thread-list-store';
import type { Thread } from '../data/threads';
import { TopicController } from '../data/topic-controller';
import { t } from '../i18n';
import { navigate } from '../router';
import { absoluteTime, relativeTime } from '../ui/format';
import { checkFields, field, formAlert, formValues, markdownField, revealErrors } from '../ui/forms';
import { sharedStyles } from '../ui/styles';

import './pl-markdown-editor';

/** Where the context of a thread not yet started is kept. */
const newThreadDraftKey = (groupId: string) => `plenary:draft:new-thread:${groupId}`;

/**
 * A group's threads: open ones (pinned first, then the most recently
 * active) with comment, unread and open-proposal counts, the closed ones in
 * a section of their own, and "New thread" for whoever may start one.
 * Follows `group:<id>` so new threads and comments show without a reload.
 */
@customElement('pl-thread-list')
export class PlThreadList extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: var(--pl-space-1);
        margin-bottom: var(--pl-space-2);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li + li {
        border-top: 1px solid var(--pl-color-border);
      }
      .thread {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        gap: var(--pl-space-half) var(--pl-space-2);
        padding: 12px var(--pl-space-1);
        margin: 0 calc(-1 * var(--pl-space-1));
        border-radius: var(--pl-radius-sm);
        color: var(--pl-color-text);
        text-decoration: none;
      }
      .thread:hover {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text);
      }
      .title {
        font-weight: var(--pl-weight-medium);
        overflow-wrap: anywhere;
      }
      .thread.unread .title {
        font-weight: var(--pl-weight-bold);
      }
      .meta {
        grid-column: 1;
        font-size: var(--pl-text-sm);
        color: var(--pl-color-text-muted);
      }
      .counts {
        grid-column: 2;
        grid-row: 1 / span 2;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: flex-end;
        align-content: center;
        gap: var(--pl-space-half) var(--pl-space-1);
        max-width: 220px;
      }
      .count {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        font-size: var(--pl-text-sm);
        color: var(--pl-color-text-muted);
        white-space: nowrap;
      }
      .count svg {
        width: 16px;
        height: 16px;
      }
      .badge.unread {
        background: var(--pl-color-accent);
        color: var(--pl-color-on-accent);
      }
      .badge.proposals {
        background: var(--pl-color-warning-soft);
        color: var(--pl-color-warning);
      }
      .pin {
        margin-right: 6px;
        vertical-align: -2px;
        color: var(--pl-color-accent);
      }
      @media (max-width: 480px) {
        .thread {
          grid-template-columns: minmax(0, 1fr);
        }
        .counts {
          grid-column: 1;
          grid-row: auto;
          justify-content: flex-start;
          max-width: none;
        }
      }
      .empty {
        padding: var(--pl-space-3) var(--pl-space-2);
        text-align: center;
        border: 1px dashed var(--pl-color-border-strong);
        border-radius: var(--pl-radius);
      }
      .more {
        margin-top: var(--pl-space-1);
      }
      details.closed {
        margin-top: var(--pl-space-3);
      }
      details.closed summary {
        cursor: pointer;
        font-weight: var(--pl-weight-medium);
        padding: var(--pl-space-half) 0;
        border-radius: var(--pl-radius-sm);
      }
      details.closed ul {
        margin-top: var(--pl-space-1);
      }
      details.closed .title {
        color: var(--pl-color-text-muted);
      }
      form.new {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
        margin-bottom: var(--pl-space-3);
        padding: var(--pl-space-2);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
        background: var(--pl-color-bg);
      }
      form.new textarea {
        min-height: 140px;
      }
    `,
  ];

  /** The group whose threads to list (its settings and the viewer's role decide "New thread"). */
  @property({ attribute: false }) group: Group | null = null;

  @consume({ context: sessionContext })
  private session?: Session;

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private composing = false;
  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;
  @state() private moreError: string | null = null;

  #store: ThreadListStore | null = null;
  readonly #list = new StoreController(this, () => this.#store ?? undefined);
  /** Follows `group:<id>` while the list is shown; the store absorbs what arrives. */
  protected readonly liveTopic = new TopicController(this, {
    stream: () => this.stream,
    topic: () => (this.group ? `group:${this.group.id}` : null),
    onEvent: (event) => this.#store?.absorb(event),
    onReset: () => void this.#store?.refresh(),
  });

  protected override willUpdate(changed: PropertyValues<this>): void {
    const groupId = this.group?.id ?? null;
    if (changed.has('group') && groupId && groupId !== this.#store?.groupId) {
      this.#store = threadListStore(groupId, this.session?.user?.id ?? null);
      this.composing = false;
      void this.#store.refresh();
    }
  }

  override render() {
    const group = this.group;
    const data = this.#list.value;
    if (!group) return nothing;
    const canStart = group.permissions.startThread;
    return html`
      <div class="head">
        <h2 id="threads-heading">${t('Threads')}</h2>
        ${
          canStart
            ? html`<button
              type="button"
              class=${this.composing ? 'secondary' : ''}
              aria-expanded=${this.composing ? 'true' : 'false'}
              aria-controls="new-thread"
              @click=${this.#toggleComposing}
            >
              ${t('New thread')}
            </button>`
            : html`<p class="muted small">${t('Only facilitators start threads in this group.')}</p>`
        }
      </div>
      ${this.composing ? this.#form() : nothing}
      ${
        !data || (data.status === 'loading' && data.open.items.length === 0)
          ? html`<p class="muted" aria-busy="true">${t('Loading threads…')}</p>`
          : data.status === 'error'
            ? html`<p class="alert" role="alert">
              ${t('The threads could not be loaded: {error}', { error: data.error?.message })}
              <button class="secondary small" type="button" @click=${() => this.#store?.refresh()}>${t('Try again')}</button>
            </p>`
            : html`
              ${
                data.error
                  ? html`<p class="alert" role="alert">${t('Could not refresh the threads: {error}', { error: data.error.message })}</p>`
                  : nothing
              }
              ${
                data.open.items.length === 0
                  ? html`<div class="empty">
                    <p><strong>${t('No open threads yet.')}</strong></p>
                    <p class="muted small">${canStart ? t('Start one to get a discussion going.') : t('A facilitator can start one.')}</p>
                  </div>`
                  : html`<ul aria-label=${t('Open threads')}>
                    ${data.open.items.map((thread) => this.#row(thread))}
                  </ul>`
              }
              ${
                data.open.nextCursor
                  ? html`<button class="secondary small more" type="button" @click=${() => this.#more('open')}>
                    ${t('Show more threads')}
                  </button>`
                  : nothing
              }
              ${
                data.closed.items.length > 0
                  ? html`<details class="closed">
                    <summary>
                      ${t('Closed threads')}
                      <span class="badge">${data.closed.items.length}${data.closed.nextCursor ? '+' : ''}</span>
                    </summary>
                    <ul aria-label=${t('Closed threads')}>
                      ${data.closed.items.map((thread) => this.#row(thread))}
                    </ul>
                    ${
                      data.closed.nextCursor
                        ? html`<button class="secondary small more" type="button" @click=${() => this.#more('closed')}>
                          ${t('Show more closed threads')}
                        </button>`
                        : nothing
                    }
                  </details>`
                  : nothing
              }
              ${this.moreError ? html`<p class="field-error" role="alert">${this.moreError}</p>` : nothing}
            `
      }
    `;
  }

  #row(thread: Thread) {
    const unread = thread.unreadCount > 0;
    const comments = t('{count, plural, one {# comment} other {# comments}}', { count: thread.commentCount });
    return html`<li data-thread-id=${thread.id}>
      <a class="thread ${unread ? 'unread' : ''}" href="/threads/${encodeURIComponent(thread.id)}">
        <span class="title"
          >${
            thread.pinned
              ? html`<svg class="pin" width="14" height="14" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
                  <path d="M16 3l5 5-3 1-4 4 1 5-2 2-4-4-5 5-1-1 5-5-4-4 2-2 5 1 4-4z" /></svg
                ><span class="sr-only">${t('Pinned:')} </span>`
              : nothing
          }${thread.title}</span
        >
        <span class="meta">
          ${thread.author ? `${thread.author.name} · ` : ''}${t(
            '{state, select, closed {closed} other {active}}',
            {
              state: thread.closedAt ? 'closed' : 'open',
            },
          )}
          <time datetime=${thread.closedAt ?? thread.lastActivityAt} title=${absoluteTime(thread.closedAt ?? thread.lastActivityAt)}
            >${relativeTime(thread.closedAt ?? thread.lastActivityAt)}</time
          >
        </span>
        <span class="counts">
          ${
            thread.openProposalCount > 0
              ? html`<span class="badge proposals"
                  >${t('{count, plural, one {# open proposal} other {# open proposals}}', { count: thread.openProposalCount })}</span
                >`
              : nothing
          }
          ${unread ? html`<span class="badge unread">${t('{count} unread', { count: thread.unreadCount })}</span>` : nothing}
          <span class="count" title=${comments}>
            <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
              <path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1.1-4.6A8 8 0 1 1 21 12z" />
            </svg>
            <span aria-hidden="true">${thread.commentCount}</span><span class="sr-only">${comments}</span>
          </span>
        </span>
      </a>
    </li>`;
  }

  #form() {
    return html`<form id="new-thread" class="new" novalidate aria-labelledby="new-thread-heading" @submit=${this.#create}>
      <h3 id="new-thread-heading">${t('Start a thread')}</h3>
      ${formAlert(this.formError)}
      ${field({ name: 'title', label: t('Title'), required: true, maxlength: 200, error: this.errors.title })}
      ${markdownField({
        name: 'body',
        label: t('Context (optional)'),
        hint: t('What is this about, and what should the group consider?'),
        error: this.errors.body,
        draftKey: newThreadDraftKey(this.group!.id),
        members: groupStore(this.group!.id).value.members.map((m) => m.user),
        groupId: this.group!.id,
      })}
      <div class="buttons">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Starting…') : t('Start thread')}</button>
        <button type="button" class="secondary" @click=${this.#toggleComposing}>${t('Cancel')}</button>
      </div>
    </form>`;
  }

  async #toggleComposing() {
    this.composing = !this.composing;
    this.errors = {};
    this.formError = null;
    if (this.composing) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#field-title')?.focus();
    } else {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLButtonElement>('[aria-controls="new-thread"]')?.focus();
    }
  }

  async #create(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy || !this.#store) return;
    const form = event.target as HTMLFormElement;
    this.errors = checkFields(form);
    this.formError = null;
    if (await revealErrors(this, this.errors)) return;
    const v = formValues(form);
    this.busy = true;
    try {
      const thread = await this.#store.create({ title: v.title!.trim(), body: v.body ?? '' });
      clearDraft(newThreadDraftKey(this.group!.id));
      this.composing = false;
      navigate(`/threads/${encodeURIComponent(thread.id)}`);
    } catch (err) {
      const split = splitErrors(err, ['title', 'body']);
      this.errors = split.fields;
      this.formError = split.form;
      await revealErrors(this, split.fields, split.form);
    } finally {
      this.busy = false;
    }
  }

  async #more(which: 'open' | 'closed') {
    this.moreError = null;
    try {
      await this.#store?.loadMore(which);
    } catch (err) {
      this.moreError = splitErrors(err, []).form;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-thread-list': PlThreadList;
  }
}
