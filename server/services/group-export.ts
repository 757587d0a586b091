import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  ArchivedAttachment,
  ArchivedComment,
  ArchivedOutcome,
  ArchivedProposal,
  ArchivedVote,
  GroupArchive,
} from '../../shared/schemas/group-archive';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION } from '../../shared/schemas/group-archive';
import type { Choice } from '../../shared/schemas/proposals';
import * as archive from '../db/group-archive';
import { can } from '../domain/permissions';
import { conflict, forbidden, notFound } from '../errors';
import type { Ctx } from './context';
import { groupAccess, settingsOf } from './groups';
import { loadProposalsForViewer } from './proposals/view';
import { isUuid } from './text';

/** How a file of the group is called: its name, made safe for a file name. */
export function archiveFileName(groupName: string): string {
  const slug = groupName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'group'}-plenary-export.json`;
}

/** `GET /groups/:id/export`: facilitators only (404 for outsiders, 403 for members). */
export async function exportGroupFor(ctx: Ctx, groupId: string, userId: string) {
  const { group, role } = await groupAccess(ctx, groupId, userId);
  if (!can(role, settingsOf(group), 'export_group'))
    throw forbidden('only facilitators may export the group');
  return exportGroup(ctx, groupId);
}

/** The group named by id or exact name (the command line's `export`); 404 for none, 409 for several. */
export async function groupByIdOrName(ctx: Ctx, idOrName: string): Promise<{ id: string; name: string }> {
  const found = await archive.groupsNamed(ctx.db, idOrName, isUuid(idOrName));
  if (found.length === 0) throw notFound('group');
  if (found.length > 1) throw conflict(`${found.length} groups are called "${idOrName}": name one by its id`);
  return found[0]!;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An attachment as the archive lists it, without its bytes (`archiveStream` reads them as it writes). */
export type ArchivedAttachmentInfo = Omit<ArchivedAttachment, 'data'>;

/** A group's archive as read in one snapshot, all but the attachments' bytes. */
export interface GroupExport {
  archive: Omit<GroupArchive, 'attachments'>;
  attachments: ArchivedAttachmentInfo[];
  fileName: string;
}

/**
 * The whole group as one archive (shared/schemas/group-archive.ts), read in
 * one repeatable-read, read-only transaction: one consistent snapshot, so a
 * vote or comment landing meanwhile is either wholly in it or not at all.
 * Only what the contract shows a facilitator goes in: a deleted comment's words
 * are gone from the database already; anonymous ballots carry no voter and no
 * time; an open proposal with results hidden until its close carries no ballots
 * (its voters vote again where it is imported).
 */
export async function exportGroup(ctx: Ctx, groupId: string): Promise<GroupExport> {
  return ctx.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const group = await archive.archivedGroup(trx, groupId);
      if (!group) throw notFound('group');
      const [members, threads, comments, versions, reactions, proposals, options, votes, outcomes, files] =
        await Promise.all([
          archive.archivedMembers(trx, groupId),
          archive.archivedThreads(trx, groupId),
          archive.archivedComments(trx, groupId),
          archive.archivedVersions(trx, groupId),
          archive.archivedReactions(trx, groupId),
          archive.archivedProposals(trx, groupId),
          archive.archivedOptions(trx, groupId),
          archive.archivedVotes(trx, groupId),
          archive.archivedOutcomes(trx, groupId),
          archive.archivedAttachments(trx, groupId),
        ]);
      // Results and eligible counts as the contract shows them (null while hidden).
      const shown = await loadProposalsForViewer(
        trx,
        null,
        proposals.map((p) => p.id),
      );

      // Everyone named by email; people no longer members are listed apart.
      const emailOf = new Map(members.map((m) => [m.id, m.email]));
      const others = new Set<string>();
      const refer = (id: string | null) => {
        if (id !== null && !emailOf.has(id)) others.add(id);
      };
      for (const t of threads) refer(t.author_id);
      for (const c of comments) refer(c.author_id);
      for (const r of reactions) refer(r.user_id);
      for (const p of proposals) refer(p.author_id);
      const anonymous = new Set(proposals.filter((p) => p.anonymous).map((p) => p.id));
      for (const v of votes) if (!anonymous.has(v.proposal_id)) refer(v.voter_id);
      for (const o of outcomes) refer(o.author_id);
      for (const f of files) refer(f.uploader_id);
      // People who left are named by a stand-in address, not their own: a facilitator does not see a
      // former member's email in Plenary, and an export must not hand it over either.
      const former = (await archive.usersByIds(trx, [...others])).map((u) => ({
        ...u,
        email: formerMemberAddress(groupId, u.id, u.email),
      }));
      for (const u of former) emailOf.set(u.id, u.email);
      const email = (id: string | null) => (id === null ? null : (emailOf.get(id) ?? null));

      const versionsOf = groupBy(versions, (v) => v.comment_id);
      const reactionsOf = groupBy(reactions, (r) => r.comment_id);
      const commentsOf = groupBy(comments, (c) => c.thread_id);
      const proposalsOf = groupBy(proposals, (p) => p.thread_id);
      const optionsOf = groupBy(options, (o) => o.proposal_id);
      const votesOf = groupBy(votes, (v) => v.proposal_id);
      const outcomesOf = groupBy(outcomes, (o) => o.proposal_id);

      const presentComment = (c: (typeof comments)[number]): ArchivedComment => ({
        id: c.id,
        parentId: c.parent_id,
        author: email(c.author_id),
        body: c.body,
        createdAt: c.created_at.toISOString(),
        editedAt: iso(c.edited_at),
        deletedAt: iso(c.deleted_at),
        versions: (versionsOf.get(c.id) ?? []).map((v) => ({
          body: v.body,
          createdAt: v.created_at.toISOString(),
        })),
        reactions: (reactionsOf.get(c.id) ?? [])
          .map((r) => ({ emoji: r.emoji, by: email(r.user_id)!, createdAt: r.created_at.toISOString() }))
          .sort(
            (a, b) => compare(a.createdAt, b.createdAt) || compare(a.by, b.by) || compare(a.emoji, b.emoji),
          ),
      });

      const presentOutcome = (o: (typeof outcomes)[number]): ArchivedOutcome => ({
        statement: o.statement,
        author: email(o.author_id),
        createdAt: o.created_at.toISOString(),
        reviewOn: o.review_on,
      });

      const presentProposal = (p: (typeof proposals)[number]): ArchivedProposal => {
        const view = shown.get(p.id)!;
        const all = outcomesOf.get(p.id) ?? [];
        const current = all.find((o) => o.superseded_at === null);
        return {
          id: p.id,
          kind: p.kind,
          title: p.title,
          details: p.details,
          options: (optionsOf.get(p.id) ?? []).map((o) => ({
            id: o.id,
            label: o.label,
            startsAt: iso(o.starts_at),
          })),
          closesAt: p.closes_at.toISOString(),
          closedAt: iso(p.closed_at),
          anonymous: p.anonymous,
          resultsHiddenUntilClosed: p.results_hidden_until_closed,
          reasonRequired: p.reason_required,
          minChoices: p.min_choices,
          maxChoices: p.max_choices,
          maxScore: p.max_score,
          dotsPerVoter: p.dots_per_voter,
          quorumPercent: p.quorum_percent,
          passPercent: p.pass_percent,
          blockVetoes: p.block_vetoes,
          author: email(p.author_id),
          createdAt: p.created_at.toISOString(),
          eligibleCount: view.eligibleCount,
          // While results are hidden, nobody sees anyone else's ballot (GET /proposals/:id/votes).
          votes: hidden(p) ? [] : archivedVotes(votesOf.get(p.id) ?? [], p.anonymous, email),
          results: view.results,
          outcome: current ? presentOutcome(current) : null,
          earlierOutcomes: all
            .filter((o) => o.superseded_at !== null)
            .map((o) => ({ ...presentOutcome(o), supersededAt: o.superseded_at!.toISOString() })),
        };
      };

      const result: GroupExport['archive'] = {
        format: ARCHIVE_FORMAT,
        version: ARCHIVE_VERSION,
        exportedAt: new Date().toISOString(),
        sourceGroupId: group.id,
        group: {
          name: group.name,
          description: group.description,
          createdAt: group.created_at.toISOString(),
          settings: {
            membersCanStartThreads: group.members_can_start_threads,
            membersCanCreateProposals: group.members_can_create_proposals,
            membersCanInvite: group.members_can_invite,
            delegation: group.delegation,
          },
        },
        members: members.map((m) => ({
          email: m.email,
          name: m.name,
          handle: m.handle,
          role: m.role,
          joinedAt: m.joined_at.toISOString(),
        })),
        formerMembers: former
          .map((u) => ({ email: u.email, name: u.name, handle: u.handle }))
          .sort((a, b) => compare(a.email, b.email)),
        threads: threads.map((t) => ({
          id: t.id,
          title: t.title,
          body: t.body,
          author: email(t.author_id),
          createdAt: t.created_at.toISOString(),
          updatedAt: t.updated_at.toISOString(),
          lastActivityAt: t.last_activity_at.toISOString(),
          pinned: t.pinned,
          closedAt: iso(t.closed_at),
          comments: (commentsOf.get(t.id) ?? []).map(presentComment),
          proposals: (proposalsOf.get(t.id) ?? []).map(presentProposal),
        })),
      };
      const attachments = files.map(
        (f): ArchivedAttachmentInfo => ({
          id: f.id,
          filename: f.filename,
          contentType: f.content_type,
          size: f.size,
          sha256: f.sha256,
          uploader: email(f.uploader_id),
          createdAt: f.created_at.toISOString(),
          usedIn: f.thread_id
            ? { threadId: f.thread_id, commentId: f.comment_id, proposalId: f.proposal_id }
            : null,
        }),
      );
      return { archive: result, attachments, fileName: archiveFileName(group.name) };
    });
}

/**
 * The archive as JSON text, `attachments` last, read from the database one
 * file at a time as the reader takes the text: a group's files (up to its
 * quota) never sit in memory together, only the one being written. The bytes
 * are read after the snapshot, by id (a file's bytes never change): a file
 * deleted in between is left out, as if deleted just before the export, and
 * the links to it lead nowhere, as they do here. `pretty` indents as
 * `JSON.stringify(…, null, 2)` does (the command line's file).
 */
export function archiveStream(ctx: Ctx, exported: GroupExport, options: { pretty?: boolean } = {}): Readable {
  // Not in object mode: the buffer is counted in bytes, so it holds at most about one file ahead.
  return Readable.from(archiveText(ctx, exported, options.pretty ?? false), { objectMode: false });
}

async function* archiveText(ctx: Ctx, exported: GroupExport, pretty: boolean): AsyncGenerator<string> {
  const indent = pretty ? 2 : undefined;
  const nl = (depth: number) => (pretty ? `\n${'  '.repeat(depth)}` : '');
  const head = JSON.stringify(exported.archive, null, indent);
  // The archive object without its closing brace, then the attachments as its last member.
  yield `${head.slice(0, head.lastIndexOf('}')).trimEnd()},${nl(1)}"attachments":${pretty ? ' ' : ''}[`;
  let written = 0;
  for (const info of exported.attachments) {
    const data = await archive.attachmentBase64(ctx.db, info.id);
    if (data === undefined) continue;
    const meta = JSON.stringify(info, null, indent);
    const open = meta.slice(0, meta.lastIndexOf('}')).trimEnd().replace(/\n/g, nl(2));
    yield `${written > 0 ? ',' : ''}${nl(2)}${open},${nl(3)}"data":${pretty ? ' ' : ''}"`;
    // Base64 needs no escaping in JSON.
    yield data;
    yield `"${nl(2)}}`;
    written += 1;
  }
  yield `${written > 0 ? nl(1) : ''}]${nl(0)}}${pretty ? '\n' : ''}`;
}

/**
 * Ballots as the contract shows them. Anonymous ones carry no voter and no
 * time, and are put in the order of their content, which says nothing about
 * who cast them or when; named ones in the order they were cast.
 */
function archivedVotes(
  rows: {
    voter_id: string | null;
    choices: unknown;
    reason: string | null;
    created_at: Date | null;
    updated_at: Date | null;
  }[],
  anonymous: boolean,
  email: (id: string | null) => string | null,
): ArchivedVote[] {
  if (anonymous) {
    return rows
      .map((v) => ({
        voter: null,
        choices: v.choices as Choice[],
        reason: v.reason,
        createdAt: null,
        updatedAt: null,
      }))
      .sort((a, b) => compare(JSON.stringify([a.choices, a.reason]), JSON.stringify([b.choices, b.reason])));
  }
  return rows
    .map((v) => ({
      voter: email(v.voter_id),
      choices: v.choices as Choice[],
      reason: v.reason,
      createdAt: iso(v.created_at),
      updatedAt: iso(v.updated_at),
    }))
    .sort((a, b) => compare(a.createdAt ?? '', b.createdAt ?? '') || compare(a.voter ?? '', b.voter ?? ''));
}

/** An open proposal whose results wait for its close: its ballots are shown to nobody but their voters. */
function hidden(p: { results_hidden_until_closed: boolean; closed_at: Date | null }): boolean {
  return p.results_hidden_until_closed && p.closed_at === null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = grouped.get(k);
    if (list) list.push(row);
    else grouped.set(k, [row]);
  }
  return grouped;
}

/** The domain of stand-in addresses (RFC 2606 reserves `.invalid`: no mail can ever go there). */
export const FORMER_MEMBER_DOMAIN = 'former-members.invalid';

/**
 * A person who left the group, named in its archive: the same stand-in for
 * them at every export of this group, another in every other group (no
 * linking across groups), and nothing that leads back to their address. One
 * already a stand-in (a group imported earlier) keeps it.
 */
export function formerMemberAddress(groupId: string, userId: string, email: string): string {
  if (email.endsWith(`@${FORMER_MEMBER_DOMAIN}`)) return email;
  const tag = createHash('sha256').update(`${groupId}:${userId}`).digest('hex').slice(0, 20);
  return `former-${tag}@${FORMER_MEMBER_DOMAIN}`;
}
