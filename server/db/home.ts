import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

// The home page's questions asked across all of a member's groups at once: each
// is one query joined through the member's memberships, never one per group.

/** Open proposals (not closed, closing time still ahead) in the groups `userId` belongs to, with group and thread names. */
function openProposalsOfMember(db: Handle, userId: string, now: Date) {
  return db
    .selectFrom('proposals')
    .innerJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'proposals.group_id').on('memberships.user_id', '=', userId),
    )
    .innerJoin('groups', 'groups.id', 'proposals.group_id')
    .innerJoin('threads', 'threads.id', 'proposals.thread_id')
    .select([
      'proposals.id',
      'proposals.group_id',
      'proposals.thread_id',
      'proposals.closes_at',
      'proposals.closed_at',
      'proposals.anonymous',
      'proposals.ballot_salt',
      'proposals.ballot_key_id',
      'groups.name as group_name',
      'threads.title as thread_title',
    ])
    .where('proposals.closed_at', 'is', null)
    .where('proposals.closes_at', '>', now);
}

/** An open proposal of one of the member's groups, as the home page's lists find it. */
export type OpenProposalRow = Awaited<ReturnType<typeof proposalsClosingBy>>[number];

/** Where the previous page of `unvotedProposals` stopped. */
export interface ClosingCursor {
  closesAt: Date;
  id: string;
}

/**
 * A page of the member's open proposals they have not voted on, soonest close
 * first. Whether they voted is known here only where votes are keyed by voter
 * id: anonymous proposals are all returned, for the caller to check with keys
 * only the server can make (`voterKey`).
 */
export function unvotedProposals(
  db: Handle,
  userId: string,
  options: { now: Date; after: ClosingCursor | null; limit: number },
) {
  let q = openProposalsOfMember(db, userId, options.now).where((eb) =>
    eb.or([
      eb('proposals.anonymous', '=', true),
      eb.not(
        eb.exists(
          eb
            .selectFrom('votes')
            .select(sql`1`.as('one'))
            .whereRef('votes.proposal_id', '=', 'proposals.id')
            .where('votes.voter_key', '=', userId),
        ),
      ),
    ]),
  );
  const after = options.after;
  if (after) {
    q = q.where(
      sql<boolean>`(proposals.closes_at, proposals.id) > (${after.closesAt}::timestamptz, ${after.id}::uuid)`,
    );
  }
  return q.orderBy('proposals.closes_at').orderBy('proposals.id').limit(options.limit).execute();
}

/** The member's open proposals closing by `until`, voted on or not, soonest close first. */
export function proposalsClosingBy(
  db: Handle,
  userId: string,
  options: { now: Date; until: Date; limit: number },
) {
  return openProposalsOfMember(db, userId, options.now)
    .where('proposals.closes_at', '<=', options.until)
    .orderBy('proposals.closes_at')
    .orderBy('proposals.id')
    .limit(options.limit)
    .execute();
}

/** Of these (proposal, voter key) pairs, the proposals that hold a vote under that key. */
export async function proposalsVotedWith(
  db: Handle,
  pairs: { proposalId: string; voterKey: string }[],
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await db
    .selectFrom('votes')
    .select('votes.proposal_id')
    .where((eb) =>
      eb(
        eb.refTuple('votes.proposal_id', 'votes.voter_key'),
        'in',
        pairs.map((p) => eb.tuple(p.proposalId, p.voterKey)),
      ),
    )
    .execute();
  return new Set(rows.map((r) => r.proposal_id));
}

/**
 * Threads of the member's groups holding a comment they have not read (the
 * same rule as `unreadCounts`: after their read marker, someone else's, not
 * deleted), most recently active first. Each thread's check walks
 * `comments_thread_event_idx` from the marker on.
 */
export function threadsWithUnread(db: Handle, userId: string, limit: number) {
  return db
    .selectFrom('threads')
    .innerJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'threads.group_id').on('memberships.user_id', '=', userId),
    )
    .innerJoin('groups', 'groups.id', 'threads.group_id')
    .leftJoin('thread_reads', (j) =>
      j.onRef('thread_reads.thread_id', '=', 'threads.id').on('thread_reads.user_id', '=', userId),
    )
    .select([
      'threads.id',
      'threads.title',
      'threads.group_id',
      'threads.last_activity_at',
      'threads.comment_count',
      'groups.name as group_name',
      sql<string>`coalesce(thread_reads.last_event_id, 0)::text`.as('read_marker'),
    ])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('comments')
          .select(sql`1`.as('one'))
          .whereRef('comments.thread_id', '=', 'threads.id')
          .where('comments.deleted_at', 'is', null)
          .where(sql<boolean>`comments.author_id is distinct from ${userId}::uuid`)
          .where(sql<boolean>`comments.event_id > coalesce(thread_reads.last_event_id, 0)`),
      ),
    )
    .orderBy('threads.last_activity_at', 'desc')
    .orderBy('threads.id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * What the member's home page depends on, in one cheap read: the newest event
 * of each of their groups (every vote, proposal, comment, close, role or
 * delegation change writes one; through `events_group_idx`, one index probe
 * per group), the set of their groups, and their read markers on the threads
 * the page lists as unread (`threadIds`, by primary key). A marker only moves
 * forward, so one on a thread not listed (nothing unread there) changes
 * nothing the page shows. While these are unchanged, so is the page (apart
 * from time passing).
 */
export async function homeVersion(
  db: Handle,
  userId: string,
  threadIds: string[],
): Promise<{ groups: string; markers: string }> {
  const { rows } = await sql<{ groups: string; markers: string }>`
    select concat_ws('|',
      (select coalesce(max(last.id), 0)
         from memberships m
         cross join lateral (select e.id from events e
                              where e.group_id = m.group_id and e.recipient_id is null
                              order by e.id desc limit 1) last
        where m.user_id = ${userId}),
      (select string_agg(m.group_id::text, ',' order by m.group_id) from memberships m where m.user_id = ${userId})
    ) as groups, ${readMarkersSum(userId, threadIds)} as markers`.execute(db);
  return rows[0]!;
}

/** Markers only move forward and a missing one counts as 0, so their sum moves whenever any of them does. */
export function sumOfMarkers(markers: string[]): string {
  return String(markers.reduce((sum, m) => sum + BigInt(m), 0n));
}

function readMarkersSum(userId: string, threadIds: string[]) {
  if (threadIds.length === 0) return sql<string>`'0'`;
  return sql<string>`(select coalesce(sum(r.last_event_id), 0)::text from thread_reads r
      where r.user_id = ${userId}
        and r.thread_id in (${sql.join(threadIds.map((id) => sql`${id}::uuid`))}))`;
}
