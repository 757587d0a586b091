/**
 * Runs a load at most once at a time. A call while it runs shares it and asks
 * for one more round afterwards, so the last answer shown is never older than
 * the last request for it (bursts of stream events cost at most two loads).
 */
export class Coalesced {
  #inflight: Promise<void> | null = null;
  #again = false;

  constructor(
    private readonly load: () => Promise<void>,
    /** Runs after each burst of rounds, whether it succeeded or not. */
    private readonly settled: () => void = () => {},
  ) {}

  /** True while a load is under way. */
  get running(): boolean {
    return this.#inflight !== null;
  }

  run(): Promise<void> {
    if (this.#inflight) {
      this.#again = true;
      return this.#inflight;
    }
    this.#inflight = (async () => {
      try {
        do {
          this.#again = false;
          await this.load();
        } while (this.#again);
      } finally {
        this.#inflight = null;
        this.settled();
      }
    })();
    return this.#inflight;
  }
}
