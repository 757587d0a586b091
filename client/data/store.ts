/** A listener to a {@link Store}'s value. */
export type Listener<T> = (value: T) => void;

/**
 * A value that can be watched: the client's unit of shared state. Components
 * read `value` and re-render through a StoreController; stores, not
 * components, absorb server events and call `set`.
 */
export class Store<T> {
  #value: T;
  readonly #listeners = new Set<Listener<T>>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get value(): T {
    return this.#value;
  }

  /** Replaces the value and tells every listener (unless nothing changed). */
  set(next: T): void {
    if (Object.is(next, this.#value)) return;
    this.#value = next;
    for (const listener of [...this.#listeners]) listener(next);
  }

  /** Sets the value computed from the current one. */
  update(fn: (current: T) => T): void {
    this.set(fn(this.#value));
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: Listener<T>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
