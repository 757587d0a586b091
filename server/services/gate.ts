/** Why {@link Gate.run} turned a task away: every place in the queue taken, or the wait ran out. */
export class GateClosed extends Error {
  constructor(readonly reason: 'full' | 'timeout') {
    super(reason === 'full' ? 'too many waiting' : 'waited too long');
  }
}

export interface GateOptions {
  /** Tasks that may run at once. */
  concurrency: number;
  /** Tasks that may wait for a slot; one more is turned away at once. */
  maxWaiting: number;
  /** How long a task may wait for a slot before it is turned away. */
  maxWaitMs: number;
}

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

/**
 * A per-process limit on how many of one kind of expensive task run at once,
 * with a short, bounded queue in front: what it protects is everything else
 * the process does (database connections, the event loop), not the tasks.
 */
export class Gate {
  #running = 0;
  #peak = 0;
  readonly #waiting: Waiter[] = [];

  constructor(readonly options: GateOptions) {}

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** The most tasks that ran at once since the last {@link resetPeak}. */
  get peak(): number {
    return this.#peak;
  }

  resetPeak(): void {
    this.#peak = this.#running;
  }

  /** Runs `task` once a slot is free; throws {@link GateClosed} when it may not wait. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#enter();
    try {
      return await task();
    } finally {
      this.#leave();
    }
  }

  #enter(): Promise<void> {
    if (this.#running < this.options.concurrency && this.#waiting.length === 0) {
      this.#running += 1;
      this.#peak = Math.max(this.#peak, this.#running);
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.options.maxWaiting) return Promise.reject(new GateClosed('full'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          reject(new GateClosed('timeout'));
        }, this.options.maxWaitMs),
      };
      this.#waiting.push(waiter);
    });
  }

  #leave(): void {
    const next = this.#waiting.shift();
    if (!next) {
      this.#running -= 1;
      return;
    }
    // The slot passes straight to the next task, but only on a later turn of
    // the event loop: the embedded database runs queries on this thread, so
    // starting the next one at once would keep requests that arrived meanwhile
    // (another member's page, a vote) from being read until the queue is empty.
    clearTimeout(next.timer);
    setImmediate(next.start);
  }
}
