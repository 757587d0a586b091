/**
 * Languages on the server: the catalogues in `shared/locales/`, read once at
 * start, and each member's language for what is written to them without a
 * browser to ask (emails, pushes). See `shared/i18n.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import {
  acceptedLanguages,
  type Catalogue,
  createTranslator,
  matchLocale,
  SOURCE_LOCALE,
  type Translator,
} from '../shared/i18n';

const directory = new URL('../shared/locales/', import.meta.url);

const translators = new Map<string, Translator>([[SOURCE_LOCALE, createTranslator(SOURCE_LOCALE)]]);
for (const file of readdirSync(directory).filter((f) => f.endsWith('.json'))) {
  const locale = file.slice(0, -'.json'.length);
  const catalogue = JSON.parse(readFileSync(new URL(file, directory), 'utf8')) as Catalogue;
  translators.set(locale, createTranslator(locale, catalogue));
}

/** Every language the server speaks, English first. */
export const LOCALES: readonly string[] = [...translators.keys()];

/** The translator for a language the server speaks; English for any other. */
export function translatorFor(locale: string | null | undefined): Translator {
  return translators.get(locale ?? SOURCE_LOCALE) ?? translators.get(SOURCE_LOCALE)!;
}

/** The language to write to a member in: the one they chose, else their browser's, else English. */
export function memberLocale(user: { locale: string | null; browser_locale: string | null }): string {
  return matchLocale([user.locale, user.browser_locale], LOCALES);
}

/** The language an `Accept-Language` header asks for, of those the server speaks; null without one. */
export function localeFromHeader(header: string | undefined): string | null {
  const wanted = acceptedLanguages(header);
  return wanted.length ? matchLocale(wanted, LOCALES) : null;
}
