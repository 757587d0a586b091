import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ApiError, splitErrors } from '../data/api';
import {
  type Comment,
  clearDraft,
  createComment,
  draftKey,
  loadDraft,
  type Mentionable,
  saveDraft,
} from '../data/comments';
import { sessionContext } from '../data/context';
import type { Session } from '../data/session';
import { threadStore } from '../data/thread-store';
import { t } from '../i18n';
import { fireEvent, type PlEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';
import type { PlMarkdownEditor } from './pl-markdown-editor';
import './pl-markdown-editor';

/** Detail of `pl-comment-posted`. */
export interface CommentPostedDetail {
  comment: Comment;
}

/**
 * Writes a comment or a reply in the Markdown editor (<pl-markdown-editor>:
 * Preview, `@` mentions, Ctrl/Cmd+Enter to post). The draft is kept in
 * localStorage per thread (per conversation for replies) and cleared once
 * posted. When the thread is closed the editor is disabled and says why.
 *
 * @fires pl-comment-posted - {@link CommentPostedDetail}: the server accepted it
 * @fires pl-thread-closed - posting found the thread closed (409 thread_closed)
 * @fires pl-cancel - a reply composer was dismissed
 */
@customElement('pl-composer')
export class PlComposer extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .composer.disabled {
        border: 1px solid var(--pl-color-border-strong);
        border-radius: var(--pl-radius);
        background: var(--pl-color-surface-muted);
      }
      .top {
        padding: 6px 8px 0 12px;
        border-bottom: 1px solid var(--pl-color-border);
        font-size: var(--pl-text-sm);
      }
      textarea {
        display: block;
        min-height: 80px;
        border: 0;
        border-radius: 0;
        background: transparent;
      }
      .closed {
        display: flex;
        gap: var(--pl-space-1);
        align-items: center;
        padding: 12px;
        color: var(--pl-color-text-muted);
      }
    `,
  ];

  /** The thread to post in. */
  @property() threadId = '';

  /**
   * The thread's group, where attached files go. Left empty, it is read from
   * the thread's store, which the thread page around the composer has loaded.
   */
  @property() groupId = '';

  /** The comment replied to (null: a top-level comment). */
  @property() parentId: string | null = null;

  /** Members who can be @-mentioned. */
  @property({ attribute: false }) members: Mentionable[] = [];

  /** The thread is closed: the editor is disabled and says so. */
  @property({ type: Boolean }) closed = false;

  /** The visible label of the editor (empty: "Add a comment"). */
  @property() label = '';

  /** Smaller, for replies; shows Cancel. */
  @property({ type: Boolean, reflect: true }) compact = false;

  /** Text to start an empty draft with (e.g. `@handle ` when replying to a reply). */
  @property() prefill = '';

  @state() private text = '';
  @state() private error: string | null = null;
  @state() private busy = false;
  @state() private closedByServer = false;

  @query('pl-markdown-editor') private editor?: PlMarkdownEditor;

  @consume({ context: sessionContext, subscribe: true })
  private session?: Session;

  get #groupId(): string {
    if (this.groupId || !this.threadId) return this.groupId;
    return threadStore(this.threadId, this.session?.user?.id ?? null).value.thread?.groupId ?? '';
  }

  get #key(): string {
    return draftKey(this.threadId, this.parentId);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('threadId') || changed.has('parentId')) && this.threadId) {
      this.text = loadDraft(this.#key) || this.prefill;
      this.error = null;
      this.closedByServer = false;
    }
  }

  /** Puts the caret at the end of the text and focuses the editor. */
  async focusEditor(): Promise<void> {
    await this.updateComplete;
    await this.editor?.focusEditor();
  }

  override render() {
    const closed = this.closed || this.closedByServer;
    const editorId = 'composer-body';
    const label = this.label || t('Add a comment');
    if (closed) {
      return html`<div class="composer disabled">
        <div class="top"><label for=${editorId}>${label}</label></div>
        <textarea id=${editorId} disabled aria-describedby="closed-reason" .value=${this.text}></textarea>
        <p class="closed" id="closed-reason" role="status">
          <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
            <rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V7a4 4 0 0 1 8 0v4" />
          </svg>
          ${t('This thread is closed, so it takes no new comments.')}
        </p>
      </div>`;
    }
    return html`<pl-markdown-editor
      label=${label}
      .value=${this.text}
      .members=${this.members}
      .groupId=${this.#groupId}
      .error=${this.error}
      ?compact=${this.compact}
      placeholder=${this.compact ? t('Write a reply…') : t('Share your view… Type @ to mention someone.')}
      submit-hint=${t('posts')}
      @pl-editor-input=${this.#input}
      @pl-editor-submit=${() => void this.#post()}
      @pl-editor-escape=${() => this.compact && this.#cancel()}
    >
      ${this.compact ? html`<button slot="actions" type="button" class="secondary small" @click=${this.#cancel}>${t('Cancel')}</button>` : nothing}
      <button slot="actions" type="button" class=${this.compact ? 'small' : ''} ?disabled=${this.busy} @click=${this.#post}>
        ${this.busy ? t('Posting…') : this.compact ? t('Reply') : t('Post comment')}
      </button>
    </pl-markdown-editor>`;
  }

  #input(event: PlEvent<'pl-editor-input'>) {
    this.text = event.detail.value;
    this.error = null;
    saveDraft(this.#key, this.text);
  }

  #cancel() {
    fireEvent(this, 'pl-cancel');
  }

  async #post() {
    if (this.busy) return;
    const body = this.text;
    if (!body.trim()) {
      this.error = this.compact ? t('Write a reply first.') : t('Write a comment first.');
      await this.focusEditor();
      return;
    }
    this.busy = true;
    this.error = null;
    try {
      const comment = await createComment(this.threadId, body, this.parentId);
      clearDraft(this.#key);
      this.text = '';
      fireEvent(this, 'pl-comment-posted', { comment });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'thread_closed') {
        this.closedByServer = true;
        fireEvent(this, 'pl-thread-closed');
      } else {
        const split = splitErrors(err, ['body', 'parentId']);
        this.error = split.fields.body ?? split.fields.parentId ?? split.form;
        await this.focusEditor();
      }
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-composer': PlComposer;
  }
  interface PlEvents {
    'pl-comment-posted': CommentPostedDetail;
    'pl-thread-closed': undefined;
    'pl-cancel': undefined;
  }
}
