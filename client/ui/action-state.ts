import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { ApiError } from '../data/api';
import { t } from '../i18n';

/**
 * An element's one action at a time through the API, and what it said: busy
 * while it runs, then its message as a status, or the API's refusal as an
 * alert. For elements that are not a single button (those extend
 * `ActionButton`).
 */
export class ActionState implements ReactiveController {
  busy = false;
  message = '';
  failed = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Runs `action` (which answers what to tell the user, already translated), then `after` when it went through. */
  async run(action: () => Promise<string>, after?: () => Promise<unknown>): Promise<void> {
    this.#set({ busy: true, message: '', failed: false });
    try {
      const message = await action();
      this.#set({ message });
      await after?.();
    } catch (err) {
      this.#set({
        failed: true,
        message: err instanceof ApiError ? err.message : t('That did not work; try again.'),
      });
    } finally {
      this.#set({ busy: false });
    }
  }

  /** The message, as a status or (after a failure) an alert; nothing before the first action. */
  render() {
    if (!this.message) return nothing;
    return html`<p class="small ${this.failed ? 'field-error' : 'muted'}" role=${this.failed ? 'alert' : 'status'}>
      ${this.message}
    </p>`;
  }

  #set(patch: Partial<Pick<ActionState, 'busy' | 'message' | 'failed'>>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
