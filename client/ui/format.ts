/** Small pure formatting helpers shared by the discussion screens, in the reader's language. */
import { activeLocale, t } from '../i18n';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then a date
 * ("12 Mar", or "12 Mar 2023" in another year). `now` is replaceable for tests.
 */
export function relativeTime(iso: string, now: number = Date.now(), locale: string = activeLocale()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const diff = now - then;
  if (diff < 45_000) return t('just now');
  if (diff < HOUR) return t('{minutes} min ago', { minutes: Math.max(1, Math.round(diff / MINUTE)) });
  if (diff < DAY) return t('{hours} h ago', { hours: Math.round(diff / HOUR) });
  const days = Math.floor(diff / DAY);
  if (days < 2) return t('yesterday');
  if (days < 7) return t('{days, plural, one {# day ago} other {# days ago}}', { days });
  const date = new Date(then);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(locale, {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  });
}

/** A full date and time for titles and screen readers: "12 March 2025, 14:05". */
export function absoluteTime(iso: string, locale: string = activeLocale()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(locale, { dateStyle: 'long', timeStyle: 'short' });
}

/** One or two capital letters for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]!, parts[parts.length - 1]!] : parts.slice(0, 1);
  return letters.map((p) => [...p][0]!.toUpperCase()).join('') || '?';
}
