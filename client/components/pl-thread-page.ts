import { consume } from '@lit/context';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { splitErrors } from '../data/api';
import type { Mentionable } from '../data/comments';
import { sessionContext, streamContext } from '../data/context';
import { groupStore } from '../data/group-store';
import { PermissionsChangeController } from '../data/permissions-change-controller';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { buildTimeline, type ThreadState, type ThreadStore, threadStore } from '../data/thread-store';
import { TopicController } from '../data/topic-controller';
import { t } from '../i18n';
import type { PlEvent } from '../ui/fire-event';
import { defineOnDemand } from '../ui/on-demand';
import { sharedStyles } from '../ui/styles';
import { ThreadScrollController } from '../ui/thread-scroll-controller';
import type { PlComment, ReplyDetail } from './pl-comment';
import type { PlComposer } from './pl-composer';
import type { ConfirmOptions, PlConfirmDialog } from './pl-confirm-dialog';
import { OpenProposalsController } from './pl-open-proposals-controller';
import type { PlThreadEditForm } from './pl-thread-edit-form';
import type { PlThreadHeader, ThreadAction } from './pl-thread-header';
import { threadPageStyles } from './pl-thread-page.styles';
import { loadProposalElements, timelineRow } from './thread-timeline';
import './pl-composer';

// The proposal form and the edit form load when first opened: most readers never open them.
const loadProposalForm = () => import('./pl-proposal-form');
const loadEditForm = () => import('./pl-thread-edit-form');
// The dialog that asks before a comment is deleted or the thread closed, when first needed.
const loadConfirmDialog = () => import('./pl-confirm-dialog');

import './pl-thread-header';

/**
 * A thread: its header (title, context, who is here, controls), its open
 * proposals pinned above the discussion (and, once that panel has scrolled
 * away, in a bar at the bottom of the viewport, so that "Vote now" is always
 * in reach), and the timeline — comments with one level of replies, proposals and outcomes —
 * newest page first with older pages loaded on scrolling up, a "new since
 * your last visit" divider, and the composer. Follows `thread:<id>` on the
 * live stream, so everything others do shows without a reload, each once.
 * Where the reader is (and goes) is the {@link ThreadScrollController}'s.
 */
@customElement('pl-thread-page')
export class PlThreadPage extends LitElement {
  static override styles = [sharedStyles, threadPageStyles];

  /** The thread to show. */
  @property() threadId = '';

  @consume({ context: sessionContext })
  private session?: Session;

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private replyTo: ReplyDetail | null = null;
  @state() private editing = false;
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private notice: string | null = null;
  @state() private proposing = false;
  @state() private announcement = '';

  @query('pl-confirm-dialog') private confirm!: PlConfirmDialog;
  @query('pl-thread-header') private header!: PlThreadHeader | null;
  @query('pl-thread-edit-form') private editForm!: PlThreadEditForm | null;
  @query('pl-open-proposals') private openPanel!: HTMLElement | null;

  #store: ThreadStore | null = null;
  readonly #thread = new StoreController<ThreadState>(this, () => this.#store ?? undefined);
  /** The thread's open proposals (wherever they sit in its timeline), the panel and the way to a ballot. */
  readonly #open = new OpenProposalsController(this, {
    threadId: () => this.threadId,
    groupId: () => this.#store?.value.thread?.groupId,
    viewerId: () => this.session?.user?.id ?? null,
    olderHidden: () => (this.#store?.value.olderCursor ?? null) !== null,
    loadOlder: () => this.#scroll.loadOlder(),
    notice: (text) => {
      this.notice = text;
    },
  });
  readonly #group = new StoreController(this, () => {
    const groupId = this.#thread.value?.thread?.groupId;
    return groupId ? groupStore(groupId) : undefined;
  });
  /** Follows `thread:<id>` while the page is shown; the store absorbs what arrives. */
  protected readonly liveTopic = new TopicController(this, {
    stream: () => this.stream,
    topic: () => (this.threadId ? `thread:${this.threadId}` : null),
    onEvent: (event) => {
      this.#store?.absorb(event);
      this.#open.absorb(event);
    },
    onReset: () => {
      void this.#store?.refresh();
      this.#open.reload();
    },
  });
  /** A new role may allow other things on the thread too. */
  protected readonly roleChange = new PermissionsChangeController(
    this,
    () => this.#group.value?.group,
    () => this.#store?.refreshPermissions(),
  );
  readonly #scroll = new ThreadScrollController(this, {
    store: () => this.#store,
    viewerId: () => this.session?.user?.id,
    announce: (text) => {
      this.announcement = text;
    },
    notice: (text) => {
      this.notice = text;
    },
  });

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
      this.#scroll.reset();
      void this.#store.beginVisit();
    }
    // The store itself: the controller switches to a new one only after this.
    const groupId = this.#store?.value.thread?.groupId;
    if (groupId) groupStore(groupId).ensureLoaded();
  }

  protected override updated(): void {
    const thread = this.#thread.value?.thread;
    if (thread) document.title = `${thread.title} · Plenary`;
  }

  override render() {
    const data = this.#thread.value;
    if (!data || (data.status === 'loading' && !data.thread)) {
      return html`<h1 tabindex="-1">${t('Thread')}</h1>
        <p class="muted" aria-busy="true">${t('Loading the thread…')}</p>`;
    }
    if (!data.thread) {
      const gone = data.error?.status === 404;
      return html`<h1 tabindex="-1">${gone ? t('Thread not found') : t('The thread could not be loaded')}</h1>
        <p class="muted">
          ${
            gone
              ? t('It does not exist, or you are not a member of its group.')
              : (data.error?.message ?? t('Something went wrong.'))
          }
          <a href="/">${t('Back to your groups')}</a>
        </p>`;
    }
    const thread = data.thread;
    const me = this.session?.user ?? null;
    const group = this.#group.value?.group ?? null;
    const canModerate = group?.permissions.moderateComments ?? false;
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
    const unseen = this.#scroll.unseenLive;
    const { replyTo } = this;
    const store = this.#store;
    const open = this.#open.proposals;
    // The panel and the bar of open proposals draw nothing until one is open.
    if (open.length > 0) void defineOnDemand(loadProposalElements);
    const { proposalRows, seenOpen } = this.#open.rowsShown(rows);
    return html`
      <pl-thread-header
        .thread=${thread}
        .group=${group}
        .viewerId=${me?.id ?? ''}
        ?editing=${this.editing}
        ?proposing=${this.proposing}
        ?busy=${this.busy}
        @pl-thread-action=${this.#action}
      ></pl-thread-header>
      <div class="messages">
        ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        ${
          data.error
            ? html`<p class="alert" role="alert">${t('Could not refresh the thread: {error}', { error: data.error.message })}</p>`
            : nothing
        }
      </div>
      <pl-open-proposals .proposals=${open} @pl-vote-now=${this.#open.voteNow}></pl-open-proposals>
      ${
        this.editing
          ? html`<pl-thread-edit-form
            .thread=${thread}
            .store=${this.#store}
            @pl-thread-saved=${() => this.#closeEdit(t('Thread updated.'))}
            @pl-cancel=${() => this.#closeEdit(null)}
          ></pl-thread-edit-form>`
          : nothing
      }
      ${
        this.proposing
          ? html`<section class="card proposal-form" aria-labelledby="proposal-form-heading">
            <div class="form-head">
              <h2 id="proposal-form-heading" tabindex="-1">${t('New proposal')}</h2>
            </div>
            <pl-proposal-form
              thread-id=${thread.id}
              group-id=${thread.groupId}
              @proposal-created=${this.#proposalCreated}
              @pl-cancel=${this.#closeProposalForm}
            ></pl-proposal-form>
          </section>`
          : nothing
      }
      <section class="timeline" aria-labelledby="discussion-heading">
        <h2 id="discussion-heading" class="sr-only">${t('Discussion')}</h2>
        <div class="sentinel" data-sentinel="top"></div>
        ${
          data.olderCursor !== null
            ? html`<div class="older">
              <button
                type="button"
                class="secondary small"
                ?disabled=${data.loadingOlder}
                aria-busy=${data.loadingOlder ? 'true' : 'false'}
                @click=${() => this.#scroll.loadOlder()}
              >
                ${data.loadingOlder ? t('Loading earlier comments…') : t('Load earlier comments')}
              </button>
            </div>`
            : data.items.length > 1
              ? html`<p class="start muted small">${t('The beginning of the thread')}</p>`
              : nothing
        }
        ${
          data.olderError
            ? html`<p class="field-error" role="alert">
              ${t('Earlier comments could not be loaded: {error}', { error: data.olderError.message })}
            </p>`
            : nothing
        }
        ${
          data.items.length === 0 || (rows.length === 1 && rows[0]!.type === 'thread')
            ? html`<p class="muted">
              ${closed ? t('No comments yet.') : t('No comments yet. Be the first to share a view.')}
            </p>`
            : nothing
        }
        <ol
          class="rows"
          aria-label=${t('Comments and proposals')}
          @pl-reply=${this.#reply}
          @pl-comment-delete=${this.#deleteComment}
          @pl-comment-changed=${this.#commentChanged}
          @pl-comment-posted=${this.#posted}
          @pl-thread-closed=${this.#refresh}
          @pl-cancel=${this.#cancelReply}
          @vote-changed=${this.#open.voteChanged}
        >
          ${repeat(
            rows,
            (row) => row.key,
            (row) =>
              timelineRow(row, {
                thread,
                viewerId: me?.id ?? '',
                canModerate,
                members,
                replyTo,
                store,
                seenOpen,
                proposalRows,
              }),
          )}
        </ol>
        <div class="sentinel" data-sentinel="bottom"></div>
      </section>
      <div class="dock">
        ${
          unseen > 0
            ? html`<div class="live">
              <button type="button" class="small" @click=${() => this.#scroll.jumpToEnd()}>
                ${t('{count, plural, one {# new item below ↓} other {# new items below ↓}}', { count: unseen })}
              </button>
            </div>`
            : nothing
        }
        <pl-open-proposals-bar
          .proposals=${open}
          .watch=${this.openPanel}
          @pl-vote-now=${this.#open.voteNow}
          @pl-show-open-proposals=${this.#open.showPanel}
        ></pl-open-proposals-bar>
      </div>
      <div class="composer-wrap">
        <pl-composer
          .threadId=${thread.id}
          .members=${members}
          .closed=${closed}
          label=${t('Add a comment')}
          @pl-comment-posted=${this.#posted}
          @pl-thread-closed=${this.#refresh}
        ></pl-composer>
      </div>
      <p class="sr-only" role="status" aria-live="polite">${this.announcement}</p>
      <pl-confirm-dialog></pl-confirm-dialog>
    `;
  }

  // --- Comments.

  #posted(event: PlEvent<'pl-comment-posted'>) {
    this.#store?.showPosted(event.detail.comment);
    if (event.detail.comment.parentId) {
      this.replyTo = null;
      this.announcement = t('Your reply was posted.');
    } else {
      this.announcement = t('Your comment was posted.');
    }
  }

  async #reply(event: PlEvent<'pl-reply'>) {
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
    if (id) await this.renderRoot.querySelector<PlComment>(`#comment-${CSS.escape(id)}`)?.focusReply();
  }

  #commentChanged(event: PlEvent<'pl-comment-changed'>) {
    this.#store?.applyComment(event.detail.comment);
  }

  async #deleteComment(event: PlEvent<'pl-comment-delete'>) {
    const comment = event.detail.comment;
    const mine = comment.author?.id === this.session?.user?.id;
    const ok = await this.#ask({
      title: mine
        ? t('Delete your comment?')
        : comment.author
          ? t('Delete {name}’s comment?', { name: comment.author.name })
          : t('Delete this comment?'),
      message: t(
        'It will show as deleted in the thread; its text, earlier versions and reactions will be gone.',
      ),
      confirmLabel: t('Delete comment'),
      danger: true,
    });
    if (!ok) return;
    this.error = null;
    try {
      await this.#store?.deleteComment(comment.id);
      this.announcement = t('The comment was deleted.');
    } catch (err) {
      this.error = splitErrors(err, []).form;
    }
  }

  /** Asks in the confirmation dialog (loading it first); false if it could not load. */
  async #ask(options: ConfirmOptions): Promise<boolean> {
    if (!(await defineOnDemand(loadConfirmDialog))) return false;
    return this.confirm.ask(options);
  }

  // --- The thread itself.

  readonly #refresh = () => void this.#store?.refresh();

  #action(event: PlEvent<'pl-thread-action'>) {
    const actions: Record<ThreadAction, () => Promise<void>> = {
      propose: () => this.#openProposalForm(),
      edit: () => this.#startEdit(),
      pin: () => this.#patch({ pinned: true }, t('Pinned to the top of the group.')),
      unpin: () => this.#patch({ pinned: false }, t('Unpinned.')),
      close: () => this.#close(),
      reopen: () => this.#patch({ closed: false }, t('The thread is open again.')),
      proposals: () => this.#open.showPanel(),
    };
    void actions[event.detail.action]();
  }

  async #startEdit() {
    await loadEditForm();
    this.editing = true;
    await this.updateComplete;
    await this.editForm?.focusTitle();
  }

  /** Back from the edit form, saved (`notice` says so) or not; focus returns to the title. */
  async #closeEdit(notice: string | null) {
    this.editing = false;
    if (notice) this.notice = notice;
    await this.updateComplete;
    await this.header?.focusTitle();
  }

  async #close() {
    const thread = this.#thread.value?.thread;
    if (!thread) return;
    const ok = await this.#ask({
      title: t('Close this thread?'),
      message: thread.permissions?.reopen
        ? t('Nobody will be able to comment or add proposals. You can reopen it later.')
        : t('Nobody will be able to comment or add proposals. Only a facilitator can reopen it.'),
      confirmLabel: t('Close thread'),
    });
    if (!ok) return;
    await this.#patch({ closed: true }, t('The thread is closed.'));
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
    await loadProposalForm();
    this.proposing = true;
    await this.updateComplete;
    this.renderRoot.querySelector('.proposal-form')?.scrollIntoView({ block: 'start' });
    this.renderRoot.querySelector<HTMLElement>('#proposal-form-heading')?.focus();
  }

  async #closeProposalForm() {
    this.proposing = false;
    await this.updateComplete;
    await this.header?.focusAction('propose');
  }

  #proposalCreated(event: PlEvent<'proposal-created'>) {
    // Shown at once; the stream's `proposal.created` then gives it its place (once).
    this.#store?.showProposal(event.detail.proposal);
    this.#open.add(event.detail.proposal);
    this.proposing = false;
    this.notice = t('Your proposal is open for votes.');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-thread-page': PlThreadPage;
  }
}
