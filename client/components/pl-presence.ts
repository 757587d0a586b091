import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { streamContext } from '../data/context';
import type { StreamClient } from '../data/stream';
import { listText, t } from '../i18n';
import { initials } from '../ui/format';
import { sharedStyles } from '../ui/styles';

/** Someone viewing, as the stream's `presence` frames name them. */
type PresenceUser = { id: string; name: string };

/** How many avatars before "+N". */
const MAX_AVATARS = 5;

/**
 * Follows who is viewing a topic: subscribes to it on the shared stream (the
 * subscription is ref-counted, so this costs nothing when the page follows it
 * already) and hands each `presence` frame to `onChange`.
 */
class PresenceController implements ReactiveController {
  #current: { stream: StreamClient; topic: string; unsubscribe: () => void } | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly options: {
      stream: () => StreamClient | undefined;
      topic: () => string | null;
      onChange: (users: PresenceUser[]) => void;
    },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#sync();
  }

  hostUpdate(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    this.#current?.unsubscribe();
    this.#current = null;
  }

  #sync(): void {
    const stream = this.options.stream();
    const topic = this.options.topic();
    if (this.#current && this.#current.stream === stream && this.#current.topic === topic) return;
    if (this.#current) {
      this.#current.unsubscribe();
      this.#current = null;
      this.options.onChange([]);
    }
    if (!stream || !topic) return;
    const unsubscribe = stream.subscribe(topic, () => {}, {
      onPresence: (users) => this.options.onChange(users),
    });
    this.#current = { stream, topic, unsubscribe };
  }
}

/**
 * Avatars of the people viewing a thread right now (other than the viewer),
 * live from the stream's presence frames.
 */
@customElement('pl-presence')
export class PlPresence extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: inline-block;
      }
      .presence {
        display: inline-flex;
        align-items: center;
        gap: var(--pl-space-1);
      }
      ul {
        display: inline-flex;
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        margin-left: -6px;
      }
      li:first-child {
        margin-left: 0;
      }
      .avatar {
        display: inline-grid;
        place-items: center;
        width: 28px;
        height: 28px;
        border-radius: 50%;
        border: 2px solid var(--pl-color-surface);
        background: var(--pl-color-accent-soft);
        color: var(--pl-color-accent-hover);
        font-size: 0.7rem;
        font-weight: var(--pl-weight-bold);
      }
      .more {
        background: var(--pl-color-surface-muted);
        color: var(--pl-color-text-muted);
      }
      .dot {
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: var(--pl-color-accent);
      }
    `,
  ];

  /** The topic whose viewers to show, e.g. `thread:<id>`. */
  @property() topic = '';

  /** The viewer's own id, left out of the avatars. */
  @property() viewerId = '';

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private users: PresenceUser[] = [];

  /** Follows the topic's viewers while the element is shown. */
  protected readonly viewers = new PresenceController(this, {
    stream: () => this.stream,
    topic: () => this.topic || null,
    onChange: (users) => {
      this.users = users;
    },
  });

  override render() {
    const others = this.users.filter((u) => u.id !== this.viewerId);
    if (others.length === 0) return nothing;
    const shown = others.slice(0, MAX_AVATARS);
    const rest = others.length - shown.length;
    const names = others.map((u) => u.name);
    const label =
      others.length === 1
        ? t('{name} is here now', { name: names[0] })
        : t('{names} are here now', { names: listText(names) });
    return html`<div class="presence" role="group" aria-label=${label} title=${label}>
      <span class="dot" aria-hidden="true"></span>
      <ul aria-hidden="true">
        ${shown.map((u) => html`<li><span class="avatar" title=${u.name}>${initials(u.name)}</span></li>`)}
        ${rest > 0 ? html`<li><span class="avatar more">+${rest}</span></li>` : nothing}
      </ul>
      <span class="muted small"
        >${others.length === 1 ? t('{name} is here', { name: names[0] }) : t('{count} here now', { count: others.length })}</span
      >
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-presence': PlPresence;
  }
}
