import type { CredentialCache } from './context';
import type { Principal } from './types';

/** How long a looked-up session or token is trusted without asking the database again. */
const TTL_MS = 10_000;
const MAX_ENTRIES = 50_000;

/**
 * Remembers who a credential belongs to for a few seconds, so a burst of
 * requests (2,000 members voting) costs one lookup per member, not one per
 * request. Anything that revokes a credential or changes a user evicts that
 * user's entries here and, through the bus, in every other process.
 */
export class AuthCache implements CredentialCache {
  private readonly entries = new Map<string, { principal: Principal; expires: number }>();

  get(key: string): Principal | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.principal;
  }

  set(key: string, principal: Principal): void {
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { principal, expires: Date.now() + TTL_MS });
  }

  /** Forgets every credential of a user. */
  evictUser(userId: string): void {
    for (const [key, { principal }] of this.entries) {
      if (principal.user.id === userId) this.entries.delete(key);
    }
  }
}
