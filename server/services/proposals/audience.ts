import type { Kysely, Transaction } from 'kysely';
import * as repo from '../../db/proposals';
import type { DB } from '../../db/schema';
import { voterKeysOf } from '../../db/votes';
import { type KeyedProposal, voterKey } from '../ballots';
import type { Emit } from '../context';
import { addNotifications } from '../notifications';

/** Notifies every member of the group but `exceptUserId`, each with what `make` says. */
export async function notifyGroup(
  trx: Transaction<DB>,
  emit: Emit,
  groupId: string,
  exceptUserId: string | null,
  make: (member: { id: string }) => Parameters<typeof addNotifications>[2][number],
) {
  const members = await repo.groupMembers(trx, groupId);
  await addNotifications(
    trx,
    emit,
    members.filter((m) => m.id !== exceptUserId).map((m) => make(m)),
  );
}

/**
 * The group's members who have not voted on the proposal, by name: everyone
 * in the group may vote, as the eligible count says. On anonymous proposals
 * "has voted" is found through the HMAC ballot keys, which only the server
 * can work out; callers must not show the list to anyone but each member it names.
 */
export async function nonVoters(
  db: Kysely<DB> | Transaction<DB>,
  secret: string,
  p: KeyedProposal & { id: string; group_id: string },
): Promise<{ id: string; name: string }[]> {
  const [members, keys] = await Promise.all([repo.groupMembers(db, p.group_id), voterKeysOf(db, p.id)]);
  const voted = new Set(keys.map((k) => k.voter_key));
  return members
    .filter((m) => !voted.has(voterKey(secret, p, m.id) ?? ''))
    .map((m) => ({ id: m.id, name: m.name }));
}
