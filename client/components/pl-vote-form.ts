import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { ApiError, type FieldErrors, splitErrors } from '../data/api';
import type { ProposalStore } from '../data/proposal-store';
import {
  type BallotDraft,
  ballotErrors,
  buildBallot,
  CONSENT_HINTS,
  CONSENT_IDS,
  CONSENT_LABELS,
  dotsLeftText,
  dotsUsed,
  draftFromVote,
  formatDateTime,
  MEETING_ANSWERS,
  moveRanked,
  optionKey,
  ordinal,
  pollInstruction,
  toggleRanked,
} from '../data/proposal-view';
import { castVote, type Proposal, retractVote, type Vote } from '../data/proposals';
import { formAlert } from '../ui/forms';
import { sharedStyles } from '../ui/styles';

/** Sent (bubbling, composed) after the caller's vote was cast or retracted; `vote` is null after a retraction. */
export type VoteChangedDetail = { vote: Vote | null };

/**
 * The ballot for one proposal, in the form its kind needs: consent positions,
 * poll choices (within min/max), scores, dots, a ranking (reorderable with
 * buttons, options may stay unranked), or yes / if need be / no per meeting
 * slot; an optional or required reason; and retracting. Checks the ballot as
 * the server does before sending, and places the server's errors beside the
 * fields. Votes through `store` when given (keeping its `myVote` current).
 *
 * @fires vote-changed - {@link VoteChangedDetail}
 */
@customElement('pl-vote-form')
export class PlVoteForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
      fieldset {
        margin: 0;
        padding: 0;
        border: 0;
        min-width: 0;
      }
      legend {
        padding: 0;
        margin-bottom: var(--pl-space-1);
      }
      .choices {
        display: grid;
        gap: var(--pl-space-1);
      }
      .choice {
        display: flex;
        align-items: flex-start;
        gap: 12px;
        padding: 10px 12px;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius-sm);
        background: var(--pl-color-surface);
        font-weight: normal;
        cursor: pointer;
      }
      .choice:hover {
        border-color: var(--pl-color-border-strong);
      }
      .choice:has(input:checked) {
        border-color: var(--pl-color-accent);
        background: var(--pl-color-accent-soft);
      }
      .choice.block:has(input:checked) {
        border-color: var(--pl-color-danger);
        background: var(--pl-color-danger-soft);
      }
      .choice input {
        margin-top: 3px;
        flex: none;
      }
      input[type='radio'] {
        width: 18px;
        height: 18px;
        accent-color: var(--pl-color-accent);
      }
      .choice strong {
        display: block;
        font-weight: var(--pl-weight-medium);
      }
      @media (min-width: 600px) {
        .consent {
          grid-template-columns: 1fr 1fr;
        }
      }
      .rows {
        display: grid;
        gap: 12px;
      }
      .row {
        display: grid;
        gap: var(--pl-space-half);
      }
      .slider {
        display: flex;
        align-items: center;
        gap: 12px;
      }
      .slider input.range[type='range'] {
        flex: 1;
        min-height: 0;
        padding: 0;
        border: 0;
        accent-color: var(--pl-color-accent);
      }
      output {
        min-width: 3ch;
        font-variant-numeric: tabular-nums;
        font-weight: var(--pl-weight-bold);
        text-align: right;
      }
      .stepper {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
      }
      .stepper label {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
        font-weight: normal;
      }
      .stepper input.dots[type='number'] {
        width: 72px;
        flex: none;
        text-align: center;
        font-variant-numeric: tabular-nums;
      }
      .stepper button {
        width: var(--pl-control-height);
        padding: 0;
        font-size: 1.25rem;
      }
      .dots-left {
        font-weight: var(--pl-weight-medium);
      }
      .dots-left.over {
        color: var(--pl-color-danger);
      }
      .ranking {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: var(--pl-space-1);
      }
      .ranking li {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
        padding: 6px 6px 6px 12px;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius-sm);
        background: var(--pl-color-surface);
      }
      .ranking .rank {
        flex: none;
        min-width: 2ch;
        font-weight: var(--pl-weight-bold);
        color: var(--pl-color-accent-hover);
        font-variant-numeric: tabular-nums;
      }
      .ranking .name {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .ranking button.icon {
        width: 36px;
        padding: 0;
      }
      .unranked li {
        border-style: dashed;
        background: transparent;
      }
      .sub {
        margin: var(--pl-space-2) 0 var(--pl-space-1);
        font-weight: var(--pl-weight-medium);
      }
      .empty-ranking {
        padding: 12px;
        border: 1px dashed var(--pl-color-border-strong);
        border-radius: var(--pl-radius-sm);
      }
      .slots {
        display: grid;
        gap: var(--pl-space-1);
      }
      .slot {
        padding: 10px 12px;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius-sm);
      }
      .slot legend {
        float: left;
        width: 100%;
        margin-bottom: var(--pl-space-1);
      }
      .slot legend .when {
        display: block;
        font-weight: normal;
        font-size: var(--pl-text-sm);
        color: var(--pl-color-text-muted);
      }
      .answers {
        clear: both;
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
      }
      .answers label {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        padding: 4px 12px 4px 8px;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius-pill);
        font-weight: normal;
        cursor: pointer;
      }
      .answers label:has(input:checked) {
        border-color: var(--pl-color-accent);
        background: var(--pl-color-accent-soft);
        font-weight: var(--pl-weight-medium);
      }
      .warning {
        padding: 10px 12px;
        border-radius: var(--pl-radius-sm);
        background: var(--pl-color-warning-soft);
        color: var(--pl-color-text);
        font-size: var(--pl-text-sm);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-1);
      }
      .live:empty {
        display: none;
      }
    `,
  ];

  /** The proposal to vote on (open). */
  @property({ attribute: false }) proposal: Proposal | null = null;

  /** The proposal's store; votes go through it so its `myVote` stays current. Optional. */
  @property({ attribute: false }) store: ProposalStore | null = null;

  @state() private draft: BallotDraft = { selected: [], values: {}, order: [], reason: '' };
  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;
  @state() private status = '';
  /** Spoken after a ranking move ("Pears moved to 2nd"). */
  @state() private announcement = '';

  #dirty = false;
  #loadedFrom: string | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('proposal') || !this.proposal) return;
    const p = this.proposal;
    // Start from the caller's vote; take a newer one (cast elsewhere) unless they are mid-edit.
    // Anonymous votes carry no time: their content tells a newer vote apart instead.
    const mine = p.myVote
      ? (p.myVote.updatedAt ?? JSON.stringify([p.myVote.choices, p.myVote.reason]))
      : 'none';
    const source = `${p.id}|${p.myVote === undefined ? '?' : mine}`;
    const sameProposal = this.#loadedFrom?.split('|')[0] === p.id;
    if (source !== this.#loadedFrom && (!sameProposal || !this.#dirty)) {
      this.#loadedFrom = source;
      this.draft = this.#initialDraft(p);
      this.#dirty = false;
      if (!sameProposal) {
        this.errors = {};
        this.formError = null;
        this.status = '';
      }
    }
  }

  #initialDraft(p: Proposal): BallotDraft {
    const draft = draftFromVote(p, p.myVote);
    // Sliders always show a value: an untouched score is 0.
    if (p.kind === 'score') for (const o of p.options) draft.values[o.id] ??= 0;
    return draft;
  }

  override render() {
    const p = this.proposal;
    if (!p) return nothing;
    const hasVote = Boolean(p.myVote);
    const { warning } = buildBallot(p, this.draft);
    return html`<form novalidate @submit=${this.#submit} aria-label="Your vote">
      ${formAlert(this.formError)}
      ${this.#ballot(p)}
      ${this.#reason(p, warning)}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>
          ${this.busy ? 'Sending…' : hasVote ? 'Change my vote' : 'Cast my vote'}
        </button>
        ${
          hasVote
            ? html`<button class="secondary" type="button" ?disabled=${this.busy} @click=${this.#retract}>
              Retract my vote
            </button>`
            : nothing
        }
        <p class="live small muted" role="status">${this.status}</p>
      </div>
      <p class="sr-only" aria-live="polite">${this.announcement}</p>
    </form>`;
  }

  // ------------------------------------------------------------ per kind

  #ballot(p: Proposal): TemplateResult {
    switch (p.kind) {
      case 'proposal':
        return this.#consent(p);
      case 'poll':
        return this.#poll(p);
      case 'score':
        return this.#score(p);
      case 'dot_vote':
        return this.#dots(p);
      case 'ranked_choice':
        return this.#ranked(p);
      case 'meeting':
        return this.#meeting(p);
    }
  }

  /** The ballot-wide error, tied to the fieldset by aria-describedby. */
  #choicesError() {
    return this.errors.choices
      ? html`<p class="field-error" id="err-choices">${this.errors.choices}</p>`
      : nothing;
  }

  #optionError(optionId: string, index: number) {
    const message = this.errors[optionKey(optionId)];
    return message ? html`<p class="field-error" id="err-opt-${index}">${message}</p>` : nothing;
  }

  #describedBy(...ids: (string | false | null | undefined)[]) {
    const list = ids.filter(Boolean).join(' ');
    return list || undefined;
  }

  #consent(p: Proposal) {
    const selected = this.draft.selected[0] ?? null;
    return html`<fieldset aria-describedby=${ifDefined(this.#describedBy(this.errors.choices && 'err-choices'))}>
      <legend>Your position</legend>
      ${this.#choicesError()}
      <div class="choices consent">
        ${CONSENT_IDS.filter((id) => p.options.some((o) => o.id === id)).map(
          (id, i) => html`<label class="choice ${id}">
            <input
              type="radio"
              name="position"
              id=${i === 0 ? 'first-choice' : `choice-${id}`}
              .value=${id}
              .checked=${selected === id}
              aria-invalid=${this.errors.choices ? 'true' : 'false'}
              @change=${() => this.#edit({ selected: [id] })}
            />
            <span><strong>${CONSENT_LABELS[id]}</strong><span class="small muted">${CONSENT_HINTS[id]}</span></span>
          </label>`,
        )}
      </div>
    </fieldset>`;
  }

  #poll(p: Proposal) {
    const multi = p.maxChoices > 1;
    const chosen = this.draft.selected.length;
    return html`<fieldset aria-describedby=${this.#describedBy('poll-hint', this.errors.choices && 'err-choices')!}>
      <legend>Your choice</legend>
      <p class="hint" id="poll-hint">
        ${pollInstruction(p.minChoices, p.maxChoices)}${multi ? ` ${chosen} chosen.` : ''}
      </p>
      ${this.#choicesError()}
      <div class="choices">
        ${p.options.map(
          (o, i) => html`<label class="choice">
            <input
              type=${multi ? 'checkbox' : 'radio'}
              name="choice"
              id=${i === 0 ? 'first-choice' : `choice-${i}`}
              .value=${o.id}
              .checked=${this.draft.selected.includes(o.id)}
              aria-invalid=${this.errors.choices ? 'true' : 'false'}
              @change=${(e: Event) => this.#pollChanged(o.id, (e.target as HTMLInputElement).checked, multi)}
            />
            <span>${o.label}</span>
          </label>`,
        )}
      </div>
    </fieldset>`;
  }

  #pollChanged(optionId: string, checked: boolean, multi: boolean) {
    if (!multi) this.#edit({ selected: [optionId] });
    else {
      const rest = this.draft.selected.filter((id) => id !== optionId);
      this.#edit({ selected: checked ? [...rest, optionId] : rest });
    }
  }

  #score(p: Proposal) {
    return html`<fieldset aria-describedby=${this.#describedBy('score-hint', this.errors.choices && 'err-choices')!}>
      <legend>Score each option</legend>
      <p class="hint" id="score-hint">From 0 (not at all) to ${p.maxScore} (the best).</p>
      ${this.#choicesError()}
      <div class="rows">
        ${p.options.map((o, i) => {
          const value = this.draft.values[o.id] ?? 0;
          const err = this.errors[optionKey(o.id)];
          return html`<div class="row">
            <label for="opt-${i}">${o.label}</label>
            <div class="slider">
              <input
                class="range"
                type="range"
                id="opt-${i}"
                min="0"
                max=${p.maxScore}
                step="1"
                .value=${String(value)}
                aria-valuetext=${`${value} of ${p.maxScore}`}
                aria-invalid=${err ? 'true' : 'false'}
                aria-describedby=${ifDefined(err ? `err-opt-${i}` : undefined)}
                @input=${(e: Event) => this.#setValue(o.id, Number((e.target as HTMLInputElement).value))}
              />
              <output for="opt-${i}" aria-hidden="true">${value}</output>
            </div>
            ${this.#optionError(o.id, i)}
          </div>`;
        })}
      </div>
    </fieldset>`;
  }

  #dots(p: Proposal) {
    const used = dotsUsed(this.draft);
    const left = p.dotsPerVoter - used;
    return html`<fieldset aria-describedby=${this.#describedBy('dots-left', this.errors.choices && 'err-choices')!}>
      <legend>Place your dots</legend>
      <p class="dots-left ${left < 0 ? 'over' : ''}" id="dots-left" aria-live="polite">
        ${dotsLeftText(used, p.dotsPerVoter)}
      </p>
      ${this.#choicesError()}
      <div class="rows">
        ${p.options.map((o, i) => {
          const value = this.draft.values[o.id] ?? 0;
          const err = this.errors[optionKey(o.id)];
          return html`<div class="row">
            <div class="stepper">
              <label for="opt-${i}">${o.label}</label>
              <button
                class="secondary"
                type="button"
                aria-label=${`One dot fewer on ${o.label}`}
                ?disabled=${value <= 0}
                @click=${() => this.#setValue(o.id, Math.max(0, value - 1))}
              >
                −
              </button>
              <input
                class="dots"
                type="number"
                id="opt-${i}"
                inputmode="numeric"
                min="0"
                max=${p.dotsPerVoter}
                step="1"
                .value=${String(value)}
                aria-invalid=${err ? 'true' : 'false'}
                aria-describedby=${ifDefined(err ? `err-opt-${i}` : undefined)}
                @input=${(e: Event) => this.#setValue(o.id, numberOrNaN((e.target as HTMLInputElement).value))}
              />
              <button
                class="secondary"
                type="button"
                aria-label=${`One more dot on ${o.label}`}
                ?disabled=${left <= 0}
                @click=${() => this.#setValue(o.id, value + 1)}
              >
                +
              </button>
            </div>
            ${this.#optionError(o.id, i)}
          </div>`;
        })}
      </div>
    </fieldset>`;
  }

  #ranked(p: Proposal) {
    const order = this.draft.order.filter((id) => p.options.some((o) => o.id === id));
    const unranked = p.options.filter((o) => !order.includes(o.id));
    const label = (id: string) => p.options.find((o) => o.id === id)?.label ?? '';
    const index = (id: string) => p.options.findIndex((o) => o.id === id);
    return html`<fieldset aria-describedby=${this.#describedBy('rank-hint', this.errors.choices && 'err-choices')!}>
      <legend>Your ranking</legend>
      <p class="hint" id="rank-hint">
        Add options in order of preference, best first. Rank as many as you like: the rest stay unranked.
      </p>
      ${this.#choicesError()}
      ${
        order.length === 0
          ? html`<p class="empty-ranking small muted" id="first-choice" tabindex="-1">Nothing ranked yet.</p>`
          : html`<ol class="ranking" aria-label="Ranked options">
            ${order.map((id, pos) => {
              const name = label(id);
              const i = index(id);
              return html`<li>
                <span class="rank" aria-hidden="true">${pos + 1}.</span>
                <span class="name"><span class="sr-only">${ordinal(pos + 1)}: </span>${name}</span>
                <button
                  class="secondary icon small"
                  type="button"
                  id="up-${i}"
                  aria-label=${`Move ${name} up`}
                  ?disabled=${pos === 0}
                  @click=${() => this.#move(id, -1, name)}
                >
                  ↑
                </button>
                <button
                  class="secondary icon small"
                  type="button"
                  id="down-${i}"
                  aria-label=${`Move ${name} down`}
                  ?disabled=${pos === order.length - 1}
                  @click=${() => this.#move(id, 1, name)}
                >
                  ↓
                </button>
                <button
                  class="ghost small"
                  type="button"
                  id="unrank-${i}"
                  aria-label=${`Remove ${name} from the ranking`}
                  @click=${() => this.#toggleRank(id, name, false)}
                >
                  Remove
                </button>
              </li>`;
            })}
          </ol>`
      }
      ${
        unranked.length > 0
          ? html`<p class="sub small" id="unranked-heading">Not ranked</p>
            <ul class="ranking unranked" aria-labelledby="unranked-heading">
              ${unranked.map((o) => {
                const i = index(o.id);
                return html`<li>
                  <span class="name">${o.label}</span>
                  <button
                    class="secondary small"
                    type="button"
                    id="rank-${i}"
                    aria-label=${`Rank ${o.label}`}
                    @click=${() => this.#toggleRank(o.id, o.label, true)}
                  >
                    Add ${order.length === 0 ? 'as 1st' : `as ${ordinal(order.length + 1)}`}
                  </button>
                </li>`;
              })}
            </ul>`
          : nothing
      }
    </fieldset>`;
  }

  async #move(id: string, delta: number, name: string) {
    const order = moveRanked(this.draft.order, id, delta);
    this.#edit({ order });
    const pos = order.indexOf(id);
    this.announcement = `${name} moved to ${ordinal(pos + 1)} place.`;
    await this.updateComplete;
    // Keep focus on the moved item: on the same arrow, or the other one once it reaches an end.
    const i = this.proposal!.options.findIndex((o) => o.id === id);
    const same = this.renderRoot.querySelector<HTMLButtonElement>(`#${delta < 0 ? 'up' : 'down'}-${i}`);
    const other = this.renderRoot.querySelector<HTMLButtonElement>(`#${delta < 0 ? 'down' : 'up'}-${i}`);
    (same && !same.disabled ? same : other)?.focus();
  }

  async #toggleRank(id: string, name: string, add: boolean) {
    const before = this.draft.order;
    const order = toggleRanked(before, id);
    this.#edit({ order });
    this.announcement = add
      ? `${name} ranked ${ordinal(order.length)}.`
      : `${name} removed from the ranking.`;
    await this.updateComplete;
    const p = this.proposal!;
    const i = p.options.findIndex((o) => o.id === id);
    if (add) this.renderRoot.querySelector<HTMLElement>(`#unrank-${i}`)?.focus();
    else {
      // Focus moves to the next ranked item, or back to the option in the unranked list.
      const next = order[before.indexOf(id)] ?? order[order.length - 1];
      const j = next ? p.options.findIndex((o) => o.id === next) : -1;
      (
        this.renderRoot.querySelector<HTMLElement>(`#unrank-${j}`) ??
        this.renderRoot.querySelector<HTMLElement>(`#rank-${i}`)
      )?.focus();
    }
  }

  #meeting(p: Proposal) {
    return html`<fieldset aria-describedby=${this.#describedBy('meeting-hint', this.errors.choices && 'err-choices')!}>
      <legend>When can you make it?</legend>
      <p class="hint" id="meeting-hint">Answer for every slot. Times are in your time zone.</p>
      ${this.#choicesError()}
      <div class="slots">
        ${p.options.map((o, i) => {
          const value = this.draft.values[o.id];
          const err = this.errors[optionKey(o.id)];
          return html`<fieldset
            class="slot"
            aria-describedby=${ifDefined(err ? `err-opt-${i}` : undefined)}
            aria-invalid=${err ? 'true' : 'false'}
          >
            <legend>
              ${o.label}
              ${o.startsAt ? html`<span class="when">${formatDateTime(o.startsAt)}</span>` : nothing}
            </legend>
            <div class="answers">
              ${MEETING_ANSWERS.map(
                (a) => html`<label>
                  <input
                    type="radio"
                    name="slot-${i}"
                    id=${a.score === 2 ? `opt-${i}` : `opt-${i}-${a.score}`}
                    .value=${String(a.score)}
                    .checked=${value === a.score}
                    @change=${() => this.#setValue(o.id, a.score)}
                  />
                  ${a.label}
                </label>`,
              )}
            </div>
            ${this.#optionError(o.id, i)}
          </fieldset>`;
        })}
      </div>
    </fieldset>`;
  }

  #reason(p: Proposal, warning: string | null) {
    const blocking = p.kind === 'proposal' && this.draft.selected.includes('block');
    const err = this.errors.reason;
    const hint = p.reasonRequired
      ? 'This proposal asks everyone to give a reason.'
      : blocking
        ? 'Strongly encouraged for a block: say what would need to change.'
        : 'Optional. Markdown is fine.';
    return html`<div class="field">
      <label for="reason">Reason ${p.reasonRequired ? '(required)' : blocking ? '(strongly encouraged)' : '(optional)'}</label>
      <textarea
        id="reason"
        name="reason"
        .value=${this.draft.reason}
        ?required=${p.reasonRequired}
        maxlength="100000"
        aria-invalid=${err ? 'true' : 'false'}
        aria-describedby=${this.#describedBy(err && 'err-reason', 'reason-hint', warning && 'reason-warning')!}
        @input=${(e: Event) => this.#edit({ reason: (e.target as HTMLTextAreaElement).value })}
      ></textarea>
      <p class="hint" id="reason-hint">${hint}</p>
      ${warning ? html`<p class="warning" id="reason-warning">${warning}</p>` : nothing}
      ${err ? html`<p class="field-error" id="err-reason">${err}</p>` : nothing}
    </div>`;
  }

  // ------------------------------------------------------------ editing and sending

  #edit(patch: Partial<BallotDraft>) {
    this.draft = { ...this.draft, ...patch };
    this.#dirty = true;
    this.status = '';
  }

  #setValue(optionId: string, value: number) {
    this.#edit({ values: { ...this.draft.values, [optionId]: value } });
  }

  async #submit(event: SubmitEvent) {
    event.preventDefault();
    const p = this.proposal;
    if (!p || this.busy) return;
    const { body, errors } = buildBallot(p, this.draft);
    this.errors = errors;
    this.formError = null;
    this.status = '';
    if (Object.keys(errors).length > 0) {
      await this.#focusFirstError(errors);
      return;
    }
    this.busy = true;
    try {
      const vote = this.store ? await this.store.vote(body) : await castVote(p.id, body);
      this.#dirty = false;
      this.status = p.myVote ? 'Your vote was changed.' : 'Your vote is in.';
      this.dispatchEvent(
        new CustomEvent<VoteChangedDetail>('vote-changed', {
          detail: { vote },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (err) {
      this.#showError(err, body.choices);
    } finally {
      this.busy = false;
    }
  }

  async #retract() {
    const p = this.proposal;
    if (!p || this.busy) return;
    this.busy = true;
    this.errors = {};
    this.formError = null;
    try {
      if (this.store) await this.store.retract();
      else await retractVote(p.id);
      this.#dirty = false;
      this.draft = this.#initialDraft({ ...p, myVote: null });
      this.status = 'Your vote was retracted.';
      this.dispatchEvent(
        new CustomEvent<VoteChangedDetail>('vote-changed', {
          detail: { vote: null },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (err) {
      this.formError = splitErrors(err, []).form;
    } finally {
      this.busy = false;
    }
  }

  async #showError(err: unknown, sent: { optionId: string }[]) {
    if (err instanceof ApiError && err.code === 'validation_failed' && err.details.length > 0) {
      this.errors = ballotErrors(err.details, sent);
    } else if (err instanceof ApiError && err.code === 'proposal_closed') {
      this.formError = 'Voting has closed on this proposal; your vote was not recorded.';
    } else {
      this.formError = splitErrors(err, []).form;
    }
    await this.#focusFirstError(this.errors);
  }

  async #focusFirstError(errors: FieldErrors) {
    await this.updateComplete;
    const first = Object.keys(errors)[0];
    if (!first) {
      this.renderRoot.querySelector<HTMLElement>('.form-alert')?.focus();
      return;
    }
    let target: HTMLElement | null = null;
    if (first === 'reason') target = this.renderRoot.querySelector('#reason');
    else if (first === 'choices') {
      target = this.renderRoot.querySelector('#first-choice') ?? this.renderRoot.querySelector('#opt-0');
    } else {
      const i = this.proposal!.options.findIndex((o) => optionKey(o.id) === first);
      target = this.renderRoot.querySelector(`#opt-${i}`);
    }
    target?.focus();
  }
}

function numberOrNaN(text: string): number {
  return text.trim() === '' ? 0 : Number(text);
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-vote-form': PlVoteForm;
  }
  interface HTMLElementEventMap {
    'vote-changed': CustomEvent<VoteChangedDetail>;
  }
}
