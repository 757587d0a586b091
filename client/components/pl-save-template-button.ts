import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError } from '../data/api';
import { saveAsTemplate } from '../data/templates';
import { sharedStyles } from '../ui/styles';

/**
 * "Save as template": keeps a proposal's kind, options, details and settings
 * as one of its group's templates, offered in the proposal form from then on.
 * For facilitators (the card shows it when `permissions.saveAsTemplate`).
 */
@customElement('pl-save-template-button')
export class PlSaveTemplateButton extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: inline-flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-1);
      }
      p {
        margin: 0;
      }
    `,
  ];

  /** The proposal to save. */
  @property({ attribute: false }) proposalId: string | null = null;

  @state() private busy = false;
  @state() private message = '';
  @state() private failed = false;

  override render() {
    return html`<button class="secondary" type="button" ?disabled=${this.busy} @click=${this.#save}>
        Save as template
      </button>
      ${
        this.message
          ? html`<p class="small ${this.failed ? 'field-error' : 'muted'}" role=${this.failed ? 'alert' : 'status'}>
            ${this.message}
          </p>`
          : nothing
      }`;
  }

  async #save() {
    if (this.busy || !this.proposalId) return;
    this.busy = true;
    this.message = '';
    try {
      const template = await saveAsTemplate(this.proposalId);
      this.failed = false;
      this.message = `Saved: "${template.name}" is now among this group's templates.`;
    } catch (err) {
      this.failed = true;
      this.message = err instanceof ApiError ? err.message : 'Could not save the template.';
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-save-template-button': PlSaveTemplateButton;
  }
}
