import type { Kysely, Transaction } from 'kysely';
import type { Role } from '../../shared/schemas/groups';
import type { Outcome, Proposal } from '../../shared/schemas/proposals';
import type {
  CreateThreadBody,
  PatchThreadBody,
  SharedThread,
  Thread,
  ThreadListQuery,
  TimelineItem,
  TimelinePage,
  TimelineQuery,
} from '../../shared/schemas/threads';
import type { DB, UserRow } from '../db/schema';
import type { ThreadWithAuthor } from '../db/threads';
import * as threads from '../db/threads';
import {
  entriesAfter,
  entriesBefore,
  outcomesByIds,
  type TimelineEntry,
  timelineAccess,
} from '../db/timeline';
import { threadPermissions } from '../domain/permissions';
import { forbidden, invalid, notFound } from '../errors';
import { commentForViewer, loadSharedComments } from './comments';
import { type Ctx, writeTransaction } from './context';
import { groupAccess } from './groups';
import { forgetHomeOf } from './home-cache';
import { notifyMentions } from './mentions';
import { decodeCursor, encodeCursor, isExactTime, pageLimit } from './pagination';
import { loadProposalsForViewer } from './proposals/view';
import { isUuid, trimmed } from './text';
import type { SharedTimelineItem, SharedTimelinePage } from './types';

type Handle = Kysely<DB> | Transaction<DB>;

/** A thread as every subscriber of `thread.*` events sees it alike. */
function presentShared(row: ThreadWithAuthor, openProposalCount: number): SharedThread {
  return {
    id: row.id,
    groupId: row.group_id,
    title: row.title,
    body: row.body,
    author: row.author_id
      ? { id: row.author_id, name: row.author_name ?? '', handle: row.author_handle ?? '' }
      : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    pinned: row.pinned,
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
    commentCount: row.comment_count,
    lastActivityAt: row.last_activity_at.toISOString(),
    openProposalCount,
  };
}

/**
 * Threads as `readerId`, whose role in their group is `role`, sees them: with
 * their unread counts, read markers, open proposal counts and the reader's
 * permissions, in three queries for the whole list whatever its length.
 */
async function presentForReader(
  db: Handle,
  readerId: string,
  role: Role,
  rows: ThreadWithAuthor[],
): Promise<Thread[]> {
  const ids = rows.map((r) => r.id);
  const [unread, markers, proposals] = await Promise.all([
    threads.unreadCounts(db, readerId, ids),
    threads.readMarkers(db, readerId, ids),
    threads.openProposalCounts(db, ids),
  ]);
  return rows.map((row) => ({
    ...presentShared(row, proposals.get(row.id) ?? 0),
    unreadCount: unread.get(row.id) ?? 0,
    lastReadEventId: markers.get(row.id) ?? null,
    permissions: threadPermissions({ viewerId: readerId, role, authorId: row.author_id }),
  }));
}

/** The thread, the caller's role and the group's settings; 404 for a malformed id, a stranger or nothing. */
export async function threadAccess(ctx: Ctx, threadId: string, userId: string) {
  const found = isUuid(threadId) ? await threads.threadForMember(ctx.db, threadId, userId) : undefined;
  if (!found) throw notFound('thread');
  return found;
}

/** Starts a thread (members, or only facilitators when the group says so) and notifies `@`-mentioned members. */
export async function createThread(
  ctx: Ctx,
  groupId: string,
  user: UserRow,
  input: CreateThreadBody,
): Promise<Thread> {
  const { role } = await groupAccess(ctx, groupId, user.id, 'start_thread');
  const title = trimmed(input.title, '/title');
  const body = input.body ?? '';
  const shared = await writeTransaction(ctx, async (trx, emit) => {
    const { id } = await threads.insertThread(trx, { groupId, authorId: user.id, title, body });
    const thread = presentShared(await threads.threadWithAuthor(trx, id), 0);
    emit({
      kind: 'thread.created',
      groupId,
      threadId: id,
      actorId: user.id,
      subjectId: id,
      // Nobody has read a new thread, and it has nothing unread: the same for everyone.
      data: { thread: { ...thread, unreadCount: 0, lastReadEventId: null } },
      recordIdIn: { table: 'threads', id },
    });
    await notifyMentions(trx, emit, {
      groupId,
      threadId: id,
      threadTitle: title,
      commentId: null,
      actor: user,
      text: body,
    });
    return thread;
  });
  return {
    ...shared,
    unreadCount: 0,
    lastReadEventId: null,
    permissions: threadPermissions({ viewerId: user.id, role, authorId: user.id }),
  };
}

/** One thread as the caller sees it. */
export async function getThread(ctx: Ctx, threadId: string, userId: string): Promise<Thread> {
  const { thread, role } = await threadAccess(ctx, threadId, userId);
  const [presented] = await presentForReader(ctx.db, userId, role, [thread]);
  return presented!;
}

function isThreadCursor(v: unknown): v is threads.ThreadCursor {
  const c = v as Partial<threads.ThreadCursor>;
  return (
    typeof c?.pinned === 'boolean' &&
    isExactTime(c.lastActivityAt) &&
    typeof c.id === 'string' &&
    isUuid(c.id)
  );
}

/** A page of a group's threads: pinned first, then the most recently active. */
export async function listThreads(ctx: Ctx, groupId: string, userId: string, query: ThreadListQuery) {
  const { role } = await groupAccess(ctx, groupId, userId);
  const limit = pageLimit(query.limit);
  const after = decodeCursor(query.cursor, isThreadCursor);
  const rows = await threads.threadsPage(ctx.db, groupId, { status: query.status, after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: await presentForReader(ctx.db, userId, role, page),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ pinned: last.pinned, lastActivityAt: last.cursor_time, id: last.id })
        : null,
  };
}

/**
 * Changes a thread. Each field given needs its own right, checked before
 * anything changes (one refused field refuses the whole request):
 * - `title`, `body`: the author or a facilitator;
 * - `pinned`: facilitators;
 * - `closed: true`: facilitators or the author; `closed: false` (reopening):
 *   facilitators only, so an author cannot undo a facilitator's decision to
 *   end a discussion. (An author who closed by mistake asks a facilitator.)
 * A field given with the value it already has needs the same right but
 * changes nothing; a request that changes nothing emits no event.
 */
export async function updateThread(
  ctx: Ctx,
  threadId: string,
  user: UserRow,
  input: PatchThreadBody,
): Promise<Thread> {
  const { thread, role } = await threadAccess(ctx, threadId, user.id);
  const may = threadPermissions({ viewerId: user.id, role, authorId: thread.author_id });
  if ((input.title !== undefined || input.body !== undefined) && !may.edit) {
    throw forbidden('only the author or a facilitator may edit this thread');
  }
  if (input.pinned !== undefined && !may.pin) throw forbidden('only facilitators may pin or unpin a thread');
  if (input.closed === true && !may.close) {
    throw forbidden('only the author or a facilitator may close this thread');
  }
  if (input.closed === false && !may.reopen) throw forbidden('only facilitators may reopen a thread');
  const title = input.title === undefined ? undefined : trimmed(input.title, '/title');

  await writeTransaction(ctx, async (trx, emit) => {
    const current = await threads.lockThread(trx, threadId);
    if (!current) throw notFound('thread');
    const patch = {
      ...(title !== undefined && title !== current.title ? { title } : {}),
      ...(input.body !== undefined && input.body !== current.body ? { body: input.body } : {}),
      ...(input.pinned !== undefined && input.pinned !== current.pinned ? { pinned: input.pinned } : {}),
      ...(input.closed !== undefined && input.closed !== (current.closed_at !== null)
        ? { closed: input.closed }
        : {}),
    };
    if (Object.keys(patch).length === 0) return;
    await threads.updateThread(trx, threadId, patch);
    const [row, proposals] = await Promise.all([
      threads.threadWithAuthor(trx, threadId),
      threads.openProposalCounts(trx, [threadId]),
    ]);
    emit({
      kind: 'thread.updated',
      groupId: current.group_id,
      threadId,
      actorId: user.id,
      subjectId: threadId,
      // `changed` names the Thread fields that moved, for a client that shows what happened.
      data: {
        thread: presentShared(row, proposals.get(threadId) ?? 0),
        changed: Object.keys(patch).map((key) => (key === 'closed' ? 'closedAt' : key)),
      },
    });
    if (patch.body !== undefined) {
      await notifyMentions(trx, emit, {
        groupId: current.group_id,
        threadId,
        threadTitle: row.title,
        commentId: null,
        actor: user,
        text: patch.body,
      });
    }
  });
  return getThread(ctx, threadId, user.id);
}

/**
 * Moves the caller's read marker forward to `lastEventId` (never back). A
 * marker past the thread's newest event is held at that event, so comments
 * still to come count as unread.
 */
export async function markThreadRead(
  ctx: Ctx,
  threadId: string,
  userId: string,
  lastEventId: number,
): Promise<void> {
  // Membership and the thread's newest event in one round trip, as a timeline read checks them.
  const access = isUuid(threadId) ? await timelineAccess(ctx.db, threadId, userId) : undefined;
  if (!access) throw notFound('thread');
  const eventId = Math.min(lastEventId, access.lastEventId);
  if (eventId <= 0) return;
  await threads.advanceReadMarker(ctx.db, threadId, userId, eventId);
  // The member's home page lists threads by what is unread: this process's copies are out of date.
  forgetHomeOf(ctx, userId);
}

/**
 * A page of a thread's timeline, oldest first; see `TimelinePage` for the
 * cursors. Entries are keyed by the id of their creation event, which is
 * unique and becomes visible in increasing order (events are appended under
 * one lock), so paging forward from any entry never skips one committed later.
 *
 * The part every member sees alike comes from `ctx.timelines` while the
 * thread has no newer event; a reader who reacted on the page, or a page with
 * proposals (which carry the reader's vote), gets its own copy. Answers the
 * page's JSON (made by `serialize`, once per cached page) when nothing on it
 * is the reader's own.
 */
export async function getTimeline(
  ctx: Ctx,
  threadId: string,
  userId: string,
  query: TimelineQuery,
  serialize: (page: TimelinePage) => string = JSON.stringify,
): Promise<TimelinePage | string> {
  const limit = pageLimit(query.limit);
  if (query.cursor !== undefined && query.after !== undefined)
    throw invalid('/cursor', 'is the same as after: give one');
  const after = query.after ?? (query.cursor !== undefined ? Number(query.cursor) : undefined);
  const given = [after !== undefined, query.before !== undefined, query.latest === true].filter(
    Boolean,
  ).length;
  if (given > 1) throw invalid('', 'give at most one of after, before and latest=true');
  const at: PageAt =
    query.before !== undefined
      ? { before: query.before }
      : query.latest === true
        ? { before: Number.MAX_SAFE_INTEGER }
        : { after: after ?? 0 };

  // The thread's newest event is read first: whatever commits after it is
  // replayed by a stream subscription `since` it.
  let lastEventId = ctx.timelines.knownAccess(threadId, userId);
  if (lastEventId === undefined) {
    const epoch = ctx.timelines.accessEpoch();
    const access = isUuid(threadId) ? await timelineAccess(ctx.db, threadId, userId) : undefined;
    if (!access) throw notFound('thread');
    ctx.timelines.learnAccess(threadId, access.groupId, userId, access.lastEventId, epoch);
    lastEventId = access.lastEventId;
  }
  const key = `${threadId}|${'before' in at ? `<${at.before}` : `>${at.after}`}|${limit}`;
  let entry = ctx.timelines.get(key, lastEventId);
  if (!entry) {
    const epoch = ctx.timelines.epoch();
    const page = await readSharedPage(ctx.db, threadId, at, limit, lastEventId);
    entry = ctx.timelines.put(key, lastEventId, epoch, page);
  }
  const { page } = entry;
  const proposalIds = [...new Set(page.items.flatMap((i) => (i.proposalId ? [i.proposalId] : [])))];
  const own = entry.reactorIds.has(userId) || proposalIds.length > 0;
  if (!own) {
    entry.json ??= serialize(forReader(page, userId, new Map()));
    return entry.json;
  }
  const proposals =
    proposalIds.length > 0
      ? await loadProposalsForViewer(ctx, userId, proposalIds)
      : new Map<string, Proposal>();
  return forReader(page, userId, proposals);
}

type PageAt = { after: number } | { before: number };

/** The page as everyone sees it, in a few queries whatever its length. */
async function readSharedPage(
  db: Handle,
  threadId: string,
  at: PageAt,
  limit: number,
  lastEventId: number,
): Promise<SharedTimelinePage> {
  let entries: TimelineEntry[];
  let hasOlder: boolean;
  let hasNewer: boolean;
  if ('before' in at) {
    const rows = await entriesBefore(db, threadId, at.before, limit + 1);
    entries = rows.slice(0, limit).reverse();
    hasOlder = rows.length > limit;
    const last = entries[entries.length - 1];
    hasNewer =
      at.before !== Number.MAX_SAFE_INTEGER &&
      last !== undefined &&
      (await entriesAfter(db, threadId, last.eventId, 1)).length > 0;
  } else {
    const rows = await entriesAfter(db, threadId, at.after, limit + 1);
    entries = rows.slice(0, limit);
    hasNewer = rows.length > limit;
    const first = entries[0];
    hasOlder =
      at.after > 0 && first !== undefined && (await entriesBefore(db, threadId, first.eventId, 1)).length > 0;
  }
  const first = entries[0];
  const last = entries[entries.length - 1];
  return {
    items: await sharedItems(db, entries),
    nextCursor: hasNewer && last ? String(last.eventId) : null,
    prevCursor: hasOlder && first ? String(first.eventId) : null,
    lastEventId,
  };
}

/** Loads the shared payload of each entry: comments and outcomes; proposals are the reader's. */
async function sharedItems(db: Handle, entries: TimelineEntry[]): Promise<SharedTimelineItem[]> {
  const ids = (kind: TimelineEntry['kind']) => entries.filter((e) => e.kind === kind).map((e) => e.id);
  const [comments, outcomes] = await Promise.all([
    loadSharedComments(db, ids('comment')),
    outcomesByIds(db, ids('outcome')),
  ]);
  const outcomeById = new Map<string, Outcome>(
    outcomes.map((o) => [
      o.id,
      {
        statement: o.statement,
        author: o.author_id ? { id: o.author_id, name: o.author_name ?? '' } : null,
        createdAt: o.created_at.toISOString(),
        reviewOn: o.review_on,
      },
    ]),
  );
  const items: SharedTimelineItem[] = [];
  for (const entry of entries) {
    const item: SharedTimelineItem = { eventId: entry.eventId, kind: entry.kind, at: entry.at.toISOString() };
    if (entry.kind === 'comment') {
      const comment = comments.get(entry.id);
      if (!comment) continue;
      item.comment = comment;
    }
    if (entry.proposalId) item.proposalId = entry.proposalId;
    if (entry.kind === 'outcome') {
      const outcome = outcomeById.get(entry.id);
      if (outcome) item.outcome = outcome;
    }
    items.push(item);
  }
  return items;
}

/** The page as `readerId` sees it: their own reactions marked, their proposals (with their vote) in place. */
function forReader(
  page: SharedTimelinePage,
  readerId: string,
  proposals: Map<string, Proposal>,
): TimelinePage {
  const items: TimelineItem[] = [];
  for (const shared of page.items) {
    const item: TimelineItem = { eventId: shared.eventId, kind: shared.kind, at: shared.at };
    if (shared.comment) item.comment = commentForViewer(shared.comment, readerId);
    if (shared.proposalId) {
      const proposal = proposals.get(shared.proposalId);
      if (proposal) item.proposal = proposal;
    }
    if (shared.outcome) item.outcome = shared.outcome;
    items.push(item);
  }
  return {
    items,
    nextCursor: page.nextCursor,
    prevCursor: page.prevCursor,
    lastEventId: page.lastEventId,
  };
}
