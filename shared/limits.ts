/**
 * Numbers both sides need at run time, kept out of `shared/schemas/` so the
 * browser can import them without TypeBox (17.9 KiB of gzipped script the
 * thread page loaded for one constant).
 */

/** The most items each proposal list of the home page holds (`?limit=` at most), and the most threads. */
export const HOME_LIST_LIMIT = 50;
/** The proposals each list holds when `?limit=` is not given: the page's first view ("Show all" asks for the rest). */
export const HOME_FIRST_LIMIT = 20;
/** "Closing soon": open proposals that close within this many hours. */
export const CLOSING_SOON_HOURS = 48;

/** The largest file one upload takes: 10 MiB. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
