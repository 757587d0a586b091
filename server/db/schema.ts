import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { ProposalKind } from '../../shared/schemas/proposals';

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
  /** When the owner last proved the address is theirs (migration 0011); null: not yet. */
  email_verified_at: NullableTimestamp;
  /** The language the member chose (migration 0022); null: their browser's. */
  locale: ColumnType<string | null, string | null | undefined, string | null>;
  /** The best language their browser asked for when they last signed up or in. */
  browser_locale: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** Members may lend their vote to another member (migration 0019). */
  delegation: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  /** Kept by triggers on `memberships` (migration 0005); never written by the app. */
  member_count: ColumnType<number, never, never>;
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
  /** The issuer's role when they issued (or re-issued) it (migration 0008). */
  issued_as: Role | null;
  created_at: Timestamp;
  /** The inviter's personal message, for an invitation sent by email (migration 0012). */
  message: ColumnType<string | null, string | null | undefined, string | null>;
  /** When its email last went out; resends are throttled by it (migration 0012). */
  emailed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** Who joined through which invitation (migration 0008): a link admits each person once. */
export interface InvitationUsesTable {
  invitation_id: string;
  user_id: string;
  used_at: Timestamp;
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

export interface ThreadsTable {
  id: Generated<string>;
  group_id: string;
  author_id: string | null;
  title: string;
  body: ColumnType<string, string | undefined, string>;
  pinned: ColumnType<boolean, boolean | undefined, boolean>;
  closed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_activity_at: Timestamp;
  comment_count: ColumnType<number, number | undefined, number>;
  /** The `thread.created` event, the thread's own item in its timeline. */
  event_id: ColumnType<string | number | null, string | number | null | undefined, string | number | null>;
  search: ColumnType<unknown, never, never>;
}

export interface CommentsTable {
  id: Generated<string>;
  thread_id: string;
  group_id: string;
  author_id: string | null;
  parent_id: string | null;
  body: string;
  created_at: Timestamp;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  /** The `comment.created` event, so the timeline can place the comment in event order. */
  event_id: ColumnType<string | number | null, string | number | null | undefined, string | number | null>;
  search: ColumnType<unknown, never, never>;
}

export interface CommentVersionsTable {
  id: Generated<string>;
  comment_id: string;
  body: string;
  created_at: ColumnType<Date, Date | string, Date | string>;
}

export interface ReactionsTable {
  comment_id: string;
  user_id: string;
  emoji: string;
  created_at: Timestamp;
}

export interface ThreadReadsTable {
  thread_id: string;
  user_id: string;
  last_event_id: ColumnType<string | number, string | number, string | number>;
  read_at: Timestamp;
}

// Defined once, by the API schema; re-exported for the repositories that import it from here.
export type { ProposalKind };

export interface ProposalsTable {
  id: Generated<string>;
  thread_id: string;
  group_id: string;
  author_id: string | null;
  kind: ProposalKind;
  title: string;
  details: ColumnType<string, string | undefined, string>;
  closes_at: Timestamp;
  closed_at: NullableTimestamp;
  anonymous: ColumnType<boolean, boolean | undefined, boolean>;
  results_hidden_until_closed: ColumnType<boolean, boolean | undefined, boolean>;
  reason_required: ColumnType<boolean, boolean | undefined, boolean>;
  min_choices: ColumnType<number, number | undefined, number>;
  max_choices: ColumnType<number, number | undefined, number>;
  max_score: ColumnType<number, number | undefined, number>;
  dots_per_voter: ColumnType<number, number | undefined, number>;
  quorum_percent: ColumnType<number | null, number | null | undefined, never>;
  pass_percent: ColumnType<number | null, number | null | undefined, never>;
  block_vetoes: ColumnType<boolean, boolean | undefined, never>;
  eligible_count_at_close: ColumnType<number | null, number | null | undefined, number | null>;
  /** Members represented at the close, delegated votes included (migration 0019); null before it. */
  represented_count_at_close: ColumnType<number | null, number | null | undefined, number | null>;
  final_results: ColumnType<unknown | null, string | null | undefined, string | null>;
  closing_soon_notified: ColumnType<boolean, boolean | undefined, boolean>;
  /** When non-voters were last reminded by hand (migration 0013): at most once an hour. */
  last_reminded_at: NullableTimestamp;
  /** Keys anonymous ballots while open; deleted (null) when an anonymous proposal closes. */
  ballot_salt: ColumnType<string | null, string | undefined, string | null>;
  /** Names the server key anonymous ballots are keyed with; null: sha256(salt:voter), before migration 0007. */
  ballot_key_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Anonymous ballots still counted whose voters left (migration 0007); counted among the eligible. */
  departed_ballots: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  event_id: ColumnType<string | number | null, string | number | null | undefined, string | number | null>;
  /** Renewed by every change to the proposal's votes, options or row (migration 0024). */
  vote_version: ColumnType<string, never, never>;
}

export interface ProposalOptionsTable {
  proposal_id: string;
  id: string;
  position: number;
  label: string;
  starts_at: NullableTimestamp;
}

export interface VotesTable {
  proposal_id: string;
  voter_key: string;
  voter_id: string | null;
  choices: ColumnType<unknown, string, string>;
  reason: string | null;
  /** Null on anonymous proposals: no time to line a ballot up with its voter. */
  created_at: NullableTimestamp;
  updated_at: NullableTimestamp;
  /** An anonymous ballot whose voter has left the group, kept counted (migration 0007). */
  departed: ColumnType<boolean, boolean | undefined, boolean>;
}

/** How many current votes of a proposal are this ballot; kept by triggers on `votes` (migration 0004). */
export interface BallotCountsTable {
  proposal_id: string;
  ballot_hash: string;
  choices: ColumnType<unknown, string, string>;
  n: number;
}

export interface VoteHistoryTable {
  id: Generated<string>;
  proposal_id: string;
  voter_id: string | null;
  choices: ColumnType<unknown, string | null, string | null>;
  reason: string | null;
  created_at: Timestamp;
}

/** A link of a group's decision chain: the exact text that was hashed (server/domain/decision-record.ts). */
export interface DecisionRecordsTable {
  id: Generated<string>;
  group_id: string;
  proposal_id: string;
  sequence: number;
  document: string;
  hash: string;
  created_at: Generated<Date>;
}

/** A proposal template a group saved (the built-in ones are in shared/templates.ts). */
export interface ProposalTemplatesTable {
  id: Generated<string>;
  group_id: string;
  name: string;
  description: Generated<string>;
  kind: ProposalKind;
  options: ColumnType<unknown, string, string>;
  details: Generated<string>;
  settings: ColumnType<unknown, string, string>;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface OutcomesTable {
  id: Generated<string>;
  proposal_id: string;
  author_id: string | null;
  statement: string;
  review_on: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  superseded_at: NullableTimestamp;
  event_id: ColumnType<string | number | null, string | number | null | undefined, string | number | null>;
}

/** Mail queued in the transaction that caused it; the email worker sends it after commit (migration 0010). */
export interface EmailOutboxTable {
  id: Generated<string>;
  created_at: Timestamp;
  kind: string;
  user_id: string | null;
  recipient: string;
  subject: string;
  /** Inline when no other email shares the body; else null and `body_id` names it (migration 0015). */
  text_body: string | null;
  html_body: string | null;
  body_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  headers: ColumnType<Record<string, string>, string | undefined, string>;
  /** A notification email's group and notification: the worker adds List-Unsubscribe and Reply-To from them. */
  group_id: string | null;
  notification_id: string | null;
  dedupe_key: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  locked_until: NullableTimestamp;
  sent_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  logged_at: NullableTimestamp;
  last_error: string | null;
  message_id: string | null;
}

/** A body several outbox rows share (migration 0015). */
export interface EmailBodiesTable {
  id: Generated<string>;
  text_body: string;
  html_body: string;
}

export interface UserPreferencesTable {
  user_id: string;
  digest: ColumnType<'off' | 'daily' | 'weekly', 'off' | 'daily' | 'weekly' | undefined>;
  digest_hour: ColumnType<number, number | undefined, number>;
  time_zone: ColumnType<string, string | undefined, string>;
  /** What the member's last digest covered activity up to (migration 0013); null: none sent yet. */
  digest_sent_at: NullableTimestamp;
}

export interface GroupEmailPreferencesTable {
  user_id: string;
  group_id: string;
  email: EmailNotifications;
}

export type AccountTokenPurpose = 'password_reset' | 'verify_email' | 'change_email';

/** A single-use link sent by email, kept as a SHA-256 of its token (migration 0011). */
export interface AccountTokensTable {
  id: Generated<string>;
  purpose: AccountTokenPurpose;
  token_hash: string;
  user_id: string;
  /** The address the link went to: the one to verify, or the one to change to. */
  new_email: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

/** An emailed reply that became a comment (migration 0014): a second delivery of it posts nothing. */
export interface InboundEmailsTable {
  message_key: string;
  notification_id: string;
  comment_id: string;
  received_at: Timestamp;
}

/** A member's vote following another's, in a group or (`proposal_id`) on one proposal. */
export interface DelegationsTable {
  id: Generated<string>;
  group_id: string;
  from_id: string;
  to_id: string;
  proposal_id: string | null;
  created_at: Timestamp;
}

/**
 * The version of a group's delegation graph (migration 0023): a new uuid, by
 * deferred triggers, with every change to its delegations or memberships.
 */
export interface DelegationGraphsTable {
  group_id: string;
  version: ColumnType<string, never, never>;
}

/** A browser a member turned push notifications on in (migration 0020). */
export interface PushSubscriptionsTable {
  id: Generated<string>;
  user_id: string;
  /** The push service's URL for that browser; unique. */
  endpoint: string;
  /** The browser's P-256 public key and auth secret (base64url), which payloads are encrypted to. */
  p256dh: string;
  auth: string;
  created_at: Timestamp;
  last_sent_at: NullableTimestamp;
  /** Failed sends since the last one that went through (404/410 delete the row instead). */
  failure_count: ColumnType<number, number | undefined, number>;
}

/** The server's own VAPID key pair when none is configured: one row, id 1 (migration 0020). */
export interface VapidKeysTable {
  id: ColumnType<number, number | undefined, never>;
  public_key: string;
  private_key: string;
  created_at: Timestamp;
}

/** An uploaded file (migration 0021); its bytes are in `attachment_blobs`. */
export interface AttachmentsTable {
  id: Generated<string>;
  group_id: string;
  uploader_id: string | null;
  /** Where it is used: set by triggers when a text of the group first links it; null until then. */
  thread_id: string | null;
  comment_id: string | null;
  proposal_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  /** Hex SHA-256 of the bytes: the download's ETag. */
  sha256: string;
  created_at: Timestamp;
}

/** The bytes of one attachment, apart so that listings never read them (migration 0021). */
export interface AttachmentBlobsTable {
  attachment_id: string;
  group_id: string;
  data: Uint8Array;
}

/** The database as Kysely sees it. */
export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  groups: GroupsTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  invitation_uses: InvitationUsesTable;
  events: EventsTable;
  notifications: NotificationsTable;
  rate_limits: RateLimitsTable;
  threads: ThreadsTable;
  comments: CommentsTable;
  comment_versions: CommentVersionsTable;
  reactions: ReactionsTable;
  thread_reads: ThreadReadsTable;
  proposals: ProposalsTable;
  proposal_options: ProposalOptionsTable;
  votes: VotesTable;
  vote_history: VoteHistoryTable;
  ballot_counts: BallotCountsTable;
  outcomes: OutcomesTable;
  decision_records: DecisionRecordsTable;
  proposal_templates: ProposalTemplatesTable;
  delegations: DelegationsTable;
  delegation_graphs: DelegationGraphsTable;
  email_outbox: EmailOutboxTable;
  email_bodies: EmailBodiesTable;
  user_preferences: UserPreferencesTable;
  group_email_preferences: GroupEmailPreferencesTable;
  inbound_emails: InboundEmailsTable;
  account_tokens: AccountTokensTable;
  push_subscriptions: PushSubscriptionsTable;
  vapid_keys: VapidKeysTable;
  attachments: AttachmentsTable;
  attachment_blobs: AttachmentBlobsTable;
}

export type UserRow = Selectable<UsersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type MembershipRow = Selectable<MembershipsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
