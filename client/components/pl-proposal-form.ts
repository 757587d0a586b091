import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { type FieldErrors, splitErrors } from '../data/api';
import { clearDraft, loadDraft, saveDraft } from '../data/comments';
import { groupStore } from '../data/group-store';
import {
  buildProposal,
  emptyProposalDraft,
  isUntouched,
  type ProposalDraft,
  proposalDraftKey,
  restoreProposalDraft,
} from '../data/proposal-draft';
import { KIND_HINTS, KIND_LABELS, KINDS } from '../data/proposal-labels';
import { createProposal, type Proposal } from '../data/proposals';
import {
  draftFromTemplate,
  listTemplates,
  type ProposalTemplate,
  templateDescription,
  templateName,
} from '../data/templates';
import { t } from '../i18n';
import { fireEvent, type PlEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';
import './pl-decision-rules';
import './pl-markdown-editor';
import { proposalFieldsetStyles, proposalFormStyles } from './pl-proposal-form.styles';

/** Sent (bubbling, composed) once a proposal was created. */
export type ProposalCreatedDetail = { proposal: Proposal };

/** The scalar fields the server may point at, besides `options.N.label` / `options.N.startsAt`. */
const FIELDS = [
  'kind',
  'title',
  'details',
  'options',
  'closesAt',
  'minChoices',
  'maxChoices',
  'maxScore',
  'dotsPerVoter',
  'quorumPercent',
  'passPercent',
  'blockVetoes',
];

/**
 * Puts a new proposal of any kind to a vote in a thread: kind, title,
 * details, options (added, removed, reordered; meeting slots with a date and
 * time), closing time, anonymity, hidden results, required reasons, and the
 * kind's own settings. Checks everything the server checks before sending.
 *
 * @fires proposal-created - {@link ProposalCreatedDetail}
 */
@customElement('pl-proposal-form')
export class PlProposalForm extends LitElement {
  static override styles = [sharedStyles, proposalFieldsetStyles, proposalFormStyles];

  /** The thread the proposal belongs to. */
  @property({ attribute: 'thread-id' }) threadId = '';

  /** The thread's group, whose own templates the form offers beside the built-in ones. */
  @property({ attribute: 'group-id' }) groupId = '';

  @state() private templates: ProposalTemplate[] = [];

  @state() private draft: ProposalDraft = emptyProposalDraft(Date.now());
  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;
  @state() private status = '';

  override render() {
    const d = this.draft;
    const e = this.errors;
    return html`<form novalidate @submit=${this.#submit} aria-label=${t('New proposal')}>
      ${this.formError ? html`<p class="alert" role="alert" tabindex="-1">${this.formError}</p>` : nothing}
      ${this.#templatePicker()}
      <fieldset>
        <legend>${t('Kind of vote')}</legend>
        <div class="kinds">
          ${KINDS.map(
            (kind, i) => html`<label class="kind">
              <input
                type="radio"
                name="kind"
                id=${i === 0 ? 'field-kind' : `kind-${kind}`}
                .value=${kind}
                .checked=${d.kind === kind}
                @change=${() => this.#edit({ kind })}
              />
              <span><strong>${t(KIND_LABELS[kind])}</strong><span class="small muted">${t(KIND_HINTS[kind])}</span></span>
            </label>`,
          )}
        </div>
      </fieldset>

      ${this.#text('title', t('Title'), d.title, { required: true, maxlength: 1000 })}
      ${this.#text('details', t('Details (optional)'), d.details, {
        multiline: true,
        hint: t('What is being decided and why. Markdown is fine.'),
      })}
      ${d.kind === 'proposal' ? nothing : this.#options(d)}

      <div class="grid">
        <div class="field">
          <label for="field-closesAt">${t('Voting closes')}</label>
          <input
            id="field-closesAt"
            type="datetime-local"
            required
            .value=${d.closesAt}
            aria-invalid=${e.closesAt ? 'true' : 'false'}
            aria-describedby=${e.closesAt ? 'field-closesAt-error field-closesAt-hint' : 'field-closesAt-hint'}
            @input=${(ev: Event) => this.#edit({ closesAt: (ev.target as HTMLInputElement).value })}
          />
          <p class="hint" id="field-closesAt-hint">${t('In your time zone. A week from now unless you change it.')}</p>
          ${e.closesAt ? html`<p class="field-error" id="field-closesAt-error">${e.closesAt}</p>` : nothing}
        </div>
        ${
          d.kind === 'poll'
            ? html`${this.#number('minChoices', t('Fewest choices'), d.minChoices, 1)}
            ${this.#number('maxChoices', t('Most choices'), d.maxChoices, 1)}`
            : nothing
        }
        ${d.kind === 'score' ? this.#number('maxScore', t('Highest score'), d.maxScore, 1, 100) : nothing}
        ${d.kind === 'dot_vote' ? this.#number('dotsPerVoter', t('Dots per member'), d.dotsPerVoter, 1, 10000) : nothing}
      </div>

      <fieldset>
        <legend>${t('Settings')}</legend>
        ${this.#check(
          'anonymous',
          t('Anonymous votes'),
          t('Nobody, facilitators included, can see who voted what.'),
        )}
        ${this.#check(
          'resultsHiddenUntilClosed',
          t('Hide results until voting closes'),
          t('Members see only how many have voted until the close.'),
        )}
        ${this.#check('reasonRequired', t('Ask everyone for a reason'), t('A vote without a reason is refused.'))}
      </fieldset>

      <pl-decision-rules
        .kind=${d.kind}
        .quorumPercent=${d.quorumPercent}
        .passPercent=${d.passPercent}
        .blockVetoes=${d.blockVetoes}
        .errors=${e}
        @decision-rules-change=${(ev: PlEvent<'decision-rules-change'>) => this.#edit(ev.detail)}
      ></pl-decision-rules>

      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Creating…') : t('Put it to a vote')}</button>
        <button type="button" class="secondary" ?disabled=${this.busy} @click=${this.#cancel}>${t('Cancel')}</button>
        <p class="small muted" role="status">${this.status}</p>
      </div>
    </form>`;
  }

  #text(
    name: 'title' | 'details',
    label: string,
    value: string,
    opts: { required?: boolean; maxlength?: number; multiline?: boolean; hint?: string },
  ) {
    const id = `field-${name}`;
    const err = this.errors[name];
    const describedBy =
      [err ? `${id}-error` : '', opts.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
    const onInput = (ev: Event) => this.#edit({ [name]: (ev.target as HTMLInputElement).value });
    if (opts.multiline) {
      // The same editor as comments (Preview, mentions); the whole draft is kept by the form.
      return html`<div class="field">
        <pl-markdown-editor
          id=${id}
          label=${label}
          .value=${value}
          .error=${err ?? null}
          .members=${this.groupId ? groupStore(this.groupId).value.members.map((m) => m.user) : []}
          .groupId=${this.groupId}
          @pl-editor-input=${(ev: PlEvent<'pl-editor-input'>) => this.#edit({ [name]: ev.detail.value })}
        ></pl-markdown-editor>
        ${opts.hint ? html`<p class="hint" id="${id}-hint">${opts.hint}</p>` : nothing}
      </div>`;
    }
    return html`<div class="field">
      <label for=${id}>${label}</label>
      ${html`<input
            id=${id}
            type="text"
            .value=${value}
            ?required=${opts.required}
            maxlength=${ifDefined(opts.maxlength)}
            aria-invalid=${err ? 'true' : 'false'}
            aria-describedby=${ifDefined(describedBy)}
            @input=${onInput}
          />`}
      ${opts.hint ? html`<p class="hint" id="${id}-hint">${opts.hint}</p>` : nothing}
      ${err ? html`<p class="field-error" id="${id}-error">${err}</p>` : nothing}
    </div>`;
  }

  #number(
    name: 'minChoices' | 'maxChoices' | 'maxScore' | 'dotsPerVoter',
    label: string,
    value: string,
    min: number,
    max = 50,
  ) {
    const id = `field-${name}`;
    const err = this.errors[name];
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input
        id=${id}
        type="number"
        inputmode="numeric"
        min=${min}
        max=${max}
        step="1"
        .value=${value}
        aria-invalid=${err ? 'true' : 'false'}
        aria-describedby=${ifDefined(err ? `${id}-error` : undefined)}
        @input=${(ev: Event) => this.#edit({ [name]: (ev.target as HTMLInputElement).value })}
      />
      ${err ? html`<p class="field-error" id="${id}-error">${err}</p>` : nothing}
    </div>`;
  }

  #check(name: 'anonymous' | 'resultsHiddenUntilClosed' | 'reasonRequired', label: string, hint: string) {
    const id = `field-${name}`;
    return html`<div class="check">
      <input
        id=${id}
        type="checkbox"
        .checked=${this.draft[name]}
        aria-describedby="${id}-hint"
        @change=${(ev: Event) => this.#edit({ [name]: (ev.target as HTMLInputElement).checked })}
      />
      <div>
        <label for=${id}>${label}</label>
        <p class="hint" id="${id}-hint">${hint}</p>
      </div>
    </div>`;
  }

  #options(d: ProposalDraft) {
    const meeting = d.kind === 'meeting';
    const err = this.errors.options;
    return html`<fieldset
      class=${meeting ? 'meeting' : ''}
      aria-describedby=${err ? 'field-options-error options-hint' : 'options-hint'}
    >
      <legend>${meeting ? t('Time slots') : t('Options')}</legend>
      <p class="hint" id="options-hint">
        ${
          meeting
            ? t('Give each slot a name and a start time (in your time zone).')
            : t('At least 2. Use the arrows to reorder.')
        }
      </p>
      ${err ? html`<p class="field-error" id="field-options-error">${err}</p>` : nothing}
      <ol class="options">
        ${d.options.map((o, i) => {
          const labelErr = this.errors[`options.${i}.label`];
          const timeErr = this.errors[`options.${i}.startsAt`];
          const number = i + 1;
          const name =
            o.label.trim() || (meeting ? t('slot {number}', { number }) : t('option {number}', { number }));
          return html`<li class="option">
            <span class="n" aria-hidden="true">${i + 1}.</span>
            <div class="inputs">
              <div class="field">
                <label class="sr-only" for="field-options.${i}.label"
                  >${meeting ? t('Slot {number}', { number }) : t('Option {number}', { number })}</label
                >
                <input
                  id="field-options.${i}.label"
                  type="text"
                  maxlength="1000"
                  placeholder=${meeting ? t('e.g. Tuesday evening') : t('Option {number}', { number })}
                  .value=${o.label}
                  aria-invalid=${labelErr ? 'true' : 'false'}
                  aria-describedby=${ifDefined(labelErr ? `options-${i}-label-error` : undefined)}
                  @input=${(ev: Event) => this.#setOption(i, { label: (ev.target as HTMLInputElement).value })}
                />
                ${labelErr ? html`<p class="field-error" id="options-${i}-label-error">${labelErr}</p>` : nothing}
              </div>
              ${
                meeting
                  ? html`<div class="field">
                    <label class="sr-only" for="field-options.${i}.startsAt"
                      >${t('Slot {number} starts', { number })}</label
                    >
                    <input
                      id="field-options.${i}.startsAt"
                      type="datetime-local"
                      .value=${o.startsAt}
                      aria-invalid=${timeErr ? 'true' : 'false'}
                      aria-describedby=${ifDefined(timeErr ? `options-${i}-time-error` : undefined)}
                      @input=${(ev: Event) => this.#setOption(i, { startsAt: (ev.target as HTMLInputElement).value })}
                    />
                    ${timeErr ? html`<p class="field-error" id="options-${i}-time-error">${timeErr}</p>` : nothing}
                  </div>`
                  : nothing
              }
            </div>
            <div class="tools">
              <button
                class="ghost small"
                type="button"
                id="opt-up-${i}"
                aria-label=${t('Move {name} up', { name })}
                ?disabled=${i === 0}
                @click=${() => this.#moveOption(i, -1)}
              >
                ↑
              </button>
              <button
                class="ghost small"
                type="button"
                id="opt-down-${i}"
                aria-label=${t('Move {name} down', { name })}
                ?disabled=${i === d.options.length - 1}
                @click=${() => this.#moveOption(i, 1)}
              >
                ↓
              </button>
              <button
                class="ghost small"
                type="button"
                aria-label=${t('Remove {name}', { name })}
                ?disabled=${d.options.length <= 1}
                @click=${() => this.#removeOption(i)}
              >
                ✕
              </button>
            </div>
          </li>`;
        })}
      </ol>
      <div>
        <button class="secondary small" type="button" ?disabled=${d.options.length >= 50} @click=${this.#addOption}>
          ${meeting ? t('Add a slot') : t('Add an option')}
        </button>
      </div>
    </fieldset>`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // What was typed before a reload (or a wander elsewhere) comes back.
    const kept = restoreProposalDraft(loadDraft(proposalDraftKey(this.threadId)), Date.now());
    if (kept) {
      this.draft = kept;
      this.status = t('Your unsent draft is back.');
    }
    // Offered when they arrive; the form works without them.
    listTemplates(this.groupId || undefined)
      .then((items) => {
        this.templates = items;
      })
      .catch(() => {});
  }

  #templatePicker() {
    if (this.templates.length === 0) return nothing;
    const own = this.templates.filter((template) => template.groupId);
    const option = (template: ProposalTemplate) =>
      html`<option value=${template.id}>${templateName(template)}</option>`;
    return html`<div class="field">
      <label for="field-template">${t('Start from a template (optional)')}</label>
      <select id="field-template" aria-describedby="field-template-hint" @change=${this.#useTemplate}>
        <option value="">${t('None: choose the kind below')}</option>
        <optgroup label=${t('Ready-made processes')}>${this.templates.filter((template) => !template.groupId).map(option)}</optgroup>
        ${own.length ? html`<optgroup label=${t("This group's templates")}>${own.map(option)}</optgroup>` : nothing}
      </select>
      <p class="hint" id="field-template-hint">
        ${this.#templateHint ?? t('Fills in the kind, options, details and settings; change anything before you send it.')}
      </p>
    </div>`;
  }

  /** The chosen template's description; null (the general hint) until one is chosen. */
  #templateHint: string | null = null;

  #useTemplate(ev: Event) {
    const chosen = this.templates.find((t) => t.id === (ev.target as HTMLSelectElement).value);
    if (!chosen) return;
    this.#templateHint = templateDescription(chosen);
    this.#edit(draftFromTemplate(this.draft, chosen));
  }

  #edit(patch: Partial<ProposalDraft>) {
    this.draft = { ...this.draft, ...patch };
    this.status = '';
    const key = proposalDraftKey(this.threadId);
    if (isUntouched(this.draft, emptyProposalDraft(Date.now()))) clearDraft(key);
    else saveDraft(key, JSON.stringify(this.draft));
  }

  /** Discards the draft and asks the page to close the form. */
  #cancel() {
    clearDraft(proposalDraftKey(this.threadId));
    this.draft = emptyProposalDraft(Date.now());
    this.errors = {};
    this.formError = null;
    fireEvent(this, 'pl-cancel');
  }

  #setOption(i: number, patch: Partial<ProposalDraft['options'][number]>) {
    this.#edit({ options: this.draft.options.map((o, j) => (j === i ? { ...o, ...patch } : o)) });
  }

  async #addOption() {
    this.#edit({ options: [...this.draft.options, { label: '', startsAt: '' }] });
    await this.updateComplete;
    this.renderRoot
      .querySelector<HTMLInputElement>(`[id="field-options.${this.draft.options.length - 1}.label"]`)
      ?.focus();
  }

  async #removeOption(i: number) {
    this.#edit({ options: this.draft.options.filter((_, j) => j !== i) });
    await this.updateComplete;
    const next = Math.min(i, this.draft.options.length - 1);
    this.renderRoot.querySelector<HTMLInputElement>(`[id="field-options.${next}.label"]`)?.focus();
  }

  async #moveOption(i: number, delta: number) {
    const to = i + delta;
    const options = [...this.draft.options];
    if (to < 0 || to >= options.length) return;
    [options[i], options[to]] = [options[to]!, options[i]!];
    this.#edit({ options });
    await this.updateComplete;
    const same = this.renderRoot.querySelector<HTMLButtonElement>(`#opt-${delta < 0 ? 'up' : 'down'}-${to}`);
    const other = this.renderRoot.querySelector<HTMLButtonElement>(`#opt-${delta < 0 ? 'down' : 'up'}-${to}`);
    (same && !same.disabled ? same : other)?.focus();
  }

  async #submit(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy) return;
    const { body, errors } = buildProposal(this.draft, Date.now());
    this.errors = errors;
    this.formError = null;
    this.status = '';
    if (Object.keys(errors).length > 0) {
      await this.#focusFirstError();
      return;
    }
    this.busy = true;
    try {
      const proposal = await createProposal(this.threadId, body);
      this.draft = { ...emptyProposalDraft(Date.now()), kind: this.draft.kind };
      clearDraft(proposalDraftKey(this.threadId));
      this.status = t('“{title}” is open for votes.', { title: proposal.title });
      fireEvent(this, 'proposal-created', { proposal });
    } catch (err) {
      const optionFields = this.draft.options.flatMap((_, i) => [
        `options.${i}.label`,
        `options.${i}.startsAt`,
      ]);
      const split = splitErrors(err, [...FIELDS, ...optionFields]);
      this.errors = split.fields;
      this.formError = split.form;
      await this.#focusFirstError();
    } finally {
      this.busy = false;
    }
  }

  async #focusFirstError() {
    await this.updateComplete;
    const invalid =
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      (this.errors.options
        ? this.renderRoot.querySelector<HTMLElement>('.options input, .options + div button')
        : null);
    (invalid ?? this.renderRoot.querySelector<HTMLElement>('.alert'))?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-proposal-form': PlProposalForm;
  }
  interface PlEvents {
    'proposal-created': ProposalCreatedDetail;
  }
}
