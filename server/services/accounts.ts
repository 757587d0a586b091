import type { PatchMeBody, RegisterBody } from '../../shared/schemas/accounts';
import { handleFromName, uniqueHandle } from '../domain/permissions';
import type { UserRow } from '../db/schema';
import {
  deleteApiToken,
  insertApiToken,
  insertSession,
  revokeOtherSessions,
  revokeSession,
  userForApiToken,
  userForSession,
} from '../db/sessions';
import { findUserByEmail, handlesLike, insertUser, updateUser } from '../db/users';
import { AppError, conflict, invalid, notFound } from '../errors';
import type { Ctx } from './context';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords';
import { LIMITS } from './rate-limiter';
import { hashApiToken, hashSessionToken, newSecret } from './tokens';
import { isUniqueViolation, isUuid, trimmed } from './text';

export const SESSION_DAYS = 30;

/** Who is making a request, and how they proved it. */
export interface Principal {
  user: UserRow;
  via: 'cookie' | 'token';
  sessionId: string | null;
}

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
): Promise<{ user: UserRow; token: string }> {
  const email = input.email.trim();
  await ctx.limiter.attempt(LIMITS.registerPerIp, ip);
  await ctx.limiter.attempt(LIMITS.registerPerEmail, email.toLowerCase());
  const name = trimmed(input.name, '/name');
  const passwordHash = await hashPassword(input.password);
  if (await findUserByEmail(ctx.db, email)) throw conflict('an account with that email already exists');
  for (let attempt = 0; ; attempt++) {
    let handle = input.handle;
    if (!handle) {
      const base = handleFromName(name);
      handle = uniqueHandle(base, await handlesLike(ctx.db, base));
    }
    try {
      const user = await insertUser(ctx.db, { email, name, handle, passwordHash });
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

/** Checks an email and password; the same answer whether or not the email exists. */
export async function login(
  ctx: Ctx,
  email: string,
  password: string,
  ip: string,
): Promise<{ user: UserRow; token: string }> {
  const subject = email.trim().toLowerCase();
  await ctx.limiter.assertUnder(LIMITS.loginFailuresPerIp, ip);
  await ctx.limiter.assertUnder(LIMITS.loginFailuresPerEmail, subject);
  const user = await findUserByEmail(ctx.db, subject);
  let ok = false;
  if (user) ok = await verifyPassword(password, user.password_hash);
  else await burnPasswordCheck(password);
  if (!user || !ok) {
    await ctx.limiter.fail(LIMITS.loginFailuresPerIp, ip);
    await ctx.limiter.fail(LIMITS.loginFailuresPerEmail, subject);
    throw new AppError(401, 'unauthenticated', 'wrong email or password');
  }
  const { token } = await startSession(ctx, user.id);
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

/** After a credential is revoked or a user changes: no process may keep trusting what it cached. */
async function forgetUser(ctx: Ctx, userId: string): Promise<void> {
  ctx.auth.evictUser(userId);
  ctx.timelines.evictUser(userId);
  await ctx.bus.publishAuthChange(userId).catch(() => {});
}

/** Changes name, notification preference or password; a new password revokes the other sessions. */
export async function updateMe(ctx: Ctx, principal: Principal, patch: PatchMeBody): Promise<UserRow> {
  let passwordHash: string | undefined;
  if (patch.password !== undefined) {
    if (!patch.currentPassword) throw invalid('/currentPassword', 'is required to set a new password');
    if (!(await verifyPassword(patch.currentPassword, principal.user.password_hash))) {
      throw invalid('/currentPassword', 'is not your current password');
    }
    passwordHash = await hashPassword(patch.password);
  }
  const name = patch.name === undefined ? undefined : trimmed(patch.name, '/name');
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const user = await updateUser(trx, principal.user.id, {
      name,
      emailNotifications: patch.emailNotifications,
      passwordHash,
    });
    if (passwordHash) await revokeOtherSessions(trx, user.id, principal.sessionId);
    return user;
  });
  await forgetUser(ctx, updated.id);
  return updated;
}

/** A new API token; its secret is returned once and only its hash is kept. */
export async function createApiToken(ctx: Ctx, userId: string, name: string) {
  const secret = newSecret('pl_');
  const row = await insertApiToken(ctx.db, userId, trimmed(name, '/name'), hashApiToken(secret));
  return { id: row.id, name: row.name, secret };
}

export async function revokeApiToken(ctx: Ctx, userId: string, tokenId: string): Promise<void> {
  if (!isUuid(tokenId) || !(await deleteApiToken(ctx.db, userId, tokenId))) throw notFound('token');
  await forgetUser(ctx, userId);
}
