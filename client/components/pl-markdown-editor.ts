import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ApiError } from '../data/api';
import { attachmentMarkdown, uploadFile } from '../data/attachments';
import {
  insertMention,
  loadDraft,
  type Mentionable,
  type MentionQuery,
  matchMentions,
  mentionAt,
  saveDraft,
} from '../data/comments';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { initials } from '../ui/format';
import { loadMarkdown, markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

/** Detail of `pl-editor-input`. */
export interface EditorInputDetail {
  value: string;
}

/**
 * The Markdown editor every long text in Plenary is written in: comments,
 * replies, a thread's context, a proposal's details. A Write and a Preview
 * tab (arrow keys move between them), `@` to mention a member (a listbox of
 * `members`; arrows, Enter or Tab to insert, Escape to dismiss), and
 * Ctrl/Cmd+Enter to submit when `submitHint` says what that does. Holds no
 * data of its own: the value comes in, every change goes out as an event,
 * and whoever hosts it sends them. Actions go in the `actions` slot, beside
 * the hint. It takes part in forms like a textarea (`name`, FormData), and
 * with `draft-key` keeps unsent text in localStorage: a reload brings it back
 * (the host clears it with `clearDraft` once the text is saved). With a
 * `groupId`, files dropped or pasted into it, or chosen with "Attach a file",
 * are uploaded to that group and linked at the caret (`![name](url)` for
 * images, shown in the preview; `[name](url)` otherwise).
 *
 * @fires pl-editor-input - {@link EditorInputDetail}: the text changed
 * @fires pl-editor-submit - Ctrl/Cmd+Enter (only with `submitHint`)
 * @fires pl-editor-escape - Escape in an empty editor
 */
@customElement('pl-markdown-editor')
export class PlMarkdownEditor extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static formAssociated = true;
  readonly #internals = this.attachInternals();

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
      :host {
        display: block;
      }
      :host([compact]) textarea {
        min-height: 80px;
      }
      .attach {
        display: inline-flex;
        align-items: center;
        gap: 4px;
      }
      .uploads {
        padding: 0 12px 8px;
      }
      textarea.dropping {
        background: var(--pl-color-accent-soft);
      }
    `,
  ];

  /** The visible label. */
  @property() label = '';
  /** Its name in a form's data. */
  @property({ reflect: true }) name = '';
  /** Where unsent text is kept (`plenary:…`); empty: nowhere. */
  @property({ attribute: 'draft-key' }) draftKey = '';
  /** The text. */
  @property() value = '';
  /** Members who can be @-mentioned (none: no suggestions). */
  @property({ attribute: false }) members: Mentionable[] = [];
  @property() placeholder = '';
  /** A message about the text (a field error), shown under it and announced. */
  @property() error: string | null = null;
  /** What Ctrl/Cmd+Enter does ("posts", "saves", in the reader's language); empty: nothing. */
  @property({ attribute: 'submit-hint' }) submitHint = '';
  /** Smaller, for replies. */
  @property({ type: Boolean, reflect: true }) compact = false;
  @property({ type: Boolean }) disabled = false;
  /** The group files go to; empty: no attaching. */
  @property({ attribute: 'group-id' }) groupId = '';
  /** Checked forms find the first invalid field by this attribute. */
  @property({ attribute: 'aria-invalid', reflect: true }) invalid: 'true' | 'false' = 'false';

  @state() private tab: 'write' | 'preview' = 'write';
  @state() private mention: MentionQuery | null = null;
  @state() private suggestions: Mentionable[] = [];
  @state() private active = 0;
  /** The member list opens above the editor when there is no room below it. */
  @state() private mentionsAbove = false;
  /** Names of the files being uploaded. */
  @state() private uploading: string[] = [];
  @state() private uploadError: string | null = null;
  @state() private dropping = false;

  @query('textarea') private textarea?: HTMLTextAreaElement;

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.invalid = this.error ? 'true' : 'false';
    if (changed.has('draftKey') && this.draftKey) {
      const kept = loadDraft(this.draftKey);
      if (kept && kept !== this.value) this.#changed(kept);
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('value')) this.#internals.setFormValue(this.value);
  }

  formResetCallback(): void {
    this.value = '';
  }

  /** Back to the Write tab with the caret at the end of the text. */
  async focusEditor(): Promise<void> {
    this.tab = 'write';
    await this.updateComplete;
    const area = this.textarea;
    if (!area) return;
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  override render() {
    const open = this.mention !== null && this.suggestions.length > 0;
    const activeId = open ? `mention-${this.active}` : undefined;
    const errorId = this.error ? 'editor-error' : '';
    return html`<div class="composer ${this.disabled ? 'disabled' : ''}">
      <div class="top">
        <label for="editor">${this.label}</label>
        <div role="tablist" aria-label=${t('Editor mode')} @keydown=${this.#tabKey}>
          ${this.#tabButton('write', t('Write'))} ${this.#tabButton('preview', t('Preview'))}
        </div>
      </div>
      <div role="tabpanel" id="panel-write" aria-labelledby="tab-write" ?hidden=${this.tab !== 'write'}>
        <textarea
          id="editor"
          .value=${this.value}
          maxlength="100000"
          placeholder=${this.placeholder || nothing}
          ?disabled=${this.disabled}
          aria-invalid=${this.error ? 'true' : 'false'}
          aria-describedby=${['editor-hint', errorId].filter(Boolean).join(' ')}
          aria-autocomplete=${this.members.length ? 'list' : nothing}
          aria-controls=${open ? 'mention-list' : nothing}
          aria-activedescendant=${activeId ?? nothing}
          @input=${this.#input}
          @keydown=${this.#keydown}
          @click=${this.#caretMoved}
          @blur=${this.#blur}
          @paste=${this.#paste}
          @dragover=${this.#dragOver}
          @dragleave=${() => {
            this.dropping = false;
          }}
          @drop=${this.#drop}
          class=${this.dropping ? 'dropping' : ''}
        ></textarea>
        ${open ? this.#mentionList() : nothing}
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
            ? this.value.trim()
              ? html`<div class="markdown">${markdown(this.value)}</div>`
              : html`<p class="muted">${t('Nothing to preview yet.')}</p>`
            : nothing
        }
      </div>
      ${this.error ? html`<p class="field-error errors" id="editor-error" role="alert">${this.error}</p>` : nothing}
      ${this.#uploadStatus()}
      <div class="bottom">
        <p class="hint" id="editor-hint">
          ${t('Markdown is supported.')}${
            this.submitHint
              ? html` <kbd>${isMac ? '⌘' : 'Ctrl'}</kbd>+<kbd>Enter</kbd> ${this.submitHint}.`
              : nothing
          }
        </p>
        <span class="sr-only" role="status"
          >${
            open
              ? t(
                  '{count, plural, one {# member matches. Up and down to choose, Enter to insert.} other {# members match. Up and down to choose, Enter to insert.}}',
                  { count: this.suggestions.length },
                )
              : ''
          }</span
        >
        ${
          this.groupId
            ? html`<button type="button" class="secondary small attach" ?disabled=${this.disabled} @click=${this.#chooseFiles}>
                  <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
                    <path d="M21 12.5l-8.5 8.5a5.5 5.5 0 0 1-7.8-7.8l9-9a3.7 3.7 0 0 1 5.2 5.2l-9 9a1.8 1.8 0 0 1-2.6-2.6l8.3-8.3" />
                  </svg>
                  ${t('Attach a file')}
                </button>
                <input type="file" multiple hidden aria-label=${t('Attach a file')} @change=${this.#filesChosen} />`
            : nothing
        }
        <div class="buttons"><slot name="actions"></slot></div>
      </div>
    </div>`;
  }

  #tabButton(tab: 'write' | 'preview', text: string) {
    return html`<button
      type="button"
      role="tab"
      id="tab-${tab}"
      aria-selected=${this.tab === tab ? 'true' : 'false'}
      aria-controls="panel-${tab}"
      tabindex=${this.tab === tab ? '0' : '-1'}
      @click=${() => this.#showTab(tab)}
    >
      ${text}
    </button>`;
  }

  #mentionList() {
    return html`<ul
      id="mention-list"
      class="mentions ${this.mentionsAbove ? 'above' : ''}"
      role="listbox"
      aria-label=${t('Members to mention')}
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
    </ul>`;
  }

  #showTab(tab: 'write' | 'preview') {
    this.tab = tab;
    this.#closeMentions();
    if (tab === 'preview') void loadMarkdown().catch(() => {});
  }

  #tabKey(event: KeyboardEvent) {
    if (!['ArrowRight', 'ArrowLeft', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    const next = this.tab === 'write' ? 'preview' : 'write';
    const target = event.key === 'Home' ? 'write' : event.key === 'End' ? 'preview' : next;
    this.#showTab(target);
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`#tab-${target}`)?.focus(),
    );
  }

  #input(event: InputEvent) {
    this.#changed((event.target as HTMLTextAreaElement).value);
    this.#caretMoved();
  }

  #changed(value: string) {
    this.value = value;
    if (this.draftKey) saveDraft(this.draftKey, value);
    fireEvent(this, 'pl-editor-input', { value });
  }

  #caretMoved() {
    const area = this.textarea;
    if (!area || area.selectionStart !== area.selectionEnd || this.members.length === 0)
      return this.#closeMentions();
    const mention = mentionAt(area.value, area.selectionStart);
    if (!mention) return this.#closeMentions();
    const matches = matchMentions(this.members, mention.query);
    if (this.mention?.query !== mention.query) this.active = 0;
    if (!this.mention) this.mentionsAbove = area.getBoundingClientRect().bottom + 280 > innerHeight;
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
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && this.submitHint) {
      event.preventDefault();
      fireEvent(this, 'pl-editor-submit');
    } else if (event.key === 'Escape' && !this.value.trim()) {
      fireEvent(this, 'pl-editor-escape');
    } else if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) {
      queueMicrotask(() => this.#caretMoved());
    }
  }

  #uploadStatus() {
    const names = this.uploading;
    return html`<p class="uploads small muted" role="status" ?hidden=${names.length === 0 && !this.uploadError}>
      ${names.length ? t('Uploading {files}…', { files: names.join(', ') }) : ''}
      ${this.uploadError ? html`<span class="field-error" role="alert">${this.uploadError}</span>` : nothing}
    </p>`;
  }

  #chooseFiles() {
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click();
  }

  #filesChosen(event: Event) {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    this.#attach(files);
  }

  #paste(event: ClipboardEvent) {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!this.groupId || files.length === 0) return;
    event.preventDefault();
    this.#attach(files);
  }

  #dragOver(event: DragEvent) {
    if (!this.groupId || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dropping = true;
  }

  #drop(event: DragEvent) {
    this.dropping = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (!this.groupId || files.length === 0) return;
    event.preventDefault();
    this.textarea?.focus();
    this.#attach(files);
  }

  /** Uploads each file, holding its place in the text with "[Uploading name…]" until its link replaces it. */
  #attach(files: File[]) {
    if (!this.groupId || this.disabled) return;
    this.uploadError = null;
    for (const file of files) void this.#uploadOne(this.groupId, file);
  }

  async #uploadOne(groupId: string, file: File) {
    const placeholder = t('[Uploading {file}…]', { file: file.name.replace(/[[\]\s]+/g, ' ') });
    this.#replaceSelection(placeholder);
    this.uploading = [...this.uploading, file.name];
    try {
      this.#replacePlaceholder(placeholder, attachmentMarkdown(await uploadFile(groupId, file)));
    } catch (err) {
      this.#replacePlaceholder(placeholder, '');
      const reason = err instanceof ApiError ? err.message : t('something went wrong');
      this.uploadError = t('{file} could not be attached: {reason}', { file: file.name, reason });
    } finally {
      const i = this.uploading.indexOf(file.name);
      this.uploading = this.uploading.filter((_, j) => j !== i);
    }
  }

  /** Puts `text` where the caret is (over any selection), the caret after it. */
  #replaceSelection(text: string) {
    const area = this.textarea;
    const start = area ? area.selectionStart : this.value.length;
    const end = area ? area.selectionEnd : this.value.length;
    this.#changed(this.value.slice(0, start) + text + this.value.slice(end));
    this.#placeCaret(start + text.length);
  }

  /** Swaps a placeholder for the text it held a place for; the caret keeps its place in the text around it. */
  #replacePlaceholder(placeholder: string, text: string) {
    const at = this.value.indexOf(placeholder);
    if (at < 0) return; // deleted meanwhile: the writer no longer wants it there
    const caret = this.textarea?.selectionStart ?? this.value.length;
    this.#changed(this.value.slice(0, at) + text + this.value.slice(at + placeholder.length));
    const shift = text.length - placeholder.length;
    this.#placeCaret(caret >= at + placeholder.length ? caret + shift : Math.min(caret, at + text.length));
  }

  #placeCaret(position: number) {
    void this.updateComplete.then(() => {
      const area = this.textarea;
      if (area && this.renderRoot && (this.renderRoot as ShadowRoot).activeElement === area) {
        area.setSelectionRange(position, position);
      }
    });
  }

  #choose(person: Mentionable) {
    const area = this.textarea;
    const mention = this.mention;
    if (!area || !mention) return;
    const next = insertMention(area.value, area.selectionStart, mention, person.handle);
    area.value = next.text;
    this.#changed(next.text);
    area.focus();
    area.setSelectionRange(next.caret, next.caret);
    this.#closeMentions();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-markdown-editor': PlMarkdownEditor;
  }
  interface PlEvents {
    'pl-editor-input': EditorInputDetail;
    'pl-editor-submit': undefined;
    'pl-editor-escape': undefined;
  }
}
