import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { splitErrors } from '../data/api';
import {
  applyToggle,
  type Comment,
  REACTION_CHOICES,
  type Reaction,
  reactionSummary,
  sameEmoji,
  setReaction,
} from '../data/comments';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';

/** Detail of `pl-comment-changed`: the comment as the server now has it. */
export interface CommentChangedDetail {
  comment: Comment;
}

/**
 * A comment's emoji reactions: one toggle button per emoji with its count
 * (who reacted in its title), and an "Add reaction" picker. Toggles with
 * PUT/DELETE, showing the change at once.
 *
 * @fires pl-comment-changed - {@link CommentChangedDetail}, after the server answered
 */
@customElement('pl-reactions')
export class PlReactions extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 6px;
      }
      button.reaction {
        min-height: 30px;
        padding: 0 10px;
        gap: 6px;
        border-radius: var(--pl-radius-pill);
        border: 1px solid var(--pl-color-border);
        background: var(--pl-color-surface);
        color: var(--pl-color-text);
        font-weight: var(--pl-weight-medium);
        font-size: var(--pl-text-sm);
      }
      button.reaction:hover {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text);
      }
      button.reaction[aria-pressed='true'] {
        border-color: var(--pl-color-accent);
        background: var(--pl-color-accent-soft);
        color: var(--pl-color-accent-hover);
      }
      .emoji {
        font-size: 1rem;
        line-height: 1;
      }
      button.add {
        min-height: 30px;
        padding: 0 8px;
        border-radius: var(--pl-radius-pill);
        border: 1px dashed var(--pl-color-border-strong);
        background: transparent;
        color: var(--pl-color-text-muted);
      }
      button.add:hover {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text);
      }
      button.add svg {
        width: 16px;
        height: 16px;
      }
      .picker {
        display: flex;
        flex-wrap: wrap;
        gap: 2px;
        padding: 4px;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
        background: var(--pl-color-surface);
        box-shadow: var(--pl-shadow-lg);
      }
      .picker button {
        min-height: 36px;
        width: 36px;
        padding: 0;
        border: 0;
        background: transparent;
        font-size: 1.2rem;
      }
      .picker button:hover,
      .picker button:focus-visible {
        background: var(--pl-color-surface-muted);
      }
      .error {
        margin-top: 4px;
      }
    `,
  ];

  /** The comment whose reactions to show (its `reactions` with `mine` set for the viewer). */
  @property({ attribute: false }) comment: Comment | null = null;

  /** Read-only (deleted comments): no toggles, no picker. */
  @property({ type: Boolean }) disabled = false;

  @state() private picking = false;
  @state() private error: string | null = null;
  /** Reactions shown while a toggle is in flight. */
  @state() private optimistic: Reaction[] | null = null;

  override render() {
    const comment = this.comment;
    if (!comment) return nothing;
    const reactions = this.optimistic ?? comment.reactions;
    if (this.disabled && reactions.length === 0) return nothing;
    return html`<div class="bar" role="group" aria-label=${t('Reactions')}>
        ${reactions.map(
          (r) => html`<button
            class="reaction"
            type="button"
            aria-pressed=${r.mine ? 'true' : 'false'}
            title=${reactionSummary(r)}
            ?disabled=${this.disabled}
            @click=${() => this.#toggle(r.emoji, !r.mine)}
          >
            <span class="emoji" aria-hidden="true">${r.emoji}</span><span class="count" aria-hidden="true"
              >${r.count}</span
            ><span class="sr-only"
              >${r.mine ? t('{emoji} {count}, including you', { emoji: r.emoji, count: r.count }) : `${r.emoji} ${r.count}`}</span
            >
          </button>`,
        )}
        ${
          this.disabled
            ? nothing
            : html`<button
              class="add"
              type="button"
              aria-expanded=${this.picking ? 'true' : 'false'}
              aria-controls="picker"
              title=${t('Add a reaction')}
              @click=${this.#togglePicker}
            >
              <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
                <circle cx="12" cy="12" r="9" />
                <path d="M8.5 14.5a4 4 0 0 0 7 0M9 10h.01M15 10h.01" stroke-linecap="round" />
              </svg>
              <span class="sr-only">${t('Add a reaction')}</span>
            </button>`
        }
        ${
          this.picking
            ? html`<div id="picker" class="picker" role="group" aria-label=${t('Choose a reaction')} @keydown=${this.#pickerKey}>
              ${REACTION_CHOICES.map(
                (c) => html`<button
                  type="button"
                  title=${t(c.name)}
                  aria-label=${t(c.name)}
                  @click=${() => this.#pick(c.emoji)}
                >
                  ${c.emoji}
                </button>`,
              )}
            </div>`
            : nothing
        }
      </div>
      ${this.error ? html`<p class="field-error error" role="alert">${this.error}</p>` : nothing}`;
  }

  async #togglePicker() {
    this.picking = !this.picking;
    if (this.picking) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLButtonElement>('.picker button')?.focus();
    }
  }

  #pickerKey(event: KeyboardEvent) {
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.picker button')];
    const index = buttons.indexOf((this.renderRoot as ShadowRoot).activeElement as HTMLButtonElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      this.picking = false;
      this.renderRoot.querySelector<HTMLButtonElement>('button.add')?.focus();
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault();
      const next = (index + (event.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next]?.focus();
    }
  }

  async #pick(emoji: string) {
    this.picking = false;
    const existing = (this.optimistic ?? this.comment?.reactions ?? []).find((r) =>
      sameEmoji(r.emoji, emoji),
    );
    await this.#toggle(existing?.emoji ?? emoji, !existing?.mine);
    this.renderRoot.querySelector<HTMLButtonElement>('button.add')?.focus();
  }

  async #toggle(emoji: string, on: boolean) {
    const comment = this.comment;
    if (!comment || this.disabled) return;
    this.error = null;
    this.optimistic = applyToggle(this.optimistic ?? comment.reactions, emoji, on);
    try {
      const updated = await setReaction(comment.id, emoji, on);
      fireEvent(this, 'pl-comment-changed', { comment: updated });
    } catch (err) {
      this.error = splitErrors(err, []).form;
    } finally {
      this.optimistic = null;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-reactions': PlReactions;
  }
  interface PlEvents {
    'pl-comment-changed': CommentChangedDetail;
  }
}
