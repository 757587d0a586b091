import Type from 'typebox';
import { LongText, Name, Timestamp } from './common';

export const Role = Type.Union([Type.Literal('facilitator'), Type.Literal('member')]);
export type Role = Type.Static<typeof Role>;

export const GroupSettings = Type.Object({
  membersCanStartThreads: Type.Boolean(),
  membersCanCreateProposals: Type.Boolean(),
  membersCanInvite: Type.Boolean(),
  /** Members may let their vote follow another member's (never on anonymous proposals). */
  delegation: Type.Boolean(),
});
export type GroupSettings = Type.Static<typeof GroupSettings>;

/**
 * What the caller may do in a group, worked out by the server from their role
 * and the group's settings (server/domain/permissions.ts), so that no client
 * repeats the rules. The server checks every request again.
 */
export const GroupPermissions = Type.Object({
  updateGroup: Type.Boolean(),
  changeRoles: Type.Boolean(),
  removeMember: Type.Boolean(),
  invite: Type.Boolean(),
  inviteFacilitator: Type.Boolean(),
  listInvitations: Type.Boolean(),
  createSubgroup: Type.Boolean(),
  startThread: Type.Boolean(),
  createProposal: Type.Boolean(),
  /** Delete other members' comments. */
  moderateComments: Type.Boolean(),
  /** Download the whole group as one file (`GET /groups/:id/export`). */
  exportGroup: Type.Boolean(),
  /** Save proposals as the group's templates, and delete them. */
  manageTemplates: Type.Boolean(),
});
export type GroupPermissions = Type.Static<typeof GroupPermissions>;

export const Group = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  memberCount: Type.Integer(),
  myRole: Role,
  settings: GroupSettings,
  permissions: GroupPermissions,
});
export type Group = Type.Static<typeof Group>;

export const CreateGroupBody = Type.Object({
  name: Name,
  description: Type.Optional(LongText),
  parentId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type CreateGroupBody = Type.Static<typeof CreateGroupBody>;

export const PatchGroupBody = Type.Object({
  name: Type.Optional(Name),
  description: Type.Optional(LongText),
  settings: Type.Optional(Type.Partial(GroupSettings)),
});
export type PatchGroupBody = Type.Static<typeof PatchGroupBody>;

export const Membership = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    handle: Type.String(),
    email: Type.Optional(Type.String()),
  }),
  role: Role,
  joinedAt: Timestamp,
});
export type Membership = Type.Static<typeof Membership>;

export const PatchMemberBody = Type.Object({ role: Role });

export const Invitation = Type.Object({
  id: Type.String(),
  token: Type.String(),
  url: Type.String(),
  role: Role,
  email: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  maxUses: Type.Union([Type.Integer(), Type.Null()]),
  uses: Type.Integer(),
  /**
   * Whether the link lets someone join now: not used up, not expired, and its
   * issuer may still issue it (a facilitator for a facilitator link; for a member
   * link, a facilitator, or a member while `membersCanInvite`). A link whose
   * issuer was demoted or left works again once a facilitator re-issues it.
   */
  valid: Type.Boolean(),
  /** Who issued (or last re-issued) the link; null once their account is gone. */
  issuedBy: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  /** When its email last went out; only on invitations sent by email. */
  sentAt: Type.Optional(Timestamp),
});
export type Invitation = Type.Static<typeof Invitation>;

/** How many addresses one request may invite. */
export const MAX_INVITATION_EMAILS = 100;
/** How long the inviter's personal message may be. */
export const MAX_INVITATION_MESSAGE = 2000;

/**
 * A link (`email` left out), an invitation to one address (`email`), or one
 * each to up to 100 addresses (`emails`, with an optional personal `message`).
 */
export const CreateInvitationBody = Type.Object({
  email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
  role: Type.Optional(Role),
  maxUses: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()])),
  expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  /** Addresses as typed: case and surrounding spaces do not matter, repeats count once. */
  emails: Type.Optional(
    Type.Array(Type.String({ maxLength: 320 }), { minItems: 1, maxItems: MAX_INVITATION_EMAILS }),
  ),
  /** Shown in each email as the inviter's own words. */
  message: Type.Optional(Type.String({ maxLength: MAX_INVITATION_MESSAGE })),
});
export type CreateInvitationBody = Type.Static<typeof CreateInvitationBody>;

/** An address `emails` named that got no email, and why. */
export const SkippedInvitation = Type.Object({
  email: Type.String(),
  /**
   * `already_member`: that address's account is in the group (told to facilitators only);
   * `recently_sent`: its invitation was emailed less than 10 minutes ago.
   */
  reason: Type.Union([Type.Literal('already_member'), Type.Literal('recently_sent')]),
});
export type SkippedInvitation = Type.Static<typeof SkippedInvitation>;

/** The answer to `emails`: the invitations just emailed, one per address, and the addresses skipped. */
export const InvitationsSent = Type.Object({
  items: Type.Array(Invitation),
  skipped: Type.Array(SkippedInvitation),
});
export type InvitationsSent = Type.Static<typeof InvitationsSent>;

export const InvitationPreview = Type.Object({
  invitation: Type.Object({
    groupName: Type.String(),
    groupId: Type.String(),
    role: Role,
    valid: Type.Boolean(),
    expiresAt: Type.Union([Timestamp, Type.Null()]),
  }),
});
export type InvitationPreview = Type.Static<typeof InvitationPreview>;

export const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
export const MemberParams = Type.Object({ id: Type.String(), userId: Type.String() });
export const InvitationParams = Type.Object({ id: Type.String(), invitationId: Type.String() });
