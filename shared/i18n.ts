/**
 * Languages. Every string a person reads, on screen or in an email, is an
 * English ICU message written in the code (`t('{count, plural, one {# vote}
 * other {# votes}}', { count })`); a language is one file in `shared/locales/`
 * mapping each of those English messages to its own (`es.json`). English
 * needs no file: the code is its catalogue. `test/i18n/catalogue.test.ts`
 * finds every message in the code and fails on one a language lacks, one it
 * keeps that the code no longer has, or a translation whose placeholders
 * differ from the English.
 *
 * Numbers, dates and plural rules come from `Intl`, through
 * `intl-messageformat`, so "1.234,5" and "un voto" follow the language.
 */
import { IntlMessageFormat } from 'intl-messageformat';

/** English messages to their translation, in ICU MessageFormat. */
export type Catalogue = Readonly<Record<string, string>>;

export type MessageValues = Record<string, string | number | Date | null | undefined>;

export const SOURCE_LOCALE = 'en';

/**
 * A message kept for later translation (in a table built when a module
 * loads, before anyone's language is known): returns it unchanged, and marks
 * it for the catalogue test as `t()` does. Translate it where it is shown:
 * `tr.t(KIND_LABELS[kind])`.
 */
export function m<S extends string>(message: S): S {
  return message;
}

export interface Translator {
  /** A BCP 47 tag: `en`, `es`. */
  readonly locale: string;
  /** The message in this language, its placeholders filled in. */
  t(message: string, values?: MessageValues): string;
  /** A number as this language writes it (`1,234.5`, `1.234,5`). */
  number(value: number, options?: Intl.NumberFormatOptions): string;
  /** A share in 0..1 as a whole percentage (`71 %`, `71%`), as this language writes it. */
  percent(share: number): string;
  /** "Ana, Ben and Cy" / "Ana, Ben y Cy". */
  list(items: readonly string[], type?: 'conjunction' | 'disjunction'): string;
}

/**
 * A translator for `locale` from its catalogue. A message the catalogue lacks
 * falls back to the English, and is reported to `onMissing` (the browser
 * tests read what was missed on every screen).
 */
export function createTranslator(
  locale: string,
  catalogue: Catalogue = {},
  onMissing?: (message: string) => void,
): Translator {
  const compiled = new Map<string, IntlMessageFormat>();
  const numberFormats = new Map<string, Intl.NumberFormat>();
  const format = (message: string): IntlMessageFormat => {
    let found = compiled.get(message);
    if (!found) {
      const translated = catalogue[message];
      if (translated === undefined && locale !== SOURCE_LOCALE) onMissing?.(message);
      found = new IntlMessageFormat(translated ?? message, translated === undefined ? SOURCE_LOCALE : locale);
      compiled.set(message, found);
    }
    return found;
  };
  const numberFormat = (options: Intl.NumberFormatOptions = {}) => {
    const key = JSON.stringify(options);
    let found = numberFormats.get(key);
    if (!found) {
      found = new Intl.NumberFormat(locale, options);
      numberFormats.set(key, found);
    }
    return found;
  };
  return {
    locale,
    t(message, values) {
      const text = format(message).format(values as Record<string, string | number | Date>);
      return typeof text === 'string' ? text : String(text);
    },
    number: (value, options) => numberFormat(options).format(value),
    percent: (share) => numberFormat({ style: 'percent', maximumFractionDigits: 0 }).format(share),
    list: (items, type = 'conjunction') => new Intl.ListFormat(locale, { type }).format(items),
  };
}

/** English, for code with no reader's language at hand (logs, tests, the CLI). */
export const english: Translator = createTranslator(SOURCE_LOCALE);

/** "A", "A and B", "A, B and C" ("A, B y C"). English keeps its own style: no comma before "and". */
export function listText(items: string[], tr: Translator = english): string {
  if (tr.locale !== SOURCE_LOCALE) return tr.list(items);
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The best of `available` for someone who prefers `wanted` in that order
 * (`es-MX` finds `es`), else English.
 */
export function matchLocale(
  wanted: readonly (string | null | undefined)[],
  available: readonly string[],
): string {
  const known = new Set([SOURCE_LOCALE, ...available]);
  for (const tag of wanted) {
    if (!tag) continue;
    const lower = tag.toLowerCase();
    if (known.has(lower)) return lower;
    const language = lower.split('-')[0]!;
    if (known.has(language)) return language;
  }
  return SOURCE_LOCALE;
}

/** Languages in an `Accept-Language` header, most wanted first. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag!.trim(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((l) => l.tag && l.tag !== '*' && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((l) => l.tag);
}

/** A language's name in itself ("Español"), for the language setting. */
export function languageName(locale: string): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(locale);
    return name ? name[0]!.toLocaleUpperCase(locale) + name.slice(1) : locale;
  } catch {
    return locale;
  }
}
