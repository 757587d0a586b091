import type { Membership } from '../../shared/schemas/groups';
import type { Role } from '../db/schema';

/** The one JSON form of a membership; the member's `email` only when the viewer may see it. */
export function presentMembership(
  row: { user_id: string; name: string; handle: string; email: string; role: Role; joined_at: Date },
  withEmail: boolean,
): Membership {
  return {
    user: { id: row.user_id, name: row.name, handle: row.handle, ...(withEmail ? { email: row.email } : {}) },
    role: row.role,
    joinedAt: row.joined_at.toISOString(),
  };
}
