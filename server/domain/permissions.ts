import type { GroupSettings, Role } from '../../shared/schemas/groups';

/** What a person may try to do in a group. */
export type GroupAction =
  | 'view'
  | 'update_group'
  | 'change_roles'
  | 'remove_member'
  | 'invite'
  | 'invite_facilitator'
  | 'list_invitations'
  | 'create_subgroup'
  | 'start_thread'
  | 'create_proposal';

const FACILITATOR_ONLY: ReadonlySet<GroupAction> = new Set([
  'update_group',
  'change_roles',
  'remove_member',
  'invite_facilitator',
  'list_invitations',
  'create_subgroup',
]);

/** Permissions as data: may someone with `role` (null: not a member) do `action` under `settings`? */
export function can(role: Role | null, settings: GroupSettings, action: GroupAction): boolean {
  if (role === null) return false;
  if (role === 'facilitator') return true;
  if (FACILITATOR_ONLY.has(action)) return false;
  switch (action) {
    case 'invite':
      return settings.membersCanInvite;
    case 'start_thread':
      return settings.membersCanStartThreads;
    case 'create_proposal':
      return settings.membersCanCreateProposals;
    default:
      return true;
  }
}

/** `true` when removing or demoting `target` would leave members without a facilitator. */
export function wouldOrphanGroup(facilitatorIds: string[], memberCount: number, targetId: string): boolean {
  const remaining = facilitatorIds.filter((id) => id !== targetId);
  return remaining.length === 0 && facilitatorIds.includes(targetId) && memberCount > 1;
}

/** A handle from a display name: lower-case a–z, 0–9, `_` and `-`, 2–30 long. */
export function handleFromName(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24);
  return base.length >= 2 ? base : `user${base}`;
}

/** The first of `base`, `base2`, `base3`… not in `taken`, kept within 30 characters. */
export function uniqueHandle(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base.slice(0, 30 - String(n).length)}${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
