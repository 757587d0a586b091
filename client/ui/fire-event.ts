/**
 * The custom events Plenary's elements fire, by name, with the type of their
 * `detail` (`undefined` for none). Each element adds its own beside its class,
 * so that a name and its detail are declared once:
 *
 *     declare global {
 *       interface PlEvents {
 *         'pl-reply': ReplyDetail;
 *       }
 *     }
 */
declare global {
  /** Filled in by each element (declaration merging). */
  interface PlEvents {}
  // So that `addEventListener('pl-reply', (e) => e.detail…)` is typed too.
  interface HTMLElementEventMap extends PlEventMap {}
}

type PlEventMap = { [K in keyof PlEvents]: CustomEvent<PlEvents[K]> };

/** A Plenary custom event, for a listener's parameter: `(event: PlEvent<'pl-reply'>) => …`. */
export type PlEvent<K extends keyof PlEvents> = CustomEvent<PlEvents[K]>;

/** How the event travels; both default to true, so that it leaves the shadow root it is fired in. */
export interface FireOptions {
  bubbles?: boolean;
  composed?: boolean;
}

/** The detail argument: required when the event has one, left out when it has none. */
type DetailArgs<K extends keyof PlEvents> = PlEvents[K] extends undefined
  ? [detail?: undefined, options?: FireOptions]
  : [detail: PlEvents[K], options?: FireOptions];

/**
 * Fires one of the events declared in {@link PlEvents} from `node`, bubbling
 * and composed unless told otherwise, and returns it.
 */
export function fireEvent<K extends keyof PlEvents>(
  node: EventTarget,
  type: K,
  ...[detail, options]: DetailArgs<K>
): PlEvent<K> {
  const event = new CustomEvent<PlEvents[K]>(type, {
    detail: detail as PlEvents[K],
    bubbles: options?.bubbles ?? true,
    composed: options?.composed ?? true,
  });
  node.dispatchEvent(event);
  return event;
}
