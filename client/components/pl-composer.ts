import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ApiError, splitErrors } from '../data/api';
import {
  type Comment,
  clearDraft,
  createComment,
  draftKey,
  insertMention,
  loadDraft,
  type Mentionable,
  type MentionQuery,
  matchMentions,
  mentionAt,
  saveDraft,
} from '../data/comments';
import { fireEvent } from '../ui/fire-event';
import { initials } from '../ui/format';
import { loadMarkdown, markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';

/** Detail of `pl-comment-posted`. */
export interface CommentPostedDetail {
  comment: Comment;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

/**
 * Writes a comment or a reply: a Markdown editor with a Preview tab,
 * Ctrl/Cmd+Enter to post, `@` to mention a member (a listbox of the group's
 * members; arrows, Enter or Tab to insert, Escape to dismiss). The draft is
 * kept in localStorage per thread (per conversation for replies) and cleared
 * once posted. When the thread is closed the editor is disabled and says why.
 *
 * @fires pl-comment-posted - {@link CommentPostedDetail}: the server accepted it
 * @fires pl-thread-closed - posting found the thread closed (409 thread_closed)
 * @fires pl-cancel - a reply composer was dismissed
 */
@customElement('pl-composer')
export class PlComposer extends LitElement {
  static override styles = [
    sharedStyles,
    markdownStyles,
    css`
      .composer {
        position: relative;
        border: 1px solid var(--pl-color-border-strong);
        border-radius: var(--pl-radius);
        background: var(--pl-color-surface);
      }
      .composer:focus-within {
        border-color: var(--pl-color-focus);
        box-shadow: 0 0 0 2px color-mix(in srgb, var(--pl-color-focus) 25%, transparent);
      }
      .composer.disabled {
        background: var(--pl-color-surface-muted);
      }
      .top {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
        padding: 6px 8px 0 12px;
        border-bottom: 1px solid var(--pl-color-border);
      }
      .top label {
        flex: 1;
        font-size: var(--pl-text-sm);
      }
      [role='tablist'] {
        display: flex;
        gap: 2px;
      }
      [role='tab'] {
        min-height: 32px;
        padding: 0 12px;
        border: 0;
        border-bottom: 2px solid transparent;
        border-radius: 0;
        background: transparent;
        color: var(--pl-color-text-muted);
        font-size: var(--pl-text-sm);
      }
      [role='tab']:hover {
        background: transparent;
        color: var(--pl-color-text);
      }
      [role='tab'][aria-selected='true'] {
        border-bottom-color: var(--pl-color-accent);
        color: var(--pl-color-text);
      }
      textarea {
        display: block;
        min-height: 112px;
        border: 0;
        border-radius: 0;
        background: transparent;
        resize: vertical;
      }
      :host([compact]) textarea {
        min-height: 80px;
      }
      textarea:focus-visible {
        outline: none;
      }
      .preview {
        min-height: 112px;
        padding: var(--pl-space-1) 12px;
      }
      .bottom {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-1);
        padding: 8px 8px 8px 12px;
        border-top: 1px solid var(--pl-color-border);
      }
      .bottom .hint {
        flex: 1 1 200px;
      }
      .buttons {
        flex-wrap: nowrap;
        margin-left: auto;
      }
      kbd {
        font-family: var(--pl-font-mono);
        font-size: 0.8em;
        padding: 0 4px;
        border: 1px solid var(--pl-color-border);
        border-radius: 4px;
      }
      .errors {
        padding: 0 12px 8px;
      }
      .closed {
        display: flex;
        gap: var(--pl-space-1);
        align-items: center;
        padding: 12px;
        color: var(--pl-color-text-muted);
      }
      [role='tabpanel'] {
        position: relative;
      }
      .mentions {
        position: absolute;
        left: 8px;
        right: 8px;
        top: calc(100% - 4px);
        z-index: 4;
        max-width: 360px;
        margin: 0;
        padding: 4px;
        list-style: none;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
        background: var(--pl-color-surface);
        box-shadow: var(--pl-shadow-lg);
      }
      .mentions li {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
        padding: 6px 8px;
        border-radius: var(--pl-radius-sm);
        cursor: pointer;
      }
      .mentions.above {
        top: auto;
        bottom: calc(100% - 4px);
      }
      .mentions li[aria-selected='true'] {
        background: var(--pl-color-accent-soft);
      }
      .mentions .name,
      .mentions .handle {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .mentions .who {
        display: flex;
        flex-direction: column;
        min-width: 0;
        line-height: 1.3;
      }
      .mentions .avatar {
        display: inline-grid;
        place-items: center;
        flex: none;
        width: 26px;
        height: 26px;
        border-radius: 50%;
        background: var(--pl-color-surface-muted);
        font-size: 0.7rem;
        font-weight: var(--pl-weight-bold);
      }
      .mentions .handle {
        color: var(--pl-color-text-muted);
        font-size: var(--pl-text-sm);
      }
    `,
  ];

  /** The thread to post in. */
  @property() threadId = '';

  /** The comment replied to (null: a top-level comment). */
  @property() parentId: string | null = null;

  /** Members who can be @-mentioned. */
  @property({ attribute: false }) members: Mentionable[] = [];

  /** The thread is closed: the editor is disabled and says so. */
  @property({ type: Boolean }) closed = false;

  /** The visible label of the editor. */
  @property() label = 'Add a comment';

  /** Smaller, for replies; shows Cancel. */
  @property({ type: Boolean, reflect: true }) compact = false;

  /** Text to start an empty draft with (e.g. `@handle ` when replying to a reply). */
  @property() prefill = '';

  @state() private text = '';
  @state() private tab: 'write' | 'preview' = 'write';
  @state() private error: string | null = null;
  @state() private busy = false;
  @state() private mention: MentionQuery | null = null;
  @state() private suggestions: Mentionable[] = [];
  @state() private active = 0;
  @state() private closedByServer = false;
  /** The member list opens above the editor when there is no room below it. */
  @state() private mentionsAbove = false;

  @query('textarea') private textarea?: HTMLTextAreaElement;

  get #key(): string {
    return draftKey(this.threadId, this.parentId);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('threadId') || changed.has('parentId')) && this.threadId) {
      this.text = loadDraft(this.#key) || this.prefill;
      this.error = null;
      this.tab = 'write';
      this.closedByServer = false;
      this.#closeMentions();
    }
  }

  /** Puts the caret at the end of the text and focuses the editor. */
  async focusEditor(): Promise<void> {
    await this.updateComplete;
    const t = this.textarea;
    if (!t) return;
    t.focus();
    t.setSelectionRange(t.value.length, t.value.length);
  }

  override render() {
    const closed = this.closed || this.closedByServer;
    const editorId = 'composer-body';
    if (closed) {
      return html`<div class="composer disabled">
        <div class="top"><label for=${editorId}>${this.label}</label></div>
        <textarea id=${editorId} disabled aria-describedby="closed-reason" .value=${this.text}></textarea>
        <p class="closed" id="closed-reason" role="status">
          <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
            <rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V7a4 4 0 0 1 8 0v4" />
          </svg>
          This thread is closed, so it takes no new comments.
        </p>
      </div>`;
    }
    const open = this.mention !== null && this.suggestions.length > 0;
    const activeId = open ? `mention-${this.active}` : undefined;
    const errorId = this.error ? 'composer-error' : '';
    return html`<div class="composer">
      <div class="top">
        <label for=${editorId}>${this.label}</label>
        <div role="tablist" aria-label="Editor mode" @keydown=${this.#tabKey}>
          <button
            type="button"
            role="tab"
            id="tab-write"
            aria-selected=${this.tab === 'write' ? 'true' : 'false'}
            aria-controls="panel-write"
            tabindex=${this.tab === 'write' ? '0' : '-1'}
            @click=${() => this.#showTab('write')}
          >
            Write
          </button>
          <button
            type="button"
            role="tab"
            id="tab-preview"
            aria-selected=${this.tab === 'preview' ? 'true' : 'false'}
            aria-controls="panel-preview"
            tabindex=${this.tab === 'preview' ? '0' : '-1'}
            @click=${() => this.#showTab('preview')}
          >
            Preview
          </button>
        </div>
      </div>
      <div role="tabpanel" id="panel-write" aria-labelledby="tab-write" ?hidden=${this.tab !== 'write'}>
        <textarea
          id=${editorId}
          .value=${this.text}
          maxlength="100000"
          placeholder=${this.compact ? 'Write a reply…' : 'Share your view… Type @ to mention someone.'}
          aria-invalid=${this.error ? 'true' : 'false'}
          aria-describedby=${['composer-hint', errorId].filter(Boolean).join(' ')}
          aria-autocomplete="list"
          aria-controls=${open ? 'mention-list' : nothing}
          aria-activedescendant=${activeId ?? nothing}
          @input=${this.#input}
          @keydown=${this.#keydown}
          @click=${this.#caretMoved}
          @blur=${this.#blur}
        ></textarea>
        ${
          open
            ? html`<ul
              id="mention-list"
              class="mentions ${this.mentionsAbove ? 'above' : ''}"
              role="listbox"
              aria-label="Members to mention"
            >
              ${this.suggestions.map(
                (m, i) => html`<li
                  id="mention-${i}"
                  role="option"
                  aria-selected=${i === this.active ? 'true' : 'false'}
                  @mousedown=${(e: Event) => e.preventDefault()}
                  @click=${() => this.#choose(m)}
                >
                  <span class="avatar" aria-hidden="true">${initials(m.name)}</span>
                  <span class="who"><span class="name">${m.name}</span><span class="handle">@${m.handle}</span></span>
                </li>`,
              )}
            </ul>`
            : nothing
        }
      </div>
      <div
        role="tabpanel"
        id="panel-preview"
        class="preview"
        aria-labelledby="tab-preview"
        tabindex="0"
        ?hidden=${this.tab !== 'preview'}
      >
        ${
          this.tab === 'preview'
            ? this.text.trim()
              ? html`<div class="markdown">${markdown(this.text)}</div>`
              : html`<p class="muted">Nothing to preview yet.</p>`
            : nothing
        }
      </div>
      ${this.error ? html`<p class="field-error errors" id="composer-error" role="alert">${this.error}</p>` : nothing}
      <div class="bottom">
        <p class="hint" id="composer-hint">
          Markdown is supported. <kbd>${isMac ? '⌘' : 'Ctrl'}</kbd>+<kbd>Enter</kbd> posts.
        </p>
        <span class="sr-only" role="status">${open ? `${this.suggestions.length} members match. Up and down to choose, Enter to insert.` : ''}</span>
        <div class="buttons">
          ${this.compact ? html`<button type="button" class="secondary small" @click=${this.#cancel}>Cancel</button>` : nothing}
          <button type="button" class=${this.compact ? 'small' : ''} ?disabled=${this.busy} @click=${this.#post}>
            ${this.busy ? 'Posting…' : this.compact ? 'Reply' : 'Post comment'}
          </button>
        </div>
      </div>
    </div>`;
  }

  #showTab(tab: 'write' | 'preview') {
    this.tab = tab;
    this.#closeMentions();
    if (tab === 'preview') void loadMarkdown().catch(() => {});
  }

  #tabKey(event: KeyboardEvent) {
    if (
      event.key !== 'ArrowRight' &&
      event.key !== 'ArrowLeft' &&
      event.key !== 'Home' &&
      event.key !== 'End'
    )
      return;
    event.preventDefault();
    const next = this.tab === 'write' ? 'preview' : 'write';
    const target = event.key === 'Home' ? 'write' : event.key === 'End' ? 'preview' : next;
    this.#showTab(target);
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`#tab-${target}`)?.focus(),
    );
  }

  #input(event: InputEvent) {
    const t = event.target as HTMLTextAreaElement;
    this.text = t.value;
    this.error = null;
    saveDraft(this.#key, this.text);
    this.#caretMoved();
  }

  #caretMoved() {
    const t = this.textarea;
    if (!t || t.selectionStart !== t.selectionEnd) return this.#closeMentions();
    const mention = mentionAt(t.value, t.selectionStart);
    if (!mention) return this.#closeMentions();
    const matches = matchMentions(this.members, mention.query);
    if (this.mention?.query !== mention.query) this.active = 0;
    if (!this.mention) this.mentionsAbove = t.getBoundingClientRect().bottom + 280 > innerHeight;
    this.mention = mention;
    this.suggestions = matches;
  }

  #closeMentions() {
    this.mention = null;
    this.suggestions = [];
    this.active = 0;
  }

  #blur() {
    // Give a click on an option (which keeps focus) its turn first.
    setTimeout(() => {
      if (this.renderRoot && (this.renderRoot as ShadowRoot).activeElement !== this.textarea)
        this.#closeMentions();
    }, 150);
  }

  #keydown(event: KeyboardEvent) {
    const open = this.mention !== null && this.suggestions.length > 0;
    if (open) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const delta = event.key === 'ArrowDown' ? 1 : -1;
        this.active = (this.active + delta + this.suggestions.length) % this.suggestions.length;
        return;
      }
      if ((event.key === 'Enter' && !event.ctrlKey && !event.metaKey) || event.key === 'Tab') {
        event.preventDefault();
        this.#choose(this.suggestions[this.active]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        this.#closeMentions();
        return;
      }
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void this.#post();
    } else if (event.key === 'Escape' && this.compact && !this.text.trim()) {
      event.preventDefault();
      this.#cancel();
    } else if (
      event.key === 'ArrowLeft' ||
      event.key === 'ArrowRight' ||
      event.key === 'Home' ||
      event.key === 'End'
    ) {
      queueMicrotask(() => this.#caretMoved());
    }
  }

  #choose(person: Mentionable) {
    const t = this.textarea;
    const mention = this.mention;
    if (!t || !mention) return;
    const next = insertMention(t.value, t.selectionStart, mention, person.handle);
    t.value = next.text;
    this.text = next.text;
    saveDraft(this.#key, this.text);
    t.focus();
    t.setSelectionRange(next.caret, next.caret);
    this.#closeMentions();
  }

  #cancel() {
    fireEvent(this, 'pl-cancel');
  }

  async #post() {
    if (this.busy) return;
    const body = this.text;
    if (!body.trim()) {
      this.error = this.compact ? 'Write a reply first.' : 'Write a comment first.';
      this.tab = 'write';
      await this.updateComplete;
      this.textarea?.focus();
      return;
    }
    this.busy = true;
    this.error = null;
    this.#closeMentions();
    try {
      const comment = await createComment(this.threadId, body, this.parentId);
      clearDraft(this.#key);
      this.text = '';
      this.tab = 'write';
      fireEvent(this, 'pl-comment-posted', { comment });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'thread_closed') {
        this.closedByServer = true;
        fireEvent(this, 'pl-thread-closed');
      } else {
        const split = splitErrors(err, ['body', 'parentId']);
        this.error = split.fields.body ?? split.fields.parentId ?? split.form;
        this.tab = 'write';
        await this.updateComplete;
        this.textarea?.focus();
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
