import type { User } from '../../shared/schemas/accounts';
import type { UserRow } from '../db/schema';

/** The one JSON form of a user; `email` only when the viewer may see it. */
export function presentUser(row: UserRow, opts: { withEmail: boolean; self?: boolean }): User {
  return {
    id: row.id,
    name: row.name,
    handle: row.handle,
    ...(opts.withEmail ? { email: row.email } : {}),
    ...(opts.self
      ? {
          emailNotifications: row.email_notifications,
          emailVerified: row.email_verified_at !== null,
          locale: row.locale,
        }
      : {}),
  };
}
