import type { Kysely } from 'kysely';
import { hitRateLimit, peekRateLimit } from '../db/rate-limits';
import type { DB } from '../db/schema';
import { AppError } from '../errors';

/** A named limit: at most `max` counted hits per `windowSeconds`. */
export interface Limit {
  name: string;
  max: number;
  windowSeconds: number;
}

export const LIMITS = {
  registerPerIp: { name: 'register:ip', max: 100, windowSeconds: 3600 },
  registerPerEmail: { name: 'register:email', max: 5, windowSeconds: 3600 },
  /** Only failed logins count, so a person signing in often is never locked out. */
  loginFailuresPerEmail: { name: 'login-fail:email', max: 5, windowSeconds: 900 },
  loginFailuresPerIp: { name: 'login-fail:ip', max: 50, windowSeconds: 900 },
  invitationsPerUser: { name: 'invite:user', max: 100, windowSeconds: 3600 },
  invitationMissesPerIp: { name: 'invite-miss:ip', max: 50, windowSeconds: 900 },
} satisfies Record<string, Limit>;

function rateLimited(resetsAt: Date): AppError {
  const seconds = Math.max(1, Math.ceil((resetsAt.getTime() - Date.now()) / 1000));
  return new AppError(429, 'rate_limited', `too many attempts; try again in ${seconds} s`, undefined, {
    'retry-after': String(seconds),
  });
}

/** Rate limits kept in the database, so every server process shares them. */
export class RateLimiter {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly enabled: boolean,
  ) {}

  /** Counts an attempt and throws 429 once it exceeds the limit. */
  async attempt(limit: Limit, subject: string): Promise<void> {
    if (!this.enabled) return;
    const { count, resetsAt } = await hitRateLimit(this.db, `${limit.name}:${subject}`, limit.windowSeconds);
    if (count > limit.max) throw rateLimited(resetsAt);
  }

  /** Throws 429 when earlier failures already reached the limit, without counting this one. */
  async assertUnder(limit: Limit, subject: string): Promise<void> {
    if (!this.enabled) return;
    const count = await peekRateLimit(this.db, `${limit.name}:${subject}`, limit.windowSeconds);
    if (count >= limit.max) {
      const { resetsAt } = await hitRateLimit(this.db, `${limit.name}:${subject}`, limit.windowSeconds);
      throw rateLimited(resetsAt);
    }
  }

  /** Records a failure counted by `assertUnder`. */
  async fail(limit: Limit, subject: string): Promise<void> {
    if (!this.enabled) return;
    await hitRateLimit(this.db, `${limit.name}:${subject}`, limit.windowSeconds);
  }
}
