import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { ChangeEmailBody } from '../../shared/schemas/accounts';
import type { Config } from '../config';
import {
  dropAccountTokens,
  issueAccountToken,
  liveAccountToken,
  markEmailVerified,
  NO_USER,
  outboxProbe,
  setVerifiedEmail,
  useAccountToken,
} from '../db/account-tokens';
import type { AccountTokenPurpose, DB, UserRow } from '../db/schema';
import { deleteApiTokensOf, insertSession, revokeOtherSessions } from '../db/sessions';
import { findUserByEmail, updateUser } from '../db/users';
import { passwordProblem } from '../domain/passwords';
import {
  accountLink,
  emailChangeEmail,
  emailChangeNotice,
  passwordResetEmail,
  verificationEmail,
} from '../email/account-emails';
import { enqueueEmails } from '../email/outbox';
import { conflict, invalid } from '../errors';
import { memberLocale, translatorFor } from '../i18n';
import { type Ctx, writeTransaction } from './context';
import { hashPassword, verifyPassword } from './passwords';
import { type Limit, THROTTLES } from './rate-limiter';
import { forgetUser, SESSION_DAYS } from './sessions';
import { isUniqueViolation } from './text';
import { hashSessionToken, newSecret } from './tokens';
import type { Principal } from './types';

const HOUR_MS = 3_600_000;
/** How long each kind of link works. */
const VALID_MS: Record<AccountTokenPurpose, number> = {
  password_reset: HOUR_MS,
  verify_email: 7 * 24 * HOUR_MS,
  change_email: 24 * HOUR_MS,
};

/** How often anyone may have Plenary email an address about an account. */
export const RECOVERY_LIMITS = {
  /** Resets asked from one address, over every email it names. */
  resetPerIp: { name: 'password-reset:ip', max: 30, windowSeconds: 3600 },
  /** Resets asked for one email, whether or not it has an account (so the 429 tells nothing either). */
  resetPerEmail: { name: 'password-reset:email', max: 5, windowSeconds: 3600 },
  verificationPerUser: { name: 'verify-email:user', max: 5, windowSeconds: 3600 },
  emailChangePerUser: { name: 'change-email:user', max: 5, windowSeconds: 3600 },
} satisfies Record<string, Limit>;

/** Only a SHA-256 of a link's token is stored: a leaked table opens no account. */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const expiry = (purpose: AccountTokenPurpose) => new Date(Date.now() + VALID_MS[purpose]);

/** The same answer for an unknown, used, superseded or expired link. */
const badLink = () => invalid('/token', 'is not a valid link: it may have expired or been used already');

/**
 * Emails a link to choose a new password when the address has an account,
 * and answers the same, after the same database round trips, when it has
 * none: whoever asks learns nothing about who has an account. The email
 * speaks the account's language; without an account (the email is made,
 * the same work done, but nothing queued) the asking browser's
 * (`browserLocale`, from Accept-Language), else English.
 */
export async function requestPasswordReset(
  ctx: Ctx,
  email: string,
  ip: string,
  browserLocale: string | null = null,
): Promise<void> {
  const address = email.trim();
  await ctx.limiter.attempt(RECOVERY_LIMITS.resetPerIp, ip);
  await ctx.limiter.attempt(RECOVERY_LIMITS.resetPerEmail, address.toLowerCase());
  const user = await findUserByEmail(ctx.db, address);
  const token = newSecret();
  const mail = passwordResetEmail(
    ctx.config,
    { email: user?.email ?? address, name: user?.name ?? null, userId: user?.id ?? null },
    token,
    translatorFor(user ? memberLocale(user) : browserLocale),
  );
  await writeTransaction(ctx, async (trx) => {
    const issued = await issueAccountToken(trx, {
      purpose: 'password_reset',
      userId: user?.id ?? NO_USER,
      tokenHash: tokenHash(token),
      newEmail: null,
      expiresAt: expiry('password_reset'),
    });
    if (issued) await enqueueEmails(trx, [mail]);
    else await outboxProbe(trx, tokenHash(token));
  });
  if (user) ctx.email.wake();
}

/**
 * A reset link for an account, made for the operator's command line
 * (`plenary reset-password`) to hand over by other means than email. It
 * replaces any earlier reset link of the account, and works once, for an hour.
 */
export async function issuePasswordResetLink(ctx: Ctx, user: UserRow): Promise<string> {
  const token = newSecret();
  await writeTransaction(ctx, async (trx) => {
    await issueAccountToken(trx, {
      purpose: 'password_reset',
      userId: user.id,
      tokenHash: tokenHash(token),
      newEmail: null,
      expiresAt: expiry('password_reset'),
    });
  });
  return accountLink(ctx.config, 'reset-password', token);
}

/**
 * Sets a new password with a reset link, which works once. Every session and
 * API token of the account is revoked (open websockets close with 4001), as
 * are pending address changes; the caller gets a new session, as the link
 * proved they read the account's mail. Receiving it also verifies the address.
 */
export async function resetPassword(
  ctx: Ctx,
  token: string,
  password: string,
): Promise<{ user: UserRow; sessionToken: string }> {
  const found = await liveAccountToken(ctx.db, 'password_reset', tokenHash(token));
  if (!found) throw badLink();
  const problem = passwordProblem(password, found.user);
  if (problem) throw invalid('/password', problem);
  const passwordHash = await hashPassword(password);
  const sessionToken = newSecret();
  const user = await writeTransaction(ctx, async (trx) => {
    if (!(await useAccountToken(trx, found.tokenId))) throw badLink();
    const userId = found.user.id;
    await updateUser(trx, userId, { passwordHash });
    await markEmailVerified(trx, userId, found.user.email);
    await revokeOtherSessions(trx, userId, null);
    await deleteApiTokensOf(trx, userId);
    // A change asked by whoever knew the old password must not complete after it is replaced.
    await dropAccountTokens(trx, userId, ['password_reset', 'change_email']);
    await insertSession(
      trx,
      userId,
      hashSessionToken(sessionToken, ctx.config.sessionSecret),
      new Date(Date.now() + SESSION_DAYS * 86_400_000),
    );
    return trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  });
  await forgetUser(ctx, user.id);
  return { user, sessionToken };
}

/**
 * Queues the "Confirm your email address" link for the account's current
 * address, in the caller's transaction, in the account's language (at
 * sign-up: the browser's it was created from).
 */
export async function queueVerification(trx: Transaction<DB>, config: Config, user: UserRow): Promise<void> {
  const token = newSecret();
  await issueAccountToken(trx, {
    purpose: 'verify_email',
    userId: user.id,
    tokenHash: tokenHash(token),
    newEmail: user.email,
    expiresAt: expiry('verify_email'),
  });
  await enqueueEmails(trx, [
    verificationEmail(
      config,
      { email: user.email, name: user.name, userId: user.id },
      token,
      translatorFor(memberLocale(user)),
    ),
  ]);
}

/** Sends the verification link again (the earlier one stops working). */
export async function resendVerification(ctx: Ctx, principal: Principal): Promise<void> {
  const { user } = principal;
  if (user.email_verified_at) throw conflict('your email address is already verified');
  await ctx.limiter.attempt(RECOVERY_LIMITS.verificationPerUser, user.id);
  await writeTransaction(ctx, (trx) => queueVerification(trx, ctx.config, user));
  ctx.email.wake();
}

/** Marks the address a verification link was sent to as verified, if the account still uses it. */
export async function verifyEmail(ctx: Ctx, token: string): Promise<void> {
  const userId = await writeTransaction(ctx, async (trx) => {
    const found = await liveAccountToken(trx, 'verify_email', tokenHash(token));
    if (!found?.newEmail || !(await useAccountToken(trx, found.tokenId))) throw badLink();
    if (!(await markEmailVerified(trx, found.user.id, found.newEmail))) throw badLink();
    return found.user.id;
  });
  await forgetUser(ctx, userId);
}

/**
 * Starts moving the account to another address: the new one gets a link,
 * the current one a notice. Nothing changes until the link is followed. The
 * current password is checked as `PATCH /me` checks it, under the same throttle.
 */
export async function requestEmailChange(
  ctx: Ctx,
  principal: Principal,
  body: ChangeEmailBody,
): Promise<void> {
  const { user } = principal;
  const email = body.email.trim();
  if (email.toLowerCase() === user.email.toLowerCase()) throw invalid('/email', 'is already your address');
  const check = await ctx.limiter.take(THROTTLES.passwordChecksPerAccount, user.email.trim().toLowerCase());
  if (!(await verifyPassword(body.currentPassword, user.password_hash))) {
    throw invalid('/currentPassword', 'is not your current password');
  }
  await check.release();
  await ctx.limiter.attempt(RECOVERY_LIMITS.emailChangePerUser, user.id);
  if (await findUserByEmail(ctx.db, email)) throw conflict('an account with that email already exists');
  const token = newSecret();
  // Both addresses are the member's: both emails speak their language.
  const tr = translatorFor(memberLocale(user));
  await writeTransaction(ctx, async (trx) => {
    await issueAccountToken(trx, {
      purpose: 'change_email',
      userId: user.id,
      tokenHash: tokenHash(token),
      newEmail: email,
      expiresAt: expiry('change_email'),
    });
    await enqueueEmails(trx, [
      emailChangeEmail(ctx.config, { newEmail: email, name: user.name, userId: user.id }, token, tr),
      emailChangeNotice(ctx.config, { email: user.email, name: user.name, userId: user.id }, email, tr),
    ]);
  });
  ctx.email.wake();
}

/**
 * Moves the account to the address the link was sent to, now verified. Links
 * sent to the old address stop working. 409 when another account took the
 * address meanwhile (the link stays usable should it become free).
 */
export async function confirmEmailChange(ctx: Ctx, token: string): Promise<void> {
  const userId = await writeTransaction(ctx, async (trx) => {
    const found = await liveAccountToken(trx, 'change_email', tokenHash(token));
    if (!found?.newEmail) throw badLink();
    const holder = await findUserByEmail(trx, found.newEmail);
    if (holder && holder.id !== found.user.id) throw conflict('another account uses that email address now');
    if (!(await useAccountToken(trx, found.tokenId))) throw badLink();
    try {
      await setVerifiedEmail(trx, found.user.id, found.newEmail);
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key'))
        throw conflict('another account uses that email address now');
      throw err;
    }
    await dropAccountTokens(trx, found.user.id, ['password_reset', 'verify_email', 'change_email']);
    return found.user.id;
  });
  await forgetUser(ctx, userId);
}
