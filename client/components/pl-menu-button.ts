import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, queryAll, state } from 'lit/decorators.js';
import { t } from '../i18n';
import { fireEvent } from '../ui/fire-event';
import { sharedStyles } from '../ui/styles';

/** One entry of a {@link PlMenuButton}'s menu. */
export interface MenuItem {
  /** What `pl-menu-select` reports when this item is chosen. */
  id: string;
  label: string;
  /** Styles the item as destructive (removing someone, say). */
  danger?: boolean;
}

/** Detail of `pl-menu-select`. */
export interface MenuSelectDetail {
  id: string;
}

/**
 * A "⋯" button that opens a small menu of actions, following the WAI-ARIA
 * menu button pattern: the button says it has a popup and whether it is open;
 * Enter, Space or ↓ open the menu on its first item (↑ on its last), ↑ ↓ Home
 * End move between items, Escape closes it and returns to the button, and Tab,
 * a click elsewhere or choosing an item closes it too.
 *
 * The event is fired on this element only (it does not bubble): whoever
 * renders the menu listens on it.
 *
 * @fires pl-menu-select - {@link MenuSelectDetail}: an item was chosen
 */
@customElement('pl-menu-button')
export class PlMenuButton extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: inline-block;
        position: relative;
      }
      .trigger {
        min-width: 40px;
        font-size: var(--pl-text-lg);
        line-height: 1;
      }
      [role='menu'] {
        position: absolute;
        top: calc(100% + 4px);
        right: 0;
        z-index: 20;
        min-width: 13rem;
        display: flex;
        flex-direction: column;
        padding: var(--pl-space-half);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius-sm);
        background: var(--pl-color-surface);
        box-shadow: var(--pl-shadow-lg);
      }
      [role='menuitem'] {
        justify-content: flex-start;
        width: 100%;
        background: transparent;
        border-color: transparent;
        color: var(--pl-color-text);
      }
      [role='menuitem']:hover,
      [role='menuitem']:focus {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text);
      }
      [role='menuitem'].destructive,
      [role='menuitem'].destructive:hover,
      [role='menuitem'].destructive:focus {
        color: var(--pl-color-danger);
      }
    `,
  ];

  /** The button's accessible name, e.g. "More actions for Bea Lindqvist"; also names the menu. "More actions" if empty. */
  @property() label = '';

  /** The actions, in order. */
  @property({ attribute: false }) items: MenuItem[] = [];

  /** Disables the button (an action already running) and closes the menu. */
  @property({ type: Boolean }) disabled = false;

  @state() private open = false;
  @query('.trigger') private trigger!: HTMLButtonElement;
  @queryAll('[role="menuitem"]') private menuItems!: NodeListOf<HTMLButtonElement>;

  /** Closes the menu on a press anywhere outside it (the page, or another row's menu). */
  readonly #outside = (event: PointerEvent) => {
    if (!event.composedPath().includes(this)) this.#close(false);
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.#outside, true);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('disabled') && this.disabled) this.open = false;
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('open')) {
      if (this.open) document.addEventListener('pointerdown', this.#outside, true);
      else document.removeEventListener('pointerdown', this.#outside, true);
    }
  }

  override render() {
    const label = this.label || t('More actions');
    return html`<button
        class="trigger ghost small"
        type="button"
        id="trigger"
        aria-haspopup="menu"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="menu"
        aria-label=${label}
        title=${t('More')}
        ?disabled=${this.disabled}
        @click=${this.#toggle}
        @keydown=${this.#triggerKey}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      ${
        this.open
          ? html`<div
            id="menu"
            role="menu"
            aria-label=${label}
            @keydown=${this.#menuKey}
            @focusout=${this.#focusOut}
          >
            ${this.items.map(
              (item) => html`<button
                class=${item.danger ? 'destructive' : ''}
                type="button"
                role="menuitem"
                tabindex="-1"
                @click=${() => this.#choose(item)}
              >
                ${item.label}
              </button>`,
            )}
          </div>`
          : nothing
      }`;
  }

  async #openAt(index: 'first' | 'last') {
    if (this.disabled || this.items.length === 0) return;
    this.open = true;
    await this.updateComplete;
    const items = [...this.menuItems];
    items[index === 'first' ? 0 : items.length - 1]?.focus();
  }

  #close(refocus: boolean) {
    if (!this.open) return;
    this.open = false;
    if (refocus) this.trigger.focus();
  }

  #toggle() {
    if (this.open) this.#close(true);
    else void this.#openAt('first');
  }

  #triggerKey(event: KeyboardEvent) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      void this.#openAt(event.key === 'ArrowDown' ? 'first' : 'last');
    } else if (event.key === 'Escape' && this.open) {
      event.preventDefault();
      this.#close(true);
    }
  }

  #menuKey(event: KeyboardEvent) {
    const items = [...this.menuItems];
    const at = items.indexOf((this.renderRoot as ShadowRoot).activeElement as HTMLButtonElement);
    const move = (to: number) => {
      event.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    switch (event.key) {
      case 'ArrowDown':
        return move(at + 1);
      case 'ArrowUp':
        return move(at - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(items.length - 1);
      case 'Escape':
        // Inside a dialog, Escape closes only the menu.
        event.preventDefault();
        event.stopPropagation();
        return this.#close(true);
      case 'Tab':
        // From the button, Tab's own move then goes on to what follows (or precedes) the menu.
        this.trigger.focus();
        this.#close(false);
        return;
    }
  }

  #focusOut(event: FocusEvent) {
    const to = event.relatedTarget as Node | null;
    if (to && (this.renderRoot.contains(to) || to === this)) return;
    // Focus going nowhere (a click on plain page text) is handled by the pointerdown listener.
    if (to) this.#close(false);
  }

  #choose(item: MenuItem) {
    // Back on the button first, so a dialog the action opens returns focus there when it closes.
    this.#close(true);
    fireEvent(this, 'pl-menu-select', { id: item.id }, { bubbles: false, composed: false });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-menu-button': PlMenuButton;
  }
  interface PlEvents {
    'pl-menu-select': MenuSelectDetail;
  }
}
