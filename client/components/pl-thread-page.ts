import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { type FieldErrors, splitErrors } from '../data/api';
import type { Comment, Mentionable } from '../data/comments';
import { sessionContext, streamContext } from '../data/context';
import { groupStore } from '../data/group-store';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import {
  buildTimeline,
  type CommentEntry,
  type ThreadState,
  type ThreadStore,
  type TimelineRow,
  threadStore,
} from '../data/thread-store';
import type { Proposal } from '../data/proposals';
import type { Thread, TimelineItem } from '../data/threads';
import { TopicController } from '../data/topic-controller';
import { checkFields, field, formAlert, formValues, revealErrors } from '../ui/forms';
import { absoluteTime, plural, relativeTime } from '../ui/format';
import { markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';
import type { DeleteCommentDetail, ReplyDetail } from './pl-comment';
import type { CommentPostedDetail, PlComposer } from './pl-composer';
import type { PlConfirmDialog } from './pl-confirm-dialog';
import type { CommentChangedDetail } from './pl-reactions';
import './pl-comment';
import './pl-composer';
import './pl-confirm-dialog';
import './pl-outcome';
import './pl-presence';
import './pl-proposal-card';
import './pl-proposal-form';

/** Older pages tried when a link points at a comment that is not in the newest page. */
const MAX_PAGES_FOR_LINK = 6;

/**
 * A thread: title, Markdown context, author, controls (edit; pin, close and
 * reopen for facilitators; the author may close), who is here now, and the
 * timeline — comments with one level of replies, proposals and outcomes —
 * newest page first with older pages loaded on scrolling up, a "new since
 * your last visit" divider, and the composer. Follows `thread:<id>` on the
 * live stream, so everything others do shows without a reload, each once.
 */
@customElement('pl-thread-page')
export class PlThreadPage extends LitElement {
  static override styles = [
    sharedStyles,
    markdownStyles,
    css`
      :host {
        /* Older pages are put in above what is being read; the page keeps the reader's place itself. */
        overflow-anchor: none;
      }
      .crumb {
        margin-bottom: var(--pl-space-half);
        font-size: var(--pl-text-sm);
      }
      .head {
        margin-bottom: var(--pl-space-3);
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
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
        margin-top: var(--pl-space-2);
      }
      .messages:empty {
        display: none;
      }
      .messages {
        margin-bottom: var(--pl-space-2);
      }
      form.edit-thread {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
        margin-bottom: var(--pl-space-3);
      }
      form.edit-thread textarea {
        min-height: 160px;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
      }
      .proposal-form {
        margin-bottom: var(--pl-space-3);
      }
      .proposal-form .form-head {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: var(--pl-space-1);
        margin-bottom: var(--pl-space-2);
      }
      .timeline {
        margin-bottom: var(--pl-space-3);
      }
      .older {
        display: flex;
        justify-content: center;
        padding: var(--pl-space-1) 0 var(--pl-space-2);
      }
      .start {
        text-align: center;
        padding: var(--pl-space-1) 0 var(--pl-space-2);
      }
      ol.rows,
      ol.replies {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      ol.rows > li {
        margin-bottom: var(--pl-space-1);
      }
      .conversation {
        background: var(--pl-color-surface);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
      }
      ol.replies {
        margin: 0 12px 8px 60px;
        border-left: 2px solid var(--pl-color-border);
      }
      @media (max-width: 480px) {
        ol.replies {
          margin-left: 24px;
        }
      }
      .reply-composer {
        margin: 0 12px 12px 60px;
      }
      @media (max-width: 480px) {
        .reply-composer {
          margin-left: 12px;
        }
      }
      .orphan-note {
        padding: 8px 12px 0;
      }
      .event {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
        padding: 4px 12px;
        font-size: var(--pl-text-sm);
        color: var(--pl-color-text-muted);
      }
      .event::before {
        content: '';
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: var(--pl-color-border-strong);
        flex: none;
      }
      .fallback {
        padding: 12px var(--pl-space-2);
      }
      .divider {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
        margin: var(--pl-space-2) 0;
        color: var(--pl-color-accent-hover);
        font-size: var(--pl-text-sm);
        font-weight: var(--pl-weight-bold);
        scroll-margin-top: 96px;
      }
      .divider::before,
      .divider::after {
        content: '';
        flex: 1;
        border-top: 2px solid var(--pl-color-accent);
      }
      .composer-wrap {
        scroll-margin-bottom: var(--pl-space-4);
      }
      .live {
        position: sticky;
        bottom: var(--pl-space-2);
        display: flex;
        justify-content: center;
        pointer-events: none;
        margin-bottom: var(--pl-space-2);
      }
      .live button {
        pointer-events: auto;
        box-shadow: var(--pl-shadow-lg);
        border-radius: var(--pl-radius-pill);
      }
      .sentinel {
        height: 1px;
      }
    `,
  ];

  /** The thread to show. */
  @property() threadId = '';

  @consume({ context: sessionContext })
  private session?: Session;

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private replyTo: ReplyDetail | null = null;
  @state() private editing = false;
  @state() private editErrors: FieldErrors = {};
  @state() private editFormError: string | null = null;
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private notice: string | null = null;
  @state() private proposing = false;
  /** New items that arrived live while the bottom was out of view. */
  @state() private unseenLive = 0;
  @state() private announcement = '';

  @query('pl-confirm-dialog') private confirm!: PlConfirmDialog;

  #store: ThreadStore | null = null;
  readonly #thread = new StoreController<ThreadState>(this, () => this.#store ?? undefined);
  readonly #group = new StoreController(this, () => {
    const groupId = this.#thread.value?.thread?.groupId;
    return groupId ? groupStore(groupId) : undefined;
  });
  /** Follows `thread:<id>` while the page is shown; the store absorbs what arrives. */
  protected readonly liveTopic = new TopicController(this, {
    stream: () => this.stream,
    topic: () => (this.threadId ? `thread:${this.threadId}` : null),
    onEvent: (event) => this.#store?.absorb(event),
    onReset: () => void this.#store?.refresh(),
  });

  /** Whether this visit's first page has been scrolled to (the divider, a linked comment, or the end). */
  #positioned = false;
  /** The person has scrolled since the page opened: only then does reaching the top load older items. */
  #userScrolled = false;
  #bottomVisible = false;
  #lastItemCount = 0;
  #lastNewest = 0;
  #observer: IntersectionObserver | null = null;
  #observed = new Set<Element>();
  #loadingOlderByScroll = false;

  readonly #onScroll = () => {
    this.#userScrolled = true;
  };
  readonly #onVisibility = () => {
    if (document.visibilityState === 'visible' && this.#bottomVisible) void this.#store?.markRead();
  };
  readonly #onHash = () => void this.#scrollToHash();

  override connectedCallback(): void {
    super.connectedCallback();
    this.#observer = new IntersectionObserver((entries) => this.#intersections(entries), {
      rootMargin: '300px 0px 0px 0px',
    });
    addEventListener('wheel', this.#onScroll, { passive: true });
    addEventListener('touchmove', this.#onScroll, { passive: true });
    addEventListener('keydown', this.#onScroll);
    document.addEventListener('visibilitychange', this.#onVisibility);
    addEventListener('hashchange', this.#onHash);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer?.disconnect();
    this.#observer = null;
    this.#observed.clear();
    removeEventListener('wheel', this.#onScroll);
    removeEventListener('touchmove', this.#onScroll);
    removeEventListener('keydown', this.#onScroll);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    removeEventListener('hashchange', this.#onHash);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('threadId') && this.threadId) {
      const viewerId = this.session?.user?.id ?? null;
      this.#store = threadStore(this.threadId, viewerId);
      this.#store.viewerId = viewerId;
      this.replyTo = null;
      this.editing = false;
      this.proposing = false;
      this.error = null;
      this.notice = null;
      this.unseenLive = 0;
      this.#positioned = false;
      this.#userScrolled = false;
      this.#lastItemCount = 0;
      this.#lastNewest = 0;
      void this.#store.beginVisit();
    }
    // The store itself: the controller switches to a new one only after this.
    const data = this.#store?.value;
    const groupId = data?.thread?.groupId;
    if (groupId) {
      const group = groupStore(groupId);
      if (group.value.status === 'loading' && !group.value.group) void group.refresh();
    }
    if (data?.status === 'ready') this.#noticeLiveArrivals(data);
  }

  protected override updated(): void {
    const data = this.#thread.value;
    if (data?.thread) document.title = `${data.thread.title} · Plenary`;
    this.#observeSentinels();
    if (data?.status === 'ready' && !this.#positioned) {
      this.#positioned = true;
      void this.#position();
    }
    if (this.#bottomVisible && document.visibilityState === 'visible') void this.#store?.markRead();
  }

  override render() {
    const data = this.#thread.value;
    if (!data || (data.status === 'loading' && !data.thread)) {
      return html`<h1 tabindex="-1">Thread</h1>
        <p class="muted" aria-busy="true">Loading the thread…</p>`;
    }
    if (!data.thread) {
      const gone = data.error?.status === 404;
      return html`<h1 tabindex="-1">${gone ? 'Thread not found' : 'The thread could not be loaded'}</h1>
        <p class="muted">
          ${
            gone
              ? 'It does not exist, or you are not a member of its group.'
              : (data.error?.message ?? 'Something went wrong.')
          }
          <a href="/">Back to your groups</a>
        </p>`;
    }
    const thread = data.thread;
    const me = this.session?.user ?? null;
    const group = this.#group.value?.group ?? null;
    const facilitator = group?.myRole === 'facilitator';
    const closed = thread.closedAt !== null;
    const rows = buildTimeline(data.items, {
      readMarker: data.arrivedReadMarker,
      arrivedUpTo: data.arrivedLastEventId,
      viewerId: me?.id ?? null,
      olderHidden: data.olderCursor !== null,
    });
    const members: Mentionable[] = (this.#group.value?.members ?? [])
      .filter((m) => m.user.id !== me?.id)
      .map((m) => ({ id: m.user.id, name: m.user.name, handle: m.user.handle }));
    return html`
      ${this.#header(thread, facilitator, me?.id ?? null, group?.name ?? null)}
      <div class="messages">
        ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        ${data.error ? html`<p class="alert" role="alert">Could not refresh the thread: ${data.error.message}</p>` : nothing}
      </div>
      ${this.editing ? this.#editForm(thread) : nothing}
      ${
        this.proposing
          ? html`<section class="card proposal-form" aria-labelledby="proposal-form-heading">
            <div class="form-head">
              <h2 id="proposal-form-heading" tabindex="-1">New proposal</h2>
              <button type="button" class="secondary small" @click=${this.#closeProposalForm}>Cancel</button>
            </div>
            <pl-proposal-form thread-id=${thread.id} @proposal-created=${this.#proposalCreated}></pl-proposal-form>
          </section>`
          : nothing
      }
      <section class="timeline" aria-labelledby="discussion-heading">
        <h2 id="discussion-heading" class="sr-only">Discussion</h2>
        <div class="sentinel" data-sentinel="top"></div>
        ${
          data.olderCursor !== null
            ? html`<div class="older">
              <button
                type="button"
                class="secondary small"
                ?disabled=${data.loadingOlder}
                aria-busy=${data.loadingOlder ? 'true' : 'false'}
                @click=${() => this.#loadOlder()}
              >
                ${data.loadingOlder ? 'Loading earlier comments…' : 'Load earlier comments'}
              </button>
            </div>`
            : data.items.length > 1
              ? html`<p class="start muted small">The beginning of the thread</p>`
              : nothing
        }
        ${
          data.olderError
            ? html`<p class="field-error" role="alert">Earlier comments could not be loaded: ${data.olderError.message}</p>`
            : nothing
        }
        ${
          data.items.length === 0 || (rows.length === 1 && rows[0]!.type === 'thread')
            ? html`<p class="muted">No comments yet. ${closed ? '' : 'Be the first to share a view.'}</p>`
            : nothing
        }
        <ol class="rows" aria-label="Comments and proposals">
          ${repeat(
            rows,
            (row) => row.key,
            (row) => this.#row(row, thread, me?.id ?? '', facilitator, members),
          )}
        </ol>
        <div class="sentinel" data-sentinel="bottom"></div>
      </section>
      ${
        this.unseenLive > 0
          ? html`<div class="live">
            <button type="button" class="small" @click=${this.#jumpToEnd}>
              ${plural(this.unseenLive, 'new item')} below ↓
            </button>
          </div>`
          : nothing
      }
      <div class="composer-wrap">
        <pl-composer
          .threadId=${thread.id}
          .members=${members}
          .closed=${closed}
          label="Add a comment"
          @pl-comment-posted=${this.#posted}
          @pl-thread-closed=${this.#refresh}
        ></pl-composer>
      </div>
      <p class="sr-only" role="status" aria-live="polite">${this.announcement}</p>
      <pl-confirm-dialog></pl-confirm-dialog>
    `;
  }

  #header(thread: Thread, facilitator: boolean, myId: string | null, groupName: string | null) {
    const isAuthor = !!thread.author && thread.author.id === myId;
    const closed = thread.closedAt !== null;
    const canEdit = isAuthor || facilitator;
    const canClose = !closed && (isAuthor || facilitator);
    const group = this.#group.value?.group;
    const canPropose = !closed && (facilitator || !!group?.settings.membersCanCreateProposals);
    return html`<header class="head">
      <p class="crumb">
        <a href="/groups/${encodeURIComponent(thread.groupId)}">${groupName ?? 'Back to the group'}</a>
      </p>
      <div class="title-row">
        <h1 tabindex="-1">${thread.title}</h1>
        ${thread.pinned ? html`<span class="badge accent">Pinned</span>` : nothing}
        ${
          closed
            ? html`<span class="badge closed" title="Closed ${absoluteTime(thread.closedAt!)}">Closed</span>`
            : nothing
        }
      </div>
      <div class="byline">
        <p class="muted small">
          Started by ${thread.author?.name ?? 'a former member'}
          <time datetime=${thread.createdAt} title=${absoluteTime(thread.createdAt)}>${relativeTime(thread.createdAt)}</time>
          · ${plural(thread.commentCount, 'comment')}${
            thread.openProposalCount > 0
              ? html` · ${plural(thread.openProposalCount, 'open proposal')}`
              : nothing
          }
          ${
            thread.updatedAt !== thread.createdAt
              ? html` · <span title=${absoluteTime(thread.updatedAt)}>edited</span>`
              : nothing
          }
        </p>
        <pl-presence .topic=${`thread:${thread.id}`} .viewerId=${myId ?? ''}></pl-presence>
      </div>
      ${thread.body ? html`<div class="context markdown">${markdown(thread.body)}</div>` : nothing}
      ${
        canEdit || facilitator || canClose || canPropose
          ? html`<div class="controls" role="group" aria-label="Thread actions">
            ${
              canPropose && !this.proposing
                ? html`<button type="button" class="small" @click=${this.#openProposalForm}>New proposal</button>`
                : nothing
            }
            ${
              canEdit && !this.editing
                ? html`<button type="button" class="secondary small" @click=${this.#startEdit}>Edit thread</button>`
                : nothing
            }
            ${
              facilitator
                ? html`<button
                  type="button"
                  class="secondary small"
                  aria-pressed=${thread.pinned ? 'true' : 'false'}
                  ?disabled=${this.busy}
                  @click=${() => this.#patch({ pinned: !thread.pinned }, thread.pinned ? 'Unpinned.' : 'Pinned to the top of the group.')}
                >
                  ${thread.pinned ? 'Unpin' : 'Pin'}
                </button>`
                : nothing
            }
            ${
              canClose
                ? html`<button type="button" class="secondary small" ?disabled=${this.busy} @click=${this.#close}>
                  Close thread
                </button>`
                : nothing
            }
            ${
              closed && facilitator
                ? html`<button
                  type="button"
                  class="secondary small"
                  ?disabled=${this.busy}
                  @click=${() => this.#patch({ closed: false }, 'The thread is open again.')}
                >
                  Reopen thread
                </button>`
                : nothing
            }
          </div>`
          : nothing
      }
    </header>`;
  }

  #editForm(thread: Thread) {
    return html`<form class="card edit-thread" novalidate aria-labelledby="edit-heading" @submit=${this.#saveEdit}>
      <h2 id="edit-heading">Edit thread</h2>
      ${formAlert(this.editFormError)}
      ${field({ name: 'title', label: 'Title', required: true, maxlength: 200, value: thread.title, error: this.editErrors.title })}
      ${field({
        name: 'body',
        label: 'Context',
        multiline: true,
        maxlength: 100_000,
        value: thread.body,
        hint: 'Markdown is fine.',
        error: this.editErrors.body,
      })}
      <div class="buttons">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Save changes'}</button>
        <button type="button" class="secondary" @click=${this.#cancelEdit}>Cancel</button>
      </div>
    </form>`;
  }

  #row(row: TimelineRow, thread: Thread, myId: string, facilitator: boolean, members: Mentionable[]) {
    const closed = thread.closedAt !== null;
    switch (row.type) {
      case 'divider':
        return html`<li class="divider" data-divider>
          <span>New since your last visit${row.count > 0 ? ` (${row.count})` : ''}</span>
        </li>`;
      case 'thread':
        return html`<li class="event">
          ${thread.author?.name ?? 'A former member'} started this thread
          <time datetime=${row.item.at} title=${absoluteTime(row.item.at)}>${relativeTime(row.item.at)}</time>
        </li>`;
      case 'proposal':
        return html`<li data-event-id=${row.item.eventId}>${this.#proposal(row.item)}</li>`;
      case 'outcome':
        return html`<li data-event-id=${row.item.eventId}>${this.#outcome(row.item)}</li>`;
      case 'comment': {
        const top = row.entry.comment;
        const replying = this.replyTo && this.replyTo.topLevelId === top.id && !closed;
        return html`<li class="conversation" data-event-id=${row.entry.item.eventId}>
          ${row.orphan ? html`<p class="orphan-note muted small">A reply to an earlier comment</p>` : nothing}
          ${this.#comment(row.entry, myId, facilitator, closed, row.orphan)}
          ${
            row.replies.length > 0
              ? html`<ol class="replies" aria-label="Replies to ${top.author?.name ?? 'a former member'}">
                ${repeat(
                  row.replies,
                  (r) => r.comment.id,
                  (r) => html`<li>${this.#comment(r, myId, facilitator, closed, true)}</li>`,
                )}
              </ol>`
              : nothing
          }
          ${
            replying
              ? html`<div class="reply-composer">
                <pl-composer
                  compact
                  .threadId=${thread.id}
                  .parentId=${this.replyTo!.commentId}
                  .members=${members}
                  .prefill=${this.replyTo!.handle ? `@${this.replyTo!.handle} ` : ''}
                  label="Reply to ${top.author?.name ?? 'this comment'}"
                  @pl-comment-posted=${this.#posted}
                  @pl-thread-closed=${this.#refresh}
                  @pl-cancel=${this.#cancelReply}
                ></pl-composer>
              </div>`
              : nothing
          }
        </li>`;
      }
    }
  }

  #comment(entry: CommentEntry, myId: string, facilitator: boolean, closed: boolean, reply: boolean) {
    return html`<pl-comment
      id="comment-${entry.comment.id}"
      .comment=${entry.comment}
      .viewerId=${myId}
      .canModerate=${facilitator}
      .closed=${closed}
      .isNew=${entry.isNew}
      ?reply=${reply}
      @pl-reply=${this.#reply}
      @pl-comment-delete=${this.#deleteComment}
      @pl-comment-changed=${this.#commentChanged}
    ></pl-comment>`;
  }

  #proposal(item: TimelineItem) {
    if (!item.proposal) return nothing;
    return html`<pl-proposal-card .proposal=${item.proposal}></pl-proposal-card>`;
  }

  #outcome(item: TimelineItem) {
    if (!item.proposal) return nothing;
    // The statement made at that point; a later outcome may have replaced it in `proposal.outcome`.
    const proposal = item.outcome ? { ...item.proposal, outcome: item.outcome } : item.proposal;
    return html`<pl-outcome .proposal=${proposal}></pl-outcome>`;
  }

  // --- Scrolling: where a visit starts, older pages, reading to the end.

  async #position() {
    await this.#settled();
    if (location.hash.startsWith('#comment-')) {
      await this.#scrollToHash();
      return;
    }
    const divider = this.renderRoot.querySelector<HTMLElement>('[data-divider]');
    if (divider) {
      divider.scrollIntoView({ block: 'start' });
      return;
    }
    const data = this.#thread.value;
    // Back again with nothing new: the latest is what matters. First visits start at the top.
    if (data && data.arrivedReadMarker !== null && data.items.length > 3) {
      this.renderRoot.querySelector<HTMLElement>('.composer-wrap')?.scrollIntoView({ block: 'end' });
    }
  }

  /** Scrolls to the comment named by `#comment-<id>`, loading a few older pages to find it if need be. */
  async #scrollToHash() {
    const id = decodeURIComponent(location.hash.slice('#comment-'.length));
    if (!id || !this.#store) return;
    for (let page = 0; ; page++) {
      const el = this.renderRoot.querySelector<HTMLElement & { highlighted: boolean }>(
        `#comment-${CSS.escape(id)}`,
      );
      if (el) {
        el.scrollIntoView({ block: 'center' });
        el.highlighted = true;
        setTimeout(() => {
          el.highlighted = false;
        }, 2500);
        return;
      }
      if (page >= MAX_PAGES_FOR_LINK || this.#store.value.olderCursor === null) {
        this.notice =
          'That comment is further back in the thread, or was removed. Load earlier comments to find it.';
        return;
      }
      await this.#store.loadOlder();
      await this.#settled();
    }
  }

  /** Waits for this page and the comments in it to finish rendering. */
  async #settled() {
    await this.updateComplete;
    const children = [...this.renderRoot.querySelectorAll('pl-comment, pl-composer')] as LitElement[];
    await Promise.all(children.map((c) => c.updateComplete));
  }

  #observeSentinels() {
    const observer = this.#observer;
    if (!observer) return;
    const sentinels = [...this.renderRoot.querySelectorAll('[data-sentinel]')];
    for (const el of this.#observed) {
      if (!sentinels.includes(el)) {
        observer.unobserve(el);
        this.#observed.delete(el);
      }
    }
    for (const el of sentinels) {
      if (!this.#observed.has(el)) {
        observer.observe(el);
        this.#observed.add(el);
      }
    }
  }

  #intersections(entries: IntersectionObserverEntry[]) {
    for (const entry of entries) {
      const which = (entry.target as HTMLElement).dataset.sentinel;
      if (which === 'bottom') {
        this.#bottomVisible = entry.isIntersecting;
        if (entry.isIntersecting) {
          this.unseenLive = 0;
          if (document.visibilityState === 'visible') void this.#store?.markRead();
        }
      } else if (which === 'top' && entry.isIntersecting && this.#userScrolled && this.#positioned) {
        void this.#loadOlderByScroll();
      }
    }
  }

  async #loadOlderByScroll() {
    if (this.#loadingOlderByScroll) return;
    this.#loadingOlderByScroll = true;
    try {
      await this.#loadOlder();
    } finally {
      this.#loadingOlderByScroll = false;
    }
  }

  /** Loads the page before the oldest item shown, keeping what the reader looks at where it is. */
  async #loadOlder() {
    const store = this.#store;
    if (!store || store.value.olderCursor === null || store.value.loadingOlder) return;
    const anchor = this.renderRoot.querySelector<HTMLElement>('ol.rows > li');
    const before = anchor?.getBoundingClientRect().top ?? 0;
    const count = store.value.items.length;
    await store.loadOlder();
    await this.#settled();
    if (anchor?.isConnected && store.value.items.length > count) {
      scrollBy(0, anchor.getBoundingClientRect().top - before);
      this.announcement = `Loaded ${plural(store.value.items.length - count, 'earlier item')}.`;
    }
  }

  /** Counts what arrived live below the fold, for the "new below" button and screen readers. */
  #noticeLiveArrivals(data: ThreadState) {
    const newest = data.items.reduce(
      (max, i) => (i.eventId < Number.MAX_SAFE_INTEGER ? Math.max(max, i.eventId) : max),
      0,
    );
    if (this.#lastItemCount > 0 && newest > this.#lastNewest && data.items.length > this.#lastItemCount) {
      const fresh = data.items.filter(
        (i) => i.eventId > this.#lastNewest && i.eventId < Number.MAX_SAFE_INTEGER,
      );
      const others = fresh.filter(
        (i) => (i.comment?.author?.id ?? i.proposal?.author?.id) !== this.session?.user?.id,
      );
      if (others.length > 0) {
        const first = others[0]!;
        const who = first.comment?.author?.name ?? first.proposal?.author?.name ?? 'Someone';
        this.announcement =
          others.length === 1
            ? `${who} ${first.kind === 'comment' ? (first.comment?.parentId ? 'replied' : 'commented') : 'added a proposal'}.`
            : `${others.length} new items in the thread.`;
        if (!this.#bottomVisible) this.unseenLive += others.length;
      }
    }
    this.#lastItemCount = data.items.length;
    this.#lastNewest = Math.max(this.#lastNewest, newest);
  }

  #jumpToEnd() {
    this.unseenLive = 0;
    this.renderRoot
      .querySelector<HTMLElement>('.composer-wrap')
      ?.scrollIntoView({ block: 'end', behavior: 'smooth' });
  }

  // --- Comments.

  #posted(event: CustomEvent<CommentPostedDetail>) {
    this.#store?.showPosted(event.detail.comment);
    if (event.detail.comment.parentId) {
      this.replyTo = null;
      this.announcement = 'Your reply was posted.';
    } else {
      this.announcement = 'Your comment was posted.';
    }
  }

  async #reply(event: CustomEvent<ReplyDetail>) {
    this.replyTo = event.detail;
    await this.updateComplete;
    const composer = this.renderRoot.querySelector<PlComposer>('.reply-composer pl-composer');
    composer?.scrollIntoView({ block: 'nearest' });
    await composer?.focusEditor();
  }

  async #cancelReply() {
    const id = this.replyTo?.commentId;
    this.replyTo = null;
    await this.updateComplete;
    if (id) {
      const comment = this.renderRoot.querySelector<LitElement>(`#comment-${CSS.escape(id)}`);
      comment?.shadowRoot?.querySelector<HTMLButtonElement>('.actions button.ghost')?.focus();
    }
  }

  #commentChanged(event: CustomEvent<CommentChangedDetail>) {
    this.#store?.applyComment(event.detail.comment);
  }

  async #deleteComment(event: CustomEvent<DeleteCommentDetail>) {
    const comment: Comment = event.detail.comment;
    const mine = comment.author?.id === this.session?.user?.id;
    const ok = await this.confirm.ask({
      title: mine ? 'Delete your comment?' : `Delete ${comment.author?.name ?? 'this'}’s comment?`,
      message:
        'It will show as deleted in the thread; its text, earlier versions and reactions will be gone.',
      confirmLabel: 'Delete comment',
      danger: true,
    });
    if (!ok) return;
    this.error = null;
    try {
      await this.#store?.deleteComment(comment.id);
      this.announcement = 'The comment was deleted.';
    } catch (err) {
      this.error = splitErrors(err, []).form;
    }
  }

  // --- The thread itself.

  #refresh() {
    void this.#store?.refresh();
  }

  async #startEdit() {
    this.editing = true;
    this.editErrors = {};
    this.editFormError = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#field-title')?.focus();
  }

  async #cancelEdit() {
    this.editing = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
  }

  async #saveEdit(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy || !this.#store) return;
    const form = event.target as HTMLFormElement;
    this.editErrors = checkFields(form);
    this.editFormError = null;
    if (await revealErrors(this, this.editErrors)) return;
    const v = formValues(form);
    this.busy = true;
    try {
      await this.#store.updateThread({ title: v.title!.trim(), body: v.body ?? '' });
      this.editing = false;
      this.notice = 'Thread updated.';
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
    } catch (err) {
      const split = splitErrors(err, ['title', 'body']);
      this.editErrors = split.fields;
      this.editFormError = split.form;
      await revealErrors(this, split.fields, split.form);
    } finally {
      this.busy = false;
    }
  }

  async #close() {
    const thread = this.#thread.value?.thread;
    const facilitator = this.#group.value?.group?.myRole === 'facilitator';
    if (!thread) return;
    const ok = await this.confirm.ask({
      title: 'Close this thread?',
      message: facilitator
        ? 'Nobody will be able to comment or add proposals. You can reopen it later.'
        : 'Nobody will be able to comment or add proposals. Only a facilitator can reopen it.',
      confirmLabel: 'Close thread',
    });
    if (!ok) return;
    await this.#patch({ closed: true }, 'The thread is closed.');
  }

  async #patch(patch: { pinned?: boolean; closed?: boolean }, notice: string) {
    if (!this.#store) return;
    this.busy = true;
    this.error = null;
    this.notice = null;
    try {
      await this.#store.updateThread(patch);
      this.notice = notice;
      if (patch.closed) this.replyTo = null;
    } catch (err) {
      this.error = splitErrors(err, []).form;
    } finally {
      this.busy = false;
    }
  }

  async #openProposalForm() {
    this.proposing = true;
    await this.updateComplete;
    this.renderRoot.querySelector('.proposal-form')?.scrollIntoView({ block: 'start' });
    this.renderRoot.querySelector<HTMLElement>('#proposal-form-heading')?.focus();
  }

  async #closeProposalForm() {
    this.proposing = false;
    await this.updateComplete;
    [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.controls button')]
      .find((b) => b.textContent?.trim() === 'New proposal')
      ?.focus();
  }

  #proposalCreated(event: CustomEvent<{ proposal: Proposal }>) {
    // Shown at once; the stream's `proposal.created` then gives it its place (once).
    this.#store?.showProposal(event.detail.proposal);
    this.proposing = false;
    this.notice = 'Your proposal is open for votes.';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-thread-page': PlThreadPage;
  }
}
