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
import { attachIcon, editorFrameStyles, editorHint } from './markdown-editor-frame';

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
    editorFrameStyles,
    css`
      :host {
        display: block;
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

  /**
   * Back to the Write tab with the caret at the end of the text, or over
   * `selection` (where it was in the stand-in <pl-composer> drew before this
   * element loaded: a mention being typed there shows its list here).
   */
  async focusEditor(selection?: { start: number; end: number }): Promise<void> {
    this.tab = 'write';
    await this.updateComplete;
    const area = this.textarea;
    if (!area) return;
    area.focus();
    const { start, end } = selection ?? { start: area.value.length, end: area.value.length };
    area.setSelectionRange(start, end);
    if (selection) this.#caretMoved();
  }

  /** Shows the Write or the Preview tab, as clicking it does. */
  showTab(tab: 'write' | 'preview'): void {
    this.#showTab(tab);
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
        ${editorHint(this.submitHint)}
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
            ? html`<button type="button" id="attach" class="secondary small attach" ?disabled=${this.disabled} @click=${this.chooseFiles}>
                  ${attachIcon}
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

  /** Opens the file picker of "Attach a file" (needs the user's click, as any picker does). */
  chooseFiles(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click();
  }

  #filesChosen(event: Event) {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    this.attach(files);
  }

  #paste(event: ClipboardEvent) {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!this.groupId || files.length === 0) return;
    event.preventDefault();
    this.attach(files);
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
    this.attach(files);
  }

  /**
   * Uploads each file to `groupId` and links it at the caret, holding its
   * place in the text with "[Uploading name…]" until its link replaces it.
   */
  attach(files: File[]): void {
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
