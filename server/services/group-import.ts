import { randomBytes, randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { GroupArchive } from '../../shared/schemas/group-archive';
import { attachmentsOfGroup } from '../db/attachments';
import type { EventInput } from '../db/events';
import * as archiveDb from '../db/group-archive';
import { insertInvitations } from '../db/invitations';
import type { DB, Role } from '../db/schema';
import { findUserByEmail, handlesLike, insertUser } from '../db/users';
import { rewriteAttachmentLinks } from '../domain/attachment-links';
import { handleFromName, uniqueHandle } from '../domain/permissions';
import { invitationEmails } from '../email/invitation-emails';
import { baseUrl } from '../email/layout';
import { enqueueEmails } from '../email/outbox';
import { AppError, conflict } from '../errors';
import { presentInvitation } from '../presenters/invitation';
import { presentShared } from './attachments';
import { loadSharedComments } from './comments';
import { type Ctx, writeTransaction } from './context';
import { type AttachmentText, inArchive } from './group-archive-file';
import { checkQuota, newAttachmentIds, writeAttachments } from './group-import-attachments';
import { type Content, writeContent } from './group-import-content';
import { hashPassword } from './passwords';
import { loadProposalsForViewer } from './proposals/view';
import { newSecret } from './tokens';

export { parseArchive } from './group-archive-check';
export { readArchiveFile } from './group-archive-file';

/*
 * Loads a group archive (services/group-export.ts) into this instance, as a
 * new group, in one transaction: a file that cannot be loaded whole changes
 * nothing. People are matched by email:
 *
 * - a member with an account here becomes a member again, with their role;
 * - a member without one is invited by email, with their role (the group's
 *   own invitation email, from whoever leads the import);
 * - what anyone without an account here wrote, voted or reacted keeps their
 *   name: an account is made for them with the archive's name and address
 *   and no usable password, as `plenary create-user` without a password
 *   does, and nothing else. In the group they stand exactly where a member
 *   who left stands (README, "Members who leave while a proposal is open"):
 *   their words, reactions and ballots on closed proposals stay theirs,
 *   while their ballots on open proposals go, as a departure takes them. The
 *   owner of the address claims the account through "Forgot password?" and
 *   joins through the invitation; their history is then theirs again.
 *
 * An anonymous proposal still open with ballots cannot stay open: its
 * ballots know no voter (the archive never says who cast them), so nobody
 * could replace theirs and everyone could vote again. It arrives closed at
 * the import, its ballots counted, as a reopened anonymous proposal with
 * votes is refused for the same reason.
 *
 * Files (archive version 2 on) arrive with new ids, byte for byte, each
 * checked against its SHA-256, used where they were; every Markdown text's
 * links to them are rewritten to the new ids. They count against the new
 * group's quota as uploads do: an archive whose files would not fit is
 * refused whole (group-import-attachments.ts says why).
 */

/** How to import. */
export interface ImportOptions {
  /** The address of an account here that leads the import: it becomes a facilitator and sends the invitations. */
  as?: string;
  /** Import a group this instance imported before from the same source, as a second group (refused otherwise). */
  again?: boolean;
}

/** What an import did. */
export interface ImportSummary {
  groupId: string;
  name: string;
  /** Members matched to accounts here, by email, with the role they now have. */
  members: { email: string; role: Role }[];
  /** Members without an account here, invited by email. */
  invited: string[];
  /** Accounts made (no usable password) so that what their owners wrote keeps their name. */
  accountsCreated: string[];
  /** Anonymous proposals that were open with ballots, closed by the import. */
  closedOnImport: string[];
  /** Ballots on open proposals whose voters are not members here (as a departure withdraws them). */
  withdrawnVotes: number;
  counts: { threads: number; comments: number; proposals: number; votes: number; attachments: number };
}

const INVITATION_DAYS = 14;
const lower = (email: string) => email.toLowerCase();

/** Everyone whose name the archive's content carries (authors, reactors, named voters). */
function namedInContent(archive: GroupArchive): Set<string> {
  const named = new Set<string>();
  const add = (email: string | null) => {
    if (email !== null) named.add(lower(email));
  };
  for (const t of archive.threads) {
    add(t.author);
    for (const c of t.comments) {
      add(c.author);
      for (const r of c.reactions) add(r.by);
    }
    for (const p of t.proposals) {
      add(p.author);
      add(p.outcome?.author ?? null);
      for (const o of p.earlierOutcomes) add(o.author);
      for (const v of p.votes) add(v.voter);
    }
  }
  for (const a of archive.attachments ?? []) add(a.uploader);
  return named;
}

/** Who leads the import: the account `as` names, else the first of the archive's facilitators with an account here. */
async function leaderOf(ctx: Ctx, archive: GroupArchive, as: string | undefined) {
  if (as !== undefined) {
    const user = await findUserByEmail(ctx.db, as);
    if (!user) throw new AppError(404, 'not_found', `no account here has the address ${as} (--as)`);
    return user;
  }
  for (const m of archive.members.filter((m) => m.role === 'facilitator')) {
    const user = await findUserByEmail(ctx.db, m.email);
    if (user) return user;
  }
  throw new AppError(
    400,
    'validation_failed',
    'none of the archive’s facilitators has an account here: name the account that leads the group with --as <email>',
  );
}

/**
 * Loads `archive` (checked by `parseArchive`, or `readArchiveFile` with its
 * `attachmentData`) as a new group. `attachmentData`: the files' bytes, in
 * the archive's order; by default those the archive holds.
 */
export async function importGroup(
  ctx: Ctx,
  archive: GroupArchive,
  options: ImportOptions = {},
  attachmentData: () => AsyncIterable<AttachmentText> = () => inArchive(archive),
): Promise<ImportSummary> {
  checkQuota(archive, ctx.config.attachmentQuotaBytes);
  const leader = await leaderOf(ctx, archive, options.as);
  const people = [...archive.members, ...archive.formerMembers];
  const named = namedInContent(archive);
  const before = await archiveDb.usersByEmail(
    ctx.db,
    people.map((p) => lower(p.email)),
  );
  // Hashed before the transaction (~50 ms each), for whoever may need an account.
  const unusable = new Map<string, string>();
  for (const p of people) {
    if (named.has(lower(p.email)) && !before.has(lower(p.email))) {
      unusable.set(lower(p.email), await hashPassword(randomBytes(32).toString('base64url')));
    }
  }

  const summary = await writeTransaction(ctx, async (trx, emit) => {
    if (!options.again) {
      const earlier = await archiveDb.earlierImportOf(trx, archive.sourceGroupId);
      if (earlier) {
        throw conflict(
          `this group was imported here already, as "${earlier.name}" (${earlier.group_id}, ${earlier.created_at.toISOString()}); ` +
            'import it again as a second group with --again',
        );
      }
    }
    // Read again under the transaction: an account made a moment ago is matched, not duplicated.
    const accounts = await archiveDb.usersByEmail(
      trx,
      people.map((p) => lower(p.email)),
    );
    const userOf = new Map<string, { id: string; name: string; handle: string }>();
    for (const [address, user] of accounts) userOf.set(address, user);
    const accountsCreated: string[] = [];
    const handles = new Set<string>();
    for (const p of people) {
      const address = lower(p.email);
      if (userOf.has(address) || !named.has(address)) continue;
      const base = /^[a-z0-9_-]{2,30}$/.test(p.handle) ? p.handle : handleFromName(p.name);
      const handle = uniqueHandle(base, new Set([...(await handlesLike(trx, base)), ...handles]));
      handles.add(handle);
      const passwordHash =
        unusable.get(address) ?? (await hashPassword(randomBytes(32).toString('base64url')));
      const user = await insertUser(trx, { email: p.email, name: p.name, handle, passwordHash });
      userOf.set(address, user);
      accountsCreated.push(p.email);
    }
    const idOf = (email: string | null) => (email === null ? null : (userOf.get(lower(email))?.id ?? null));

    const groupId = randomUUID();
    const attachmentIds = newAttachmentIds(archive);
    const rewrite = (markdown: string) => rewriteAttachmentLinks(markdown, (id) => attachmentIds.get(id));
    await archiveDb.insertImportedGroup(trx, {
      id: groupId,
      ...archive.group,
      description: rewrite(archive.group.description),
    });
    emit({
      kind: 'group.imported',
      groupId,
      actorId: leader.id,
      subjectId: groupId,
      data: {
        sourceGroupId: archive.sourceGroupId,
        exportedAt: archive.exportedAt,
        version: archive.version,
      },
    });

    // Members with an account from before this import; the leader leads, as a facilitator.
    const memberships = new Map<string, { email: string; userId: string; role: Role; joinedAt: string }>();
    for (const m of archive.members) {
      const user = accounts.get(lower(m.email));
      if (user)
        memberships.set(user.id, { email: m.email, userId: user.id, role: m.role, joinedAt: m.joinedAt });
    }
    const led = memberships.get(leader.id);
    if (led) led.role = 'facilitator';
    else {
      const joinedAt = new Date().toISOString();
      memberships.set(leader.id, { email: leader.email, userId: leader.id, role: 'facilitator', joinedAt });
    }
    await archiveDb.insertMemberships(trx, groupId, [...memberships.values()]);
    for (const m of memberships.values()) {
      emit({
        kind: 'member.joined',
        groupId,
        actorId: leader.id,
        subjectId: m.userId,
        data: { userId: m.userId, role: m.role, joinedAt: m.joinedAt },
      });
    }

    const content = await writeContent(
      trx,
      ctx,
      archive,
      groupId,
      idOf,
      new Set(memberships.keys()),
      rewrite,
    );
    // After the texts that link them: the triggers that find where a file is used find none yet.
    const files = await writeAttachments(
      trx,
      archive,
      groupId,
      attachmentIds,
      content.ids,
      idOf,
      attachmentData,
    );
    await emitCreated(trx, emit, groupId, content, files, userOf);

    const invited = archive.members.filter((m) => !accounts.has(lower(m.email)));
    await invite(trx, ctx, groupId, archive.group.name, leader, invited, named);

    return {
      groupId,
      name: archive.group.name,
      members: [...memberships.values()].map((m) => ({ email: m.email, role: m.role })),
      invited: invited.map((m) => m.email),
      accountsCreated,
      closedOnImport: content.closedOnImport,
      withdrawnVotes: content.withdrawnVotes,
      counts: {
        threads: content.threads.length,
        comments: content.commentIds.length,
        proposals: content.proposals.length,
        votes: content.votes,
        attachments: files.length,
      },
    };
  });
  if (summary.invited.length > 0) ctx.email.wake();
  return summary;
}

/**
 * The events of what the import made, oldest first, so the event log stays
 * the spine: each timeline item is placed by its creation event, as if it had
 * been written here. Each carries the resource as the stream shows it now.
 */
async function emitCreated(
  trx: Transaction<DB>,
  emit: (event: EventInput) => void,
  groupId: string,
  content: Content,
  files: { id: string; uploaderId: string | null; createdAt: string }[],
  userOf: Map<string, { id: string; name: string; handle: string }>,
): Promise<void> {
  const byId = new Map([...userOf.values()].map((u) => [u.id, u]));
  const [comments, proposals, attachments] = await Promise.all([
    loadSharedComments(trx, content.commentIds),
    loadProposalsForViewer(trx, null, content.proposals),
    files.length > 0 ? attachmentsOfGroup(trx, groupId) : [],
  ]);
  const attachmentRows = new Map(attachments.map((a) => [a.id, a]));
  const threads = new Map(content.threads.map((t) => [t.id, t]));
  const openCount = new Map<string, number>();
  for (const p of proposals.values()) {
    if (p.closedAt === null) openCount.set(p.threadId, (openCount.get(p.threadId) ?? 0) + 1);
  }
  // Stable: a thread comes before a comment made at the same instant, and a file before the text linking it.
  const uploads = files.map((f) => ({
    at: f.createdAt,
    kind: 'attachment.created' as const,
    subjectId: f.id,
    authorId: f.uploaderId,
  }));
  const order = [...uploads, ...content.made].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const m of order) {
    if (m.kind === 'attachment.created') {
      const attachment = presentShared(attachmentRows.get(m.subjectId)!);
      emit({ kind: m.kind, groupId, actorId: m.authorId, subjectId: m.subjectId, data: { attachment } });
      continue;
    }
    const base = { groupId, threadId: m.threadId, actorId: m.authorId, subjectId: m.subjectId };
    if (m.kind === 'thread.created') {
      const t = threads.get(m.threadId)!;
      const author = t.authorId ? byId.get(t.authorId) : undefined;
      const thread = {
        id: t.id,
        groupId,
        title: t.title,
        body: t.body,
        author: author ? { id: author.id, name: author.name, handle: author.handle } : null,
        createdAt: t.createdAt,
        updatedAt: t.updatedAt,
        pinned: t.pinned,
        closedAt: t.closedAt,
        commentCount: t.commentCount,
        lastActivityAt: t.lastActivityAt,
        openProposalCount: openCount.get(t.id) ?? 0,
        unreadCount: 0,
        lastReadEventId: null,
      };
      emit({ ...base, kind: m.kind, data: { thread }, recordIdIn: { table: 'threads', id: t.id } });
    } else if (m.kind === 'comment.created') {
      const comment = comments.get(m.subjectId);
      emit({ ...base, kind: m.kind, data: { comment }, recordIdIn: { table: 'comments', id: m.subjectId } });
    } else if (m.kind === 'proposal.created') {
      const proposal = proposals.get(m.subjectId);
      emit({
        ...base,
        kind: m.kind,
        data: { proposal },
        recordIdIn: { table: 'proposals', id: m.subjectId },
      });
    } else {
      const proposal = proposals.get(m.subjectId);
      emit({
        ...base,
        kind: m.kind,
        data: { proposal },
        recordIdIn: { table: 'outcomes', id: m.outcomeId! },
      });
    }
  }
}

/**
 * Invites the archive's members who have no account here, each with their
 * role, by the group's own invitation email from the import's leader. Those
 * whose words the group keeps are told how to claim the account holding them.
 */
async function invite(
  trx: Transaction<DB>,
  ctx: Ctx,
  groupId: string,
  groupName: string,
  leader: { id: string; name: string },
  invitees: { email: string; role: Role }[],
  named: Set<string>,
): Promise<void> {
  if (invitees.length === 0) return;
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  const moved = `${groupName} has moved to this Plenary server.`;
  const claim =
    `${moved} What you wrote there is kept under an account with this address: choose its password ` +
    'with “Forgot password?” on the sign-in page, then accept the invitation.';
  const rows = await insertInvitations(
    trx,
    invitees.map((m) => ({
      groupId,
      token: newSecret().slice(0, 32),
      role: m.role,
      email: m.email,
      maxUses: 1,
      expiresAt,
      createdBy: leader.id,
      issuedAs: 'facilitator' as const,
      message: named.has(lower(m.email)) ? claim : moved,
      emailedAt: new Date(),
    })),
  );
  const accounts = await archiveDb.usersByEmail(
    trx,
    invitees.map((m) => lower(m.email)),
  );
  const standing = { valid: true, issuedBy: { id: leader.id, name: leader.name } };
  await enqueueEmails(
    trx,
    invitationEmails(
      leader,
      groupName,
      rows.map((r) => ({
        to: r.email!,
        url: presentInvitation(r, baseUrl(ctx.config), standing).url,
        role: r.role,
        expiresAt,
        message: r.message,
        userId: accounts.get(lower(r.email!))?.id ?? null,
      })),
    ),
  );
}
