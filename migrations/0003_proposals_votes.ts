import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Proposals with their options, votes, vote history and outcomes.';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('proposals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('thread_id', 'uuid', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('proposal', 'poll', 'score', 'dot_vote', 'ranked_choice', 'meeting')`),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('anonymous', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('results_hidden_until_closed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reason_required', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('min_choices', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('max_choices', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('max_score', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('dots_per_voter', 'integer', (c) => c.notNull().defaultTo(10))
    // Frozen at close: who could vote, and the final results, for the decision log.
    .addColumn('eligible_count_at_close', 'integer')
    .addColumn('final_results', 'jsonb')
    .addColumn('closing_soon_notified', 'boolean', (c) => c.notNull().defaultTo(false))
    // Anonymous ballots are keyed by sha256(salt:voter), so a voter can replace their own vote.
    .addColumn('ballot_salt', 'text', (c) => c.notNull().defaultTo(sql`gen_random_uuid()::text`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('event_id', 'bigint')
    .execute();
  await sql`create index proposals_thread_idx on proposals (thread_id, event_id)`.execute(db);
  await sql`create index proposals_group_idx on proposals (group_id, created_at desc, id)`.execute(db);
  await sql`create index proposals_open_closing_idx on proposals (closes_at) where closed_at is null`.execute(
    db,
  );

  // Option ids are unique within their proposal: consent proposals use the
  // fixed ids agree/abstain/disagree/block, other kinds random uuids.
  await db.schema
    .createTable('proposal_options')
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz')
    .addPrimaryKeyConstraint('proposal_options_pkey', ['proposal_id', 'id'])
    .addUniqueConstraint('proposal_options_position_key', ['proposal_id', 'position'])
    .execute();

  // One current vote per voter. On anonymous proposals `voter_id` is null and
  // `voter_key` is sha256(ballot_salt:voter): enough for the server to let a
  // voter replace their own vote; nothing any user can read links a vote to a voter.
  await db.schema
    .createTable('votes')
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('voter_key', 'text', (c) => c.notNull())
    .addColumn('voter_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('choices', 'jsonb', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('votes_pkey', ['proposal_id', 'voter_key'])
    .execute();
  await sql`create index votes_proposal_updated_idx on votes (proposal_id, updated_at, voter_key)`.execute(
    db,
  );

  // Earlier votes of non-anonymous proposals, kept when a vote is changed or retracted.
  await db.schema
    .createTable('vote_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('voter_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('choices', 'jsonb')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('vote_history_proposal_idx')
    .on('vote_history')
    .columns(['proposal_id', 'id'])
    .execute();

  await db.schema
    .createTable('outcomes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('review_on', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('superseded_at', 'timestamptz')
    .addColumn('event_id', 'bigint')
    .execute();
  await sql`create index outcomes_proposal_idx on outcomes (proposal_id, created_at desc)`.execute(db);
  await sql`create unique index outcomes_current_key on outcomes (proposal_id) where superseded_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['outcomes', 'vote_history', 'votes', 'proposal_options', 'proposals']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
