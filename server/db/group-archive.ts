import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB, Role } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

// The queries behind a group's export and import (services/group-export.ts and
// group-import.ts): a whole group read in a few statements, and written back
// with ids chosen beforehand, so rows can point at each other in bulk inserts.

/** Rows per insert statement: well under Postgres's 65,535 parameters for the widest table here. */
const CHUNK = 500;

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

// ---- Reading (export) ----

export function archivedGroup(db: Handle, groupId: string) {
  return db.selectFrom('groups').selectAll().where('id', '=', groupId).executeTakeFirst();
}

/** The group's members with their accounts, in joining order. */
export function archivedMembers(db: Handle, groupId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'users.handle',
      'memberships.role',
      'memberships.joined_at',
    ])
    .where('memberships.group_id', '=', groupId)
    .orderBy('memberships.joined_at')
    .orderBy('users.email')
    .execute();
}

/** Accounts by id (people who wrote, voted or reacted and are no longer members). */
export function usersByIds(db: Handle, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').select(['id', 'email', 'name', 'handle']).where('id', 'in', ids).execute();
}

export function archivedThreads(db: Handle, groupId: string) {
  return db
    .selectFrom('threads')
    .select([
      'id',
      'author_id',
      'title',
      'body',
      'pinned',
      'closed_at',
      'created_at',
      'updated_at',
      'last_activity_at',
    ])
    .where('group_id', '=', groupId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Every comment of the group, oldest first (a reply is never older than its parent). */
export function archivedComments(db: Handle, groupId: string) {
  return db
    .selectFrom('comments')
    .select(['id', 'thread_id', 'author_id', 'parent_id', 'body', 'created_at', 'edited_at', 'deleted_at'])
    .where('group_id', '=', groupId)
    .orderBy('created_at')
    .orderBy('event_id')
    .execute();
}

/** Earlier texts of the group's comments, oldest first (a deleted comment has none left). */
export function archivedVersions(db: Handle, groupId: string) {
  return db
    .selectFrom('comment_versions')
    .innerJoin('comments', 'comments.id', 'comment_versions.comment_id')
    .select(['comment_versions.comment_id', 'comment_versions.body', 'comment_versions.created_at'])
    .where('comments.group_id', '=', groupId)
    .orderBy('comment_versions.id')
    .execute();
}

export function archivedReactions(db: Handle, groupId: string) {
  return db
    .selectFrom('reactions')
    .innerJoin('comments', 'comments.id', 'reactions.comment_id')
    .select(['reactions.comment_id', 'reactions.user_id', 'reactions.emoji', 'reactions.created_at'])
    .where('comments.group_id', '=', groupId)
    .orderBy('reactions.created_at')
    .execute();
}

export function archivedProposals(db: Handle, groupId: string) {
  return db
    .selectFrom('proposals')
    .selectAll()
    .where('group_id', '=', groupId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function archivedOptions(db: Handle, groupId: string) {
  return db
    .selectFrom('proposal_options')
    .innerJoin('proposals', 'proposals.id', 'proposal_options.proposal_id')
    .selectAll('proposal_options')
    .where('proposals.group_id', '=', groupId)
    .orderBy('proposal_options.proposal_id')
    .orderBy('proposal_options.position')
    .execute();
}

/** Current votes: on anonymous proposals no voter id and no time are stored to begin with. */
export function archivedVotes(db: Handle, groupId: string) {
  return db
    .selectFrom('votes')
    .innerJoin('proposals', 'proposals.id', 'votes.proposal_id')
    .select([
      'votes.proposal_id',
      'votes.voter_id',
      'votes.choices',
      'votes.reason',
      'votes.created_at',
      'votes.updated_at',
    ])
    .where('proposals.group_id', '=', groupId)
    .execute();
}

/** Every outcome, current and superseded, oldest first, its review date as text (a bare date shifts as a Date). */
export function archivedOutcomes(db: Handle, groupId: string) {
  return db
    .selectFrom('outcomes')
    .innerJoin('proposals', 'proposals.id', 'outcomes.proposal_id')
    .select([
      'outcomes.proposal_id',
      'outcomes.author_id',
      'outcomes.statement',
      'outcomes.created_at',
      'outcomes.superseded_at',
      sql<string | null>`to_char(outcomes.review_on, 'YYYY-MM-DD')`.as('review_on'),
    ])
    .where('proposals.group_id', '=', groupId)
    .orderBy('outcomes.created_at')
    .execute();
}

/** The group's files without their bytes, oldest first. */
export function archivedAttachments(db: Handle, groupId: string) {
  return db
    .selectFrom('attachments')
    .select([
      'id',
      'uploader_id',
      'thread_id',
      'comment_id',
      'proposal_id',
      'filename',
      'content_type',
      'size',
      'sha256',
      'created_at',
    ])
    .where('group_id', '=', groupId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * One file's bytes as base64 on one line (Postgres breaks its base64 every 76
 * characters), ready for the archive: no decoding, no second copy. Undefined
 * once the file is deleted.
 */
export async function attachmentBase64(db: Handle, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('attachment_blobs')
    .select(sql<string>`replace(encode(data, 'base64'), chr(10), '')`.as('data'))
    .where('attachment_id', '=', id)
    .executeTakeFirst();
  return row?.data;
}

/** Groups whose id, or else exact name, is `idOrName` (the command line names groups either way). */
export function groupsNamed(db: Handle, idOrName: string, isId: boolean) {
  return db
    .selectFrom('groups')
    .select(['id', 'name'])
    .where((eb) => (isId ? eb('id', '=', idOrName) : eb('name', '=', idOrName)))
    .execute();
}

// ---- Writing (import) ----

/** Accounts with these addresses (lower-cased), by address. */
export async function usersByEmail(db: Handle, emails: string[]) {
  if (emails.length === 0)
    return new Map<string, { id: string; name: string; email: string; handle: string }>();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'handle', sql<string>`lower(email)`.as('address')])
    .where(sql<string>`lower(email)`, 'in', emails)
    .execute();
  return new Map(rows.map((r) => [r.address, { id: r.id, name: r.name, email: r.email, handle: r.handle }]));
}

/**
 * The group an earlier import made from the same source group, if any (its
 * `group.imported` event names the source), while that group still exists.
 */
export async function earlierImportOf(db: Handle, sourceGroupId: string) {
  const { rows } = await sql<{ group_id: string; name: string; created_at: Date }>`
    select e.group_id, g.name, e.created_at from events e join groups g on g.id = e.group_id
     where e.kind = 'group.imported' and e.data ->> 'sourceGroupId' = ${sourceGroupId}
     order by e.id desc limit 1`.execute(db);
  return rows[0];
}

export function insertImportedGroup(
  trx: Transaction<DB>,
  g: {
    id: string;
    name: string;
    description: string;
    createdAt: string;
    settings: {
      membersCanStartThreads: boolean;
      membersCanCreateProposals: boolean;
      membersCanInvite: boolean;
      delegation?: boolean;
    };
  },
) {
  return trx
    .insertInto('groups')
    .values({
      id: g.id,
      parent_id: null,
      name: g.name,
      description: g.description,
      created_at: g.createdAt,
      members_can_start_threads: g.settings.membersCanStartThreads,
      members_can_create_proposals: g.settings.membersCanCreateProposals,
      members_can_invite: g.settings.membersCanInvite,
      delegation: g.settings.delegation ?? false,
    })
    .execute();
}

/** Memberships in one statement; `member_count` follows by trigger. */
export async function insertMemberships(
  trx: Transaction<DB>,
  groupId: string,
  rows: { userId: string; role: Role; joinedAt: string }[],
): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('memberships')
      .values(
        chunk.map((m) => ({ group_id: groupId, user_id: m.userId, role: m.role, joined_at: m.joinedAt })),
      )
      .execute(),
  );
}

export interface ImportedThread {
  id: string;
  groupId: string;
  authorId: string | null;
  title: string;
  body: string;
  pinned: boolean;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  commentCount: number;
}

export async function insertThreads(trx: Transaction<DB>, rows: ImportedThread[]): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('threads')
      .values(
        chunk.map((t) => ({
          id: t.id,
          group_id: t.groupId,
          author_id: t.authorId,
          title: t.title,
          body: t.body,
          pinned: t.pinned,
          closed_at: t.closedAt,
          created_at: t.createdAt,
          updated_at: t.updatedAt,
          last_activity_at: t.lastActivityAt,
          comment_count: t.commentCount,
        })),
      )
      .execute(),
  );
}

export interface ImportedComment {
  id: string;
  threadId: string;
  groupId: string;
  authorId: string | null;
  parentId: string | null;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

/** Comments in the order given: a parent must come before its replies. */
export async function insertComments(trx: Transaction<DB>, rows: ImportedComment[]): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('comments')
      .values(
        chunk.map((c) => ({
          id: c.id,
          thread_id: c.threadId,
          group_id: c.groupId,
          author_id: c.authorId,
          parent_id: c.parentId,
          body: c.body,
          created_at: c.createdAt,
          edited_at: c.editedAt,
          deleted_at: c.deletedAt,
        })),
      )
      .execute(),
  );
}

/** Earlier versions, in the order given (versions list by id, oldest first). */
export async function insertVersions(
  trx: Transaction<DB>,
  rows: { commentId: string; body: string; createdAt: string }[],
): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('comment_versions')
      .values(chunk.map((v) => ({ comment_id: v.commentId, body: v.body, created_at: v.createdAt })))
      .execute(),
  );
}

export async function insertReactions(
  trx: Transaction<DB>,
  rows: { commentId: string; userId: string; emoji: string; createdAt: string }[],
): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('reactions')
      .values(
        chunk.map((r) => ({
          comment_id: r.commentId,
          user_id: r.userId,
          emoji: r.emoji,
          created_at: r.createdAt,
        })),
      )
      .onConflict((oc) => oc.columns(['comment_id', 'user_id', 'emoji']).doNothing())
      .execute(),
  );
}

/** Proposals as rows of the `proposals` table (the caller fills every column it means). */
export async function insertProposals(
  trx: Transaction<DB>,
  rows: {
    id: string;
    thread_id: string;
    group_id: string;
    author_id: string | null;
    kind: DB['proposals']['kind'];
    title: string;
    details: string;
    closes_at: string;
    closed_at: string | null;
    anonymous: boolean;
    results_hidden_until_closed: boolean;
    reason_required: boolean;
    min_choices: number;
    max_choices: number;
    max_score: number;
    dots_per_voter: number;
    quorum_percent: number | null;
    pass_percent: number | null;
    block_vetoes: boolean;
    eligible_count_at_close: number | null;
    ballot_salt: string | null;
    ballot_key_id: string | null;
    created_at: string;
  }[],
): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('proposals')
      // A closed proposal keys no ballot: null, which the column holds since migration 0007
      // (its insert type leaves null out because a proposal made here always opens).
      .values(chunk.map((p) => ({ ...p, ballot_salt: p.ballot_salt as string })))
      .execute(),
  );
}

export async function insertOptions(
  trx: Transaction<DB>,
  rows: { proposalId: string; id: string; position: number; label: string; startsAt: string | null }[],
): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('proposal_options')
      .values(
        chunk.map((o) => ({
          proposal_id: o.proposalId,
          id: o.id,
          position: o.position,
          label: o.label,
          starts_at: o.startsAt,
        })),
      )
      .execute(),
  );
}

/** Votes in one statement a chunk; `ballot_counts` follow by trigger. */
export async function insertVotes(
  trx: Transaction<DB>,
  rows: {
    proposalId: string;
    voterKey: string;
    voterId: string | null;
    choices: unknown;
    reason: string | null;
    createdAt: string | null;
    updatedAt: string | null;
  }[],
): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('votes')
      .values(
        chunk.map((v) => ({
          proposal_id: v.proposalId,
          voter_key: v.voterKey,
          voter_id: v.voterId,
          choices: JSON.stringify(v.choices),
          reason: v.reason,
          created_at: v.createdAt,
          updated_at: v.updatedAt,
        })),
      )
      .execute(),
  );
}

export async function insertOutcomes(
  trx: Transaction<DB>,
  rows: {
    id: string;
    proposalId: string;
    authorId: string | null;
    statement: string;
    reviewOn: string | null;
    createdAt: string;
    supersededAt: string | null;
  }[],
): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('outcomes')
      .values(
        chunk.map((o) => ({
          id: o.id,
          proposal_id: o.proposalId,
          author_id: o.authorId,
          statement: o.statement,
          review_on: o.reviewOn,
          created_at: o.createdAt,
          superseded_at: o.supersededAt,
        })),
      )
      .execute(),
  );
}

/** An imported file's row; its bytes follow with `insertImportedBlob`. */
export interface ImportedAttachment {
  id: string;
  groupId: string;
  uploaderId: string | null;
  threadId: string | null;
  commentId: string | null;
  proposalId: string | null;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

/**
 * Files' rows with where they are used given, not found by the triggers of
 * migration 0021: the texts that link them are written first, when no file of
 * the new group exists yet for a trigger to find.
 */
export async function insertAttachments(trx: Transaction<DB>, rows: ImportedAttachment[]): Promise<void> {
  await insertChunked(rows, (chunk) =>
    trx
      .insertInto('attachments')
      .values(
        chunk.map((a) => ({
          id: a.id,
          group_id: a.groupId,
          uploader_id: a.uploaderId,
          thread_id: a.threadId,
          comment_id: a.commentId,
          proposal_id: a.proposalId,
          filename: a.filename,
          content_type: a.contentType,
          size: a.size,
          sha256: a.sha256,
          created_at: a.createdAt,
        })),
      )
      .execute(),
  );
}

/**
 * One file's bytes, given as the padded base64 text the archive holds, which
 * Postgres decodes (faster than a bytea parameter: see `insertAttachment`).
 */
export async function insertImportedBlob(
  trx: Transaction<DB>,
  attachmentId: string,
  groupId: string,
  base64: string,
): Promise<void> {
  await sql`insert into attachment_blobs (attachment_id, group_id, data)
            values (${attachmentId}, ${groupId}, decode(${base64}, 'base64'))`.execute(trx);
}
