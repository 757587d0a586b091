import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError } from '../data/api';
import { remindNonVoters } from '../data/proposals';
import { sharedStyles } from '../ui/styles';

/**
 * "Remind those who have not voted": for facilitators and the proposal's
 * author while it is open (the card decides who sees it). Says how many were
 * reminded, or, within an hour of the last reminder, when the next may go.
 */
@customElement('pl-remind-button')
export class PlRemindButton extends LitElement {
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

  /** The proposal to remind about. */
  @property({ attribute: false }) proposalId: string | null = null;

  @state() private busy = false;
  @state() private message = '';
  @state() private failed = false;

  override render() {
    return html`<button class="secondary" type="button" ?disabled=${this.busy} @click=${this.#remind}>
        Remind those who have not voted
      </button>
      ${
        this.message
          ? html`<p class="small ${this.failed ? 'field-error' : 'muted'}" role=${this.failed ? 'alert' : 'status'}>
            ${this.message}
          </p>`
          : nothing
      }`;
  }

  async #remind() {
    if (this.busy || !this.proposalId) return;
    this.busy = true;
    this.message = '';
    try {
      const notified = await remindNonVoters(this.proposalId);
      this.failed = false;
      this.message =
        notified === 0
          ? 'Everyone has voted: nobody to remind.'
          : `Reminded ${notified} member${notified === 1 ? '' : 's'}.`;
    } catch (err) {
      this.failed = true;
      const said = err instanceof ApiError ? err.message : 'Could not send the reminder.';
      this.message = `${said.charAt(0).toUpperCase()}${said.slice(1)}${/[.!?]$/.test(said) ? '' : '.'}`;
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-remind-button': PlRemindButton;
  }
}
