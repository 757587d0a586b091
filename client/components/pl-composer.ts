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
import { defineOnDemand } from '../ui/on-demand';
import { sharedStyles } from '../ui/styles';
import { attachIcon, editorFrameStyles, editorHint } from './markdown-editor-frame';
import type { PlMarkdownEditor } from './pl-markdown-editor';

/*
 * Most readers of a thread never write in it, so the editor's code loads when
 * someone reaches for the composer: the pointer over it, focus in it, a file
 * dragged onto it. Until then the composer draws the editor's frame itself
 * (`#standIn`), a working text area included: what is typed there is the
 * draft, Ctrl/Cmd+Enter and the buttons post it, and when the editor arrives
 * it takes the text, and the focus and caret, exactly where they were.
 */
const loadEditor = () => import('./pl-markdown-editor');

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
    editorFrameStyles,
    css`
      .composer.disabled {
        border: 1px solid var(--pl-color-border-strong);
        border-radius: var(--pl-radius);
        background: var(--pl-color-surface-muted);
      }
      .composer.disabled .top {
        display: block;
        padding: 6px 8px 0 12px;
        border-bottom: 1px solid var(--pl-color-border);
        font-size: var(--pl-text-sm);
      }
      .composer.disabled textarea {
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
  /** The editor's code is here: the editor, not its stand-in, is drawn. */
  @state() private editorReady = customElements.get('pl-markdown-editor') !== undefined;

  @query('pl-markdown-editor') private editor?: PlMarkdownEditor;
  @query('.stand-in textarea') private standInArea?: HTMLTextAreaElement;

  /** The editor, once loaded and drawn in place of the stand-in; null if it could not load. */
  #editorShown: Promise<PlMarkdownEditor | null> | null = null;
  /** A pointer is pressed on the stand-in: the swap waits for its click. */
  #pressed: Promise<void> | null = null;

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
    if (this.editor) return this.editor.focusEditor();
    const area = this.standInArea;
    area?.focus(); // which sends for the editor
    area?.setSelectionRange(area.value.length, area.value.length);
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
    const placeholder = this.compact ? t('Write a reply…') : t('Share your view… Type @ to mention someone.');
    if (!this.editorReady) return this.#standIn(label, placeholder);
    return html`<pl-markdown-editor
      label=${label}
      .value=${this.text}
      .members=${this.members}
      .groupId=${this.#groupId}
      .error=${this.error}
      ?compact=${this.compact}
      placeholder=${placeholder}
      submit-hint=${t('posts')}
      @pl-editor-input=${this.#input}
      @pl-editor-submit=${() => void this.#post()}
      @pl-editor-escape=${() => this.compact && this.#cancel()}
    >
      ${this.#actions('actions')}
    </pl-markdown-editor>`;
  }

  /** Cancel (replies) and Post: the editor's `actions`, or the stand-in's own. */
  #actions(slot: string | typeof nothing) {
    return html`${this.compact ? html`<button slot=${slot} id="cancel" type="button" class="secondary small" @click=${this.#cancel}>${t('Cancel')}</button>` : nothing}
      <button slot=${slot} id="post" type="button" class=${this.compact ? 'small' : ''} ?disabled=${this.busy} @click=${this.#post}>
        ${this.busy ? t('Posting…') : this.compact ? t('Reply') : t('Post comment')}
      </button>`;
  }

  /**
   * The editor's frame, drawn here until its code has loaded (see the top of
   * this file): the same label, tabs, text area, hint and buttons, so nothing
   * moves when the editor takes its place. Typing, posting and cancelling
   * work here; the tabs, "Attach a file" and files pasted or dropped are
   * handed to the editor once it is in.
   */
  #standIn(label: string, placeholder: string) {
    const groupId = this.#groupId;
    const errorId = this.error ? 'editor-error' : '';
    return html`<div
      class="composer stand-in"
      @pointerenter=${this.#sendForEditor}
      @focusin=${this.#sendForEditor}
      @dragenter=${this.#sendForEditor}
      @pointerdown=${this.#pointerDown}
    >
      <div class="top">
        <label for="editor">${label}</label>
        <div role="tablist" aria-label=${t('Editor mode')} @keydown=${this.#standInTabKey}>
          <button type="button" role="tab" id="tab-write" aria-selected="true" aria-controls="panel-write" tabindex="0">
            ${t('Write')}
          </button>
          <button
            type="button"
            role="tab"
            id="tab-preview"
            aria-selected="false"
            aria-controls="panel-preview"
            tabindex="-1"
            @click=${() => this.#inEditor((editor) => editor.showTab('preview'))}
          >
            ${t('Preview')}
          </button>
        </div>
      </div>
      <div role="tabpanel" id="panel-write" aria-labelledby="tab-write">
        <textarea
          id="editor"
          .value=${this.text}
          maxlength="100000"
          placeholder=${placeholder}
          aria-invalid=${this.error ? 'true' : 'false'}
          aria-describedby=${['editor-hint', errorId].filter(Boolean).join(' ')}
          @input=${(event: InputEvent) => this.#setText((event.target as HTMLTextAreaElement).value)}
          @keydown=${this.#standInKey}
          @paste=${this.#standInPaste}
          @dragover=${this.#standInDragOver}
          @drop=${this.#standInDrop}
        ></textarea>
      </div>
      <div role="tabpanel" id="panel-preview" class="preview" aria-labelledby="tab-preview" tabindex="0" hidden></div>
      ${this.error ? html`<p class="field-error errors" id="editor-error" role="alert">${this.error}</p>` : nothing}
      <div class="bottom">
        ${editorHint(t('posts'))}
        ${
          groupId
            ? html`<button
                type="button"
                id="attach"
                class="secondary small attach"
                @click=${() => this.#inEditor((editor) => editor.chooseFiles())}
              >
                ${attachIcon}
                ${t('Attach a file')}
              </button>`
            : nothing
        }
        <div class="buttons">${this.#actions(nothing)}</div>
      </div>
    </div>`;
  }

  /** Loads the editor (once) and draws it in place of the stand-in. */
  #sendForEditor = () => {
    void this.#showEditor();
  };

  #showEditor(): Promise<PlMarkdownEditor | null> {
    this.#editorShown ??= (async () => {
      if (!(await defineOnDemand(loadEditor))) {
        this.#editorShown = null; // the stand-in stays, and the next reach for it tries again
        return null;
      }
      // A click under way finishes on the stand-in's button, which hands it on.
      if (this.#pressed) await this.#pressed;
      const focus = this.#standInFocus();
      this.editorReady = true;
      await this.updateComplete;
      const editor = this.editor;
      if (!editor) return null; // the thread closed meanwhile
      await editor.updateComplete;
      if (focus?.id === 'editor') await editor.focusEditor(focus.selection ?? undefined);
      else if (focus) {
        // A tab or "Attach a file" is the editor's now; Post and Cancel are still this element's.
        const selector = `#${focus.id}`;
        (
          editor.renderRoot.querySelector<HTMLElement>(selector) ??
          this.renderRoot.querySelector<HTMLElement>(selector)
        )?.focus();
      }
      return editor;
    })();
    return this.#editorShown;
  }

  /** Does `act` with the editor once it is shown (nothing if it cannot load). */
  async #inEditor(act: (editor: PlMarkdownEditor) => void) {
    const editor = await this.#showEditor();
    if (editor) act(editor);
  }

  /** Which of the stand-in's controls has the focus, and the text's selection if it is the text area. */
  #standInFocus(): { id: string; selection: { start: number; end: number } | null } | null {
    const active = (this.renderRoot as ShadowRoot).activeElement;
    if (!(active instanceof HTMLElement) || !active.id || !active.closest('.stand-in')) return null;
    const selection =
      active instanceof HTMLTextAreaElement
        ? { start: active.selectionStart, end: active.selectionEnd }
        : null;
    return { id: active.id, selection };
  }

  #pointerDown = () => {
    this.#sendForEditor();
    this.#pressed ??= new Promise<void>((resolve) => {
      const release = () => {
        removeEventListener('pointerup', release, true);
        removeEventListener('pointercancel', release, true);
        // The click comes right after the pointerup, in the same turn of input events.
        setTimeout(() => {
          this.#pressed = null;
          resolve();
        });
      };
      addEventListener('pointerup', release, true);
      addEventListener('pointercancel', release, true);
    });
  };

  #standInKey(event: KeyboardEvent) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void this.#post();
    } else if (event.key === 'Escape' && !this.text.trim() && this.compact) {
      this.#cancel();
    }
  }

  #standInTabKey(event: KeyboardEvent) {
    if (!['ArrowRight', 'ArrowLeft', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    // As in the editor: the arrows switch to the other tab (Preview, from Write), Home and End go to the ends.
    const target = event.key === 'Home' ? 'write' : 'preview';
    void this.#inEditor((editor) => {
      editor.showTab(target);
      void editor.updateComplete.then(() =>
        editor.renderRoot.querySelector<HTMLElement>(`#tab-${target}`)?.focus(),
      );
    });
  }

  #standInPaste(event: ClipboardEvent) {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!this.#groupId || files.length === 0) return;
    event.preventDefault();
    void this.#inEditor((editor) => editor.attach(files));
  }

  #standInDragOver(event: DragEvent) {
    if (!this.#groupId || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }

  #standInDrop(event: DragEvent) {
    const files = [...(event.dataTransfer?.files ?? [])];
    if (!this.#groupId || files.length === 0) return;
    event.preventDefault();
    void this.#inEditor((editor) => {
      void editor.focusEditor();
      editor.attach(files);
    });
  }

  #input(event: PlEvent<'pl-editor-input'>) {
    this.#setText(event.detail.value);
  }

  #setText(value: string) {
    this.text = value;
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
