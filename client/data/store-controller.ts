import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Store } from './store';

/**
 * Re-renders its host whenever a store changes. `store` may be a function so
 * that the host can switch stores when a property (say, a group id) changes.
 */
export class StoreController<T> implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #get: () => Store<T> | undefined;
  #store: Store<T> | undefined;
  #unsubscribe: (() => void) | null = null;

  constructor(host: ReactiveControllerHost, store: Store<T> | (() => Store<T> | undefined)) {
    this.#host = host;
    this.#get = typeof store === 'function' ? store : () => store;
    host.addController(this);
  }

  /** The store's current value (undefined while there is no store). */
  get value(): T | undefined {
    return this.#store?.value;
  }

  hostConnected(): void {
    this.#attach();
  }

  hostUpdate(): void {
    if (this.#get() !== this.#store) this.#attach();
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#store = undefined;
  }

  #attach(): void {
    this.#unsubscribe?.();
    this.#store = this.#get();
    this.#unsubscribe = this.#store?.subscribe(() => this.#host.requestUpdate()) ?? null;
  }
}
