import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A timestamp: read as a Date, written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** int8 arrives as a string through `pg` and as a number or bigint through PGlite: normalise with `Number()`. */
type BigId = ColumnType<string | number | bigint, never, never>;

export type Role = 'facilitator' | 'member';
export type EmailNotifications = 'all' | 'important' | 'none';

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  handle: string;
  password_hash: string;
  email_notifications: ColumnType<EmailNotifications, EmailNotifications | undefined, EmailNotifications>;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

export interface GroupsTable {
  id: Generated<string>;
  parent_id: string | null;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  members_can_start_threads: ColumnType<boolean, boolean | undefined, boolean>;
  members_can_create_proposals: ColumnType<boolean, boolean | undefined, boolean>;
  members_can_invite: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
}

export interface MembershipsTable {
  group_id: string;
  user_id: string;
  role: Role;
  joined_at: Timestamp;
}

export interface InvitationsTable {
  id: Generated<string>;
  group_id: string;
  token: string;
  role: Role;
  email: string | null;
  max_uses: number | null;
  uses: ColumnType<number, number | undefined, number>;
  expires_at: NullableTimestamp;
  created_by: string | null;
  created_at: Timestamp;
}

export interface EventsTable {
  id: BigId;
  kind: string;
  group_id: string | null;
  thread_id: string | null;
  actor_id: string | null;
  recipient_id: string | null;
  subject_id: string | null;
  data: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  kind: string;
  actor_id: string | null;
  group_id: string | null;
  thread_id: string | null;
  comment_id: string | null;
  proposal_id: string | null;
  text: string;
  created_at: Timestamp;
  read_at: NullableTimestamp;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  count: number;
}

/** The database as Kysely sees it. */
export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  groups: GroupsTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  events: EventsTable;
  notifications: NotificationsTable;
  rate_limits: RateLimitsTable;
}

export type UserRow = Selectable<UsersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type MembershipRow = Selectable<MembershipsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
