import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { FieldErrors } from '../data/api';
import { t } from '../i18n';

/** One labelled text control with its hint and its error beside it. */
export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'url';
  value?: string;
  autocomplete?: string;
  required?: boolean;
  minlength?: number;
  maxlength?: number;
  hint?: string;
  error?: string;
  /** A <textarea> instead of an <input>. */
  multiline?: boolean;
}

/**
 * Renders a field: `<label for>`, the control, a hint and the field's error,
 * tied together with aria-describedby and aria-invalid. Ids are
 * `field-<name>`, unique within the element's shadow root.
 */
export function field(spec: FieldSpec): TemplateResult {
  const id = `field-${spec.name}`;
  const hintId = spec.hint ? `${id}-hint` : '';
  const errorId = spec.error ? `${id}-error` : '';
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  const control = spec.multiline
    ? html`<textarea
        id=${id}
        name=${spec.name}
        .value=${spec.value ?? ''}
        ?required=${spec.required}
        maxlength=${ifDefined(spec.maxlength)}
        aria-invalid=${spec.error ? 'true' : 'false'}
        aria-describedby=${ifDefined(describedBy)}
      ></textarea>`
    : html`<input
        id=${id}
        name=${spec.name}
        type=${spec.type ?? 'text'}
        .value=${spec.value ?? ''}
        autocomplete=${ifDefined(spec.autocomplete)}
        ?required=${spec.required}
        minlength=${ifDefined(spec.minlength)}
        maxlength=${ifDefined(spec.maxlength)}
        aria-invalid=${spec.error ? 'true' : 'false'}
        aria-describedby=${ifDefined(describedBy)}
      />`;
  return html`<div class="field">
    <label for=${id}>${spec.label}</label>
    ${control}
    ${spec.hint ? html`<p class="hint" id=${hintId}>${spec.hint}</p>` : nothing}
    ${spec.error ? html`<p class="field-error" id=${errorId}>${spec.error}</p>` : nothing}
  </div>`;
}

/**
 * A long text field in the Markdown editor (<pl-markdown-editor>, which the
 * page must import): Preview, mentions of `members`, and with `draftKey` the
 * unsent text kept across a reload. Its value is in the form's data by `name`.
 */
export function markdownField(spec: {
  name: string;
  label: string;
  value?: string;
  hint?: string;
  error?: string;
  draftKey?: string;
  members?: { id: string; name: string; handle: string }[];
  /** The group files dropped, pasted or attached into the text are uploaded to. */
  groupId?: string;
}): TemplateResult {
  const id = `field-${spec.name}`;
  return html`<div class="field">
    <pl-markdown-editor
      id=${id}
      name=${spec.name}
      label=${spec.label}
      .value=${spec.value ?? ''}
      .error=${spec.error ?? null}
      .members=${spec.members ?? []}
      .groupId=${spec.groupId ?? ''}
      draft-key=${ifDefined(spec.draftKey)}
    ></pl-markdown-editor>
    ${spec.hint ? html`<p class="hint">${spec.hint}</p>` : nothing}
  </div>`;
}

/** A form's text values by control name. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === 'string') values[name] = value;
  }
  return values;
}

/**
 * Checks the form's controls in the browser first (required, minimum length,
 * email shape) so that obvious slips are shown beside the field before any
 * request; the server's answer is mapped the same way afterwards.
 */
export function checkFields(form: HTMLFormElement): FieldErrors {
  const errors: FieldErrors = {};
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
    'input[name], textarea[name]',
  )) {
    if (
      el instanceof HTMLInputElement &&
      (el.type === 'checkbox' || el.type === 'radio' || el.type === 'hidden')
    ) {
      continue;
    }
    const label = form.querySelector(`label[for="${el.id}"]`)?.textContent?.trim() ?? el.name;
    const value = el.value.trim();
    if (el.required && !value) errors[el.name] = t('{label} is required.', { label });
    else if (el.minLength > 0 && value && el.value.length < el.minLength) {
      errors[el.name] = t(
        '{count, plural, one {Use at least # character.} other {Use at least # characters.}}',
        { count: el.minLength },
      );
    } else if (el instanceof HTMLInputElement && el.type === 'email' && value && el.validity.typeMismatch) {
      errors[el.name] = t('Enter an email address, like name@example.org.');
    }
  }
  return errors;
}

/** Moves focus to the first control that has an error (after the element has rendered them). */
export function focusFirstError(root: ParentNode, errors: FieldErrors): void {
  const first = Object.keys(errors)[0];
  if (!first) return;
  root.querySelector<HTMLElement>(`#field-${CSS.escape(first)}`)?.focus();
}

/** A form's message that belongs to no one field; focusable, so `revealErrors` can move focus to it. */
export function formAlert(message: string | null, id?: string): TemplateResult | typeof nothing {
  return message
    ? html`<p class="alert form-alert" id=${ifDefined(id)} role="alert" tabindex="-1">${message}</p>`
    : nothing;
}

/**
 * Call once a form's errors are set on `host`: waits for them to render and
 * moves focus to the first field with an error, or else to the form's alert
 * (`formAlert`). Answers whether there was anything to show.
 */
export async function revealErrors(
  host: HTMLElement & { updateComplete: Promise<unknown>; renderRoot: ParentNode },
  fields: FieldErrors,
  formError: string | null = null,
): Promise<boolean> {
  if (Object.keys(fields).length === 0 && !formError) return false;
  await host.updateComplete;
  if (Object.keys(fields).length > 0) focusFirstError(host.renderRoot, fields);
  else host.renderRoot.querySelector<HTMLElement>('.form-alert')?.focus();
  return true;
}
