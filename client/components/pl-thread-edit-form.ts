import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type FieldErrors, splitErrors } from '../data/api';
import { clearDraft } from '../data/comments';
import { groupStore } from '../data/group-store';
import type { ThreadStore } from '../data/thread-store';
import type { Thread } from '../data/threads';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { checkFields, field, formAlert, formValues, markdownField, revealErrors } from '../ui/forms';
import { sharedStyles } from '../ui/styles';

import './pl-markdown-editor';

/** Where an unsaved edit of a thread's context is kept. */
const editDraftKey = (threadId: string) => `plenary:draft:thread-edit:${threadId}`;

/** What the form needs to save: the thread's store, which then shows the server's answer. */
export type ThreadEditor = Pick<ThreadStore, 'updateThread'>;

/** Detail of `pl-thread-saved`. */
export interface ThreadSavedDetail {
  thread: Thread;
}

/**
 * The form that edits a thread's title and context (Markdown), with each
 * error beside its field; saves through `store`.
 *
 * @fires pl-thread-saved - {@link ThreadSavedDetail}: the server took the change
 * @fires pl-cancel - the person closed the form without saving
 */
@customElement('pl-thread-edit-form')
export class PlThreadEditForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        margin-bottom: var(--pl-space-3);
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
      textarea {
        min-height: 160px;
      }
    `,
  ];

  /** The thread as it is now: the fields start from it. */
  @property({ attribute: false }) thread: Thread | null = null;

  /** Saves the change (the thread's store). */
  @property({ attribute: false }) store: ThreadEditor | null = null;

  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;

  /** Moves focus to the title field (as the form opens). */
  async focusTitle(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#field-title')?.focus();
  }

  override render() {
    const thread = this.thread;
    if (!thread) return nothing;
    return html`<form class="card edit-thread" novalidate aria-labelledby="edit-heading" @submit=${this.#save}>
      <h2 id="edit-heading">${t('Edit thread')}</h2>
      ${formAlert(this.formError)}
      ${field({ name: 'title', label: t('Title'), required: true, maxlength: 200, value: thread.title, error: this.errors.title })}
      ${markdownField({
        name: 'body',
        label: t('Context'),
        value: thread.body,
        error: this.errors.body,
        draftKey: editDraftKey(thread.id),
        members: groupStore(thread.groupId).value.members.map((m) => m.user),
        groupId: thread.groupId,
      })}
      <div class="buttons">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Saving…') : t('Save changes')}</button>
        <button type="button" class="secondary" @click=${this.#cancel}>${t('Cancel')}</button>
      </div>
    </form>`;
  }

  /** Cancel discards the unsaved edit: the next Edit starts from the thread as it is. */
  #cancel() {
    if (this.thread) clearDraft(editDraftKey(this.thread.id));
    fireEvent(this, 'pl-cancel');
  }

  async #save(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy || !this.store) return;
    const form = event.target as HTMLFormElement;
    this.errors = checkFields(form);
    this.formError = null;
    if (await revealErrors(this, this.errors)) return;
    const v = formValues(form);
    this.busy = true;
    try {
      const thread = await this.store.updateThread({ title: v.title!.trim(), body: v.body ?? '' });
      clearDraft(editDraftKey(thread.id));
      fireEvent(this, 'pl-thread-saved', { thread });
    } catch (err) {
      const split = splitErrors(err, ['title', 'body']);
      this.errors = split.fields;
      this.formError = split.form;
      await revealErrors(this, split.fields, split.form);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-thread-edit-form': PlThreadEditForm;
  }
  interface PlEvents {
    'pl-thread-saved': ThreadSavedDetail;
    'pl-cancel': undefined;
  }
}
