import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { ApiError, type FieldErrors, splitErrors } from '../data/api';
import type { Group } from '../data/groups';
import {
  browserTimeZone,
  type EmailLevel,
  getPreferences,
  groupChanges,
  listAllMyGroups,
  type PatchPreferencesBody,
  type Preferences,
  updatePreferences,
} from '../data/preferences';
import { m, t, tMarkup } from '../i18n';
import { formAlert, revealErrors } from '../ui/forms';
import { sharedStyles } from '../ui/styles';
import './pl-push-toggle';

/** Labels and hints are messages (`m`), translated where shown. */
const LEVELS: { value: EmailLevel; label: string; hint: string }[] = [
  {
    value: 'all',
    label: m('All'),
    hint: m(
      'Everything Important sends, plus new threads, new comments in threads you took part in, and other group news (votes closing, role changes).',
    ),
  },
  {
    value: 'important',
    label: m('Important'),
    hint: m('Mentions, replies to you, new proposals, closing reminders, outcomes and invitations.'),
  },
  {
    value: 'none',
    label: m('None'),
    hint: m('No email about group activity. Account email, such as a password reset, still arrives.'),
  },
];
const LEVEL_LABELS: Record<EmailLevel, string> = {
  all: m('All'),
  important: m('Important'),
  none: m('None'),
};

const DIGESTS: { value: Preferences['digest']; label: string; hint: string }[] = [
  { value: 'off', label: m('Off'), hint: m('No summary.') },
  { value: 'daily', label: m('Daily'), hint: m('One email a day with what happened in your groups.') },
  { value: 'weekly', label: m('Weekly'), hint: m('One email a week with what happened in your groups.') },
];

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** What the form holds: a group set to null follows the overall level. */
interface Draft {
  email: EmailLevel;
  digest: Preferences['digest'];
  digestHour: number;
  timeZone: string;
  groups: Record<string, EmailLevel | null>;
}

function draftOf(p: Preferences, groups: Group[]): Draft {
  return {
    email: p.email,
    digest: p.digest,
    digestHour: p.digestHour,
    timeZone: p.timeZone,
    groups: Object.fromEntries(groups.map((g) => [g.id, p.groups[g.id] ?? null])),
  };
}

/** Time zones the browser knows, for the field's suggestions (none in an old browser: typing works). */
function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/**
 * `/settings/email`: how much email I get (overall and per group) and the
 * digest, saved together with one button. Every email links here.
 */
@customElement('pl-email-settings-page')
export class PlEmailSettingsPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .wrap {
        max-width: 680px;
      }
      h1 {
        margin-bottom: var(--pl-space-1);
      }
      .lead {
        margin-bottom: var(--pl-space-3);
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-4);
      }
      fieldset {
        margin: 0;
        padding: 0;
        border: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
        min-width: 0;
      }
      legend {
        padding: 0;
        margin-bottom: var(--pl-space-1);
        font-size: var(--pl-text-lg);
        font-weight: var(--pl-weight-bold);
      }
      .choice {
        display: flex;
        gap: 12px;
        align-items: flex-start;
      }
      .choice input {
        width: 20px;
        height: 20px;
        margin: 2px 0 0;
        flex: none;
        accent-color: var(--pl-color-accent);
      }
      .choice label {
        display: block;
      }
      .row {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 2fr);
        gap: var(--pl-space-2);
      }
      @media (max-width: 560px) {
        .row {
          grid-template-columns: 1fr;
        }
      }
      .suggest {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-1);
      }
      ul.groups {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      ul.groups li {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(12rem, 18rem);
        gap: var(--pl-space-1) var(--pl-space-2);
        align-items: center;
      }
      ul.groups label {
        overflow-wrap: anywhere;
      }
      @media (max-width: 560px) {
        ul.groups li {
          grid-template-columns: 1fr;
        }
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-2);
      }
      .saved {
        color: var(--pl-color-accent-hover);
        font-weight: var(--pl-weight-medium);
      }
      .push {
        margin-top: var(--pl-space-4);
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
    `,
  ];

  @state() private status: 'loading' | 'ready' | 'error' = 'loading';
  @state() private loadError: string | null = null;
  @state() private stored: Preferences | null = null;
  @state() private groups: Group[] = [];
  @state() private draft: Draft | null = null;
  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;
  /** What the status line says after saving ("Saved.", "Nothing to save."), cleared by the next edit. */
  @state() private saved = '';

  readonly #zones = knownZones();
  readonly #browserZone = browserTimeZone();
  #abort: AbortController | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort?.abort();
  }

  async #load() {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.status = 'loading';
    try {
      const [preferences, groups] = await Promise.all([
        getPreferences(abort.signal),
        listAllMyGroups(abort.signal),
      ]);
      if (abort.signal.aborted) return;
      groups.sort((a, b) => a.name.localeCompare(b.name));
      this.stored = preferences;
      this.groups = groups;
      this.draft = draftOf(preferences, groups);
      this.status = 'ready';
    } catch (err) {
      if (abort.signal.aborted) return;
      this.loadError = err instanceof ApiError ? err.message : t('Your settings could not be loaded.');
      this.status = 'error';
    }
  }

  override render() {
    const head = html`<h1 tabindex="-1">${t('Email settings')}</h1>
      <p class="muted lead">
        ${tMarkup('What Plenary emails you about. Everything also shows in the app. Your address and password are in {link}.', {}, { link: html`<a href="/settings/account">${t('account settings')}</a>` })}
      </p>`;
    const d = this.draft;
    if (this.status !== 'ready' || !d) {
      return html`<div class="wrap">
        ${head}
        ${
          this.status === 'error'
            ? html`<p class="alert" role="alert">${this.loadError}
                <button class="secondary small" type="button" @click=${() => void this.#load()}>${t('Try again')}</button></p>`
            : html`<p class="muted" aria-busy="true">${t('Loading…')}</p>`
        }
      </div>`;
    }
    return html`<div class="wrap">
      ${head}
      <form class="card" novalidate @submit=${this.#save}>
        ${formAlert(this.formError)} ${this.#levelFields(d)} ${this.#digestFields(d)} ${this.#groupFields(d)}
        <div class="actions">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Saving…') : t('Save settings')}</button>
          <span role="status" class="saved">${this.saved}</span>
        </div>
      </form>
      <section class="card push" aria-labelledby="push-heading">
        <h2 id="push-heading">${t('Push notifications')}</h2>
        <p class="hint">${t('What email you get above also decides what this device is sent.')}</p>
        <pl-push-toggle></pl-push-toggle>
      </section>
    </div>`;
  }

  #levelFields(d: Draft) {
    return html`<fieldset aria-describedby="email-hint">
      <legend>${t('How much email')}</legend>
      <p class="hint" id="email-hint">${t('Your default for every group; a group can be set apart below.')}</p>
      ${LEVELS.map((level, i) =>
        this.#radio(
          'email',
          i === 0 ? 'field-email' : `email-${level.value}`,
          level,
          d.email === level.value,
          () => this.#edit({ email: level.value }),
        ),
      )}
      ${this.errors.email ? html`<p class="field-error">${this.errors.email}</p>` : nothing}
    </fieldset>`;
  }

  #digestFields(d: Draft) {
    const suggest =
      this.#browserZone &&
      this.#browserZone !== d.timeZone &&
      this.stored?.timeZone === 'UTC' &&
      d.timeZone === 'UTC';
    const zoneError = this.errors.timeZone;
    return html`<fieldset>
      <legend>${t('Digest')}</legend>
      ${DIGESTS.map((digest, i) =>
        this.#radio(
          'digest',
          i === 0 ? 'field-digest' : `digest-${digest.value}`,
          digest,
          d.digest === digest.value,
          () => this.#edit({ digest: digest.value }),
        ),
      )}
      <div class="row">
        <div class="field">
          <label for="field-digestHour">${t('Send at')}</label>
          <select
            id="field-digestHour"
            name="digestHour"
            aria-describedby="digest-time-hint"
            @change=${(e: Event) => this.#edit({ digestHour: Number((e.target as HTMLSelectElement).value) })}
          >
            ${HOURS.map(
              (h) =>
                html`<option value=${h} .selected=${h === d.digestHour}>${String(h).padStart(2, '0')}:00</option>`,
            )}
          </select>
        </div>
        <div class="field">
          <label for="field-timeZone">${t('Time zone')}</label>
          <input
            id="field-timeZone"
            name="timeZone"
            type="text"
            list="time-zones"
            autocomplete="off"
            spellcheck="false"
            maxlength="64"
            .value=${d.timeZone}
            aria-invalid=${zoneError ? 'true' : 'false'}
            aria-describedby=${zoneError ? 'field-timeZone-error digest-time-hint' : 'digest-time-hint'}
            @input=${(e: Event) => this.#edit({ timeZone: (e.target as HTMLInputElement).value.trim() })}
          />
          ${zoneError ? html`<p class="field-error" id="field-timeZone-error">${zoneError}</p>` : nothing}
          <datalist id="time-zones">${this.#zones.map((z) => html`<option value=${z}></option>`)}</datalist>
        </div>
      </div>
      <p class="hint" id="digest-time-hint">
        ${t('When digests arrive, in your time zone (an IANA name such as Europe/Berlin). Closing times in emails are shown in this zone too.')}
      </p>
      ${
        suggest
          ? html`<p class="notice suggest">
              <span>${tMarkup('Your browser says your time zone is {zone}.', {}, { zone: html`<strong>${this.#browserZone}</strong>` })}</span>
              <button class="secondary small" type="button" @click=${this.#useBrowserZone}>
                ${t('Use {zone}', { zone: this.#browserZone })}
              </button>
            </p>`
          : nothing
      }
    </fieldset>`;
  }

  #groupFields(d: Draft) {
    return html`<fieldset aria-describedby="groups-hint">
      <legend>${t('Per group')}</legend>
      <p class="hint" id="groups-hint">
        ${t('Set a group apart from your default. “Use my default” follows the choice above.')}
      </p>
      ${
        this.groups.length === 0
          ? html`<p class="muted">${t('You are not in any group yet.')}</p>`
          : html`<ul class="groups">
            ${this.groups.map((g) => {
              const name = `groups.${g.id}`;
              const error = this.errors[name];
              const value = d.groups[g.id] ?? null;
              return html`<li>
                <label for="field-${name}">${g.name}</label>
                <select
                  id="field-${name}"
                  name=${name}
                  aria-invalid=${error ? 'true' : 'false'}
                  aria-describedby=${ifDefined(error ? `field-${name}-error` : undefined)}
                  @change=${(e: Event) => this.#editGroup(g.id, (e.target as HTMLSelectElement).value)}
                >
                  <option value="" .selected=${value === null}>${t('Use my default ({level})', { level: t(LEVEL_LABELS[d.email]) })}</option>
                  ${LEVELS.map(
                    (level) =>
                      html`<option value=${level.value} .selected=${value === level.value}>${t(level.label)}</option>`,
                  )}
                </select>
                ${error ? html`<p class="field-error" id="field-${name}-error">${error}</p>` : nothing}
              </li>`;
            })}
          </ul>`
      }
    </fieldset>`;
  }

  #radio(
    name: string,
    id: string,
    option: { value: string; label: string; hint: string },
    checked: boolean,
    onChange: () => void,
  ) {
    return html`<div class="choice">
      <input
        type="radio"
        id=${id}
        name=${name}
        .value=${option.value}
        .checked=${checked}
        aria-describedby="${id}-hint"
        @change=${onChange}
      />
      <div>
        <label for=${id}>${t(option.label)}</label>
        <p class="hint" id="${id}-hint">${t(option.hint)}</p>
      </div>
    </div>`;
  }

  #edit(change: Partial<Draft>) {
    if (!this.draft) return;
    this.draft = { ...this.draft, ...change };
    this.saved = '';
  }

  #editGroup(groupId: string, value: string) {
    if (!this.draft) return;
    const level = value === '' ? null : (value as EmailLevel);
    this.#edit({ groups: { ...this.draft.groups, [groupId]: level } });
  }

  /** Only fills the field: saving stays the person's choice. */
  #useBrowserZone() {
    if (!this.#browserZone) return;
    this.#edit({ timeZone: this.#browserZone });
    this.renderRoot.querySelector<HTMLInputElement>('#field-timeZone')?.focus();
  }

  async #save(event: SubmitEvent) {
    event.preventDefault();
    const d = this.draft;
    const stored = this.stored;
    if (this.busy || !d || !stored) return;
    this.errors = {};
    this.formError = null;
    this.saved = '';
    if (!d.timeZone) {
      this.errors = { timeZone: t('Time zone is required.') };
      await revealErrors(this, this.errors);
      return;
    }
    const patch: PatchPreferencesBody = {};
    if (d.email !== stored.email) patch.email = d.email;
    if (d.digest !== stored.digest) patch.digest = d.digest;
    if (d.digestHour !== stored.digestHour) patch.digestHour = d.digestHour;
    if (d.timeZone !== stored.timeZone) patch.timeZone = d.timeZone;
    const groups = groupChanges(stored.groups, d.groups);
    if (Object.keys(groups).length > 0) patch.groups = groups;
    if (Object.keys(patch).length === 0) {
      this.saved = t('Nothing to save: these are your settings.');
      return;
    }
    this.busy = true;
    try {
      const preferences = await updatePreferences(patch);
      this.stored = preferences;
      this.draft = draftOf(preferences, this.groups);
      this.saved = t('Saved.');
    } catch (err) {
      const fields = [
        'email',
        'digest',
        'digestHour',
        'timeZone',
        ...this.groups.map((g) => `groups.${g.id}`),
      ];
      const split = splitErrors(err, fields);
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
    'pl-email-settings-page': PlEmailSettingsPage;
  }
}
