import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { type FieldErrors, splitErrors } from '../data/api';
import { createGroup, type Group, listGroups } from '../data/groups';
import { navigate } from '../router';
import { plural } from '../ui/format';
import { checkFields, field, formAlert, formValues, revealErrors } from '../ui/forms';
import { sharedStyles } from '../ui/styles';

/** The signed-in home: the person's groups, and a form to start a new one. */
@customElement('pl-home-page')
export class PlHomePage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr) 360px;
        gap: var(--pl-space-4);
        align-items: start;
      }
      @media (max-width: 860px) {
        .layout {
          grid-template-columns: minmax(0, 1fr);
          gap: var(--pl-space-3);
        }
      }
      h1 {
        margin-bottom: var(--pl-space-2);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      .group {
        display: flex;
        align-items: flex-start;
        justify-content: space-between;
        gap: var(--pl-space-2);
        padding: var(--pl-space-2);
        background: var(--pl-color-surface);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
        color: var(--pl-color-text);
        text-decoration: none;
        transition: border-color 120ms ease;
      }
      .group:hover {
        border-color: var(--pl-color-accent);
        color: var(--pl-color-text);
      }
      .group-name {
        display: block;
        font-weight: var(--pl-weight-bold);
        font-size: 1.0625rem;
      }
      .group-desc {
        margin-top: var(--pl-space-half);
        display: -webkit-box;
        -webkit-line-clamp: 2;
        -webkit-box-orient: vertical;
        overflow: hidden;
      }
      .group-meta {
        display: flex;
        flex-direction: column;
        align-items: flex-end;
        gap: var(--pl-space-half);
        flex: none;
      }
      .empty {
        padding: var(--pl-space-4) var(--pl-space-3);
        text-align: center;
        border: 1px dashed var(--pl-color-border-strong);
        border-radius: var(--pl-radius);
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
        margin-top: var(--pl-space-2);
      }
    `,
  ];

  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;

  readonly #groups = new Task(this, {
    task: () => listGroups(),
    args: () => [],
  });

  override render() {
    return html`<div class="layout">
      <section aria-labelledby="groups-heading">
        <h1 id="groups-heading" tabindex="-1">Your groups</h1>
        ${this.#groups.render({
          pending: () => html`<p class="muted" aria-busy="true">Loading your groups…</p>`,
          error: () =>
            html`<p class="alert" role="alert">
              Your groups could not be loaded.
              <button class="secondary small" type="button" @click=${() => this.#groups.run()}>Try again</button>
            </p>`,
          complete: (groups) => this.#list(groups),
        })}
      </section>
      <section class="card" aria-labelledby="create-heading">
        <h2 id="create-heading">Start a group</h2>
        <p class="muted small">You will be its facilitator and can invite others.</p>
        <form novalidate @submit=${this.#create}>
          ${formAlert(this.formError)}
          ${field({ name: 'name', label: 'Group name', required: true, maxlength: 200, error: this.errors.name })}
          ${field({
            name: 'description',
            label: 'Description (optional)',
            multiline: true,
            maxlength: 100_000,
            hint: 'What the group is for. Markdown is fine.',
            error: this.errors.description,
          })}
          <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Creating…' : 'Create group'}</button>
        </form>
      </section>
    </div>`;
  }

  #list(groups: Group[]) {
    if (groups.length === 0) {
      return html`<div class="empty">
        <p><strong>You are not in any group yet.</strong></p>
        <p class="muted">Start one here, or open an invitation link someone sent you.</p>
      </div>`;
    }
    return html`<ul>
      ${groups.map(
        (g) => html`<li>
          <a class="group" href="/groups/${encodeURIComponent(g.id)}">
            <span>
              <span class="group-name">${g.name}</span>
              ${g.description ? html`<span class="group-desc muted small">${g.description}</span>` : nothing}
            </span>
            <span class="group-meta">
              <span class="badge ${g.myRole === 'facilitator' ? 'accent' : ''}">${roleLabel(g.myRole)}</span>
              <span class="muted small">${plural(g.memberCount, 'member')}</span>
            </span>
          </a>
        </li>`,
      )}
    </ul>`;
  }

  async #create(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy) return;
    const form = event.target as HTMLFormElement;
    this.errors = checkFields(form);
    this.formError = null;
    if (await revealErrors(this, this.errors)) return;
    const v = formValues(form);
    this.busy = true;
    try {
      const group = await createGroup({ name: v.name!.trim(), description: v.description ?? '' });
      navigate(`/groups/${encodeURIComponent(group.id)}`);
    } catch (err) {
      const split = splitErrors(err, ['name', 'description']);
      this.errors = split.fields;
      this.formError = split.form;
      await revealErrors(this, split.fields, split.form);
    } finally {
      this.busy = false;
    }
  }
}

function roleLabel(role: Group['myRole']): string {
  return role === 'facilitator' ? 'Facilitator' : 'Member';
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-home-page': PlHomePage;
  }
}
