import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { countdownTick } from './time-text';

/**
 * Re-renders its host when what it shows about time may have changed: a
 * countdown's text ("closes in 5 h"), or a proposal reaching its close or the
 * "closing soon" window. One for every page that shows time passing. `nextTick` says in how many ms (null: no need); it is asked again
 * after every update.
 */
export class ClockController implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly nextTick: () => number | null,
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
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const ms = this.nextTick();
    if (ms === null || !this.#connected) return;
    // Timers longer than 2^31 ms fire at once; nothing here needs more than a few minutes.
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.host.requestUpdate();
      },
      Math.min(Math.max(ms, 1_000), 300_000),
    );
  }
}

/** When the soonest of these countdowns next reads differently, in ms; null when none is shown. */
export function nextCountdownTick(closesAt: readonly string[], now = Date.now()): number | null {
  return closesAt.length === 0 ? null : Math.min(...closesAt.map((at) => countdownTick(at, now)));
}
