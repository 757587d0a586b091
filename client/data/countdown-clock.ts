import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { countdownTick } from './time-text';

/**
 * Re-renders its host when a countdown it shows ("closes in 5 h") may read
 * differently: as soon as the soonest of `closesAt()` needs it, while the
 * host is in the document.
 */
export class CountdownClock implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The closing times shown (ISO); none: no timer. */
    private readonly closesAt: () => readonly string[],
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#connected = true;
    this.#schedule();
  }

  hostDisconnected(): void {
    this.#connected = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  hostUpdated(): void {
    if (!this.#timer) this.#schedule();
  }

  #schedule(): void {
    const now = Date.now();
    const ticks = this.closesAt().map((at) => countdownTick(at, now));
    if (!this.#connected || ticks.length === 0) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.host.requestUpdate();
      },
      Math.min(...ticks),
    );
  }
}
