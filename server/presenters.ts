import type { User } from '../shared/schemas/accounts';
import type { Group, Invitation, Membership } from '../shared/schemas/groups';
import type { GroupRow, InvitationRow, Role, UserRow } from './db/schema';

/** The one JSON form of a user; `email` only when the viewer may see it. */
export function presentUser(row: UserRow, opts: { withEmail: boolean; self?: boolean }): User {
  return {
    id: row.id,
    name: row.name,
    handle: row.handle,
    ...(opts.withEmail ? { email: row.email } : {}),
    ...(opts.self
      ? { emailNotifications: row.email_notifications, emailVerified: row.email_verified_at !== null }
      : {}),
  };
}

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

export function presentMembership(
  row: { user_id: string; name: string; handle: string; email: string; role: Role; joined_at: Date },
  withEmail: boolean,
): Membership {
  return {
    user: { id: row.user_id, name: row.name, handle: row.handle, ...(withEmail ? { email: row.email } : {}) },
    role: row.role,
    joinedAt: row.joined_at.toISOString(),
  };
}

/** `standing`: whether the link works now and who issued it, which the service works out. */
export function presentInvitation(
  row: InvitationRow,
  baseUrl: string,
  standing: Pick<Invitation, 'valid' | 'issuedBy'>,
): Invitation {
  return {
    id: row.id,
    token: row.token,
    url: `${baseUrl}/invite/${row.token}`,
    role: row.role,
    email: row.email,
    expiresAt: row.expires_at ? row.expires_at.toISOString() : null,
    maxUses: row.max_uses,
    uses: row.uses,
    ...standing,
    ...(row.email && row.emailed_at ? { sentAt: row.emailed_at.toISOString() } : {}),
  };
}
