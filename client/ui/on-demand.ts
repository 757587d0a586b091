/*
 * Elements whose code loads the first time a template shows one, so that it
 * stays out of the pages that never do (a thread without proposals has no
 * ballot and no results to draw). A template renders the element at once,
 * `<pl-results-pie .results=…>`, and calls `defineOnDemand` with its loader;
 * the browser upgrades the element when its module has defined it, and Lit
 * applies the properties set on it before that.
 */

const started = new Map<() => Promise<unknown>, Promise<boolean>>();
/** Loads started so far, for {@link onDemandSettled} to notice new ones. */
let loadsStarted = 0;

/**
 * Runs `load` (a dynamic import that defines elements) once. Resolves true
 * once the module has run, false if it failed (a chunk that did not arrive:
 * the element shows nothing, and a later call tries again).
 */
export function defineOnDemand(load: () => Promise<unknown>): Promise<boolean> {
  let loading = started.get(load);
  if (!loading) {
    loadsStarted += 1;
    loading = load().then(
      () => true,
      () => {
        started.delete(load);
        return false;
      },
    );
    started.set(load, loading);
  }
  return loading;
}

/**
 * Resolves once every load started so far has finished (or failed), and the
 * elements it defined have drawn themselves, including loads those sent for
 * in turn (a proposal's card, then its ballot): until then what is on screen
 * may still grow, which a page that keeps the reader's place must wait for.
 */
export async function onDemandSettled(): Promise<void> {
  for (;;) {
    const seen = loadsStarted;
    await Promise.all(started.values());
    // Upgraded elements render in microtasks, which run before this timer.
    await new Promise((resolve) => setTimeout(resolve));
    if (loadsStarted === seen) return;
  }
}
