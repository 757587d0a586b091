import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { splitErrors } from '../data/api';
import { type Group, listGroups } from '../data/groups';
import { hitHref, normaliseQuery, type SearchHit, search } from '../data/search';
import { t } from '../i18n';
import { navigate } from '../router';
import { snippet } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';

/**
 * Search results for `/search?q=…`: threads and comments from the person's
 * groups, best match first, each with its thread's title, the group, and a
 * snippet with the matched words marked; more on request.
 */
@customElement('pl-search-page')
export class PlSearchPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      h1 {
        margin-bottom: var(--pl-space-2);
      }
      form {
        display: flex;
        gap: var(--pl-space-1);
        max-width: 640px;
        margin-bottom: var(--pl-space-3);
      }
      form input {
        flex: 1;
      }
      .summary {
        margin-bottom: var(--pl-space-2);
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
        max-width: 760px;
      }
      li {
        padding: 12px var(--pl-space-2);
        background: var(--pl-color-surface);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
      }
      .top {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: var(--pl-space-half) var(--pl-space-1);
      }
      .top a {
        font-weight: var(--pl-weight-bold);
        overflow-wrap: anywhere;
      }
      .snippet {
        margin-top: var(--pl-space-half);
        overflow-wrap: anywhere;
        color: var(--pl-color-text);
      }
      mark {
        background: var(--pl-color-warning-soft);
        color: inherit;
        border-radius: 2px;
        padding: 0 1px;
        font-weight: var(--pl-weight-medium);
      }
      .where {
        margin-top: var(--pl-space-half);
      }
      .more {
        margin-top: var(--pl-space-2);
      }
      .empty {
        max-width: 640px;
        padding: var(--pl-space-3);
        border: 1px dashed var(--pl-color-border-strong);
        border-radius: var(--pl-radius);
      }
    `,
  ];

  /** What to search for (from the URL). */
  @property() q = '';

  @state() private hits: SearchHit[] = [];
  @state() private nextCursor: string | null = null;
  @state() private status: 'idle' | 'loading' | 'ready' | 'error' = 'idle';
  @state() private error: string | null = null;
  @state() private loadingMore = false;
  @state() private groups = new Map<string, Group>();
  @state() private draft = '';

  #controller: AbortController | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    listGroups()
      .then((groups) => {
        this.groups = new Map(groups.map((g) => [g.id, g]));
      })
      .catch(() => {}); // group names are a nicety
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#controller?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('q')) {
      this.draft = this.q;
      void this.#run();
    }
  }

  override render() {
    const q = normaliseQuery(this.q);
    return html`<h1 tabindex="-1">${t('Search')}</h1>
      <form role="search" aria-label=${t('Search threads and comments')} @submit=${this.#submit}>
        <label class="sr-only" for="search-q">${t('Search threads and comments')}</label>
        <input
          id="search-q"
          type="search"
          name="q"
          maxlength="500"
          placeholder=${t('Words to look for')}
          .value=${this.draft}
          @input=${(e: InputEvent) => {
            this.draft = (e.target as HTMLInputElement).value;
          }}
        />
        <button type="submit">${t('Search')}</button>
      </form>
      ${
        !q
          ? html`<p class="muted">
              ${t('Search the threads and comments of all your groups. Use quotes for a phrase, and - to leave a word out.')}
            </p>`
          : this.status === 'loading'
            ? html`<p class="muted" aria-busy="true">${t('Searching…')}</p>`
            : this.status === 'error'
              ? html`<p class="alert" role="alert">${this.error}</p>`
              : this.#results(q)
      }`;
  }

  #results(q: string) {
    if (this.hits.length === 0) {
      return html`<div class="empty" role="status">
        <p><strong>${t('Nothing matches “{query}”.', { query: q })}</strong></p>
        <p class="muted small">${t('Try fewer or other words.')}</p>
      </div>`;
    }
    return html`<p class="summary muted" role="status">
        ${
          this.nextCursor
            ? t('More than {count} results for “{query}”', { count: this.hits.length, query: q })
            : t('{count, plural, one {# result} other {# results}} for “{query}”', {
                count: this.hits.length,
                query: q,
              })
        }
      </p>
      <ol aria-label=${t('Search results')}>
        ${this.hits.map(
          (hit) => html`<li>
            <div class="top">
              <span class="badge ${hit.type === 'thread' ? 'accent' : ''}">${hit.type === 'thread' ? t('Thread') : t('Comment')}</span>
              <a href=${hitHref(hit)}>${hit.title}</a>
            </div>
            <p class="snippet">${snippet(hit.snippet)}</p>
            ${
              this.groups.get(hit.groupId)
                ? html`<p class="where muted small">${t('in {group}', { group: this.groups.get(hit.groupId)!.name })}</p>`
                : nothing
            }
          </li>`,
        )}
      </ol>
      ${this.error ? html`<p class="field-error more" role="alert">${this.error}</p>` : nothing}
      ${
        this.nextCursor
          ? html`<button class="secondary more" type="button" ?disabled=${this.loadingMore} @click=${this.#more}>
            ${this.loadingMore ? t('Loading…') : t('More results')}
          </button>`
          : nothing
      }`;
  }

  #submit(event: SubmitEvent) {
    event.preventDefault();
    const q = normaliseQuery(this.draft);
    if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
  }

  async #run() {
    this.#controller?.abort();
    const q = normaliseQuery(this.q);
    this.hits = [];
    this.nextCursor = null;
    this.error = null;
    if (!q) {
      this.status = 'idle';
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.status = 'loading';
    try {
      const page = await search(q, { signal: controller.signal });
      if (controller.signal.aborted) return;
      this.hits = page.items;
      this.nextCursor = page.nextCursor;
      this.status = 'ready';
    } catch (err) {
      if (controller.signal.aborted) return;
      this.error = splitErrors(err, ['q']).fields.q ?? splitErrors(err, []).form;
      this.status = 'error';
    }
  }

  async #more() {
    const q = normaliseQuery(this.q);
    if (!this.nextCursor || !q) return;
    this.loadingMore = true;
    try {
      const page = await search(q, { cursor: this.nextCursor });
      const known = new Set(this.hits.map((h) => `${h.type}:${h.id}`));
      this.hits = [...this.hits, ...page.items.filter((h) => !known.has(`${h.type}:${h.id}`))];
      this.nextCursor = page.nextCursor;
    } catch (err) {
      this.error = splitErrors(err, []).form;
    } finally {
      this.loadingMore = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-search-page': PlSearchPage;
  }
}
