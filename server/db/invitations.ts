import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB, InvitationRow, Role } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** What a new invitation row holds. */
export interface NewInvitation {
  groupId: string;
  token: string;
  role: Role;
  email: string | null;
  maxUses: number | null;
  expiresAt: Date | null;
  createdBy: string;
  issuedAs: Role;
  message?: string | null;
  emailedAt?: Date | null;
}

/** Inserts invitations in one statement, returning them in the order given. */
export async function insertInvitations(db: Handle, values: NewInvitation[]): Promise<InvitationRow[]> {
  if (values.length === 0) return [];
  const rows = await db
    .insertInto('invitations')
    .values(
      values.map((v) => ({
        group_id: v.groupId,
        token: v.token,
        role: v.role,
        email: v.email,
        max_uses: v.maxUses,
        expires_at: v.expiresAt,
        created_by: v.createdBy,
        issued_as: v.issuedAs,
        message: v.message ?? null,
        emailed_at: v.emailedAt ?? null,
      })),
    )
    .returningAll()
    .execute();
  const byToken = new Map(rows.map((r) => [r.token, r]));
  return values.map((v) => byToken.get(v.token)!);
}

/**
 * An invitation by its token, with its group's name and settings and its
 * issuer's current role in the group (null once they left, or their account is gone).
 */
export function invitationByToken(db: Handle, token: string) {
  return db
    .selectFrom('invitations')
    .innerJoin('groups', 'groups.id', 'invitations.group_id')
    .leftJoin('memberships as issuer', (j) =>
      j
        .onRef('issuer.group_id', '=', 'invitations.group_id')
        .onRef('issuer.user_id', '=', 'invitations.created_by'),
    )
    .selectAll('invitations')
    .select([
      'groups.name as group_name',
      'groups.members_can_start_threads',
      'groups.members_can_create_proposals',
      'groups.members_can_invite',
      'groups.delegation',
      'issuer.role as issuer_role',
    ])
    .where('invitations.token', '=', token)
    .executeTakeFirst();
}

/**
 * The issuer's role and the group's settings as they stand, locked until the
 * transaction ends: a role change, removal or settings change made meanwhile
 * waits for the join through the issuer's link, or the join waits for it and
 * sees its outcome. Memberships first, then the group row: the order role
 * changes and removals lock them in.
 */
export async function lockIssuerStanding(trx: Transaction<DB>, groupId: string, issuerId: string | null) {
  const issuer = issuerId
    ? await trx
        .selectFrom('memberships')
        .select('role')
        .where('group_id', '=', groupId)
        .where('user_id', '=', issuerId)
        .forShare()
        .executeTakeFirst()
    : undefined;
  // No key update: does not hold up rows elsewhere that reference the group.
  const group = await trx
    .selectFrom('groups')
    .select(['members_can_start_threads', 'members_can_create_proposals', 'members_can_invite', 'delegation'])
    .where('id', '=', groupId)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
  return { issuerRole: issuer?.role ?? null, group };
}

/** Takes one use of a valid invitation atomically; undefined when used up, expired or unknown. */
export function consumeInvitation(trx: Transaction<DB>, token: string) {
  return trx
    .updateTable('invitations')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('token', '=', token)
    .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

/** Records that `userId` joined through an invitation; false when they had used it before. */
export async function recordInvitationUse(trx: Transaction<DB>, invitationId: string, userId: string) {
  const row = await trx
    .insertInto('invitation_uses')
    .values({ invitation_id: invitationId, user_id: userId })
    .onConflict((oc) => oc.columns(['invitation_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Invitations with their issuer's name and current role in the invitation's group. */
function withIssuer(db: Handle) {
  return db
    .selectFrom('invitations')
    .leftJoin('memberships as issuer', (j) =>
      j
        .onRef('issuer.group_id', '=', 'invitations.group_id')
        .onRef('issuer.user_id', '=', 'invitations.created_by'),
    )
    .leftJoin('users as issuer_user', 'issuer_user.id', 'invitations.created_by')
    .selectAll('invitations')
    .select(['issuer.role as issuer_role', 'issuer_user.name as issuer_name']);
}

/** The group's newest invitations, each with its issuer's name and current role in the group. */
export function invitationsOfGroup(db: Handle, groupId: string) {
  return withIssuer(db)
    .where('invitations.group_id', '=', groupId)
    .orderBy('invitations.created_at', 'desc')
    .limit(200)
    .execute();
}

/** One invitation of a group with its issuer, as `invitationsOfGroup` lists it. */
export function issuedInvitation(db: Handle, groupId: string, invitationId: string) {
  return withIssuer(db)
    .where('invitations.group_id', '=', groupId)
    .where('invitations.id', '=', invitationId)
    .executeTakeFirst();
}

/**
 * Makes `issuerId` the invitation's issuer, if they are a facilitator of its
 * group; false otherwise. No lock is needed: a link's standing is its issuer's
 * role when someone accepts it, so a facilitator demoted just after re-issuing
 * leaves a link that does not work, as it should.
 */
export async function reissueInvitation(db: Handle, groupId: string, invitationId: string, issuerId: string) {
  const updated = await db
    .updateTable('invitations')
    .set({ created_by: issuerId, issued_as: 'facilitator' })
    .where('group_id', '=', groupId)
    .where('id', '=', invitationId)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('memberships')
          .select('role')
          .where('group_id', '=', groupId)
          .where('user_id', '=', issuerId)
          .where('role', '=', 'facilitator'),
      ),
    )
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

export function deleteInvitation(db: Handle, groupId: string, invitationId: string) {
  return db
    .deleteFrom('invitations')
    .where('group_id', '=', groupId)
    .where('id', '=', invitationId)
    .executeTakeFirst();
}

/**
 * The group's unused single-person invitations to these addresses (lower-cased),
 * newest first, locked: inviting someone again takes over their invitation
 * rather than adding a second, and two facilitators doing so at once queue here.
 */
export function lockUnusedByEmail(trx: Transaction<DB>, groupId: string, emails: string[]) {
  return trx
    .selectFrom('invitations')
    .selectAll()
    .select(sql<string>`lower(email)`.as('address'))
    .where('group_id', '=', groupId)
    .where(sql<string>`lower(email)`, 'in', emails)
    .where('max_uses', '=', 1)
    .where('uses', '=', 0)
    .orderBy('created_at', 'desc')
    .forUpdate()
    .execute();
}

/** One invitation of a group, locked for a change (a resend). */
export function lockInvitation(trx: Transaction<DB>, groupId: string, invitationId: string) {
  return trx
    .selectFrom('invitations')
    .selectAll()
    .where('group_id', '=', groupId)
    .where('id', '=', invitationId)
    .forUpdate()
    .executeTakeFirst();
}

/** Sends an invitation again as `issuer`'s: new role, expiry, message and time of sending. */
export function renewInvitation(
  trx: Transaction<DB>,
  invitationId: string,
  values: { role: Role; expiresAt: Date; createdBy: string; issuedAs: Role; message: string | null },
): Promise<InvitationRow> {
  return trx
    .updateTable('invitations')
    .set({
      role: values.role,
      expires_at: values.expiresAt,
      created_by: values.createdBy,
      issued_as: values.issuedAs,
      message: values.message,
      emailed_at: sql<Date>`now()`,
    })
    .where('id', '=', invitationId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Accounts with these addresses (lower-cased), and whether each is already a
 * member of the group: an invitation to one notifies them in the app too, and
 * its email speaks their language.
 */
export function accountsByEmail(db: Handle, groupId: string, emails: string[]) {
  if (emails.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .leftJoin('memberships', (j) =>
      j.onRef('memberships.user_id', '=', 'users.id').on('memberships.group_id', '=', groupId),
    )
    .select([
      'users.id',
      sql<string>`lower(users.email)`.as('address'),
      'memberships.role',
      'users.locale',
      'users.browser_locale',
    ])
    .where(sql<string>`lower(users.email)`, 'in', emails)
    .execute();
}

/** How many invitations `userId` has emailed since `since` (a cap on how much mail one person can send). */
export async function invitationsEmailedBy(db: Handle, userId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('invitations')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('created_by', '=', userId)
    .where('emailed_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
