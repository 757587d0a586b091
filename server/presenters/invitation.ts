import type { Invitation } from '../../shared/schemas/groups';
import type { InvitationRow } from '../db/schema';

/**
 * The one JSON form of an invitation, with its link. `standing`: whether the
 * link works now and who issued it, which the service works out.
 */
export function presentInvitation(
  row: InvitationRow,
  baseUrl: string,
  standing: Pick<Invitation, 'valid' | 'issuedBy'>,
): Invitation {
  return {
    id: row.id,
    token: row.token,
    url: `${baseUrl}/invite/${row.token}`,
    role: row.role,
    email: row.email,
    expiresAt: row.expires_at ? row.expires_at.toISOString() : null,
    maxUses: row.max_uses,
    uses: row.uses,
    ...standing,
    ...(row.email && row.emailed_at ? { sentAt: row.emailed_at.toISOString() } : {}),
  };
}
