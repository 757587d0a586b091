import { invalid } from '../errors';

/** Trims a name or title and insists something is left (the contract's 1–200 after trimming). */
export function trimmed(value: string, path: string): string {
  const text = value.trim();
  if (text.length === 0) throw invalid(path, 'must not be empty');
  // Characters are code points, as the schema's maxLength counts them: an emoji is one, not two.
  if (text.length > 200 && [...text].length > 200) throw invalid(path, 'must be at most 200 characters');
  return text;
}

/** Postgres unique violation, optionally on one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string; detail?: string };
  if (e?.code !== '23505') return false;
  if (!constraint) return true;
  return e.constraint === constraint || Boolean(e.message?.includes(constraint));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are opaque to clients; a malformed one is simply not found. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
