import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { lockMemberships, setMemberRole } from '../db/groups';
import type { Role } from '../db/schema';
import { findUserByEmail, handlesLike, insertUser } from '../db/users';
import { passwordProblem } from '../domain/passwords';
import { handleFromName, uniqueHandle, wouldOrphanGroup } from '../domain/permissions';
import { AppError, conflict, invalid, notFound } from '../errors';
import { issuePasswordResetLink, queueVerification } from './account-recovery';
import { type Ctx, writeTransaction } from './context';
import { addNotification } from './notifications';
import { hashPassword } from './passwords';
import { isUuid, trimmed } from './text';

/*
 * Use cases for the operator's command line (`plenary`, server/cli/): the
 * person at the server's console is trusted, so there is no session, no
 * permission check and no rate limit; every change still goes through the
 * event log, so running servers and open pages follow it.
 */

/**
 * Creates an account. Without a password, it gets an unusable one and the
 * answer carries a reset link through which its owner chooses theirs.
 */
export async function createUserAccount(
  ctx: Ctx,
  input: { email: string; name: string; password?: string },
): Promise<{ id: string; email: string; handle: string; resetUrl: string | null }> {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw invalid('/email', 'is not an email address');
  const name = trimmed(input.name, '/name');
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, { email, name });
    if (problem) throw invalid('/password', problem);
  }
  if (await findUserByEmail(ctx.db, email)) throw conflict('an account with that email already exists');
  const passwordHash = await hashPassword(input.password ?? randomBytes(32).toString('base64url'));
  const base = handleFromName(name);
  const handle = uniqueHandle(base, await handlesLike(ctx.db, base));
  const user = await writeTransaction(ctx, async (trx) => {
    const created = await insertUser(trx, { email, name, handle, passwordHash });
    await queueVerification(trx, ctx.config, created);
    return created;
  });
  ctx.email.wake();
  const resetUrl = input.password === undefined ? await issuePasswordResetLink(ctx, user) : null;
  return { id: user.id, email: user.email, handle: user.handle, resetUrl };
}

/** A reset link for the account with `email`, to pass on by other means than email. */
export async function passwordResetLinkFor(ctx: Ctx, email: string): Promise<string> {
  const user = await findUserByEmail(ctx.db, email.trim());
  if (!user) throw notFound('user');
  return issuePasswordResetLink(ctx, user);
}

/**
 * Gives a member of a group a role: how an operator rescues a group whose
 * facilitators have all gone quiet. The group is named by id or exact name.
 */
export async function setRoleByEmail(
  ctx: Ctx,
  input: { group: string; email: string; role: Role },
): Promise<{ groupId: string; userId: string; changed: boolean }> {
  const user = await findUserByEmail(ctx.db, input.email.trim());
  if (!user) throw notFound('user');
  const groups = await ctx.db
    .selectFrom('groups')
    .select(['id', 'name'])
    .where((eb) => (isUuid(input.group) ? eb('id', '=', input.group) : eb('name', '=', input.group)))
    .execute();
  if (groups.length === 0) throw notFound('group');
  if (groups.length > 1)
    throw conflict(`${groups.length} groups are called "${input.group}": name one by its id`);
  const group = groups[0]!;
  return writeTransaction(ctx, async (trx, emit) => {
    const members = await lockMemberships(trx, group.id);
    const membership = members.find((m) => m.user_id === user.id);
    if (!membership) throw new AppError(404, 'not_found', `${user.email} is not a member of ${group.name}`);
    if (membership.role === input.role) return { groupId: group.id, userId: user.id, changed: false };
    const facilitators = members.filter((m) => m.role === 'facilitator').map((m) => m.user_id);
    if (input.role === 'member' && wouldOrphanGroup(facilitators, members.length, user.id)) {
      throw conflict(`${user.email} is the last facilitator of ${group.name}: make someone else one first`);
    }
    await setMemberRole(trx, group.id, user.id, input.role);
    emit({
      kind: 'member.role_changed',
      groupId: group.id,
      actorId: null,
      subjectId: user.id,
      data: { userId: user.id, role: input.role },
    });
    await addNotification(trx, emit, {
      userId: user.id,
      kind: 'role_changed',
      actorId: null,
      groupId: group.id,
      text: `You are now ${input.role === 'facilitator' ? 'a facilitator' : 'a member'} of ${group.name}`,
    });
    return { groupId: group.id, userId: user.id, changed: true };
  });
}

/** One line of `plenary groups`. */
export interface GroupSummary {
  id: string;
  name: string;
  members: number;
  facilitators: number;
  threads: number;
  openProposals: number;
  lastActivityAt: string | null;
}

/** Every group with its size and when it was last active, most recently active first. */
export async function listGroupSummaries(ctx: Ctx): Promise<GroupSummary[]> {
  const { rows } = await sql<{
    id: string;
    name: string;
    members: string | number;
    facilitators: string | number;
    threads: string | number;
    open_proposals: string | number;
    last_activity_at: Date | null;
  }>`
    select g.id, g.name,
           (select count(*) from memberships m where m.group_id = g.id) as members,
           (select count(*) from memberships m where m.group_id = g.id and m.role = 'facilitator') as facilitators,
           (select count(*) from threads t where t.group_id = g.id) as threads,
           (select count(*) from proposals p where p.group_id = g.id and p.closed_at is null) as open_proposals,
           (select max(e.created_at) from events e where e.group_id = g.id) as last_activity_at
      from groups g
     order by last_activity_at desc nulls last, g.name`.execute(ctx.db);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    members: Number(r.members),
    facilitators: Number(r.facilitators),
    threads: Number(r.threads),
    openProposals: Number(r.open_proposals),
    lastActivityAt: r.last_activity_at ? new Date(r.last_activity_at).toISOString() : null,
  }));
}

/** What `plenary outbox` shows: how much mail waits, and the latest that failed for good. */
export interface OutboxSummary {
  queued: number;
  sent: number;
  failed: number;
  /** Logged instead of sent (no SMTP_URL). */
  logged: number;
  recentFailures: { id: string; kind: string; recipient: string; failedAt: string; error: string | null }[];
}

export async function outboxSummary(ctx: Ctx): Promise<OutboxSummary> {
  const [counts, failures] = await Promise.all([
    sql<{ queued: string | number; sent: string | number; failed: string | number; logged: string | number }>`
      select count(*) filter (where sent_at is null and failed_at is null and logged_at is null) as queued,
             count(*) filter (where sent_at is not null) as sent,
             count(*) filter (where failed_at is not null) as failed,
             count(*) filter (where logged_at is not null) as logged
        from email_outbox`.execute(ctx.db),
    ctx.db
      .selectFrom('email_outbox')
      .select(['id', 'kind', 'recipient', 'failed_at', 'last_error'])
      .where('failed_at', 'is not', null)
      .orderBy('failed_at', 'desc')
      .limit(20)
      .execute(),
  ]);
  const c = counts.rows[0]!;
  return {
    queued: Number(c.queued),
    sent: Number(c.sent),
    failed: Number(c.failed),
    logged: Number(c.logged),
    recentFailures: failures.map((f) => ({
      id: f.id,
      kind: f.kind,
      recipient: f.recipient,
      failedAt: new Date(f.failed_at!).toISOString(),
      error: f.last_error,
    })),
  };
}

/**
 * Queues every email that failed for good again, with a fresh count of
 * attempts (after the SMTP account was fixed, say). Returns how many.
 */
export async function resendFailedEmails(ctx: Ctx): Promise<number> {
  const result = await ctx.db
    .updateTable('email_outbox')
    .set({ failed_at: null, attempts: 0, next_attempt_at: sql`now()`, last_error: null, locked_until: null })
    .where('failed_at', 'is not', null)
    .where('sent_at', 'is', null)
    .executeTakeFirst();
  ctx.email.wake();
  return Number(result.numUpdatedRows);
}
