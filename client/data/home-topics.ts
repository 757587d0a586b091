import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StreamClient, StreamEvent } from './stream';

export interface TopicsControllerOptions {
  /** The stream to use (usually from context; may be undefined until the host is connected). */
  stream: () => StreamClient | undefined;
  /** The topics to follow, e.g. `group:<id>` of each of the viewer's groups. Re-read before every update. */
  topics: () => string[];
  /** Each event of any of the topics. */
  onEvent: (event: StreamEvent) => void;
  /** Refetch over HTTP: events of one of the topics may have been missed (see SubscribeOptions.onReset). */
  onReset?: () => void;
}

/**
 * Follows a set of stream topics while its host is in the document, as
 * `TopicController` follows one: subscribes on connect, unsubscribes on
 * disconnect, and, when the set changes, joins the new topics and leaves the
 * old without touching the rest.
 */
export class TopicsController implements ReactiveController {
  readonly #options: TopicsControllerOptions;
  #stream: StreamClient | undefined;
  readonly #subscribed = new Map<string, () => void>();

  constructor(host: ReactiveControllerHost, options: TopicsControllerOptions) {
    this.#options = options;
    host.addController(this);
  }

  hostConnected(): void {
    this.#sync();
  }

  hostUpdate(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    this.#leaveAll();
  }

  #leaveAll(): void {
    for (const unsubscribe of this.#subscribed.values()) unsubscribe();
    this.#subscribed.clear();
  }

  #sync(): void {
    const stream = this.#options.stream();
    if (stream !== this.#stream) {
      this.#leaveAll();
      this.#stream = stream;
    }
    if (!stream) return;
    const wanted = new Set(this.#options.topics());
    for (const [topic, unsubscribe] of this.#subscribed) {
      if (wanted.has(topic)) continue;
      unsubscribe();
      this.#subscribed.delete(topic);
    }
    for (const topic of wanted) {
      if (this.#subscribed.has(topic)) continue;
      const unsubscribe = stream.subscribe(topic, (event) => this.#options.onEvent(event), {
        onReset: () => this.#options.onReset?.(),
      });
      this.#subscribed.set(topic, unsubscribe);
    }
  }
}
