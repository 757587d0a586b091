import type { GroupPermissions, GroupSettings, Role } from '../../shared/schemas/groups';
import type { ProposalPermissions } from '../../shared/schemas/proposals';
import type { ThreadPermissions } from '../../shared/schemas/threads';

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
  | 'create_proposal'
  | 'moderate_comments'
  | 'export_group'
  | 'manage_templates';

const FACILITATOR_ONLY: ReadonlySet<GroupAction> = new Set([
  'update_group',
  'change_roles',
  'remove_member',
  'invite_facilitator',
  'list_invitations',
  'create_subgroup',
  'moderate_comments',
  'export_group',
  'manage_templates',
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

/** Everything `can` answers for a group, as the API sends it with the group. */
export function groupPermissions(role: Role | null, settings: GroupSettings): GroupPermissions {
  return {
    updateGroup: can(role, settings, 'update_group'),
    changeRoles: can(role, settings, 'change_roles'),
    removeMember: can(role, settings, 'remove_member'),
    invite: can(role, settings, 'invite'),
    inviteFacilitator: can(role, settings, 'invite_facilitator'),
    listInvitations: can(role, settings, 'list_invitations'),
    createSubgroup: can(role, settings, 'create_subgroup'),
    startThread: can(role, settings, 'start_thread'),
    createProposal: can(role, settings, 'create_proposal'),
    moderateComments: can(role, settings, 'moderate_comments'),
    exportGroup: can(role, settings, 'export_group'),
    manageTemplates: can(role, settings, 'manage_templates'),
  };
}

/** Who is asking about something someone wrote: their id, their role in its group (null: not a member), its author. */
export interface AuthoredAccess {
  viewerId: string;
  role: Role | null;
  authorId: string | null;
}

function isAuthor(a: AuthoredAccess): boolean {
  return a.role !== null && a.authorId !== null && a.authorId === a.viewerId;
}

/**
 * A thread's author and facilitators edit and close it; only facilitators pin
 * it and reopen it, so an author cannot undo a facilitator's decision to end a
 * discussion.
 */
export function threadPermissions(a: AuthoredAccess): ThreadPermissions {
  const facilitator = a.role === 'facilitator';
  const manager = facilitator || isAuthor(a);
  return { edit: manager, pin: facilitator, close: manager, reopen: facilitator };
}

/**
 * A proposal's author and facilitators edit it, close it, remind those who
 * have not voted and state the outcome; only facilitators reopen it, and save
 * it as one of the group's templates.
 */
export function proposalPermissions(a: AuthoredAccess): ProposalPermissions {
  const facilitator = a.role === 'facilitator';
  const manager = facilitator || isAuthor(a);
  return {
    edit: manager,
    close: manager,
    remind: manager,
    stateOutcome: manager,
    reopen: facilitator,
    saveAsTemplate: facilitator,
  };
}

/** Only its author edits a comment; its author or a facilitator deletes it. */
export function commentPermissions(a: AuthoredAccess): { edit: boolean; delete: boolean } {
  return { edit: isAuthor(a), delete: isAuthor(a) || a.role === 'facilitator' };
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
