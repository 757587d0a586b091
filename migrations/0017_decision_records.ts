import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = "Decision records: each group's closed decisions in a SHA-256 chain (API 1.1).";

/**
 * One row per link of a group's chain, written in the transaction that closes
 * a proposal or states its outcome, and never updated: a later outcome is a
 * new link. The record is kept as the exact text that was hashed, so what is
 * served is what was sealed. Proposals closed before this migration have no
 * record; the chain starts with the first close after it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('decision_records')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(db.fn('now')))
    .addUniqueConstraint('decision_records_group_sequence_key', ['group_id', 'sequence'])
    .execute();
  await db.schema
    .createIndex('decision_records_proposal_idx')
    .on('decision_records')
    .columns(['proposal_id', 'sequence'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('decision_records').execute();
}
