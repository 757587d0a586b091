import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { splitErrors } from '../data/api';
import { type Comment, type CommentVersion, listVersions } from '../data/comments';
import type { ThreadStore } from '../data/thread-store';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { absoluteTime, initials, relativeTime } from '../ui/format';
import { markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';
import './pl-reactions';

/** Detail of `pl-reply`: the comment replied to, and the conversation it belongs to. */
export interface ReplyDetail {
  /** The comment replied to, sent as `parentId` (the server attaches a reply to a reply to its top-level comment). */
  commentId: string;
  /** The top-level comment, under which the reply composer opens (replies are one level deep). */
  topLevelId: string;
  /** The author replied to when it is a reply (to mention them), else null. */
  handle: string | null;
}

/** Detail of `pl-comment-delete`. */
export interface DeleteCommentDetail {
  comment: Comment;
}

/** What a comment needs to save an edit: the thread's store, which then shows the server's answer. */
export type CommentEditor = Pick<ThreadStore, 'editComment'>;

/**
 * One comment: author, time, Markdown body, "edited" (with earlier versions
 * on request), reactions, and Reply / Edit / Delete for whoever may.
 * Editing happens in place, saved through `store`; replying and deleting are
 * asked of the page.
 *
 * @fires pl-reply - {@link ReplyDetail}: open a reply composer
 * @fires pl-comment-delete - {@link DeleteCommentDetail}: the person asked to delete it (the page confirms)
 * @fires pl-comment-changed - (from its `pl-reactions`) reacted to; the server's answer
 */
@customElement('pl-comment')
export class PlComment extends LitElement {
  static override styles = [
    sharedStyles,
    markdownStyles,
    css`
      :host {
        display: block;
        scroll-margin-top: 80px;
      }
      article {
        display: grid;
        grid-template-columns: 36px minmax(0, 1fr);
        gap: 0 12px;
        padding: 12px;
        border-radius: var(--pl-radius);
        transition: background-color 600ms ease;
      }
      :host([highlighted]) article {
        background: var(--pl-color-accent-soft);
      }
      :host([reply]) article {
        grid-template-columns: 28px minmax(0, 1fr);
        padding: 8px 12px;
      }
      .avatar {
        display: inline-grid;
        place-items: center;
        width: 36px;
        height: 36px;
        border-radius: 50%;
        background: var(--pl-color-accent-soft);
        color: var(--pl-color-accent-hover);
        font-weight: var(--pl-weight-bold);
        font-size: var(--pl-text-sm);
      }
      :host([reply]) .avatar {
        width: 28px;
        height: 28px;
        font-size: 0.75rem;
      }
      .main {
        min-width: 0;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 2px var(--pl-space-1);
        margin-bottom: 2px;
      }
      .author {
        font-weight: var(--pl-weight-bold);
        overflow-wrap: anywhere;
      }
      .when,
      .edited {
        font-size: var(--pl-text-sm);
        color: var(--pl-color-text-muted);
      }
      .when {
        text-decoration: none;
      }
      .when:hover {
        text-decoration: underline;
        color: var(--pl-color-text-muted);
      }
      button.link {
        min-height: 0;
        padding: 0;
        border: 0;
        background: none;
        color: var(--pl-color-text-muted);
        font-weight: normal;
        text-decoration: underline dotted;
        text-underline-offset: 0.2em;
      }
      button.link:hover {
        background: none;
        color: var(--pl-color-text);
      }
      .badge.new {
        background: var(--pl-color-accent);
        color: var(--pl-color-on-accent);
      }
      .deleted {
        font-style: italic;
        color: var(--pl-color-text-muted);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-1);
        margin-top: var(--pl-space-1);
      }
      .actions .spacer {
        flex: 1;
      }
      .actions button.ghost {
        min-height: 30px;
        padding: 0 8px;
        font-size: var(--pl-text-sm);
        color: var(--pl-color-text-muted);
      }
      .actions button.ghost:hover {
        color: var(--pl-color-text);
      }
      .actions button.ghost.danger-text:hover {
        color: var(--pl-color-danger);
      }
      form.edit {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
        margin-top: var(--pl-space-half);
      }
      form.edit .buttons {
        align-items: center;
      }
      .versions {
        margin-top: var(--pl-space-1);
        padding: var(--pl-space-1) 12px;
        border-left: 3px solid var(--pl-color-border);
        background: var(--pl-color-bg);
        border-radius: 0 var(--pl-radius-sm) var(--pl-radius-sm) 0;
      }
      .versions ol {
        list-style: none;
        margin: var(--pl-space-1) 0 0;
        padding: 0;
      }
      .versions li + li {
        margin-top: var(--pl-space-1);
        padding-top: var(--pl-space-1);
        border-top: 1px solid var(--pl-color-border);
      }
    `,
  ];

  /** The comment to show; `reactions[].mine` already set for the viewer. */
  @property({ attribute: false }) comment: Comment | null = null;

  /** The viewer's user id: their own comments may be edited. */
  @property() viewerId = '';

  /** Facilitators may delete anyone's comment. */
  @property({ type: Boolean }) canModerate = false;

  /** The thread takes no new comments: no Reply. */
  @property({ type: Boolean }) closed = false;

  /** Arrived since the viewer's last visit. */
  @property({ type: Boolean }) isNew = false;

  /** Shown as a reply (smaller, under its top-level comment); reflected for styling. */
  @property({ type: Boolean, reflect: true }) reply = false;

  /** Briefly set when the page scrolls to this comment (a link to it). */
  @property({ type: Boolean, reflect: true }) highlighted = false;

  /** Saves edits (the thread's store); without it the comment cannot be edited. */
  @property({ attribute: false }) store: CommentEditor | null = null;

  @state() private editing = false;
  @state() private editError: string | null = null;
  @state() private saving = false;
  @state() private versions: CommentVersion[] | null = null;
  @state() private versionsOpen = false;
  @state() private versionsError: string | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    const previous = changed.get('comment') as Comment | null | undefined;
    if (previous && this.comment && previous.editedAt !== this.comment.editedAt) this.versions = null;
    if (this.comment?.deletedAt) {
      this.editing = false;
      this.versionsOpen = false;
    }
  }

  override render() {
    const c = this.comment;
    if (!c) return nothing;
    const deleted = c.deletedAt !== null;
    const mine = !!c.author && c.author.id === this.viewerId;
    const name = c.author?.name ?? t('Former member');
    const headingId = `by-${c.id}`;
    return html`<article aria-labelledby=${headingId} data-comment-id=${c.id}>
      <span class="avatar" aria-hidden="true">${initials(name)}</span>
      <div class="main">
        <header>
          <span class="author" id=${headingId}>${name}${mine ? html` <span class="muted small">${t('(you)')}</span>` : nothing}</span>
          <a class="when" href="#comment-${c.id}" title=${absoluteTime(c.createdAt)} @click=${this.#permalink}
            ><time datetime=${c.createdAt}>${relativeTime(c.createdAt)}</time></a
          >
          ${
            c.editedAt && !deleted
              ? html`<button
                class="link edited"
                type="button"
                aria-expanded=${this.versionsOpen ? 'true' : 'false'}
                aria-controls="versions-${c.id}"
                title=${t('Edited {date}: show earlier versions', { date: absoluteTime(c.editedAt) })}
                @click=${this.#toggleVersions}
              >
                ${t('edited')}
              </button>`
              : nothing
          }
          ${this.isNew ? html`<span class="badge new">${t('New')}</span>` : nothing}
        </header>
        ${
          deleted
            ? html`<p class="deleted">${t('This comment was deleted.')}</p>`
            : this.editing
              ? this.#editForm(c)
              : html`<div class="markdown">${markdown(c.body)}</div>`
        }
        ${this.versionsOpen ? this.#versions(c) : nothing}
        ${
          deleted || this.editing
            ? nothing
            : html`<div class="actions">
              <pl-reactions .comment=${c}></pl-reactions>
              <span class="spacer"></span>
              ${
                this.closed
                  ? nothing
                  : html`<button class="ghost" type="button" data-action="reply" @click=${this.#reply}>
                    <span aria-hidden="true">${t('Reply')}</span
                    ><span class="sr-only">${t('Reply to {name}', { name })}</span>
                  </button>`
              }
              ${
                mine && this.store
                  ? html`<button class="ghost" type="button" data-action="edit" @click=${this.#startEdit}>
                    <span aria-hidden="true">${t('Edit')}</span
                    ><span class="sr-only">${t('Edit your comment')}</span>
                  </button>`
                  : nothing
              }
              ${
                mine || this.canModerate
                  ? html`<button class="ghost danger-text" type="button" @click=${this.#delete}>
                    <span aria-hidden="true">${t('Delete')}</span
                    ><span class="sr-only"
                      >${mine ? t('Delete your comment') : t('Delete {name}’s comment', { name })}</span
                    >
                  </button>`
                  : nothing
              }
            </div>`
        }
      </div>
    </article>`;
  }

  #editForm(c: Comment) {
    const id = `edit-${c.id}`;
    return html`<form class="edit" novalidate @submit=${this.#save}>
      <label class="sr-only" for=${id}>${t('Edit your comment')}</label>
      <textarea
        id=${id}
        name="body"
        .value=${c.body}
        maxlength="100000"
        aria-invalid=${this.editError ? 'true' : 'false'}
        aria-describedby=${this.editError ? `${id}-error` : `${id}-hint`}
        @keydown=${this.#editKey}
      ></textarea>
      ${
        this.editError
          ? html`<p class="field-error" id="${id}-error">${this.editError}</p>`
          : html`<p class="hint" id="${id}-hint">${t('Markdown is fine. Ctrl+Enter saves, Escape cancels.')}</p>`
      }
      <div class="buttons">
        <button type="submit" class="small" ?disabled=${this.saving}>${this.saving ? t('Saving…') : t('Save')}</button>
        <button type="button" class="secondary small" @click=${this.#cancelEdit}>${t('Cancel')}</button>
      </div>
    </form>`;
  }

  #versions(c: Comment) {
    return html`<section class="versions small" id="versions-${c.id}" aria-label=${t('Earlier versions')}>
      ${
        this.versionsError
          ? html`<p class="field-error" role="alert">${this.versionsError}</p>`
          : this.versions === null
            ? html`<p class="muted" aria-busy="true">${t('Loading earlier versions…')}</p>`
            : this.versions.length === 0
              ? html`<p class="muted">${t('No earlier versions are kept.')}</p>`
              : html`<p class="muted">${t('Earlier versions, oldest first:')}</p>
                <ol>
                  ${this.versions.map(
                    (v) => html`<li>
                      <p class="muted">${this.#versionFrom(v)}</p>
                      <div class="markdown">${markdown(v.body)}</div>
                    </li>`,
                  )}
                </ol>`
      }
    </section>`;
  }

  /** "From 3 days ago": the sentence is one message, its time a `<time>` where `{when}` stands. */
  #versionFrom(v: CommentVersion) {
    const [before, after] = t('From {when}', { when: '\u0000' }).split('\u0000');
    return html`${before}<time datetime=${v.createdAt} title=${absoluteTime(v.createdAt)}>${relativeTime(v.createdAt)}</time>${after}`;
  }

  /** A link to this comment: a hash change (which the thread page follows), not a navigation. */
  #permalink(event: MouseEvent) {
    if (
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      !this.comment
    )
      return;
    event.preventDefault();
    const hash = `#comment-${this.comment.id}`;
    if (location.hash === hash) dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = hash;
  }

  async #toggleVersions() {
    this.versionsOpen = !this.versionsOpen;
    if (!this.versionsOpen || this.versions !== null || !this.comment) return;
    this.versionsError = null;
    try {
      this.versions = await listVersions(this.comment.id);
    } catch (err) {
      this.versionsError = splitErrors(err, []).form;
    }
  }

  /** Moves focus to the Reply button, if shown (back from a reply composer that was closed). */
  async focusReply(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-action="reply"]')?.focus();
  }

  #reply() {
    const c = this.comment;
    if (!c) return;
    fireEvent(this, 'pl-reply', {
      commentId: c.id,
      topLevelId: c.parentId ?? c.id,
      handle: c.parentId && c.author && c.author.id !== this.viewerId ? c.author.handle : null,
    });
  }

  #delete() {
    const c = this.comment;
    if (c) fireEvent(this, 'pl-comment-delete', { comment: c });
  }

  async #startEdit() {
    this.editing = true;
    this.editError = null;
    await this.updateComplete;
    const textarea = this.renderRoot.querySelector('textarea');
    textarea?.focus();
    textarea?.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  async #cancelEdit() {
    this.editing = false;
    this.editError = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-action="edit"]')?.focus();
  }

  #editKey(event: KeyboardEvent) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      (event.target as HTMLTextAreaElement).form?.requestSubmit();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      void this.#cancelEdit();
    }
  }

  async #save(event: SubmitEvent) {
    event.preventDefault();
    const c = this.comment;
    if (!c || !this.store || this.saving) return;
    const textarea = (event.target as HTMLFormElement).querySelector('textarea')!;
    const body = textarea.value;
    if (!body.trim()) {
      this.editError = t('A comment cannot be empty. Delete it instead?');
      textarea.focus();
      return;
    }
    this.saving = true;
    this.editError = null;
    try {
      await this.store.editComment(c.id, body);
      this.editing = false;
    } catch (err) {
      this.editError = splitErrors(err, ['body']).fields.body ?? splitErrors(err, ['body']).form;
      textarea.focus();
    } finally {
      this.saving = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-comment': PlComment;
  }
  interface PlEvents {
    'pl-reply': ReplyDetail;
    'pl-comment-delete': DeleteCommentDetail;
  }
}
