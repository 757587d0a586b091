import { fullFormats } from 'ajv-formats/dist/formats';
import type {
  CreateInvitationBody,
  GroupSettings,
  Invitation,
  InvitationsSent,
  Role,
  SkippedInvitation,
} from '../../shared/schemas/groups';
import * as groups from '../db/groups';
import * as invitations from '../db/invitations';
import type { InvitationRow, UserRow } from '../db/schema';
import { findUserByEmail } from '../db/users';
import { can } from '../domain/permissions';
import { invitationEmails } from '../email/invitation-emails';
import { enqueueEmails } from '../email/outbox';
import { AppError, conflict, type ErrorDetail, forbidden, invalid, notFound } from '../errors';
import { presentInvitation } from '../presenters/invitation';
import { presentMembership } from '../presenters/membership';
import { type Ctx, type Emit, writeTransaction } from './context';
import { groupAccess, settingsOf } from './groups';
import { addNotifications } from './notifications';
import { LIMITS, waitInWords } from './rate-limiter';
import { isUuid } from './text';
import { newSecret } from './tokens';

/** How long an invitation works when its issuer gives no date, and how far a resend pushes it out. */
const DEFAULT_INVITATION_DAYS = 14;
/** An invitation's email goes out again at most this often. */
const RESEND_AFTER_MS = 10 * 60_000;
/** Addresses one person may email invitations to in a day: a cap on what a stranger can send through us. */
const EMAILED_PER_DAY = 500;
/** The `format: 'email'` rule the single `email` field is held to, for each of `emails`. */
const EMAIL = fullFormats.email as RegExp;

type Result = { invitation: Invitation } | InvitationsSent;

function invitationBaseUrl(ctx: Ctx, requestOrigin: string): string {
  return ctx.config.publicUrl ?? requestOrigin;
}

function defaultExpiry(): Date {
  return new Date(Date.now() + DEFAULT_INVITATION_DAYS * 86_400_000);
}

function newToken(): string {
  return newSecret().slice(0, 32);
}

/**
 * The invitee's notification stays in the app: the invitation's own email
 * (with the link, which a notification email would lack) is the one they get.
 * An emit without the configuration queues no notification email.
 */
function inAppOnly(emit: Emit): Emit {
  return (event) => emit(event);
}

/**
 * The addresses of `emails`, trimmed, lower-cased and each once, in the order
 * given; a 400 naming every one that is not an address (`/emails/3`).
 */
export function normaliseEmails(emails: string[]): string[] {
  const bad: ErrorDetail[] = [];
  const seen = new Set<string>();
  emails.forEach((raw, i) => {
    const email = raw.trim().toLowerCase();
    if (email.length > 254 || !EMAIL.test(email)) {
      bad.push({ path: `/emails/${i}`, message: 'is not an email address' });
    } else seen.add(email);
  });
  if (bad.length > 0) {
    const first = bad[0]!;
    throw new AppError(
      400,
      'validation_failed',
      `${first.path.slice(1)} ${first.message}: ${JSON.stringify(emails[Number(first.path.split('/')[2])]!.trim())}`,
      bad,
    );
  }
  return [...seen];
}

/** The message as the inviter wrote it, or null when it is only spaces. */
function messageOf(body: CreateInvitationBody): string | null {
  const message = body.message?.trim() ?? '';
  return message === '' ? null : message;
}

/**
 * `POST /groups/:id/invitations`: a link, an invitation to one address, or
 * (`emails`) one to each of up to 100 addresses. Whatever is emailed is queued
 * in the transaction that writes the invitations.
 */
export async function createInvitations(
  ctx: Ctx,
  groupId: string,
  actor: UserRow,
  body: CreateInvitationBody,
  requestOrigin: string,
): Promise<Result> {
  const role = body.role ?? 'member';
  const access = await groupAccess(
    ctx,
    groupId,
    actor.id,
    role === 'facilitator' ? 'invite_facilitator' : 'invite',
  );
  let expiresAt = defaultExpiry();
  if (body.expiresAt !== undefined && body.expiresAt !== null) {
    expiresAt = new Date(body.expiresAt);
    if (expiresAt.getTime() <= Date.now()) throw invalid('/expiresAt', 'must be in the future');
  } else if (body.expiresAt === null) {
    throw invalid('/expiresAt', 'must be a date; invitations always expire');
  }
  const message = messageOf(body);
  const email = body.email?.trim() || null;
  if (body.emails !== undefined) {
    if (email) throw invalid('/email', 'cannot be given with emails; put it in the list');
    if (body.maxUses !== undefined && body.maxUses !== 1) {
      throw invalid('/maxUses', 'an invitation by email admits one person');
    }
  } else if (message !== null && !email) {
    throw invalid('/message', 'goes in an invitation by email; give email or emails');
  }
  const addresses = body.emails === undefined ? null : normaliseEmails(body.emails);
  const baseUrl = invitationBaseUrl(ctx, requestOrigin);
  await ctx.limiter.attempt(LIMITS.invitationsPerUser, actor.id);
  await assertUnderDailyCap(ctx, actor.id, addresses?.length ?? (email ? 1 : 0));
  const issue = { role, expiresAt, createdBy: actor.id, issuedAs: access.role, message };
  const standing = { valid: true, issuedBy: { id: actor.id, name: actor.name } };

  if (addresses === null) {
    const maxUses = body.maxUses !== undefined ? body.maxUses : email ? 1 : null;
    const invitation = await writeTransaction(ctx, async (trx, emit) => {
      const [row] = await invitations.insertInvitations(trx, [
        { ...issue, groupId, token: newToken(), email, maxUses, emailedAt: email ? new Date() : null },
      ]);
      if (email) {
        const invitee = await findUserByEmail(trx, email);
        if (invitee) {
          await addNotifications(trx, inAppOnly(emit), [
            invitedNote(invitee.id, actor, groupId, access.group.name),
          ]);
        }
        await enqueueEmails(
          trx,
          invitationEmails(actor, access.group.name, [
            {
              to: email,
              url: presentInvitation(row!, baseUrl, standing).url,
              role,
              expiresAt,
              message,
              userId: invitee?.id,
              account: invitee,
            },
          ]),
        );
      }
      return row!;
    });
    if (email) ctx.email.wake();
    return { invitation: presentInvitation(invitation, baseUrl, standing) };
  }

  const sent = await writeTransaction(ctx, async (trx, emit) => {
    const accounts = await invitations.accountsByEmail(trx, groupId, addresses);
    const account = new Map(accounts.map((a) => [a.address, a]));
    // Telling a plain member which addresses belong to members would show them addresses only facilitators see.
    const skipMembers = access.role === 'facilitator';
    const earlier = new Map<string, InvitationRow>();
    for (const row of await invitations.lockUnusedByEmail(trx, groupId, addresses)) {
      const address = row.email!.toLowerCase();
      if (!earlier.has(address)) earlier.set(address, row);
    }
    const skipped: SkippedInvitation[] = [];
    const fresh: string[] = [];
    const renewed: InvitationRow[] = [];
    for (const address of addresses) {
      if (skipMembers && account.get(address)?.role) {
        skipped.push({ email: address, reason: 'already_member' });
        continue;
      }
      const before = earlier.get(address);
      if (!before) fresh.push(address);
      else if (before.emailed_at && Date.now() - before.emailed_at.getTime() < RESEND_AFTER_MS) {
        skipped.push({ email: address, reason: 'recently_sent' });
      } else renewed.push(await invitations.renewInvitation(trx, before.id, issue));
    }
    const created = await invitations.insertInvitations(
      trx,
      fresh.map((address) => ({
        ...issue,
        groupId,
        token: newToken(),
        email: address,
        maxUses: 1,
        emailedAt: new Date(),
      })),
    );
    const rows = [...created, ...renewed];
    const invitees = rows.flatMap((r) => {
      const a = account.get(r.email!.toLowerCase());
      return a && !a.role ? [invitedNote(a.id, actor, groupId, access.group.name)] : [];
    });
    if (invitees.length > 0) await addNotifications(trx, inAppOnly(emit), invitees);
    await enqueueEmails(
      trx,
      invitationEmails(
        actor,
        access.group.name,
        rows.map((r) => ({
          to: r.email!,
          url: presentInvitation(r, baseUrl, standing).url,
          role,
          expiresAt,
          message,
          userId: account.get(r.email!.toLowerCase())?.id,
          account: account.get(r.email!.toLowerCase()),
        })),
      ),
    );
    return { rows, skipped };
  });
  if (sent.rows.length > 0) ctx.email.wake();
  const order = new Map(addresses.map((a, i) => [a, i]));
  const items = sent.rows
    .sort((a, b) => order.get(a.email!.toLowerCase())! - order.get(b.email!.toLowerCase())!)
    .map((r) => presentInvitation(r, baseUrl, standing));
  return { items, skipped: sent.skipped };
}

function invitedNote(userId: string, actor: UserRow, groupId: string, groupName: string) {
  return {
    userId,
    kind: 'invited' as const,
    actorId: actor.id,
    groupId,
    text: `${actor.name} invited you to join ${groupName}`,
  };
}

/** 429 when emailing `count` more invitations would take `userId` past the day's cap. */
async function assertUnderDailyCap(ctx: Ctx, userId: string, count: number): Promise<void> {
  if (count === 0 || !ctx.config.rateLimits) return;
  const since = new Date(Date.now() - 86_400_000);
  const already = await invitations.invitationsEmailedBy(ctx.db, userId, since);
  if (already + count > EMAILED_PER_DAY) {
    throw new AppError(
      429,
      'rate_limited',
      `you may email at most ${EMAILED_PER_DAY} invitations a day (${already} so far); try again tomorrow`,
      undefined,
      { 'retry-after': String(3600) },
    );
  }
}

type IssuedInvitation = Awaited<ReturnType<typeof invitations.invitationsOfGroup>>[number];

function presentIssued(row: IssuedInvitation, settings: GroupSettings, baseUrl: string) {
  return presentInvitation(row, baseUrl, {
    valid: isUsable(row, row.issuer_role, settings),
    issuedBy: row.created_by && row.issuer_name ? { id: row.created_by, name: row.issuer_name } : null,
  });
}

/** The group's invitations, each saying whether it works now (facilitators). */
export async function listInvitations(ctx: Ctx, groupId: string, userId: string, requestOrigin: string) {
  const { group } = await groupAccess(ctx, groupId, userId, 'list_invitations');
  const rows = await invitations.invitationsOfGroup(ctx.db, groupId);
  const baseUrl = invitationBaseUrl(ctx, requestOrigin);
  return rows.map((r) => presentIssued(r, settingsOf(group), baseUrl));
}

/**
 * A facilitator takes over an invitation as its issuer, so a link that stopped
 * working when its issuer was demoted or left works again (while not used up
 * or expired), and stops when this facilitator in turn steps down.
 */
export async function reissueInvitation(
  ctx: Ctx,
  groupId: string,
  actor: UserRow,
  invitationId: string,
  requestOrigin: string,
) {
  const { group } = await groupAccess(ctx, groupId, actor.id, 'invite_facilitator');
  if (!isUuid(invitationId)) throw notFound('invitation');
  await ctx.limiter.attempt(LIMITS.invitationsPerUser, actor.id);
  if (!(await invitations.reissueInvitation(ctx.db, groupId, invitationId, actor.id))) {
    // Demoted or removed a moment ago (403 or 404 as for any act), or no such invitation in this group.
    await groupAccess(ctx, groupId, actor.id, 'invite_facilitator');
    throw notFound('invitation');
  }
  const row = await invitations.issuedInvitation(ctx.db, groupId, invitationId);
  if (!row) throw notFound('invitation');
  return presentIssued(row, settingsOf(group), invitationBaseUrl(ctx, requestOrigin));
}

/**
 * Emails an invitation again (facilitators), at most once per 10 minutes
 * each: its link stays the same, works for another 14 days from now (an
 * expired one works again), and has the caller as its issuer, as a re-issued
 * link does.
 */
export async function resendInvitation(
  ctx: Ctx,
  groupId: string,
  actor: UserRow,
  invitationId: string,
  requestOrigin: string,
) {
  const { group } = await groupAccess(ctx, groupId, actor.id, 'invite_facilitator');
  if (!isUuid(invitationId)) throw notFound('invitation');
  await ctx.limiter.attempt(LIMITS.invitationsPerUser, actor.id);
  const baseUrl = invitationBaseUrl(ctx, requestOrigin);
  const standing = { valid: true, issuedBy: { id: actor.id, name: actor.name } };
  const row = await writeTransaction(ctx, async (trx) => {
    const found = await invitations.lockInvitation(trx, groupId, invitationId);
    if (!found) throw notFound('invitation');
    // The role read above came before the lock: one demoted meanwhile does not resend.
    const { issuerRole } = await invitations.lockIssuerStanding(trx, groupId, actor.id);
    if (issuerRole !== 'facilitator') {
      await groupAccess(ctx, groupId, actor.id, 'invite_facilitator');
      throw notFound('group');
    }
    if (!found.email) throw conflict('this invitation is a link, not sent to anyone: copy the link instead');
    if (found.max_uses !== null && found.uses >= found.max_uses) {
      throw conflict('this invitation has been accepted');
    }
    const wait = found.emailed_at ? found.emailed_at.getTime() + RESEND_AFTER_MS - Date.now() : 0;
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new AppError(
        429,
        'rate_limited',
        `this invitation was emailed less than 10 minutes ago; try again in ${waitInWords(seconds)}`,
        undefined,
        { 'retry-after': String(seconds) },
      );
    }
    const expiresAt = new Date(Math.max(found.expires_at?.getTime() ?? 0, defaultExpiry().getTime()));
    const renewed = await invitations.renewInvitation(trx, found.id, {
      role: found.role,
      expiresAt,
      createdBy: actor.id,
      issuedAs: 'facilitator',
      message: found.message,
    });
    const invitee = await findUserByEmail(trx, found.email);
    await enqueueEmails(
      trx,
      invitationEmails(actor, group.name, [
        {
          to: found.email,
          url: presentInvitation(renewed, baseUrl, standing).url,
          role: renewed.role,
          expiresAt,
          message: renewed.message,
          userId: invitee?.id,
          account: invitee,
        },
      ]),
    );
    return renewed;
  });
  ctx.email.wake();
  return presentInvitation(row, baseUrl, standing);
}

export async function revokeInvitation(ctx: Ctx, groupId: string, userId: string, invitationId: string) {
  await groupAccess(ctx, groupId, userId, 'list_invitations');
  if (!isUuid(invitationId)) throw notFound('invitation');
  const result = await invitations.deleteInvitation(ctx.db, groupId, invitationId);
  if (Number(result.numDeletedRows) === 0) throw notFound('invitation');
}

/**
 * Whether the issuer may still issue this kind of invitation in the group
 * (`issuerRole` null: they left, or their account is gone). A demoted or
 * departed issuer's links stop working until a facilitator re-issues them.
 */
function issuerMayInvite(
  inv: { role: Role; issued_as: Role | null },
  issuerRole: Role | null,
  settings: GroupSettings,
): boolean {
  // A facilitator's link speaks for the facilitator: demoted, it stops, even one that makes members.
  if (inv.issued_as === 'facilitator' && issuerRole !== 'facilitator') return false;
  return can(issuerRole, settings, inv.role === 'facilitator' ? 'invite_facilitator' : 'invite');
}

/** Not used up, not expired, and its issuer still stands behind it. */
function isUsable(
  inv: { role: Role; issued_as: Role | null; max_uses: number | null; uses: number; expires_at: Date | null },
  issuerRole: Role | null,
  settings: GroupSettings,
): boolean {
  return (
    (inv.max_uses === null || inv.uses < inv.max_uses) &&
    (inv.expires_at === null || inv.expires_at > new Date()) &&
    issuerMayInvite(inv, issuerRole, settings)
  );
}

/** What an invitation link shows before anyone signs in. */
export async function previewInvitation(ctx: Ctx, token: string, ip: string) {
  await ctx.limiter.assertUnder(LIMITS.invitationMissesPerIp, ip);
  const inv = await invitations.invitationByToken(ctx.db, token);
  if (!inv) {
    await ctx.limiter.fail(LIMITS.invitationMissesPerIp, ip);
    throw notFound('invitation');
  }
  return {
    groupName: inv.group_name,
    groupId: inv.group_id,
    role: inv.role,
    valid: isUsable(inv, inv.issuer_role, settingsOf(inv)),
    expiresAt: inv.expires_at ? inv.expires_at.toISOString() : null,
  };
}

/**
 * Joins a group through an invitation. Everything that makes a link usable is
 * checked again inside the transaction, under locks: its uses and expiry, its
 * issuer's standing, and that this person never joined through it before
 * (a link admits each person once, so whoever was removed, or left, needs a new one).
 */
export async function acceptInvitation(ctx: Ctx, token: string, user: UserRow, ip: string) {
  await ctx.limiter.assertUnder(LIMITS.invitationMissesPerIp, ip);
  const inv = await invitations.invitationByToken(ctx.db, token);
  if (!inv || !isUsable(inv, inv.issuer_role, settingsOf(inv))) {
    if (!inv) await ctx.limiter.fail(LIMITS.invitationMissesPerIp, ip);
    throw notFound('invitation');
  }
  if (inv.email && inv.email.toLowerCase() !== user.email.toLowerCase()) {
    throw forbidden('this invitation was sent to another email address');
  }
  await writeTransaction(ctx, async (trx, emit) => {
    // Locks the invitation first: its issuer as read here is the one whose standing is locked next.
    const used = await invitations.consumeInvitation(trx, token);
    if (!used) throw notFound('invitation');
    const standing = await invitations.lockIssuerStanding(trx, used.group_id, used.created_by);
    if (!issuerMayInvite(used, standing.issuerRole, settingsOf(standing.group))) {
      throw notFound('invitation');
    }
    const joined = await groups.insertMembership(trx, used.group_id, user.id, used.role);
    // Throwing rolls back the use taken above.
    if (!joined) throw conflict('you are already a member of this group');
    if (!(await invitations.recordInvitationUse(trx, used.id, user.id))) {
      throw new AppError(404, 'not_found', 'you joined through this invitation before; ask for a new one');
    }
    emit({
      kind: 'member.joined',
      groupId: used.group_id,
      actorId: user.id,
      subjectId: user.id,
      data: { userId: user.id, role: used.role, joinedAt: joined.joined_at.toISOString() },
    });
  });
  const row = await groups.memberWithUser(ctx.db, inv.group_id, user.id);
  return { membership: presentMembership(row!, true), groupId: inv.group_id };
}
