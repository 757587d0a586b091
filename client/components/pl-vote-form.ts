import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, type FieldErrors, splitErrors } from '../data/api';
import {
  type BallotDraft,
  ballotErrors,
  buildBallot,
  draftFromVote,
  moveRanked,
  optionKey,
  ordinal,
  toggleRanked,
} from '../data/ballot-draft';
import { ownVote } from '../data/delegations';
import type { ProposalStore } from '../data/proposal-store';
import { castVote, type Proposal, retractVote, type Vote } from '../data/proposals';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { formAlert } from '../ui/forms';
import { sharedStyles } from '../ui/styles';
import { voteFormStyles } from './pl-vote-form.styles';
import type { BallotContext } from './vote-form/ballot-parts';
import { consentBallot } from './vote-form/consent-ballot';
import { dotBallot } from './vote-form/dot-ballot';
import { meetingBallot } from './vote-form/meeting-ballot';
import { pollBallot } from './vote-form/poll-ballot';
import { rankedBallot } from './vote-form/ranked-ballot';
import { reasonField } from './vote-form/reason-field';
import { scoreBallot } from './vote-form/score-ballot';

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
  static override styles = [sharedStyles, voteFormStyles];

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
    // A delegate's vote the caller's follows is not theirs to edit: the form starts empty then.
    const own = ownVote(p.myVote);
    const mine = own ? (own.updatedAt ?? JSON.stringify([own.choices, own.reason])) : 'none';
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
    const draft = draftFromVote(p, ownVote(p.myVote));
    // Sliders always show a value: an untouched score is 0.
    if (p.kind === 'score') for (const o of p.options) draft.values[o.id] ??= 0;
    return draft;
  }

  /** Focuses the ballot's first control that can take input; false when there is none. */
  focusFirstControl(): boolean {
    const first = this.renderRoot.querySelector<HTMLElement>(
      'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])',
    );
    first?.focus({ preventScroll: true });
    return first !== null;
  }

  override render() {
    const p = this.proposal;
    if (!p) return nothing;
    const hasVote = Boolean(ownVote(p.myVote));
    const { warning } = buildBallot(p, this.draft);
    const ctx = this.#context();
    return html`<form novalidate @submit=${this.#submit} aria-label=${t('Your vote')}>
      ${formAlert(this.formError)}
      ${this.#ballot(p, ctx)}
      ${reasonField(p, ctx, warning)}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>
          ${this.busy ? t('Sending…') : hasVote ? t('Change my vote') : t('Cast my vote')}
        </button>
        ${
          hasVote
            ? html`<button class="secondary" type="button" ?disabled=${this.busy} @click=${this.#retract}>
              ${t('Retract my vote')}
            </button>`
            : nothing
        }
        <p class="live small muted" role="status">${this.status}</p>
      </div>
      <p class="sr-only" aria-live="polite">${this.announcement}</p>
    </form>`;
  }

  // ------------------------------------------------------------ the ballot, per kind (vote-form/)

  /** The fields of the ballot, in the form the proposal's kind needs (vote-form/*.ts). */
  #ballot(p: Proposal, ctx: BallotContext): TemplateResult {
    switch (p.kind) {
      case 'proposal':
        return consentBallot(p, ctx);
      case 'poll':
        return pollBallot(p, ctx);
      case 'score':
        return scoreBallot(p, ctx);
      case 'dot_vote':
        return dotBallot(p, ctx);
      case 'ranked_choice':
        return rankedBallot(p, ctx, {
          move: (id, delta, name) => this.#move(id, delta, name),
          toggleRank: (id, name, add) => this.#toggleRank(id, name, add),
        });
      case 'meeting':
        return meetingBallot(p, ctx);
    }
  }

  /** What the ballot's fields read and call: the draft and errors as they are when read, and the edits. */
  #context(): BallotContext {
    const form = this;
    return {
      get draft() {
        return form.draft;
      },
      get errors() {
        return form.errors;
      },
      edit: (patch) => this.#edit(patch),
      setValue: (optionId, value) => this.#setValue(optionId, value),
    };
  }

  async #move(id: string, delta: number, name: string) {
    const order = moveRanked(this.draft.order, id, delta);
    this.#edit({ order });
    const pos = order.indexOf(id);
    this.announcement = t('{name} moved to {place} place.', { name, place: ordinal(pos + 1) });
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
      ? t('{name} ranked {place}.', { name, place: ordinal(order.length) })
      : t('{name} removed from the ranking.', { name });
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
      this.status = ownVote(p.myVote) ? t('Your vote was changed.') : t('Your vote is in.');
      fireEvent(this, 'vote-changed', { vote });
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
      this.status = t('Your vote was retracted.');
      fireEvent(this, 'vote-changed', { vote: null });
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
      this.formError = t('Voting has closed on this proposal; your vote was not recorded.');
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

declare global {
  interface HTMLElementTagNameMap {
    'pl-vote-form': PlVoteForm;
  }
  interface PlEvents {
    'vote-changed': VoteChangedDetail;
  }
}
