import type { Kysely } from 'kysely';
import {
  hitRateLimit,
  peekRateLimit,
  releaseRateLimit,
  secondsUntilFree,
  type TakeRule,
  takeRateLimit,
} from '../db/rate-limits';
import type { DB } from '../db/schema';
import { AppError } from '../errors';

/** A named limit: at most `max` counted hits per `windowSeconds`. */
export interface Limit {
  name: string;
  max: number;
  windowSeconds: number;
}

/**
 * A named throttle for `take`: `free` attempts per window, then (with `delays`)
 * each further attempt only after a delay that doubles up to a cap, or
 * (without) none until the window ends.
 */
export interface Throttle extends TakeRule {
  name: string;
}

export const LIMITS = {
  registerPerIp: { name: 'register:ip', max: 100, windowSeconds: 3600 },
  registerPerEmail: { name: 'register:email', max: 5, windowSeconds: 3600 },
  invitationsPerUser: { name: 'invite:user', max: 100, windowSeconds: 3600 },
  invitationMissesPerIp: { name: 'invite-miss:ip', max: 50, windowSeconds: 900 },
} satisfies Record<string, Limit>;

export const THROTTLES = {
  /**
   * Password checks for one account, by login or by `PATCH /me`'s currentPassword:
   * five, then one after 1, 2, 4, 8 minutes and every 15 minutes after that.
   * Never a lock: the owner's right password works once the wait is over.
   */
  passwordChecksPerAccount: {
    name: 'password-check:account',
    free: 5,
    delays: { firstSeconds: 60, maxSeconds: 900 },
    windowSeconds: 86_400,
  },
  /** Password checks from one address, over every account it tries. */
  passwordChecksPerIp: { name: 'password-check:ip', free: 50, windowSeconds: 900 },
} satisfies Record<string, Throttle>;

/** "1 minute", "14 minutes", "2 hours": how long a person must wait, rounded up. */
export function waitInWords(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes <= 90) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hours`;
}

function rateLimited(seconds: number): AppError {
  const wait = Math.max(1, Math.ceil(seconds));
  return new AppError(
    429,
    'rate_limited',
    `too many attempts; try again in ${waitInWords(wait)}`,
    undefined,
    {
      'retry-after': String(wait),
    },
  );
}

/** An attempt `take` let through. Release it when it should not count: it succeeded, or was never checked. */
export interface Taken {
  release(): Promise<void>;
}

const NOTHING_TAKEN: Taken = { release: async () => {} };

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
    if (count > limit.max) throw rateLimited((resetsAt.getTime() - Date.now()) / 1000);
  }

  /**
   * Counts an attempt before it is checked, or throws 429 when the throttle
   * allows none now. Counting and deciding are one statement, so however many
   * attempts arrive at once, in however many processes, no more are checked
   * than the throttle allows. A refused attempt is not counted.
   */
  async take(throttle: Throttle, subject: string): Promise<Taken> {
    if (!this.enabled) return NOTHING_TAKEN;
    const key = `${throttle.name}:${subject}`;
    const taken = await takeRateLimit(this.db, key, throttle);
    if (!taken) throw rateLimited(await secondsUntilFree(this.db, key, throttle));
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await releaseRateLimit(this.db, key, taken.window);
      },
    };
  }

  /** Throws 429 when earlier failures already reached the limit, without counting this one. */
  async assertUnder(limit: Limit, subject: string): Promise<void> {
    if (!this.enabled) return;
    const count = await peekRateLimit(this.db, `${limit.name}:${subject}`, limit.windowSeconds);
    if (count >= limit.max) {
      const { resetsAt } = await hitRateLimit(this.db, `${limit.name}:${subject}`, limit.windowSeconds);
      throw rateLimited((resetsAt.getTime() - Date.now()) / 1000);
    }
  }

  /** Records a failure counted by `assertUnder`. */
  async fail(limit: Limit, subject: string): Promise<void> {
    if (!this.enabled) return;
    await hitRateLimit(this.db, `${limit.name}:${subject}`, limit.windowSeconds);
  }
}
