import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type FieldErrors, splitErrors } from '../data/api';
import { streamContext } from '../data/context';
import { type GroupStore, groupStore } from '../data/group-store';
import type { GroupSettings } from '../data/groups';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { TopicController } from '../data/topic-controller';
import { m, t } from '../i18n';
import { checkFields, field, formAlert, formValues, revealErrors } from '../ui/forms';
import { sharedStyles } from '../ui/styles';

const SETTINGS: { key: keyof GroupSettings; label: string; hint: string }[] = [
  {
    key: 'membersCanStartThreads',
    label: m('Members can start threads'),
    hint: m('Otherwise only facilitators open new discussions.'),
  },
  {
    key: 'membersCanCreateProposals',
    label: m('Members can create proposals'),
    hint: m('Otherwise only facilitators put proposals to a vote.'),
  },
  {
    key: 'membersCanInvite',
    label: m('Members can invite people'),
    hint: m('Otherwise only facilitators create invitation links.'),
  },
  {
    key: 'delegation',
    label: m('Members can delegate their vote'),
    hint: m(
      'A member may let their vote follow another member’s, in the whole group or on one proposal, unless they vote themselves. Never on anonymous proposals.',
    ),
  },
];

const FIELDS = ['name', 'description', ...SETTINGS.map((s) => `settings.${s.key}`)];

/** Facilitators edit a group's name, description and what members may do. */
@customElement('pl-group-settings-page')
export class PlGroupSettingsPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .wrap {
        max-width: 640px;
      }
      .crumb {
        margin-bottom: var(--pl-space-half);
        font-size: var(--pl-text-sm);
      }
      h1 {
        margin-bottom: var(--pl-space-3);
        overflow-wrap: anywhere;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-3);
      }
      fieldset {
        margin: 0;
        padding: 0;
        border: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
      legend {
        padding: 0;
        margin-bottom: var(--pl-space-2);
        font-size: var(--pl-text-lg);
        font-weight: var(--pl-weight-bold);
      }
      .check {
        display: flex;
        gap: 12px;
        align-items: flex-start;
      }
      .check label {
        display: block;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-2);
      }
    `,
  ];

  /** The group to edit. */
  @property() groupId = '';

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private saved = false;
  @state() private busy = false;

  readonly #group = new StoreController(this, () => this.#store());
  /** Follows `group:<id>` while the page is shown; the store absorbs what arrives. */
  protected readonly liveTopic = new TopicController(this, {
    stream: () => this.stream,
    topic: () => (this.groupId ? `group:${this.groupId}` : null),
    onEvent: (event) => this.#store()?.absorb(event),
    onReset: () => void this.#store()?.refresh(),
    // Dropped from the topic (removed from the group, say): the refetch shows what is left to see.
    onError: () => void this.#store()?.refresh(),
  });

  #store(): GroupStore | undefined {
    return this.groupId ? groupStore(this.groupId) : undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('groupId') && this.groupId) {
      this.errors = {};
      this.formError = null;
      this.saved = false;
      void this.#store()!.refresh();
    }
  }

  override render() {
    const data = this.#group.value;
    const group = data?.group;
    const back = html`<p class="crumb"><a href="/groups/${encodeURIComponent(this.groupId)}">${t('Back to the group')}</a></p>`;
    if (!group) {
      return html`${back}
        <h1 tabindex="-1">${t('Group settings')}</h1>
        ${
          data?.status === 'error'
            ? html`<p class="alert" role="alert">${data.error?.status === 404 ? t('Group not found.') : data.error?.message}</p>`
            : html`<p class="muted" aria-busy="true">${t('Loading…')}</p>`
        }`;
    }
    if (!group.permissions.updateGroup) {
      return html`${back}
        <h1 tabindex="-1">${t('Settings of {group}', { group: group.name })}</h1>
        <p class="notice">${t('Only facilitators can change these settings.')}</p>`;
    }
    return html`<div class="wrap">
      ${back}
      <h1 tabindex="-1">${t('Settings of {group}', { group: group.name })}</h1>
      <form class="card" novalidate @submit=${this.#save} @input=${this.#edited}>
        ${formAlert(this.formError)}
        ${field({ name: 'name', label: t('Group name'), value: group.name, required: true, maxlength: 200, error: this.errors.name })}
        ${field({
          name: 'description',
          label: t('Description'),
          value: group.description,
          multiline: true,
          maxlength: 100_000,
          hint: t('Markdown is fine.'),
          error: this.errors.description,
        })}
        <fieldset>
          <legend>${t('What members can do')}</legend>
          ${SETTINGS.map((s) => {
            const name = `settings.${s.key}`;
            const error = this.errors[name];
            return html`<div class="check">
              <input
                type="checkbox"
                id="field-${name}"
                name=${name}
                .checked=${group.settings[s.key]}
                aria-describedby="${name}-hint${error ? ` field-${name}-error` : ''}"
              />
              <div>
                <label for="field-${name}">${t(s.label)}</label>
                <p class="hint" id="${name}-hint">${t(s.hint)}</p>
                ${error ? html`<p class="field-error" id="field-${name}-error">${error}</p>` : nothing}
              </div>
            </div>`;
          })}
        </fieldset>
        <div class="actions">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Saving…') : t('Save changes')}</button>
          <span role="status" class="muted">${this.saved ? t('Saved.') : ''}</span>
        </div>
      </form>
    </div>`;
  }

  #edited() {
    this.saved = false;
  }

  async #save(event: SubmitEvent) {
    event.preventDefault();
    const store = this.#store();
    if (this.busy || !store) return;
    const form = event.target as HTMLFormElement;
    this.errors = checkFields(form);
    this.formError = null;
    this.saved = false;
    if (await revealErrors(this, this.errors)) return;
    const v = formValues(form);
    const settings = Object.fromEntries(
      SETTINGS.map((s) => [
        s.key,
        form.querySelector<HTMLInputElement>(`[name="settings.${s.key}"]`)!.checked,
      ]),
    ) as unknown as GroupSettings;
    this.busy = true;
    try {
      await store.saveGroup({ name: v.name!.trim(), description: v.description ?? '', settings });
      this.saved = true;
    } catch (err) {
      const split = splitErrors(err, FIELDS);
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
    'pl-group-settings-page': PlGroupSettingsPage;
  }
}
