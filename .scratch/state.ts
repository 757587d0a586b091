import { sql } from 'kysely';
import { openDatabase } from '../server/db/database';
import { migrateToLatest } from '../server/db/migrate';
import { seedBase } from '../bench/lib/seed';
import * as repo from '../server/db/proposals';

const database = await openDatabase(process.env.DATABASE_URL ? { kind: 'postgres', connectionString: process.env.DATABASE_URL } : { kind: 'pglite', dataDir: `/tmp/scratch-pgl-${Date.now()}` }, () => {});
const db = database.db;
await migrateToLatest(db);
const seed = await seedBase(db, { members: 2000, hotComments: 10, pageComments: 10, sessionSecret: 'x' });
const g = seed.groupId; const t = seed.hotThreadId;
const p = await db.insertInto('proposals').values({ thread_id: t, group_id: g, kind: 'proposal', title: 'x', closes_at: new Date(Date.now()+86400000) } as any).returning('id').executeTakeFirstOrThrow();
for (const [i, o] of ['agree','abstain','disagree','block'].entries()) await db.insertInto('proposal_options').values({ proposal_id: p.id, id: o, position: i, label: o } as any).execute();
await sql`insert into votes (proposal_id, voter_key, voter_id, choices, created_at, updated_at) select ${p.id}, m.user_id::text, m.user_id, '[{"optionId":"agree"}]', now(), now() from memberships m where m.group_id = ${g}`.execute(db);
await sql`analyze`.execute(db);
const ids = seed.members.slice(0, 26).map((m) => m.id);
async function time(name: string, fn: (trx: any) => Promise<unknown>) {
  for (let r = 0; r < 2; r++) {
    const n = 200; const t0 = performance.now();
    for (let i = 0; i < n; i++) await db.transaction().execute(fn);
    console.log(name, ((performance.now() - t0) / n).toFixed(3), 'ms');
  }
}
await time('empty txn', async () => {});
await time('state', (trx) => repo.voteBatchState(trx, [p.id], ids, ids));
await time('lock only', (trx) => repo.lockProposalsForVoting(trx, [p.id], ids).execute());
await time('ballots json', (trx) => sql`select coalesce((select json_agg(json_build_object('hash', b.ballot_hash, 'choices', b.choices, 'n', b.n)) from ballot_counts b where b.proposal_id = ${p.id} and b.n > 0), '[]')`.execute(trx));
await time('previous json', (trx) => sql`select coalesce((select json_agg(json_build_object('voter_key', v.voter_key, 'voter_id', v.voter_id, 'hash', md5(v.choices::text), 'choices', v.choices, 'reason', v.reason, 'created_ms', floor(extract(epoch from v.created_at) * 1000))) from votes v where v.proposal_id = ${p.id} and v.voter_key = any(${ids}::text[])), '[]')`.execute(trx));
const plan = await sql`explain analyze select coalesce((select json_agg(json_build_object('voter_key', v.voter_key)) from votes v where v.proposal_id = ${p.id} and v.voter_key = any(${ids}::text[])), '[]')`.execute(db);
console.log((plan.rows as any[]).map((r) => r['QUERY PLAN']).join('\n'));
await database.close();
