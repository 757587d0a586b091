import { describe, expect, test } from 'vitest';
import {
  countdownText,
  defaultClosingInput,
  formatDateTime,
  fromLocalInput,
  toLocalInput,
} from '../../client/data/time-text';
import { DAY, HOUR, NOW } from './proposal-fixtures';

describe('countdownText', () => {
  const at = (ms: number) => new Date(NOW + ms).toISOString();
  test('days and hours', () => {
    expect(countdownText(at(2 * DAY + 3 * HOUR + 5 * 60_000), null, NOW)).toBe('closes in 2 days 3 h');
    expect(countdownText(at(DAY), null, NOW)).toBe('closes in 1 day');
  });
  test('hours and minutes, minutes, seconds', () => {
    expect(countdownText(at(4 * HOUR + 10 * 60_000), null, NOW)).toBe('closes in 4 h 10 min');
    expect(countdownText(at(HOUR), null, NOW)).toBe('closes in 1 h');
    expect(countdownText(at(5 * 60_000 + 30_000), null, NOW)).toBe('closes in 5 min');
    expect(countdownText(at(20_000), null, NOW)).toBe('closes in less than a minute');
  });
  test('past the closing time, and closed', () => {
    expect(countdownText(at(-1000), null, NOW)).toBe('closing now');
    expect(countdownText(at(DAY), at(-HOUR), NOW)).toBe('closed');
  });
});

describe('dates', () => {
  test('dates in a given zone', () => {
    const text = formatDateTime('2026-03-04T14:00:00.000Z', {
      locale: 'en-GB',
      timeZone: 'Europe/London',
      now: NOW,
    });
    expect(text).toContain('14:00');
    expect(text).toMatch(/Wed/);
    expect(text).not.toContain('2026');
    expect(
      formatDateTime('2027-03-04T14:00:00.000Z', { locale: 'en-GB', timeZone: 'UTC', now: NOW }),
    ).toContain('2027');
  });
});

describe('datetime-local values', () => {
  test('round trip in local time', () => {
    const date = new Date(2026, 2, 4, 14, 30);
    expect(toLocalInput(date)).toBe('2026-03-04T14:30');
    expect(fromLocalInput('2026-03-04T14:30')).toBe(date.toISOString());
  });
  test('empty or malformed is null', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });
  test('the default closing time is about a week ahead, on the hour', () => {
    const iso = fromLocalInput(defaultClosingInput(NOW))!;
    const ahead = Date.parse(iso) - NOW;
    expect(ahead).toBeGreaterThan(7 * DAY);
    expect(ahead).toBeLessThanOrEqual(7 * DAY + HOUR);
    expect(new Date(iso).getMinutes()).toBe(0);
  });
});
