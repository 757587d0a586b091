import type { PatchMeBody, RegisterBody } from '../../shared/schemas/accounts';
import { dropAccountTokens } from '../db/account-tokens';
import type { UserRow } from '../db/schema';
import {
  deleteApiToken,
  deleteApiTokensOf,
  insertApiToken,
  insertSession,
  revokeOtherSessions,
  revokeSession,
  userForApiToken,
  userForSession,
} from '../db/sessions';
import { findUserByEmail, handlesLike, insertUser, updateUser } from '../db/users';
import { passwordProblem } from '../domain/passwords';
import { handleFromName, uniqueHandle } from '../domain/permissions';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors';
import { LOCALES } from '../i18n';
import { queueVerification } from './account-recovery';
import { type Ctx, writeTransaction } from './context';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords';
import { LIMITS, type Taken, THROTTLES } from './rate-limiter';
import { forgetUser, SESSION_DAYS } from './sessions';
import { isUniqueViolation, isUuid, trimmed } from './text';
import { hashApiToken, hashSessionToken, newSecret } from './tokens';
import type { Principal } from './types';

async function startSession(ctx: Ctx, userId: string): Promise<{ token: string; sessionId: string }> {
  const token = newSecret();
  const expires = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  const { id } = await insertSession(
    ctx.db,
    userId,
    hashSessionToken(token, ctx.config.sessionSecret),
    expires,
  );
  return { token, sessionId: id };
}

/** Creates an account and its first session. */
export async function register(
  ctx: Ctx,
  input: RegisterBody,
  ip: string,
  browserLocale: string | null = null,
): Promise<{ user: UserRow; token: string }> {
  const email = input.email.trim();
  await ctx.limiter.attempt(LIMITS.registerPerIp, ip);
  await ctx.limiter.attempt(LIMITS.registerPerEmail, email.toLowerCase());
  const name = trimmed(input.name, '/name');
  checkNewPassword(input.password, { email, name, handle: input.handle });
  const passwordHash = await hashPassword(input.password);
  if (await findUserByEmail(ctx.db, email)) throw conflict('an account with that email already exists');
  for (let attempt = 0; ; attempt++) {
    let handle = input.handle;
    if (!handle) {
      const base = handleFromName(name);
      handle = uniqueHandle(base, await handlesLike(ctx.db, base));
    }
    try {
      const user = await writeTransaction(ctx, async (trx) => {
        const created = await insertUser(trx, { email, name, handle, passwordHash, browserLocale });
        await queueVerification(trx, ctx.config, created);
        return created;
      });
      ctx.email.wake();
      const { token } = await startSession(ctx, user.id);
      return { user, token };
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key'))
        throw conflict('an account with that email already exists');
      if (isUniqueViolation(err, 'users_handle_key')) {
        if (input.handle)
          throw new AppError(409, 'conflict', 'that handle is taken', [
            { path: '/handle', message: 'is taken' },
          ]);
        if (attempt < 5) continue; // another sign-up took the same derived handle a moment ago
      }
      throw err;
    }
  }
}

/** Refuses a password NIST SP 800-63B would: too short once invisible characters are gone, common, or built from the account. */
function checkNewPassword(password: string, owner: { email: string; name: string; handle?: string | null }) {
  const problem = passwordProblem(password, owner);
  if (problem) throw invalid('/password', problem);
}

/**
 * Checks an email and password; the same answer whether or not the email exists.
 * The attempt is counted against the address and the account before the
 * password is checked, so a burst of guesses, however concurrent, gets no more
 * checks than the throttles allow; a sign-in that succeeds gives its count back.
 */
export async function login(
  ctx: Ctx,
  email: string,
  password: string,
  ip: string,
  browserLocale: string | null = null,
): Promise<{ user: UserRow; token: string }> {
  const subject = email.trim().toLowerCase();
  const fromIp = await ctx.limiter.take(THROTTLES.passwordChecksPerIp, ip);
  let forAccount: Taken;
  try {
    forAccount = await ctx.limiter.take(THROTTLES.passwordChecksPerAccount, subject);
  } catch (err) {
    await fromIp.release(); // never checked: it should not count against the address
    throw err;
  }
  const user = await findUserByEmail(ctx.db, subject);
  let ok = false;
  if (user) ok = await verifyPassword(password, user.password_hash);
  else await burnPasswordCheck(password);
  if (!user || !ok) throw new AppError(401, 'unauthenticated', 'wrong email or password');
  await Promise.all([fromIp.release(), forAccount.release()]);
  const { token } = await startSession(ctx, user.id);
  if (browserLocale && browserLocale !== user.browser_locale) {
    // What emails speak when the member has chosen no language: the browser they last signed in with.
    return { user: await updateUser(ctx.db, user.id, { browserLocale }), token };
  }
  return { user, token };
}

export async function logout(ctx: Ctx, principal: Principal): Promise<void> {
  if (principal.sessionId) await revokeSession(ctx.db, principal.sessionId);
  await forgetUser(ctx, principal.user.id);
}

/** The principal behind a session cookie or an API token, or null. */
export async function authenticate(
  ctx: Ctx,
  credentials: { sessionToken?: string; apiToken?: string },
): Promise<Principal | null> {
  const key = credentials.apiToken
    ? `t:${hashApiToken(credentials.apiToken)}`
    : credentials.sessionToken
      ? `s:${hashSessionToken(credentials.sessionToken, ctx.config.sessionSecret)}`
      : null;
  if (!key) return null;
  const cached = ctx.auth.get(key);
  if (cached) return cached;
  let principal: Principal | null = null;
  if (key.startsWith('t:')) {
    const found = await userForApiToken(ctx.db, key.slice(2));
    if (found) principal = { user: found.user, via: 'token', sessionId: null };
  } else {
    const found = await userForSession(ctx.db, key.slice(2));
    if (found) principal = { user: found.user, via: 'cookie', sessionId: found.sessionId };
  }
  if (principal) ctx.auth.set(key, principal);
  return principal;
}

/**
 * Changes name, notification preference or password. A new password must pass
 * the password rules and come with the current one, which is throttled per
 * account like a login; it revokes the user's other sessions and every API token.
 */
export async function updateMe(ctx: Ctx, principal: Principal, patch: PatchMeBody): Promise<UserRow> {
  const name = patch.name === undefined ? undefined : trimmed(patch.name, '/name');
  if (patch.locale && !LOCALES.includes(patch.locale)) {
    throw invalid('/locale', `is not a language Plenary speaks (${LOCALES.join(', ')})`);
  }
  let passwordHash: string | undefined;
  if (patch.password !== undefined) {
    if (!patch.currentPassword) throw invalid('/currentPassword', 'is required to set a new password');
    const { user } = principal;
    checkNewPassword(patch.password, { email: user.email, name: name ?? user.name, handle: user.handle });
    const check = await ctx.limiter.take(THROTTLES.passwordChecksPerAccount, user.email.trim().toLowerCase());
    if (!(await verifyPassword(patch.currentPassword, user.password_hash))) {
      throw invalid('/currentPassword', 'is not your current password');
    }
    await check.release();
    passwordHash = await hashPassword(patch.password);
  }
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const user = await updateUser(trx, principal.user.id, {
      name,
      emailNotifications: patch.emailNotifications,
      locale: patch.locale,
      passwordHash,
    });
    if (passwordHash) {
      // Whoever learnt the old password may have made sessions or tokens with it: none survive.
      await revokeOtherSessions(trx, user.id, principal.sessionId);
      await deleteApiTokensOf(trx, user.id);
      // An address change asked with the old password must not complete after it is replaced.
      await dropAccountTokens(trx, user.id, ['change_email']);
    }
    return user;
  });
  await forgetUser(ctx, updated.id);
  return updated;
}

/**
 * A new API token; its secret is returned once and only its hash is kept.
 * Only a signed-in session may make one: a token that could mint tokens would
 * leave copies of itself behind when it is revoked.
 */
export async function createApiToken(ctx: Ctx, principal: Principal, name: string) {
  if (principal.via === 'token') {
    throw forbidden('API tokens can only be created from a signed-in session, not with an API token');
  }
  const secret = newSecret('pl_');
  const row = await insertApiToken(ctx.db, principal.user.id, trimmed(name, '/name'), hashApiToken(secret));
  return { id: row.id, name: row.name, secret };
}

export async function revokeApiToken(ctx: Ctx, userId: string, tokenId: string): Promise<void> {
  if (!isUuid(tokenId) || !(await deleteApiToken(ctx.db, userId, tokenId))) throw notFound('token');
  await forgetUser(ctx, userId);
}
