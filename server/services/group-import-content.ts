import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { ballotRulesOf } from '../../shared/ballot';
import type { ArchivedProposal, GroupArchive } from '../../shared/schemas/group-archive';
import type { Choice } from '../../shared/schemas/proposals';
import * as archiveDb from '../db/group-archive';
import type { DB } from '../db/schema';
import { tallyProposal } from '../domain/tally';
import { ballotKey } from './ballots';
import type { Ctx } from './context';
import type { ContentIds } from './group-import-attachments';

// The rows of an imported group's threads, comments and proposals, written inside the import's
// transaction (group-import.ts), with what the import's events need to know about each.

/** One thing made by the import that has its own place in a timeline, placed by when it was made. */
export interface Made {
  at: string;
  kind: 'thread.created' | 'comment.created' | 'proposal.created' | 'outcome.created';
  threadId: string;
  /** The thread, comment or proposal; for an outcome, its proposal. */
  subjectId: string;
  authorId: string | null;
  outcomeId?: string;
}

export interface Content {
  threads: archiveDb.ImportedThread[];
  /** New ids by archive id, for what the archive's files are used by. */
  ids: ContentIds;
  commentIds: string[];
  proposals: string[];
  made: Made[];
  votes: number;
  withdrawnVotes: number;
  closedOnImport: string[];
}

/**
 * Threads, comments and proposals, with fresh ids; the archive's own ids only link its parts together.
 * `rewrite` is applied to every Markdown text (links to the archive's files, which get new ids too).
 */
export async function writeContent(
  trx: Transaction<DB>,
  ctx: Ctx,
  archive: GroupArchive,
  groupId: string,
  idOf: (email: string | null) => string | null,
  memberIds: Set<string>,
  rewrite: (markdown: string) => string,
): Promise<Content> {
  const now = new Date().toISOString();
  const threads: archiveDb.ImportedThread[] = [];
  const comments: archiveDb.ImportedComment[] = [];
  const versions: { commentId: string; body: string; createdAt: string }[] = [];
  const reactions: { commentId: string; userId: string; emoji: string; createdAt: string }[] = [];
  const proposals: Parameters<typeof archiveDb.insertProposals>[1] = [];
  const options: Parameters<typeof archiveDb.insertOptions>[1] = [];
  const votes: Parameters<typeof archiveDb.insertVotes>[1] = [];
  const outcomes: Parameters<typeof archiveDb.insertOutcomes>[1] = [];
  const made: Made[] = [];
  const finalResults = new Map<string, unknown>();
  let withdrawnVotes = 0;
  const closedOnImport: string[] = [];
  const ids: ContentIds = { threads: new Map(), comments: new Map(), proposals: new Map() };

  for (const t of archive.threads) {
    const threadId = randomUUID();
    ids.threads.set(t.id, threadId);
    threads.push({
      id: threadId,
      groupId,
      authorId: idOf(t.author),
      title: t.title,
      body: rewrite(t.body),
      pinned: t.pinned,
      closedAt: t.closedAt,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      lastActivityAt: t.lastActivityAt,
      commentCount: t.comments.filter((c) => c.deletedAt === null).length,
    });
    made.push({
      at: t.createdAt,
      kind: 'thread.created',
      threadId,
      subjectId: threadId,
      authorId: idOf(t.author),
    });
    const commentId = new Map<string, string>();
    ids.comments.set(t.id, commentId);
    for (const c of t.comments) {
      const id = randomUUID();
      commentId.set(c.id, id);
      comments.push({
        id,
        threadId,
        groupId,
        authorId: idOf(c.author),
        parentId: c.parentId === null ? null : commentId.get(c.parentId)!,
        body: rewrite(c.body),
        createdAt: c.createdAt,
        editedAt: c.editedAt,
        deletedAt: c.deletedAt,
      });
      for (const v of c.versions) {
        versions.push({ commentId: id, body: rewrite(v.body), createdAt: v.createdAt });
      }
      for (const r of c.reactions) {
        reactions.push({ commentId: id, userId: idOf(r.by)!, emoji: r.emoji, createdAt: r.createdAt });
      }
      made.push({
        at: c.createdAt,
        kind: 'comment.created',
        threadId,
        subjectId: id,
        authorId: idOf(c.author),
      });
    }
    for (const p of t.proposals) {
      const proposalId = randomUUID();
      if (p.id !== undefined) ids.proposals.set(p.id, proposalId);
      // Open with ballots that know no voter: closed now (see the top of this file).
      const closeNow = p.closedAt === null && p.anonymous && p.votes.length > 0;
      const closedAt = closeNow ? now : p.closedAt;
      if (closeNow) closedOnImport.push(p.title);
      const open = closedAt === null;
      const ballots: Choice[][] = [];
      for (const v of p.votes) {
        const voterId = p.anonymous ? null : idOf(v.voter);
        // A ballot on an open proposal belongs to a member; others' go, as when a member leaves.
        if (open && (voterId === null || !memberIds.has(voterId))) {
          withdrawnVotes += 1;
          continue;
        }
        ballots.push(v.choices);
        votes.push({
          proposalId,
          voterKey: voterId ?? randomUUID(),
          voterId,
          choices: v.choices,
          reason: v.reason === null ? null : rewrite(v.reason),
          // Named votes list by time: a file without one dates them from the proposal.
          createdAt: p.anonymous ? null : (v.createdAt ?? p.createdAt),
          updatedAt: p.anonymous ? null : (v.updatedAt ?? v.createdAt ?? p.createdAt),
        });
      }
      proposals.push({
        id: proposalId,
        thread_id: threadId,
        group_id: groupId,
        author_id: idOf(p.author),
        kind: p.kind,
        title: p.title,
        details: rewrite(p.details),
        closes_at: p.closesAt,
        closed_at: closedAt,
        anonymous: p.anonymous,
        results_hidden_until_closed: p.resultsHiddenUntilClosed,
        reason_required: p.reasonRequired,
        min_choices: p.minChoices,
        max_choices: p.maxChoices,
        max_score: p.maxScore,
        dots_per_voter: p.dotsPerVoter,
        ...thresholdsOf(p),
        eligible_count_at_close: open ? null : p.eligibleCount,
        // Ballots on an open proposal are keyed with this server's key; a closed one keys nobody.
        ballot_salt: open ? randomUUID() : null,
        ballot_key_id: open ? ballotKey(ctx.config.sessionSecret).id : null,
        created_at: p.createdAt,
      });
      p.options.forEach((o, position) => {
        options.push({ proposalId, id: o.id, position, label: o.label, startsAt: o.startsAt ?? null });
      });
      made.push({
        at: p.createdAt,
        kind: 'proposal.created',
        threadId,
        subjectId: proposalId,
        authorId: idOf(p.author),
      });
      for (const o of [...p.earlierOutcomes, ...(p.outcome ? [{ ...p.outcome, supersededAt: null }] : [])]) {
        const outcomeId = randomUUID();
        outcomes.push({
          id: outcomeId,
          proposalId,
          authorId: idOf(o.author),
          statement: rewrite(o.statement),
          reviewOn: o.reviewOn,
          createdAt: o.createdAt,
          supersededAt: o.supersededAt,
        });
        made.push({
          at: o.createdAt,
          kind: 'outcome.created',
          threadId,
          subjectId: proposalId,
          authorId: idOf(o.author),
          outcomeId,
        });
      }
      if (!open) finalResults.set(proposalId, frozenResults(p, ballots));
    }
  }

  await archiveDb.insertThreads(trx, threads);
  await archiveDb.insertComments(trx, comments);
  await archiveDb.insertVersions(trx, versions);
  await archiveDb.insertReactions(trx, reactions);
  await archiveDb.insertProposals(trx, proposals);
  await archiveDb.insertOptions(trx, options);
  await archiveDb.insertVotes(trx, votes);
  await archiveDb.insertOutcomes(trx, outcomes);
  for (const [proposalId, results] of finalResults) {
    await trx
      .updateTable('proposals')
      .set({ final_results: JSON.stringify(results) })
      .where('id', '=', proposalId)
      .execute();
  }
  return {
    threads,
    ids,
    commentIds: comments.map((c) => c.id),
    proposals: proposals.map((p) => p.id),
    made,
    votes: votes.length,
    withdrawnVotes,
    closedOnImport,
  };
}

/** A closed proposal's results, counted from its imported ballots, among those who could vote at its close. */
function frozenResults(p: ArchivedProposal, ballots: Choice[][]) {
  const rules = ballotRulesOf(p);
  const t = thresholdsOf(p);
  return tallyProposal(rules, ballots, p.eligibleCount, {
    quorumPercent: t.quorum_percent,
    passPercent: t.pass_percent,
    blockVetoes: t.block_vetoes,
  });
}

/** A proposal's quorum and thresholds as columns; an archive without them sets none. */
function thresholdsOf(p: ArchivedProposal) {
  return {
    quorum_percent: p.quorumPercent ?? null,
    pass_percent: p.passPercent ?? null,
    block_vetoes: p.blockVetoes ?? true,
  };
}
