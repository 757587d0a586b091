import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError } from '../data/api';
import { type Attachment, changesFiles, deleteFile, fileSize, listFiles } from '../data/attachments';
import { Coalesced } from '../data/coalesced';
import { streamContext } from '../data/context';
import type { StreamClient } from '../data/stream';
import { TopicController } from '../data/topic-controller';
import { t, tMarkup } from '../i18n';
import { sharedStyles } from '../ui/styles';
import type { PlConfirmDialog } from './pl-confirm-dialog';
import './pl-confirm-dialog';

/**
 * The group's files on its page, newest first: each with its size, who
 * uploaded it and the thread that links it, a download link, and Delete for
 * its uploader and facilitators. Follows `group:<id>`, so a file another
 * member uploads appears without a reload.
 */
@customElement('pl-group-files')
export class PlGroupFiles extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: var(--pl-space-1) 0 0;
        padding: 0;
      }
      li {
        display: flex;
        align-items: baseline;
        gap: var(--pl-space-1);
        padding: 6px 0;
        border-top: 1px solid var(--pl-color-border);
      }
      li:first-child {
        border-top: 0;
      }
      .file {
        flex: 1;
        min-width: 0;
      }
      .name {
        overflow-wrap: anywhere;
      }
      .head {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
      }
    `,
  ];

  /** The group whose files to show. */
  @property() groupId = '';

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private files: Attachment[] | null = null;
  @state() private nextCursor: string | null = null;
  @state() private error: string | null = null;
  @state() private busyId: string | null = null;

  readonly #loads = new Coalesced(() => this.#load());

  protected readonly liveTopic = new TopicController(this, {
    stream: () => this.stream,
    topic: () => (this.groupId ? `group:${this.groupId}` : null),
    onEvent: (event) => {
      if (changesFiles(event)) void this.#loads.run();
    },
    onReset: () => void this.#loads.run(),
  });

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('groupId') && this.groupId) {
      this.files = null;
      void this.#loads.run();
    }
  }

  override render() {
    return html`<div class="head">
        <h2 id="files-heading">${t('Files')}</h2>
        ${this.files ? html`<span class="badge">${this.files.length}${this.nextCursor ? '+' : ''}</span>` : nothing}
      </div>
      ${this.error ? html`<p class="field-error" role="alert">${this.error}</p>` : nothing}
      ${
        this.files === null
          ? html`<p class="muted small" aria-busy="true">${t('Loading files…')}</p>`
          : this.files.length === 0
            ? html`<p class="muted small">
                ${t('No files yet. Drop or paste one into a comment, a thread or a proposal, or use “Attach a file”.')}
              </p>`
            : html`<ul aria-labelledby="files-heading">
                ${this.files.map((f) => this.#file(f))}
              </ul>`
      }
      ${
        this.nextCursor
          ? html`<button type="button" class="secondary small" @click=${this.#more}>${t('Show more files')}</button>`
          : nothing
      }
      <pl-confirm-dialog></pl-confirm-dialog>`;
  }

  #file(f: Attachment) {
    return html`<li data-id=${f.id}>
      <div class="file">
        <a class="name" href=${f.url} download=${f.filename}>${f.filename}</a>
        <div class="muted small">
          ${fileSize(f.size)} · ${f.uploader?.name ?? t('Someone who left')}
          ${
            f.usedIn
              ? html` · ${tMarkup('in {thread}', {}, { thread: html`<a href="/threads/${encodeURIComponent(f.usedIn.threadId)}">${f.usedIn.threadTitle}</a>` })}`
              : nothing
          }
        </div>
      </div>
      ${
        f.permissions.delete
          ? html`<button
              type="button"
              class="secondary small"
              aria-label=${t('Delete {file}', { file: f.filename })}
              ?disabled=${this.busyId === f.id}
              @click=${() => this.#delete(f)}
            >
              ${t('Delete')}
            </button>`
          : nothing
      }
    </li>`;
  }

  async #load() {
    const groupId = this.groupId;
    try {
      // The first page again: live changes land at the top.
      const page = await listFiles(groupId);
      if (groupId !== this.groupId) return;
      this.files = page.items;
      this.nextCursor = page.nextCursor;
      this.error = null;
    } catch (err) {
      this.files ??= [];
      this.error = t('Could not load the files: {error}', {
        error: err instanceof ApiError ? err.message : String(err),
      });
    }
  }

  async #more() {
    if (!this.nextCursor) return;
    try {
      const page = await listFiles(this.groupId, { cursor: this.nextCursor });
      this.files = [...(this.files ?? []), ...page.items];
      this.nextCursor = page.nextCursor;
    } catch (err) {
      this.error = t('Could not load more files: {error}', {
        error: err instanceof ApiError ? err.message : String(err),
      });
    }
  }

  async #delete(f: Attachment) {
    const ok = await this.renderRoot.querySelector<PlConfirmDialog>('pl-confirm-dialog')?.ask({
      title: t('Delete {file}?', { file: f.filename }),
      message: t('Comments and proposals that link it will show a broken link.'),
      confirmLabel: t('Delete file'),
      danger: true,
    });
    if (!ok) return;
    this.busyId = f.id;
    try {
      await deleteFile(f.id);
      this.files = (this.files ?? []).filter((x) => x.id !== f.id);
    } catch (err) {
      this.error = t('Could not delete {file}: {error}', {
        file: f.filename,
        error: err instanceof ApiError ? err.message : String(err),
      });
    } finally {
      this.busyId = null;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-group-files': PlGroupFiles;
  }
}
