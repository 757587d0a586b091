import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/**
 * Holds the group's chain until the transaction ends, so two closes in one
 * group (two processes, the clock and a facilitator) append one after the
 * other and never both as the same sequence.
 */
export async function lockChain(trx: Transaction<DB>, groupId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`decision-chain:${groupId}`}, 0))`.execute(trx);
}

/** The newest link of the group's chain, if any. */
export function lastRecord(db: Handle, groupId: string) {
  return db
    .selectFrom('decision_records')
    .select(['sequence', 'hash'])
    .where('group_id', '=', groupId)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertRecord(
  trx: Transaction<DB>,
  row: { groupId: string; proposalId: string; sequence: number; document: string; hash: string },
): Promise<void> {
  await trx
    .insertInto('decision_records')
    .values({
      group_id: row.groupId,
      proposal_id: row.proposalId,
      sequence: row.sequence,
      document: row.document,
      hash: row.hash,
    })
    .execute();
}

/** The proposal's newest record (its close, or a later outcome), as stored. */
export function latestRecordOf(db: Handle, proposalId: string) {
  return db
    .selectFrom('decision_records')
    .select('document')
    .where('proposal_id', '=', proposalId)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The group's whole chain, oldest first, as stored. */
export function recordsOfGroup(db: Handle, groupId: string) {
  return db
    .selectFrom('decision_records')
    .select('document')
    .where('group_id', '=', groupId)
    .orderBy('sequence')
    .execute();
}

/** Every current ballot of a proposal with its voter's name, for the record. */
export function ballotsForRecord(db: Handle, proposalId: string) {
  return db
    .selectFrom('votes')
    .leftJoin('users', 'users.id', 'votes.voter_id')
    .select(['votes.voter_id', 'users.name as voter_name', 'votes.choices', 'votes.reason'])
    .where('votes.proposal_id', '=', proposalId)
    .execute();
}

/** The newest record of each proposal: its sequence and hash. */
export async function recordHeads(db: Handle, proposalIds: string[]) {
  if (proposalIds.length === 0) return new Map<string, { sequence: number; hash: string }>();
  const rows = await db
    .selectFrom('decision_records')
    .select(['proposal_id', 'sequence', 'hash'])
    .distinctOn('proposal_id')
    .where('proposal_id', 'in', proposalIds)
    .orderBy('proposal_id')
    .orderBy('sequence', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.proposal_id, { sequence: r.sequence, hash: r.hash }]));
}
