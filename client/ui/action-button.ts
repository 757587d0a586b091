import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError } from '../data/api';
import { sharedStyles } from './styles';

/**
 * A button that does one thing to a proposal through the API and says how it
 * went beside itself (a status, or an alert on failure). Elements extend it
 * with their label and their action.
 */
export abstract class ActionButton extends LitElement {
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

  /** The proposal it acts on. */
  @property({ attribute: false }) proposalId: string | null = null;

  @state() private busy = false;
  @state() private message = '';
  @state() private failed = false;

  /** The button's text, in the reader's language: a getter that calls `t()`, so a change of language shows. */
  protected abstract readonly label: string;
  /** Said when the API refuses without a message of its own; like `label`, a getter that calls `t()`. */
  protected abstract readonly failure: string;
  /** Does it; answers what to tell the user (translated). */
  protected abstract act(proposalId: string): Promise<string>;

  override render() {
    return html`<button class="secondary" type="button" ?disabled=${this.busy} @click=${this.#run}>
        ${this.label}
      </button>
      ${
        this.message
          ? html`<p class="small ${this.failed ? 'field-error' : 'muted'}" role=${this.failed ? 'alert' : 'status'}>
            ${this.message}
          </p>`
          : nothing
      }`;
  }

  async #run() {
    if (this.busy || !this.proposalId) return;
    this.busy = true;
    this.message = '';
    try {
      this.message = await this.act(this.proposalId);
      this.failed = false;
    } catch (err) {
      this.failed = true;
      const said = err instanceof ApiError ? err.message : this.failure;
      this.message = `${said.charAt(0).toUpperCase()}${said.slice(1)}${/[.!?]$/.test(said) ? '' : '.'}`;
    } finally {
      this.busy = false;
    }
  }
}
