import { html, nothing } from 'lit';
import type { FieldErrors } from '../../data/api';
import { type BallotDraft, optionKey } from '../../data/ballot-draft';

/**
 * What a ballot's fields read and call back: the vote form's current draft
 * and errors, and its edits (which mark the form as edited and clear its
 * status line).
 */
export interface BallotContext {
  readonly draft: BallotDraft;
  readonly errors: FieldErrors;
  /** Merges `patch` into the draft. */
  edit(patch: Partial<BallotDraft>): void;
  /** Sets one option's score, dots or meeting answer. */
  setValue(optionId: string, value: number): void;
}

/** The ballot-wide error, tied to the fieldset by aria-describedby. */
export function choicesError(errors: FieldErrors) {
  return errors.choices ? html`<p class="field-error" id="err-choices">${errors.choices}</p>` : nothing;
}

/** One option's error, `err-opt-<index>`, named by its control's aria-describedby. */
export function optionError(errors: FieldErrors, optionId: string, index: number) {
  const message = errors[optionKey(optionId)];
  return message ? html`<p class="field-error" id="err-opt-${index}">${message}</p>` : nothing;
}

/** An aria-describedby value from the ids that apply, or undefined when none does. */
export function describedBy(...ids: (string | false | null | undefined)[]) {
  const list = ids.filter(Boolean).join(' ');
  return list || undefined;
}
