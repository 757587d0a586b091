import type { Group } from '../../shared/schemas/groups';
import type { GroupRow, Role } from '../db/schema';

/** The one JSON form of a group, with its member count and the caller's role in it. */
export function presentGroup(row: GroupRow, memberCount: number, myRole: Role): Group {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    parentId: row.parent_id,
    createdAt: row.created_at.toISOString(),
    memberCount,
    myRole,
    settings: {
      membersCanStartThreads: row.members_can_start_threads,
      membersCanCreateProposals: row.members_can_create_proposals,
      membersCanInvite: row.members_can_invite,
    },
  };
}
