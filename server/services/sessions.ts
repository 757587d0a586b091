import type { Ctx } from './context';

/** How long a session lasts from sign-in, or from the password reset that started it. */
export const SESSION_DAYS = 30;

/** After a credential is revoked or a user changes: no process may keep trusting what it cached. */
export async function forgetUser(ctx: Ctx, userId: string): Promise<void> {
  ctx.auth.evictUser(userId);
  ctx.timelines.evictUser(userId);
  await ctx.bus.publishAuthChange(userId).catch(() => {});
}
