/**
 * Time as people read it: the closing countdown, dates in the reader's zone
 * and language, and the local-time values of `<input type="datetime-local">`.
 * Pure, and no clock: callers pass `now`.
 */
import { activeLocale, t } from '../i18n';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long until voting closes, as a person says it: "closes in 2 days 3 h",
 * "closes in 4 h 10 min", "closes in 5 min", "closes in less than a minute",
 * "closing now" (past `closesAt`, about to close by itself), or "closed".
 */
export function countdownText(closesAt: string, closedAt: string | null, now: number): string {
  if (closedAt) return t('closed');
  const ms = Date.parse(closesAt) - now;
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return t('closing now');
  if (ms < MINUTE) return t('closes in less than a minute');
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (days > 0) {
    return hours > 0
      ? t('closes in {days, plural, one {# day} other {# days}} {hours} h', { days, hours })
      : t('closes in {days, plural, one {# day} other {# days}}', { days });
  }
  if (hours > 0) {
    return minutes > 0
      ? t('closes in {hours} h {minutes} min', { hours, minutes })
      : t('closes in {hours} h', { hours });
  }
  return t('closes in {minutes} min', { minutes });
}

/** How soon the countdown text may change: re-render after this many ms. */
export function countdownTick(closesAt: string, now: number): number {
  const ms = Date.parse(closesAt) - now;
  if (Number.isNaN(ms) || ms > DAY) return 5 * MINUTE;
  if (ms > HOUR) return MINUTE;
  return 10_000;
}

/**
 * A date-time in the reader's zone: "Tue 4 Mar, 14:00", with the year when it is not this one; in
 * the reader's language unless `locale` is given.
 */
export function formatDateTime(
  iso: string,
  options: { locale?: string; timeZone?: string; now?: number } = {},
): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameYear = date.getUTCFullYear() === new Date(options.now ?? Date.now()).getUTCFullYear();
  return new Intl.DateTimeFormat(options.locale ?? activeLocale(), {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: sameYear ? undefined : 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: options.timeZone,
  }).format(date);
}

/** A `YYYY-MM-DD` date (an outcome's review date) as "4 March 2026", in the reader's language by default. */
export function formatDay(day: string, locale: string = activeLocale()): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(date);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A Date as an `<input type="datetime-local">` value in local time (`2026-03-04T14:00`). */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** An `<input type="datetime-local">` value (local time) as an ISO timestamp, or null when empty or malformed. */
export function fromLocalInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const date = new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The default closing time of a new proposal: a week from now, on the hour. */
export function defaultClosingInput(now: number): string {
  const date = new Date(now + 7 * DAY);
  date.setMinutes(0, 0, 0);
  date.setHours(date.getHours() + 1);
  return toLocalInput(date);
}
