import type { Role } from '../db/schema';
import { renderEmail } from './layout';
import type { OutgoingEmail } from './outbox';

/** One invitation to email: where it goes and the link that admits its reader. */
export interface InvitationToSend {
  to: string;
  url: string;
  role: Role;
  expiresAt: Date;
  message: string | null;
  /** The account behind the address, when there is one. */
  userId?: string | null;
}

const dates = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });

/**
 * The emails for invitations from `inviter` to `groupName`. Everyone invited
 * in one go reads the same words but for their own link. An invitation is
 * asked for by a person, so it is sent whatever the reader's email settings
 * and carries no unsubscribe header: the reader may have no account at all.
 */
export function invitationEmails(
  inviter: { name: string },
  groupName: string,
  invitations: InvitationToSend[],
): OutgoingEmail[] {
  const subject = `${inviter.name} invited you to ${groupName}`;
  return invitations.map((inv) => {
    const role = inv.role === 'facilitator' ? 'a facilitator' : 'a member';
    const paragraphs = [
      `${inviter.name} invited you to join ${groupName} on Plenary as ${role}, where the group discusses and decides things together.`,
      `The link works until ${dates.format(inv.expiresAt)} and admits one person. No account yet? You can create one from the invitation.`,
    ];
    if (inv.message) paragraphs.push(`${inviter.name} wrote:`);
    const body = renderEmail({
      preheader: inv.message ? inv.message.slice(0, 120) : `Join ${groupName} on Plenary`,
      heading: subject,
      paragraphs,
      quote: inv.message ?? undefined,
      button: { label: 'Accept the invitation', url: inv.url },
      footer:
        `You got this email because ${inviter.name} invited ${inv.to} to ${groupName}. ` +
        'If you do not want to join, ignore it: nothing happens unless you follow the link.',
    });
    return { kind: 'invitation', to: inv.to, subject, userId: inv.userId ?? null, ...body };
  });
}
