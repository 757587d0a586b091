import type { CreateGroupBody, Group, Membership, PatchGroupBody, Role } from '../../shared/schemas/groups';
import { api } from './api';

export type { Group, GroupSettings, Membership, Role } from '../../shared/schemas/groups';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const enc = encodeURIComponent;

/** The caller's groups. */
export async function listGroups(): Promise<Group[]> {
  return (await api<Page<Group>>('GET', '/groups')).items;
}

/** Creates a group; the caller becomes its facilitator. */
export async function createGroup(body: CreateGroupBody): Promise<Group> {
  return (await api<{ group: Group }>('POST', '/groups', { body })).group;
}

/** One group the caller belongs to (404 otherwise). */
export async function getGroup(groupId: string, signal?: AbortSignal): Promise<Group> {
  return (await api<{ group: Group }>('GET', `/groups/${enc(groupId)}`, { signal })).group;
}

/** Changes name, description or settings (facilitators). */
export async function updateGroup(groupId: string, body: PatchGroupBody): Promise<Group> {
  return (await api<{ group: Group }>('PATCH', `/groups/${enc(groupId)}`, { body })).group;
}

/** One page of members, oldest first. */
export async function listMembersPage(
  groupId: string,
  options: { limit?: number; cursor?: string | null; signal?: AbortSignal } = {},
): Promise<Page<Membership>> {
  const query = new URLSearchParams({ limit: String(options.limit ?? 200) });
  if (options.cursor) query.set('cursor', options.cursor);
  return api<Page<Membership>>('GET', `/groups/${enc(groupId)}/members?${query}`, { signal: options.signal });
}

/** Every member, following the cursor through all pages. */
export async function listAllMembers(groupId: string, signal?: AbortSignal): Promise<Membership[]> {
  const all: Membership[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Membership> = await listMembersPage(groupId, { cursor, signal });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Makes someone a member or a facilitator; the last facilitator stepping down is a 409. */
export async function changeRole(groupId: string, userId: string, role: Role): Promise<Membership> {
  const path = `/groups/${enc(groupId)}/members/${enc(userId)}`;
  return (await api<{ membership: Membership }>('PATCH', path, { body: { role } })).membership;
}

/** Removes a member (facilitators), or leaves when `userId` is the caller's own. */
export async function removeMember(groupId: string, userId: string): Promise<void> {
  await api<void>('DELETE', `/groups/${enc(groupId)}/members/${enc(userId)}`);
}
