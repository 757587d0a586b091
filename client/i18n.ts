/**
 * The reader's language in the browser: the member's setting, else the
 * browser's languages, else English. Components call `t()` while they
 * render; a change of language loads the catalogue (a chunk of its own, so
 * an English reader downloads no translation) and renders every element
 * again.
 */
import {
  type Catalogue,
  createTranslator,
  type MessageValues,
  matchLocale,
  SOURCE_LOCALE,
  listText as sharedListText,
  type Translator,
} from '../shared/i18n';

export { m } from '../shared/i18n';

const catalogues = import.meta.glob<Catalogue>('../shared/locales/*.json', { import: 'default' });
const localeOf = (file: string) => /([^/]+)\.json$/.exec(file)![1]!;

/** Every language the app speaks, English first. */
export const LOCALES: readonly string[] = [SOURCE_LOCALE, ...Object.keys(catalogues).map(localeOf).sort()];

/** Messages asked for in the current language that its catalogue lacks. */
export const missingMessages = new Set<string>();

/** Says once per message what the language lacks: for translators, and for the browser tests, which fail on it. */
function reportMissing(locale: string, message: string): void {
  if (missingMessages.has(message)) return;
  missingMessages.add(message);
  console.warn(`Missing translation (${locale}): ${message}`);
}

let active: Translator = createTranslator(SOURCE_LOCALE);

let markReady: () => void = () => {};
/** Settles once the first language is in place: the app shell waits for it before its first render. */
export const localeReady = new Promise<void>((resolve) => {
  markReady = resolve;
});

/** The current language's translator, for shared code that takes one. */
export function translator(): Translator {
  return active;
}

/** The current language's tag (`en`, `es`). */
export function activeLocale(): string {
  return active.locale;
}

/** A message in the reader's language (see `shared/i18n.ts`). */
export function t(message: string, values?: MessageValues): string {
  return active.t(message, values);
}

/** "A", "A and B", "A, B and C" in the reader's language. */
export function listText(items: string[]): string {
  return sharedListText(items, active);
}

/**
 * A whole sentence translated as one message, with markup (a link, a
 * `<strong>`) where some of its placeholders fall:
 * `tMarkup('You voted {choices}.', {}, { choices: html\`<strong>${text}</strong>\` })`.
 * Lit renders the array it returns; translators still see the sentence whole.
 */
export function tMarkup(message: string, values: MessageValues, markup: Record<string, unknown>): unknown[] {
  const names = Object.keys(markup);
  const marked: MessageValues = { ...values };
  names.forEach((name, i) => {
    marked[name] = `\uE000${i}\uE001`;
  });
  return active
    .t(message, marked)
    .split(/\uE000(\d+)\uE001/)
    .map((piece, i) => (i % 2 === 1 ? markup[names[Number(piece)]!] : piece))
    .filter((piece) => piece !== '');
}

/** The language for a member's setting (null: follow the browser) and the browser's languages. */
export function chooseLocale(
  setting: string | null | undefined,
  browser: readonly string[] = navigator.languages,
): string {
  return matchLocale([setting, ...browser], LOCALES);
}

const STORED_SETTING = 'plenary.locale';

/** The member's language setting as last seen, so the first screen after a reload is already in it. */
export function storedLocaleSetting(): string | null {
  try {
    return localStorage.getItem(STORED_SETTING);
  } catch {
    return null;
  }
}

/** Switches to `locale`, loading its catalogue, and renders every element on the page again. */
export async function setLocale(
  locale: string,
  setting: string | null = storedLocaleSetting(),
): Promise<void> {
  try {
    if (setting) localStorage.setItem(STORED_SETTING, setting);
    else localStorage.removeItem(STORED_SETTING);
  } catch {
    // Private browsing without storage: the setting still applies for this page.
  }
  try {
    if (locale === active.locale) return;
    const load = Object.entries(catalogues).find(([file]) => localeOf(file) === locale)?.[1];
    let catalogue: Catalogue;
    try {
      catalogue = load ? await load() : {};
    } catch {
      return; // offline before the language's chunk was ever cached: stay in the current language
    }
    missingMessages.clear();
    active = createTranslator(locale, catalogue, (message) => reportMissing(locale, message));
    document.documentElement.lang = locale;
    renderAgain(document);
    dispatchEvent(new Event('pl-locale-changed'));
  } finally {
    markReady();
  }
}

/** Asks every Lit element under `root`, through shadow roots, to render again. */
function renderAgain(root: Document | ShadowRoot): void {
  for (const element of root.querySelectorAll('*')) {
    (element as Partial<{ requestUpdate(): void }>).requestUpdate?.();
    if (element.shadowRoot) renderAgain(element.shadowRoot);
  }
}
