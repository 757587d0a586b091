import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Quorum and pass thresholds on proposals (API 1.1).';

/**
 * Set at creation and never changed after, so a verdict frozen at the close
 * reads the same settings the voters saw. Existing proposals get none: their
 * results keep no verdict, as they had.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('proposals')
    .addColumn('quorum_percent', 'smallint', (c) => c.check(sql`quorum_percent between 1 and 100`))
    .addColumn('pass_percent', 'smallint', (c) => c.check(sql`pass_percent between 1 and 100`))
    .addColumn('block_vetoes', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('proposals')
    .dropColumn('quorum_percent')
    .dropColumn('pass_percent')
    .dropColumn('block_vetoes')
    .execute();
}
