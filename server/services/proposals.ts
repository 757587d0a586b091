import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type {
  CreateProposalBody,
  OutcomeBody,
  PatchProposalBody,
  Proposal,
  Results,
  UndecidedPage,
  Vote,
  VoteBody,
} from '../../shared/schemas/proposals';
import { validateBallot } from '../domain/ballot';
import { can } from '../domain/permissions';
import { settingsOf } from './groups';
import { CONSENT_POSITIONS, type Choice, tallyProposal } from '../domain/tally';
import * as repo from '../db/proposals';
import type { DB, ProposalKind, UserRow } from '../db/schema';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors';
import { type Ctx, type Emit, writeTransaction } from './context';
import { addNotifications } from './notifications';
import { decodeCursor, encodeCursor, pageLimit } from './pagination';
import { isUuid, trimmed } from './text';
import { VoteBatcher } from './vote-batcher';
import {
  ballotKey,
  ballotRules,
  presentVote,
  proposalClosed,
  requireVoterKey,
  voterKey,
  voteSummary,
} from './ballots';

type Db = Ctx['db'] | Transaction<DB>;
type ProposalRow = Awaited<ReturnType<typeof repo.proposalRows>>[number];

/** Rows grouped by their proposal (Node 20 has no Map.groupBy). */
function byProposal<T extends { proposal_id: string }>(rows: T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const list = grouped.get(row.proposal_id);
    if (list) list.push(row);
    else grouped.set(row.proposal_id, [row]);
  }
  return grouped;
}

/**
 * Proposals as `viewerId` sees them over HTTP, by id: options, outcome,
 * counts, the viewer's own vote, and results (null while hidden; frozen at
 * close). Pass `viewerId: null` for the form shared by every stream subscriber;
 * finding a viewer's anonymous vote takes the server secret, so the `ctx`.
 */
export function loadProposalsForViewer(
  ctx: Ctx,
  viewerId: string | null,
  proposalIds: string[],
): Promise<Map<string, Proposal>>;
export function loadProposalsForViewer(
  db: Db,
  viewerId: null,
  proposalIds: string[],
): Promise<Map<string, Proposal>>;
export async function loadProposalsForViewer(
  source: Ctx | Db,
  viewerId: string | null,
  proposalIds: string[],
): Promise<Map<string, Proposal>> {
  const ctx = isCtx(source) ? source : null;
  const db = ctx ? ctx.db : (source as Db);
  const rows = await repo.proposalRows(db, proposalIds);
  if (rows.length === 0) return new Map();
  const ids = rows.map((r) => r.id);
  const [options, outcomes, ballots, counts] = await Promise.all([
    repo.optionsOf(db, ids),
    repo.currentOutcomes(db, ids),
    repo.ballotsOf(db, ids),
    repo.memberCounts(db, [...new Set(rows.map((r) => r.group_id))]),
  ]);
  const mine =
    viewerId && ctx
      ? await repo.votesByPairs(
          db,
          rows.flatMap((r) => {
            const key = voterKey(ctx.config.sessionSecret, r, viewerId);
            return key === null ? [] : [{ proposalId: r.id, voterKey: key }];
          }),
        )
      : [];
  // Grouped once: the decision log loads thousands of proposals, and their ballots one row per vote.
  const optionsOf = byProposal(options);
  const ballotsOf = byProposal(ballots);
  const outcomeOf = new Map(outcomes.map((o) => [o.proposal_id, o]));
  const mineOf = new Map(mine.map((v) => [v.proposal_id, v]));
  const result = new Map<string, Proposal>();
  for (const row of rows) {
    const own = optionsOf.get(row.id) ?? [];
    const cast = (ballotsOf.get(row.id) ?? []).map((b) => b.choices as Choice[]);
    const outcome = outcomeOf.get(row.id);
    const myVote = mineOf.get(row.id);
    const eligibleCount = row.closed_at
      ? (row.eligible_count_at_close ?? 0)
      : (counts.get(row.group_id) ?? 0) + row.departed_ballots;
    result.set(row.id, {
      ...presentProposalCore(row, own),
      voterCount: cast.length,
      eligibleCount,
      ...(viewerId ? { myVote: myVote ? presentVote(myVote, row.anonymous) : null } : {}),
      results: resultsFor(row, own, cast, eligibleCount),
      outcome: outcome
        ? {
            statement: outcome.statement,
            author: outcome.author_id ? { id: outcome.author_id, name: outcome.author_name ?? '' } : null,
            createdAt: outcome.created_at.toISOString(),
            reviewOn: outcome.review_on_text,
          }
        : null,
    });
  }
  return result;
}

function isCtx(source: Ctx | Db): source is Ctx {
  return 'config' in source && 'db' in source;
}

function resultsFor(
  row: ProposalRow,
  options: { id: string; label: string; starts_at: Date | null }[],
  ballots: Choice[][],
  eligibleCount: number,
): Results | null {
  if (row.closed_at)
    return (
      (row.final_results as Results | null) ??
      tallyProposal(ballotRules(row, options), ballots, eligibleCount)
    );
  if (row.results_hidden_until_closed) return null;
  return tallyProposal(ballotRules(row, options), ballots, eligibleCount);
}

function presentProposalCore(
  row: ProposalRow,
  options: { id: string; label: string; starts_at: Date | null }[],
) {
  return {
    id: row.id,
    threadId: row.thread_id,
    groupId: row.group_id,
    kind: row.kind,
    title: row.title,
    details: row.details,
    options: options.map((o) => ({
      id: o.id,
      label: o.label,
      ...(row.kind === 'meeting' ? { startsAt: o.starts_at?.toISOString() ?? null } : {}),
    })),
    closesAt: row.closes_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    anonymous: row.anonymous,
    resultsHiddenUntilClosed: row.results_hidden_until_closed,
    reasonRequired: row.reason_required,
    minChoices: row.min_choices,
    maxChoices: row.max_choices,
    maxScore: row.max_score,
    dotsPerVoter: row.dots_per_voter,
    author: row.author_id ? { id: row.author_id, name: row.author_name ?? '' } : null,
    createdAt: row.created_at.toISOString(),
  };
}

/** One proposal as `ctx`'s viewer sees it, or (given a transaction) as every subscriber does. */
async function loadOne(source: Ctx | Db, viewerId: string | null, id: string): Promise<Proposal> {
  const p = (
    isCtx(source)
      ? await loadProposalsForViewer(source, viewerId, [id])
      : await loadProposalsForViewer(source, null, [id])
  ).get(id);
  if (!p) throw notFound('proposal');
  return p;
}

/** The proposal and the caller's role, or 404 for outsiders and unknown ids. */
async function access(ctx: Ctx, proposalId: string, userId: string) {
  const found = isUuid(proposalId) ? await repo.proposalForMember(ctx.db, proposalId, userId) : undefined;
  if (!found) throw notFound('proposal');
  return found;
}

function mayManage(p: { author_id: string | null; role: string }, userId: string): boolean {
  return p.role === 'facilitator' || p.author_id === userId;
}

/** Options as given, checked against the kind's rules; consent proposals get the fixed positions. */
function checkOptions(
  kind: ProposalKind,
  given: { label: string; startsAt?: string }[] | undefined,
): { id: string; label: string; startsAt: Date | null }[] {
  if (kind === 'proposal') {
    if (given && given.length > 0)
      throw invalid('/options', 'are fixed for consent proposals: leave them out');
    return CONSENT_POSITIONS.map((position) => ({ id: position, label: position, startsAt: null }));
  }
  const options = given ?? [];
  const min = kind === 'meeting' ? 1 : 2;
  if (options.length < min) throw invalid('/options', `need at least ${min} for a ${kind.replace('_', ' ')}`);
  const seen = new Set<string>();
  return options.map((o, i) => {
    const label = trimmed(o.label, `/options/${i}/label`);
    const key = `${label.toLowerCase()}|${o.startsAt ?? ''}`;
    if (seen.has(key)) throw invalid(`/options/${i}/label`, `"${label}" is listed twice`);
    seen.add(key);
    if (kind === 'meeting' && !o.startsAt)
      throw invalid(`/options/${i}/startsAt`, 'is required for a meeting slot');
    return {
      id: randomUUID(),
      label,
      startsAt: kind === 'meeting' && o.startsAt ? new Date(o.startsAt) : null,
    };
  });
}

function futureDate(value: string, path: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(path, 'is not a date');
  if (date.getTime() <= Date.now()) throw invalid(path, 'must be in the future');
  return date;
}

async function notifyGroup(
  trx: Transaction<DB>,
  emit: Emit,
  groupId: string,
  exceptUserId: string | null,
  make: (member: { id: string }) => Parameters<typeof addNotifications>[2][number],
) {
  const members = await repo.groupMembers(trx, groupId);
  await addNotifications(
    trx,
    emit,
    members.filter((m) => m.id !== exceptUserId).map((m) => make(m)),
  );
}

export async function createProposal(ctx: Ctx, threadId: string, user: UserRow, body: CreateProposalBody) {
  const thread = isUuid(threadId) ? await repo.threadForMember(ctx.db, threadId, user.id) : undefined;
  if (!thread) throw notFound('thread');
  if (!can(thread.role, settingsOf(thread), 'create_proposal'))
    throw forbidden('only facilitators may create proposals here');
  const title = trimmed(body.title, '/title');
  const closesAt = futureDate(body.closesAt, '/closesAt');
  const options = checkOptions(body.kind, body.options);
  const poll = body.kind === 'poll';
  const minChoices = poll ? (body.minChoices ?? 1) : 1;
  const maxChoices = poll ? (body.maxChoices ?? Math.max(1, minChoices)) : 1;
  if (poll && minChoices > maxChoices) throw invalid('/minChoices', 'must not be more than maxChoices');
  if (poll && maxChoices > options.length)
    throw invalid('/maxChoices', 'must not be more than the number of options');
  if (poll && minChoices < 1) throw invalid('/minChoices', 'must be at least 1');
  if (thread.closed_at) throw new AppError(409, 'thread_closed', 'this thread is closed');

  const id = await writeTransaction(ctx, async (trx, emit) => {
    // Re-checked under the transaction: a thread closed a moment ago takes no new proposal. The lock
    // is the one the thread's update below needs anyway: two creations holding a share lock each and
    // then both updating the thread deadlocked.
    const locked = await trx
      .selectFrom('threads')
      .select('closed_at')
      .where('id', '=', threadId)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!locked || locked.closed_at) throw new AppError(409, 'thread_closed', 'this thread is closed');
    const row = await repo.insertProposal(trx, {
      threadId,
      groupId: thread.group_id,
      authorId: user.id,
      kind: body.kind,
      title,
      details: body.details ?? '',
      closesAt,
      anonymous: body.anonymous ?? false,
      resultsHiddenUntilClosed: body.resultsHiddenUntilClosed ?? false,
      reasonRequired: body.reasonRequired ?? false,
      minChoices,
      maxChoices,
      maxScore: body.kind === 'score' ? (body.maxScore ?? 5) : 5,
      dotsPerVoter: body.kind === 'dot_vote' ? (body.dotsPerVoter ?? 10) : 10,
      ballotSalt: randomUUID(),
      ballotKeyId: ballotKey(ctx.config.sessionSecret).id,
    });
    await repo.replaceOptions(trx, row.id, options);
    await trx
      .updateTable('threads')
      .set({ last_activity_at: new Date() })
      .where('id', '=', threadId)
      .execute();
    const shared = await loadOne(trx, null, row.id);
    emit({
      kind: 'proposal.created',
      groupId: thread.group_id,
      threadId,
      actorId: user.id,
      subjectId: row.id,
      data: { proposal: shared },
      recordIdIn: { table: 'proposals', id: row.id },
    });
    await notifyGroup(trx, emit, thread.group_id, user.id, (m) => ({
      userId: m.id,
      kind: 'proposal_created',
      actorId: user.id,
      groupId: thread.group_id,
      threadId,
      proposalId: row.id,
      text: `${user.name} asks you to vote: ${title}`,
    }));
    return row.id;
  });
  return loadOne(ctx, user.id, id);
}

export async function getProposal(ctx: Ctx, proposalId: string, userId: string) {
  await access(ctx, proposalId, userId);
  return loadOne(ctx, userId, proposalId);
}

function isListCursor(v: unknown): v is { createdAt: string; id: string } {
  const c = v as { createdAt?: unknown; id?: unknown };
  return (
    typeof c?.createdAt === 'string' &&
    !Number.isNaN(Date.parse(c.createdAt)) &&
    typeof c.id === 'string' &&
    isUuid(c.id)
  );
}

/** A group's proposals, newest first. */
export async function listGroupProposals(
  ctx: Ctx,
  groupId: string,
  userId: string,
  query: { status?: 'open' | 'closed'; limit?: number; cursor?: string; threadId?: string },
) {
  const limit = pageLimit(query.limit);
  const after = decodeCursor(query.cursor, isListCursor);
  let q = ctx.db.selectFrom('proposals').select(['id', 'created_at']).where('group_id', '=', groupId);
  if (query.threadId) q = q.where('thread_id', '=', query.threadId);
  if (query.status === 'open') q = q.where('closed_at', 'is', null);
  if (query.status === 'closed') q = q.where('closed_at', 'is not', null);
  if (after) {
    const at = new Date(after.createdAt);
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', after.id)])]),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const loaded = await loadProposalsForViewer(
    ctx,
    userId,
    page.map((r) => r.id),
  );
  const last = page[page.length - 1];
  return {
    items: page.map((r) => loaded.get(r.id)!).filter(Boolean),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id })
        : null,
  };
}

type BallotContext = {
  p: Omit<NonNullable<Awaited<ReturnType<typeof repo.proposalForMember>>>, 'role'>;
  options: Awaited<ReturnType<typeof repo.optionsOf>>;
};
const BALLOT_CONTEXT_TTL_MS = 2_000;
const MEMBERSHIP_TTL_MS = 10_000;
const caches = new WeakMap<
  Ctx,
  { proposals: Map<string, { value: BallotContext; expires: number }>; members: Map<string, number> }
>();

/**
 * The proposal and options a ballot is checked against, and the voter's
 * membership, remembered for a few seconds: a thousand members voting at
 * once cost one proposal lookup, not a thousand. Only what lets a vote
 * through is remembered (a member who just joined is never turned away, a
 * cached "closed" is never trusted), and the vote's own transaction checks
 * membership, the close and the options again under a lock.
 */
async function ballotContext(ctx: Ctx, proposalId: string, userId: string): Promise<BallotContext> {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = { proposals: new Map(), members: new Map() };
    caches.set(ctx, cache);
  }
  const now = Date.now();
  const hit = cache.proposals.get(proposalId);
  const open = hit && hit.expires > now && !hit.value.p.closed_at && hit.value.p.closes_at.getTime() > now;
  const memberUntil = hit ? (cache.members.get(`${hit.value.p.group_id}:${userId}`) ?? 0) : 0;
  if (open && memberUntil > now) return hit.value;
  const { role: _role, ...p } = await access(ctx, proposalId, userId);
  const value = open ? hit.value : { p, options: await repo.optionsOf(ctx.db, [proposalId]) };
  if (cache.proposals.size > 10_000) cache.proposals.clear();
  if (cache.members.size > 100_000) cache.members.clear();
  if (!open) cache.proposals.set(proposalId, { value, expires: now + BALLOT_CONTEXT_TTL_MS });
  cache.members.set(`${p.group_id}:${userId}`, now + MEMBERSHIP_TTL_MS);
  return value;
}

// One batcher per running app: votes arriving together share a transaction.
const batchers = new WeakMap<Ctx, VoteBatcher>();
function batcherFor(ctx: Ctx): VoteBatcher {
  let batcher = batchers.get(ctx);
  if (!batcher) {
    batcher = new VoteBatcher(ctx);
    batchers.set(ctx, batcher);
  }
  return batcher;
}

/** Casts or replaces the caller's vote. */
export async function castVote(ctx: Ctx, proposalId: string, user: UserRow, body: VoteBody): Promise<Vote> {
  const { p, options } = await ballotContext(ctx, proposalId, user.id);
  if (p.closed_at || p.closes_at.getTime() <= Date.now()) throw proposalClosed();
  const reason = body.reason?.trim() ? body.reason : null;
  if (p.reason_required && !reason) throw invalid('/reason', 'is required on this proposal');
  const checked = validateBallot(ballotRules(p, options), body.choices);
  if (!checked.ok) {
    const first = checked.details[0]!;
    throw new AppError(400, 'validation_failed', `${first.path.slice(1)} ${first.message}`, checked.details);
  }
  return batcherFor(ctx).submit({
    proposalId,
    voterKey: requireVoterKey(ctx.config.sessionSecret, p, user.id),
    userId: user.id,
    userName: user.name,
    choices: checked.choices,
    reason,
  });
}

/** Retracts the caller's vote. */
export async function retractVote(ctx: Ctx, proposalId: string, user: UserRow): Promise<void> {
  await access(ctx, proposalId, user.id);
  await writeTransaction(ctx, async (trx, emit) => {
    const [p] = await repo.lockProposalsForVoting(trx, [proposalId], [user.id]).execute();
    if (!p) throw notFound('proposal');
    if (p.closed_at || p.past_closing) throw proposalClosed();
    const key = requireVoterKey(ctx.config.sessionSecret, p, user.id);
    const removed = await trx
      .deleteFrom('votes')
      .where('proposal_id', '=', proposalId)
      .where('voter_key', '=', key)
      .returningAll()
      .executeTakeFirst();
    if (!removed) throw notFound('vote');
    // A ballot left behind when its voter went, taken back now they are here again.
    if (removed.departed) await repo.countDeparted(trx, proposalId, -1);
    if (!p.anonymous) {
      await trx
        .insertInto('vote_history')
        .values({
          proposal_id: proposalId,
          voter_id: user.id,
          choices: JSON.stringify(removed.choices),
          reason: removed.reason,
        })
        .execute();
    }
    const eligible = Number(p.eligible_count) - (removed.departed ? 1 : 0);
    const summary = await voteSummary(trx, proposalId, p, eligible);
    emit({
      kind: 'vote.retracted',
      groupId: p.group_id,
      threadId: p.thread_id,
      actorId: p.anonymous ? null : user.id,
      subjectId: proposalId,
      data: { proposalId, voter: p.anonymous ? null : { id: user.id, name: user.name }, ...summary },
    });
  });
}

/**
 * The votes of a proposal; hidden results show only your own. Anonymous ones
 * carry no voter and no time, and come in the order of their keys, which
 * says nothing of when they were cast (a vote replaced keeps its place).
 */
export async function listVotes(
  ctx: Ctx,
  proposalId: string,
  userId: string,
  query: { limit?: number; cursor?: string },
) {
  const p = await access(ctx, proposalId, userId);
  const limit = pageLimit(query.limit);
  const after = decodeCursor(query.cursor, (v): v is { updatedAt?: string; key: string } => {
    const c = v as { updatedAt?: unknown; key?: unknown };
    return (
      typeof c?.key === 'string' &&
      (p.anonymous || (typeof c.updatedAt === 'string' && !Number.isNaN(Date.parse(c.updatedAt))))
    );
  });
  let q = ctx.db
    .selectFrom('votes')
    .leftJoin('users', 'users.id', 'votes.voter_id')
    .selectAll('votes')
    .select('users.name as voter_name')
    .where('votes.proposal_id', '=', proposalId);
  if (p.results_hidden_until_closed && !p.closed_at) {
    const own = voterKey(ctx.config.sessionSecret, p, userId);
    if (own === null) return { items: [], nextCursor: null };
    q = q.where('votes.voter_key', '=', own);
  }
  if (after && p.anonymous) q = q.where('votes.voter_key', '>', after.key);
  else if (after) {
    const at = new Date(after.updatedAt!);
    q = q.where((eb) =>
      eb.or([
        eb('votes.updated_at', '>', at),
        eb.and([eb('votes.updated_at', '=', at), eb('votes.voter_key', '>', after.key)]),
      ]),
    );
  }
  if (!p.anonymous) q = q.orderBy('votes.updated_at');
  const rows = await q
    .orderBy('votes.voter_key')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => presentVote(r, p.anonymous)),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(
            p.anonymous
              ? { key: last.voter_key }
              : { updatedAt: last.updated_at!.toISOString(), key: last.voter_key },
          )
        : null,
  };
}

/**
 * Members who have not voted yet ("12 of 20 have voted" and who is missing).
 * On anonymous proposals only how many: read after each vote, the names would
 * say who cast the ballot that just arrived.
 */
export async function listUndecided(ctx: Ctx, proposalId: string, userId: string): Promise<UndecidedPage> {
  const p = await access(ctx, proposalId, userId);
  if (p.anonymous) {
    const proposal = await loadOne(ctx.db, null, proposalId);
    return { items: [], nextCursor: null, count: Math.max(0, proposal.eligibleCount - proposal.voterCount) };
  }
  const [members, keys] = await Promise.all([
    repo.groupMembers(ctx.db, p.group_id),
    repo.voterKeysOf(ctx.db, proposalId),
  ]);
  const voted = new Set(keys.map((k) => k.voter_key));
  const items = members.filter((m) => !voted.has(m.id)).map((m) => ({ id: m.id, name: m.name }));
  return { items, nextCursor: null, count: items.length };
}

/**
 * Freezes who could vote and the results, inside the closing transaction; on
 * anonymous proposals, then erases every link between ballots and voters.
 */
async function finalize(trx: Transaction<DB>, proposalId: string) {
  const [row] = await repo.proposalRows(trx, [proposalId]);
  const [options, ballots, counts] = await Promise.all([
    repo.optionsOf(trx, [proposalId]),
    repo.ballotsOf(trx, [proposalId]),
    repo.memberCounts(trx, [row!.group_id]),
  ]);
  const eligible = (counts.get(row!.group_id) ?? 0) + row!.departed_ballots;
  const results = tallyProposal(
    ballotRules(row!, options),
    ballots.map((b) => b.choices as Choice[]),
    eligible,
  );
  await trx
    .updateTable('proposals')
    .set({ eligible_count_at_close: eligible, final_results: JSON.stringify(results) })
    .where('id', '=', proposalId)
    .execute();
  if (row!.anonymous) await repo.eraseVoterLinks(trx, row!);
  return row!;
}

async function writeOutcome(
  trx: Transaction<DB>,
  emit: Emit,
  p: { id: string; group_id: string; thread_id: string; title: string },
  author: UserRow,
  body: OutcomeBody,
) {
  if (!body.statement.trim()) throw invalid('/statement', 'must not be empty');
  await trx
    .updateTable('outcomes')
    .set({ superseded_at: new Date() })
    .where('proposal_id', '=', p.id)
    .where('superseded_at', 'is', null)
    .execute();
  const outcome = await trx
    .insertInto('outcomes')
    .values({
      proposal_id: p.id,
      author_id: author.id,
      statement: body.statement,
      review_on: body.reviewOn ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  emit({
    kind: 'outcome.created',
    groupId: p.group_id,
    threadId: p.thread_id,
    actorId: author.id,
    subjectId: p.id,
    data: { proposal: await loadOne(trx, null, p.id) },
    recordIdIn: { table: 'outcomes', id: outcome.id },
  });
  await notifyGroup(trx, emit, p.group_id, author.id, (m) => ({
    userId: m.id,
    kind: 'outcome_created',
    actorId: author.id,
    groupId: p.group_id,
    threadId: p.thread_id,
    proposalId: p.id,
    text: `Outcome of "${p.title}": ${body.statement.slice(0, 140)}`,
  }));
}

/** Closes a proposal now, optionally stating its outcome in the same change. */
export async function closeProposal(
  ctx: Ctx,
  proposalId: string,
  user: UserRow,
  outcome: OutcomeBody | undefined,
) {
  const p = await access(ctx, proposalId, user.id);
  if (!mayManage(p, user.id)) throw forbidden('only facilitators and the author may close this proposal');
  if (p.closed_at) throw proposalClosed();
  await writeTransaction(ctx, async (trx, emit) => {
    // Waits for votes being written (they hold a share lock) and then takes them all into the result.
    const closed = await trx
      .updateTable('proposals')
      .set({ closed_at: new Date() })
      .where('id', '=', proposalId)
      .where('closed_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!closed) throw proposalClosed();
    await announceClosed(trx, emit, proposalId, user.id);
    if (outcome) await writeOutcome(trx, emit, p, user, outcome);
  });
  return loadOne(ctx, user.id, proposalId);
}

/** Freezes the results and tells everyone: shared by closing by hand and by the clock. */
export async function announceClosed(
  trx: Transaction<DB>,
  emit: Emit,
  proposalId: string,
  actorId: string | null,
) {
  const row = await finalize(trx, proposalId);
  emit({
    kind: 'proposal.closed',
    groupId: row.group_id,
    threadId: row.thread_id,
    actorId,
    subjectId: proposalId,
    data: { proposal: await loadOne(trx, null, proposalId) },
  });
  await notifyGroup(trx, emit, row.group_id, actorId, (m) => ({
    userId: m.id,
    kind: 'proposal_closed',
    actorId,
    groupId: row.group_id,
    threadId: row.thread_id,
    proposalId,
    text: `Voting has closed on "${row.title}"`,
  }));
}

/** States (or restates) the outcome of a closed proposal; earlier outcomes stay in history. */
export async function setOutcome(ctx: Ctx, proposalId: string, user: UserRow, body: OutcomeBody) {
  const p = await access(ctx, proposalId, user.id);
  if (!mayManage(p, user.id)) throw forbidden('only facilitators and the author may state the outcome');
  await writeTransaction(ctx, async (trx, emit) => {
    const locked = await trx
      .selectFrom('proposals')
      .select('closed_at')
      .where('id', '=', proposalId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked?.closed_at) throw conflict('close the proposal before stating its outcome');
    await writeOutcome(trx, emit, p, user, body);
  });
  return loadOne(ctx, user.id, proposalId);
}

/** Opens a closed proposal again with a new closing time. */
export async function reopenProposal(ctx: Ctx, proposalId: string, user: UserRow, closesAtRaw: string) {
  const p = await access(ctx, proposalId, user.id);
  if (p.role !== 'facilitator') throw forbidden('only facilitators may reopen a proposal');
  const closesAt = futureDate(closesAtRaw, '/closesAt');
  await writeTransaction(ctx, async (trx, emit) => {
    const locked = await trx
      .selectFrom('proposals')
      .select(['closed_at', 'anonymous'])
      .where('id', '=', proposalId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked?.closed_at) throw conflict('this proposal is open already');
    // Its ballots no longer know their voters: reopened, a voter could not replace theirs and would vote twice.
    const cast = await trx
      .selectFrom('votes')
      .select('voter_key')
      .where('proposal_id', '=', proposalId)
      .limit(1)
      .execute();
    if (locked.anonymous && cast.length > 0) {
      throw conflict(
        'an anonymous proposal that has votes cannot be reopened: its ballots were unlinked from their voters at the close; put a new proposal instead',
      );
    }
    await trx
      .updateTable('proposals')
      .set({
        closed_at: null,
        closes_at: closesAt,
        eligible_count_at_close: null,
        final_results: null,
        closing_soon_notified: false,
        ...(locked.anonymous
          ? { ballot_salt: randomUUID(), ballot_key_id: ballotKey(ctx.config.sessionSecret).id }
          : {}),
      })
      .where('id', '=', proposalId)
      .execute();
    await trx
      .updateTable('outcomes')
      .set({ superseded_at: new Date() })
      .where('proposal_id', '=', proposalId)
      .where('superseded_at', 'is', null)
      .execute();
    emit({
      kind: 'proposal.reopened',
      groupId: p.group_id,
      threadId: p.thread_id,
      actorId: user.id,
      subjectId: proposalId,
      data: { proposal: await loadOne(trx, null, proposalId) },
    });
  });
  return loadOne(ctx, user.id, proposalId);
}

/** Edits an open proposal; options change only until the first vote. */
export async function updateProposal(ctx: Ctx, proposalId: string, user: UserRow, body: PatchProposalBody) {
  const p = await access(ctx, proposalId, user.id);
  if (!mayManage(p, user.id)) throw forbidden('only facilitators and the author may edit this proposal');
  const title = body.title === undefined ? undefined : trimmed(body.title, '/title');
  const closesAt = body.closesAt === undefined ? undefined : futureDate(body.closesAt, '/closesAt');
  const options = body.options === undefined ? undefined : checkOptions(p.kind, body.options);
  if (options && p.kind === 'poll' && p.max_choices > options.length) {
    throw invalid(
      '/options',
      `this poll lets people choose ${p.max_choices}; give at least that many options`,
    );
  }
  await writeTransaction(ctx, async (trx, emit) => {
    const locked = await trx
      .selectFrom('proposals')
      .select(['closed_at', 'closes_at'])
      .where('id', '=', proposalId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked || locked.closed_at || locked.closes_at.getTime() <= Date.now()) throw proposalClosed();
    if (options && p.kind !== 'proposal') {
      const votes = await trx
        .selectFrom('votes')
        .select('voter_key')
        .where('proposal_id', '=', proposalId)
        .limit(1)
        .execute();
      if (votes.length > 0) throw conflict('votes have been cast; the options can no longer change');
      await repo.replaceOptions(trx, proposalId, options);
    }
    const patch = {
      ...(title !== undefined ? { title } : {}),
      ...(body.details !== undefined ? { details: body.details } : {}),
      ...(closesAt !== undefined ? { closes_at: closesAt, closing_soon_notified: false } : {}),
    };
    if (Object.keys(patch).length > 0)
      await trx.updateTable('proposals').set(patch).where('id', '=', proposalId).execute();
    emit({
      kind: 'proposal.updated',
      groupId: p.group_id,
      threadId: p.thread_id,
      actorId: user.id,
      subjectId: proposalId,
      data: { proposal: await loadOne(trx, null, proposalId) },
    });
  });
  return loadOne(ctx, user.id, proposalId);
}
