import type { EmailLevel, PatchPreferencesBody, Preferences } from '../../shared/schemas/email';
import type { Group } from '../../shared/schemas/groups';
import { api } from './api';

export type { EmailLevel, PatchPreferencesBody, Preferences } from '../../shared/schemas/email';

/** The caller's email preferences. */
export async function getPreferences(signal?: AbortSignal): Promise<Preferences> {
  return (await api<{ preferences: Preferences }>('GET', '/me/preferences', { signal })).preferences;
}

/**
 * Changes what `patch` names and leaves the rest. In `groups`, a level sets
 * that group apart from `email`; `null` drops the override.
 */
export async function updatePreferences(patch: PatchPreferencesBody): Promise<Preferences> {
  return (await api<{ preferences: Preferences }>('PATCH', '/me/preferences', { body: patch })).preferences;
}

/** Every group the caller belongs to (all pages). */
export async function listAllMyGroups(signal?: AbortSignal): Promise<Group[]> {
  const groups: Group[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100' });
    if (cursor) query.set('cursor', cursor);
    const page: { items: Group[]; nextCursor: string | null } = await api('GET', `/groups?${query}`, {
      signal,
    });
    groups.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return groups;
}

/**
 * The per-group part of a PATCH: only the groups whose choice differs from
 * what is stored, `null` where an override goes back to the default. A group
 * left alone is not sent, so leaving a group meanwhile cannot fail the save.
 */
export function groupChanges(
  stored: Record<string, EmailLevel>,
  chosen: Record<string, EmailLevel | null>,
): Record<string, EmailLevel | null> {
  const changes: Record<string, EmailLevel | null> = {};
  for (const [groupId, level] of Object.entries(chosen)) {
    if ((stored[groupId] ?? null) !== level) changes[groupId] = level;
  }
  return changes;
}

/** The browser's own time zone (an IANA name), if it says. */
export function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}
