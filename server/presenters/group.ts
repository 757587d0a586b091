import type { Group } from '../../shared/schemas/groups';
import type { GroupRow, Role } from '../db/schema';
import { groupPermissions } from '../domain/permissions';

/** The one JSON form of a group, with its member count and the caller's role and permissions in it. */
export function presentGroup(row: GroupRow, memberCount: number, myRole: Role): Group {
  const settings = {
    membersCanStartThreads: row.members_can_start_threads,
    membersCanCreateProposals: row.members_can_create_proposals,
    membersCanInvite: row.members_can_invite,
    delegation: row.delegation,
  };
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    parentId: row.parent_id,
    createdAt: row.created_at.toISOString(),
    memberCount,
    myRole,
    settings,
    permissions: groupPermissions(myRole, settings),
  };
}
