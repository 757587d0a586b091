import { invalid } from '../errors';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** The contract's limit: default 50, anything above 200 is treated as 200. */
export function pageLimit(limit: number | undefined): number {
  return Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT);
}

/** Cursors are opaque to clients: base64url JSON of the last item's sort key. */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T>(
  cursor: string | undefined,
  isValid: (value: unknown) => value is T,
): T | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw invalid('/cursor', 'is not a cursor this list gave out');
}

const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/**
 * A cursor timestamp as the database wrote it (UTC, microseconds). Checked
 * strictly, calendar included, because a forged one must be a 400, not a
 * database error.
 */
export function isExactTime(value: unknown): value is string {
  if (typeof value !== 'string' || !EXACT_TIME.test(value)) return false;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19);
}
