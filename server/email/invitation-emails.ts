import type { Translator } from '../../shared/i18n';
import type { Role } from '../db/schema';
import { memberLocale, translatorFor } from '../i18n';
import { dateLocale, renderEmail } from './layout';
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
  /** That account's language columns: its email speaks its language rather than the inviter's. */
  account?: { locale: string | null; browser_locale: string | null } | null;
}

/** The inviter, and their language when known (an address with no account reads the inviter's). */
export interface Inviter {
  name: string;
  locale?: string | null;
  browser_locale?: string | null;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function longDate(tr: Translator, at: Date): string {
  let f = dateFormats.get(tr.locale);
  if (!f) {
    f = new Intl.DateTimeFormat(dateLocale(tr), { dateStyle: 'long', timeZone: 'UTC' });
    dateFormats.set(tr.locale, f);
  }
  return f.format(at);
}

/** The language an invitation is written in: its reader's account's, else the inviter's. */
function readerTranslator(inviter: Inviter, inv: InvitationToSend): Translator {
  if (inv.account) return translatorFor(memberLocale(inv.account));
  return translatorFor(
    memberLocale({ locale: inviter.locale ?? null, browser_locale: inviter.browser_locale ?? null }),
  );
}

/**
 * The emails for invitations from `inviter` to `groupName`. Everyone invited
 * in one go reads the same words (in their language) but for their own link.
 * An invitation is asked for by a person, so it is sent whatever the reader's
 * email settings and carries no unsubscribe header: the reader may have no
 * account at all, and then reads the inviter's language.
 */
export function invitationEmails(
  inviter: Inviter,
  groupName: string,
  invitations: InvitationToSend[],
): OutgoingEmail[] {
  return invitations.map((inv) => {
    const tr = readerTranslator(inviter, inv);
    const names = { inviter: inviter.name, group: groupName };
    const subject = tr.t('{inviter} invited you to {group}', names);
    const paragraphs = [
      tr.t(
        '{inviter} invited you to join {group} on Plenary as {role, select, facilitator {a facilitator} other {a member}}, where the group discusses and decides things together.',
        { ...names, role: inv.role },
      ),
      tr.t(
        'The link works until {date} and admits one person. No account yet? You can create one from the invitation.',
        { date: longDate(tr, inv.expiresAt) },
      ),
    ];
    if (inv.message) paragraphs.push(tr.t('{inviter} wrote:', names));
    const body = renderEmail(
      {
        preheader: inv.message ? inv.message.slice(0, 120) : tr.t('Join {group} on Plenary', names),
        heading: subject,
        paragraphs,
        quote: inv.message ?? undefined,
        button: { label: tr.t('Accept the invitation'), url: inv.url },
        footer: tr.t(
          'You got this email because {inviter} invited {address} to {group}. If you do not want to join, ignore it: nothing happens unless you follow the link.',
          { ...names, address: inv.to },
        ),
      },
      tr.locale,
    );
    return { kind: 'invitation', to: inv.to, subject, userId: inv.userId ?? null, ...body };
  });
}
