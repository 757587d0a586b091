import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { commentsByIds, reactionsOf } from '../../server/db/comments';
import type { Database } from '../../server/db/database';
import { eventsAfter, latestEventId, topicLatestEventId } from '../../server/db/events';
import { groupForMember } from '../../server/db/groups';
import * as proposals from '../../server/db/proposals';
import type { DB } from '../../server/db/schema';
import { userForApiToken } from '../../server/db/sessions';
import { unreadCounts } from '../../server/db/threads';
import { entriesAfter, entriesBefore, timelineAccess } from '../../server/db/timeline';
import { hashApiToken } from '../../server/services/tokens';

export interface PlanReport {
  name: string;
  /** Every scan in the plan: "Index Scan using votes_pkey on votes" and the like. */
  scans: string[];
  /** Sequential scans of tables holding more than 10,000 rows: what breaks at scale. */
  bigSeqScans: string[];
  /** Scans that read and threw away more than 10,000 rows (a wrong index for a LIMIT, say). */
  wastefulScans: string[];
  usesIndex: boolean;
  planningMs: number;
  executionMs: number;
  rows: number;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/**
 * Runs the app's own repository functions for the hot paths (voting, the
 * stream, the timeline) once with query logging on, then EXPLAIN ANALYZEs
 * exactly the SQL and parameters they sent, and says which scans each plan
 * uses. The queries are never written out here, so they stay the app's.
 */
export async function explainHotQueries(
  database: Database,
  ids: { groupId: string; threadId: string; proposalId: string | null; userId: string; token: string },
): Promise<PlanReport[]> {
  const captured: { name: string; query: CompiledQuery }[] = [];
  let current = '';
  const log = (event: { level: string; query: CompiledQuery }) => {
    if (event.level === 'query' && current) captured.push({ name: current, query: event.query });
  };
  const pool =
    database.target.kind === 'postgres'
      ? new pg.Pool({ connectionString: database.target.connectionString, max: 2 })
      : null;
  const db = pool
    ? new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log })
    : new Kysely<DB>({ dialect: new PGliteDialect(database.pglite!), log });
  const step = async (name: string, fn: () => Promise<unknown>) => {
    current = name;
    try {
      await fn();
    } finally {
      current = '';
    }
  };
  try {
    const { userId, groupId, threadId, proposalId } = ids;
    await step('auth: user for API token', () => userForApiToken(db, hashApiToken(ids.token)));
    if (proposalId) {
      await step('vote: proposal for member', () => proposals.proposalForMember(db, proposalId, userId));
      await step('vote: options', () => proposals.optionsOf(db, [proposalId]));
      // Everything a vote batch reads under the proposal's lock, in the one statement it sends.
      await step('vote: batch state under lock', () =>
        db.transaction().execute((trx) => proposals.voteBatchState(trx, [proposalId], [userId], [userId])),
      );
      await step('vote: ballots for tally', () => proposals.ballotsOf(db, [proposalId]));
      await step('vote: member count', () => proposals.memberCounts(db, [groupId]));
    }
    const latest = await latestEventId(db);
    await step('bus: events after', () => eventsAfter(db, Math.max(0, latest - 5), 500));
    await step('stream: group member', () => groupForMember(db, groupId, userId));
    await step('stream: latest of thread topic', () => topicLatestEventId(db, { threadId }));
    await step('stream: latest of group topic', () => topicLatestEventId(db, { groupId }));
    await step('timeline: access check', () => timelineAccess(db, threadId, userId));
    const first = await entriesAfter(db, threadId, 0, 51);
    await step('timeline: first page', () => entriesAfter(db, threadId, 0, 51));
    await step('timeline: latest page', () => entriesBefore(db, threadId, Number.MAX_SAFE_INTEGER, 51));
    const commentIds = first.filter((e) => e.kind === 'comment').map((e) => e.id);
    await step('timeline: comments by id', () => commentsByIds(db, commentIds));
    await step('timeline: reactions', () => reactionsOf(db, commentIds));
    await step('threads: unread counts', () => unreadCounts(db, userId, [threadId]));

    const sizes = new Map<string, number>();
    const { rows } = await sql<{ relname: string; n: number }>`
      select relname, reltuples::float8 as n from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace`.execute(
      db,
    );
    for (const r of rows) sizes.set(r.relname, Number(r.n));

    const reports: PlanReport[] = [];
    current = '';
    for (const { name, query } of captured) {
      if (/^\s*(begin|commit|rollback|start transaction)/i.test(query.sql)) continue;
      const explained = await db.executeQuery<{ 'QUERY PLAN': unknown }>(
        CompiledQuery.raw(`explain (analyze, format json) ${query.sql}`, [...query.parameters]),
      );
      const raw = explained.rows[0]!['QUERY PLAN'];
      const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
        Plan: PlanNode;
        'Planning Time': number;
        'Execution Time': number;
      }[];
      const scans: string[] = [];
      const bigSeqScans: string[] = [];
      const wastefulScans: string[] = [];
      walk(plan[0]!.Plan, (n) => {
        if (!/Scan/.test(n['Node Type'])) return;
        const what = `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}`;
        scans.push(what);
        if (n['Node Type'] === 'Seq Scan' && (sizes.get(n['Relation Name'] ?? '') ?? 0) > 10_000)
          bigSeqScans.push(what);
      });
      reports.push({
        name,
        scans: [...new Set(scans)],
        bigSeqScans,
        wastefulScans,
        usesIndex: scans.some((s) => /Index/.test(s)),
        planningMs: plan[0]!['Planning Time'],
        executionMs: plan[0]!['Execution Time'],
        rows: plan[0]!.Plan['Actual Rows'] ?? 0,
      });
    }
    return reports;
  } finally {
    if (pool) await db.destroy();
  }
}
