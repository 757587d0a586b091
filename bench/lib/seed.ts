import { randomBytes } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../server/db/schema';
import { hashApiToken, hashSessionToken } from '../../server/services/tokens';
import { log, now } from './util';

/** A seeded member and the API token that acts as them. */
export interface Member {
  id: string;
  name: string;
  token: string;
}

export interface Seed {
  groupId: string;
  /** members[0] is the group's facilitator. */
  members: Member[];
  /** A session cookie value for members[0], for the browser. */
  sessionToken: string;
  /** The thread the bench reads and votes in: `hotComments` comments. */
  hotThreadId: string;
  /** The thread the browser opens: `pageComments` comments. */
  pageThreadId: string;
}

const CHUNK = 500;

/**
 * The small database every scenario starts from, written straight into the
 * tables (no password hashing, no HTTP): one group of `members` people with
 * an API token each, a thread with `hotComments` comments and one with
 * `pageComments`. Comments are written the way the app writes them: each
 * has its `comment.created` event and points at it through `event_id`.
 */
export async function seedBase(
  db: Kysely<DB>,
  options: { members: number; hotComments: number; pageComments: number; sessionSecret: string },
): Promise<Seed> {
  const started = now();
  const tag = randomBytes(3).toString('hex');
  const group = await db
    .insertInto('groups')
    .values({ name: 'Bench assembly', description: 'A large group for load tests.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const members: Member[] = [];
  for (let start = 0; start < options.members; start += CHUNK) {
    const n = Math.min(CHUNK, options.members - start);
    const users = await db
      .insertInto('users')
      .values(
        Array.from({ length: n }, (_, k) => {
          const i = start + k;
          return {
            email: `member-${tag}-${i}@example.org`,
            name: `Member ${i + 1}`,
            handle: `m${tag}${i}`,
            // Not a usable hash: these people act through API tokens only.
            password_hash: 'scrypt$1$1$1$none$none',
          };
        }),
      )
      .returning(['id', 'name'])
      .execute();
    const tokens = users.map(() => `pl_${randomBytes(24).toString('base64url')}`);
    await db
      .insertInto('memberships')
      .values(
        users.map((u, k) => ({
          group_id: group.id,
          user_id: u.id,
          role: start + k === 0 ? ('facilitator' as const) : ('member' as const),
        })),
      )
      .execute();
    await db
      .insertInto('api_tokens')
      .values(users.map((u, k) => ({ user_id: u.id, name: 'bench', token_hash: hashApiToken(tokens[k]!) })))
      .execute();
    users.forEach((u, k) => {
      members.push({ id: u.id, name: u.name, token: tokens[k]! });
    });
  }
  const sessionToken = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({
      user_id: members[0]!.id,
      token_hash: hashSessionToken(sessionToken, options.sessionSecret),
      expires_at: new Date(Date.now() + 86_400_000),
    })
    .execute();
  const [hotThreadId] = await addThreads(db, group.id, {
    threads: 1,
    commentsPerThread: options.hotComments,
    title: 'Hot thread',
  });
  const [pageThreadId] = await addThreads(db, group.id, {
    threads: 1,
    commentsPerThread: options.pageComments,
    title: 'Page thread',
  });
  log(
    `seeded ${options.members} members, threads of ${options.hotComments} and ${options.pageComments} comments in ${Math.round(now() - started)} ms`,
  );
  return { groupId: group.id, members, sessionToken, hotThreadId: hotThreadId!, pageThreadId: pageThreadId! };
}

/** The group's members numbered 0..n-1, in a temporary table `bm` for set-based inserts. */
async function memberTable(trx: Transaction<DB>, groupId: string): Promise<number> {
  await sql`create temp table bm on commit drop as
    select u.id, u.name, u.handle, (row_number() over (order by u.id))::int - 1 as n
      from memberships m join users u on u.id = m.user_id
      where m.group_id = ${groupId}`.execute(trx);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from bm`.execute(trx);
  return rows[0]!.n;
}

/** ISO 8601 the way the HTTP API writes it. */
const iso = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * Adds `threads` threads with `commentsPerThread` comments each, with their
 * `thread.created` and `comment.created` events in creation order, in one
 * transaction of set-based inserts. Returns the thread ids, oldest first.
 */
export async function addThreads(
  db: Kysely<DB>,
  groupId: string,
  options: { threads: number; commentsPerThread: number; title: string },
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const m = await memberTable(trx, groupId);
    await sql`create temp table bt on commit drop as
      select i as n, gen_random_uuid() as id, bm.id as author, bm.name, bm.handle,
             now() - interval '30 days' + i * interval '1 second' as at
        from generate_series(0, ${options.threads}::int - 1) i join bm on bm.n = i % ${m}::int`.execute(trx);
    await sql`insert into threads (id, group_id, author_id, title, body, created_at, updated_at, last_activity_at, comment_count)
      select id, ${groupId}, author, ${options.title} || ' ' || n, 'What should we do about item ' || n || '? Context follows.',
             at, at, at + ${options.commentsPerThread}::int * interval '1 second', ${options.commentsPerThread}::int
        from bt`.execute(trx);
    await sql`with ev as (
        insert into events (kind, group_id, thread_id, actor_id, subject_id, data, created_at)
        select 'thread.created', ${groupId}, id, author, id,
               jsonb_build_object('thread', jsonb_build_object('id', id, 'groupId', ${groupId}::text, 'title', ${options.title} || ' ' || n)), at
          from bt order by n
        returning id, thread_id)
      update threads t set event_id = ev.id from ev where t.id = ev.thread_id`.execute(trx);
    if (options.commentsPerThread > 0) {
      // Comment j of thread n is written at a moment that interleaves the threads, as real traffic does.
      await sql`create temp table bc on commit drop as
        select gen_random_uuid() as id, bt.id as thread_id, bm.id as author, bm.name, bm.handle,
               'Comment ' || j || ' on ' || bt.n || ': ' || repeat('I think we should weigh this carefully before deciding. ', 1 + (j * 7 + bt.n) % 6) as body,
               now() - interval '29 days' + (j::bigint * ${options.threads}::int + bt.n) * interval '10 ms' as at
          from bt cross join generate_series(0, ${options.commentsPerThread}::int - 1) j
          join bm on bm.n = (bt.n * 7 + j) % ${m}::int`.execute(trx);
      await sql`with ev as (
          insert into events (kind, group_id, thread_id, actor_id, subject_id, data, created_at)
          select 'comment.created', ${groupId}, thread_id, author, id,
                 jsonb_build_object('comment', jsonb_build_object(
                   'id', id, 'threadId', thread_id, 'parentId', null,
                   'author', jsonb_build_object('id', author, 'name', name, 'handle', handle),
                   'body', body, 'createdAt', ${iso('at')}, 'editedAt', null, 'deletedAt', null,
                   'reactions', '[]'::jsonb)),
                 at
            from bc order by at
          returning id, subject_id)
        insert into comments (id, thread_id, group_id, author_id, body, created_at, event_id)
        select bc.id, bc.thread_id, ${groupId}, bc.author, bc.body, bc.at, ev.id
          from bc join ev on ev.subject_id = bc.id`.execute(trx);
    }
    const { rows } = await sql<{ id: string }>`select id from bt order by n`.execute(trx);
    return rows.map((r) => r.id);
  });
}

/**
 * The "large database": `votes` votes spread over consent proposals of 2,000
 * (or however many members there are) ballots each, in new threads, and
 * `comments` comments across `threads` threads, each with the events the app
 * would have written (`vote.cast`, `comment.created`, ...). Set-based SQL.
 */
export async function loadScale(
  db: Kysely<DB>,
  groupId: string,
  options: { votes: number; comments: number; threads: number },
): Promise<{ ms: number; proposals: number }> {
  const started = now();
  const threadIds = await addThreads(db, groupId, {
    threads: options.threads,
    commentsPerThread: Math.round(options.comments / options.threads),
    title: 'Archive thread',
  });
  log(`scale: ${options.threads} threads, ${options.comments} comments in ${Math.round(now() - started)} ms`);
  const proposals = await db.transaction().execute(async (trx) => {
    const m = await memberTable(trx, groupId);
    const count = Math.ceil(options.votes / m);
    await sql`create temp table bp on commit drop as
      select t.i as n, gen_random_uuid() as id, t.thread_id, bm.id as author, now() - interval '20 days' + t.i * interval '1 minute' as at
        from unnest(${threadIds}::uuid[]) with ordinality as t(thread_id, i)
        join bm on bm.n = t.i % ${m}::int
        where t.i <= ${count}::int`.execute(trx);
    // Each proposal needs a thread of its own here; more proposals than threads reuse threads.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from bp`.execute(trx);
    if (rows[0]!.n < count) {
      await sql`insert into bp
        select ${rows[0]!.n}::int + g, gen_random_uuid(), bp.thread_id, bp.author, bp.at + g * interval '1 second'
          from generate_series(1, ${count - rows[0]!.n}::int) g join bp on bp.n = 1 + (g % ${rows[0]!.n}::int)`.execute(
        trx,
      );
    }
    await sql`insert into proposals (id, thread_id, group_id, author_id, kind, title, details, closes_at, created_at)
      select id, thread_id, ${groupId}, author, 'proposal', 'Archive proposal ' || n, 'Shall we?', now() + interval '30 days', at
        from bp`.execute(trx);
    await sql`insert into proposal_options (proposal_id, id, position, label)
      select bp.id, o.id, o.pos, o.id
        from bp cross join (values ('agree', 0), ('abstain', 1), ('disagree', 2), ('block', 3)) as o(id, pos)`.execute(
      trx,
    );
    await sql`with ev as (
        insert into events (kind, group_id, thread_id, actor_id, subject_id, data, created_at)
        select 'proposal.created', ${groupId}, thread_id, author, id, jsonb_build_object('proposal', jsonb_build_object('id', id)), at
          from bp order by at
        returning id, subject_id)
      update proposals p set event_id = ev.id from ev where p.id = ev.subject_id`.execute(trx);
    // Ballot k of proposal n: member k, position varying with both; the last proposal may be partial.
    await sql`insert into votes (proposal_id, voter_key, voter_id, choices, created_at, updated_at)
      select bp.id, bm.id::text, bm.id,
             jsonb_build_array(jsonb_build_object('optionId', (array['agree', 'abstain', 'disagree', 'block'])[1 + (bm.n + bp.n) % 4])),
             bp.at + bm.n * interval '1 second', bp.at + bm.n * interval '1 second'
        from bp cross join bm
        where (bp.n - 1)::bigint * ${m}::int + bm.n < ${options.votes}::int`.execute(trx);
    await sql`insert into events (kind, group_id, thread_id, actor_id, subject_id, data, created_at)
      select 'vote.cast', ${groupId}, bp.thread_id, v.voter_id, bp.id,
             jsonb_build_object('proposalId', bp.id, 'vote', jsonb_build_object('choices', v.choices), 'voterCount', 1), v.created_at
        from votes v join bp on bp.id = v.proposal_id
        order by v.created_at`.execute(trx);
    return count;
  });
  const analyzeStarted = now();
  // A database that grew over months has been analysed by autovacuum; a bulk load has not.
  await sql`analyze`.execute(db);
  log(
    `scale: ${options.votes} votes on ${proposals} proposals loaded; analyze took ${Math.round(now() - analyzeStarted)} ms`,
  );
  return { ms: now() - started, proposals };
}

/** Row counts of the big tables, for the report. */
export async function tableSizes(db: Kysely<DB>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'users',
    'memberships',
    'threads',
    'comments',
    'proposals',
    'votes',
    'events',
    'notifications',
  ]) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    out[table] = rows[0]!.n;
  }
  return out;
}
