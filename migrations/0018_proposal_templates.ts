import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Proposal templates a group saves from its own proposals.';

/** The built-in templates live in code (shared/templates.ts); a group's own are rows. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('proposal_templates')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('proposal', 'poll', 'score', 'dot_vote', 'ranked_choice', 'meeting')`),
    )
    .addColumn('options', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('details', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('proposal_templates_group_idx')
    .on('proposal_templates')
    .columns(['group_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('proposal_templates').execute();
}
