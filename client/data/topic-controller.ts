import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StreamClient, StreamEvent } from './stream';

export interface TopicControllerOptions {
  /** The stream to use (usually from context; may be undefined until the host is connected). */
  stream: () => StreamClient | undefined;
  /** The topic to follow, e.g. `group:<id>`; null for none. Re-read before every update. */
  topic: () => string | null;
  /** Each event of the topic; hand it to a store, which absorbs it. */
  onEvent: (event: StreamEvent) => void;
  /** Refetch over HTTP: events may have been missed (see SubscribeOptions.onReset). */
  onReset?: () => void;
  /** The server refused or dropped the topic (e.g. `not_found` once the viewer left the group). */
  onError?: (code: string, message: string) => void;
}

/**
 * Follows one stream topic while its host is in the document: subscribes on
 * connect, unsubscribes on disconnect, and switches when `topic()` changes.
 */
export class TopicController implements ReactiveController {
  readonly #options: TopicControllerOptions;
  #current: { stream: StreamClient; topic: string; unsubscribe: () => void } | null = null;

  constructor(host: ReactiveControllerHost, options: TopicControllerOptions) {
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
    this.#current?.unsubscribe();
    this.#current = null;
  }

  #sync(): void {
    const stream = this.#options.stream();
    const topic = this.#options.topic();
    if (this.#current && this.#current.stream === stream && this.#current.topic === topic) return;
    this.#current?.unsubscribe();
    this.#current = null;
    if (!stream || !topic) return;
    const unsubscribe = stream.subscribe(topic, (event) => this.#options.onEvent(event), {
      onReset: () => this.#options.onReset?.(),
      onError: (code, message) => this.#options.onError?.(code, message),
    });
    this.#current = { stream, topic, unsubscribe };
  }
}
