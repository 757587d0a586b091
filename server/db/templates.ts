import type { Kysely, Transaction } from 'kysely';
import type { ProposalKind } from '../../shared/schemas/proposals';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** The templates a group saved, oldest first. */
export function templatesOfGroup(db: Handle, groupId: string) {
  return db
    .selectFrom('proposal_templates')
    .selectAll()
    .where('group_id', '=', groupId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export type TemplateRow = Awaited<ReturnType<typeof templatesOfGroup>>[number];

export function templateById(db: Handle, id: string) {
  return db.selectFrom('proposal_templates').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertTemplate(
  trx: Transaction<DB>,
  t: {
    groupId: string;
    name: string;
    description: string;
    kind: ProposalKind;
    options: string[];
    details: string;
    settings: Record<string, unknown>;
    createdBy: string;
  },
) {
  return trx
    .insertInto('proposal_templates')
    .values({
      group_id: t.groupId,
      name: t.name,
      description: t.description,
      kind: t.kind,
      options: JSON.stringify(t.options),
      details: t.details,
      settings: JSON.stringify(t.settings),
      created_by: t.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteTemplate(trx: Transaction<DB>, groupId: string, id: string): Promise<boolean> {
  const deleted = await trx
    .deleteFrom('proposal_templates')
    .where('group_id', '=', groupId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}
