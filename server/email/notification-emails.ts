import type { Transaction } from 'kysely';
import { m, SOURCE_LOCALE, type Translator } from '../../shared/i18n';
import type { Config } from '../config';
import type { NotificationRow } from '../db/notifications';
import type { DB, EmailNotifications } from '../db/schema';
import { memberLocale, translatorFor } from '../i18n';
import { baseUrl, dateLocale, preferencesUrl, renderEmail } from './layout';
import { loadNotificationFacts, type NotificationFacts, notificationText } from './notification-text';
import { enqueueEmails, type OutgoingEmail } from './outbox';

/** What `important` members still get: what concerns them directly, and decisions. */
export const IMPORTANT_KINDS: ReadonlySet<string> = new Set([
  'mentioned',
  'replied',
  'proposal_created',
  'proposal_closing_soon',
  'outcome_created',
  'invited',
]);

/** Whether a member at `level` gets email about a notification of `kind`. */
export function wantsEmail(level: EmailNotifications, kind: string): boolean {
  return level === 'all' || (level === 'important' && IMPORTANT_KINDS.has(kind));
}

/** Quoted text is cut here: the email leads to the item, it does not replace it. */
const QUOTE_MAX = 1500;

const BUTTONS: Record<string, string> = {
  mentioned: m('Open the comment'),
  replied: m('Open the reply'),
  proposal_created: m('Read and vote'),
  proposal_closing_soon: m('Vote now'),
  proposal_closed: m('See the results'),
  outcome_created: m('Read the outcome'),
  invited: m('Open the group'),
  role_changed: m('Open the group'),
};

const formatters = new Map<string, { date: Intl.DateTimeFormat; zone: Intl.DateTimeFormat }>();
/**
 * "Friday, 4 December 2026 at 17:00 CET" in the member's own zone and
 * language (formatters are costly: kept per zone and language).
 */
function closingTime(tr: Translator, at: Date, timeZone: string): string {
  const key = `${timeZone}\0${tr.locale}`;
  let f = formatters.get(key);
  if (!f) {
    const locale = dateLocale(tr);
    f = {
      date: new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'full', timeStyle: 'short' }),
      zone: new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }),
    };
    formatters.set(key, f);
  }
  const zone = f.zone.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  return `${f.date.format(at)}${zone ? ` ${zone}` : ''}`;
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > QUOTE_MAX ? `${t.slice(0, QUOTE_MAX).trimEnd()}…` : t;
}

/**
 * Queues the emails that just-stored notifications call for, in the same
 * transaction, as one insert: each recipient's level for the group (their
 * override, else their own) decides. A handful of reads gather what every
 * message needs, however many recipients there are. Each is written in its
 * recipient's language: the notification's stored line is the English; a
 * member who reads another gets it said again from what it is about.
 */
export async function queueNotificationEmails(
  trx: Transaction<DB>,
  config: Config,
  rows: NotificationRow[],
): Promise<void> {
  const grouped = rows.filter((r) => r.group_id !== null);
  if (grouped.length === 0) return;
  const userIds = [...new Set(grouped.map((r) => r.user_id))];
  const groupIds = [...new Set(grouped.map((r) => r.group_id!))];
  const commentIds = [...new Set(grouped.flatMap((r) => (r.comment_id ? [r.comment_id] : [])))];
  const proposalIds = [...new Set(grouped.flatMap((r) => (r.proposal_id ? [r.proposal_id] : [])))];
  const [users, overrides, groups, comments, proposals] = await Promise.all([
    trx
      .selectFrom('users')
      .leftJoin('user_preferences', 'user_preferences.user_id', 'users.id')
      .select([
        'users.id',
        'users.email',
        'users.email_notifications',
        'users.locale',
        'users.browser_locale',
        'user_preferences.time_zone',
      ])
      .where('users.id', 'in', userIds)
      .execute(),
    trx
      .selectFrom('group_email_preferences')
      .select(['user_id', 'group_id', 'email'])
      .where('user_id', 'in', userIds)
      .where('group_id', 'in', groupIds)
      .execute(),
    trx.selectFrom('groups').select(['id', 'name']).where('id', 'in', groupIds).execute(),
    commentIds.length === 0
      ? []
      : trx
          .selectFrom('comments')
          .select(['id', 'body'])
          .where('id', 'in', commentIds)
          .where('deleted_at', 'is', null)
          .execute(),
    proposalIds.length === 0
      ? []
      : trx
          .selectFrom('proposals')
          .select(['id', 'title', 'details', 'closes_at', 'thread_id'])
          .where('id', 'in', proposalIds)
          .execute(),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const override = new Map(overrides.map((o) => [`${o.user_id}.${o.group_id}`, o.email]));
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const commentBody = new Map(comments.map((c) => [c.id, c.body]));
  const proposalById = new Map(proposals.map((p) => [p.id, p]));
  const base = baseUrl(config);
  // Who gets email, and in which language.
  const sending = grouped.flatMap((n) => {
    const user = userById.get(n.user_id);
    if (!user) return [];
    const level = override.get(`${n.user_id}.${n.group_id}`) ?? user.email_notifications;
    return wantsEmail(level, n.kind) ? [{ n, user, level, tr: translatorFor(memberLocale(user)) }] : [];
  });
  // What the lines of those in other languages than English are made of: read only when there are some.
  const translated = sending.filter((s) => s.tr.locale !== SOURCE_LOCALE).map((s) => s.n);
  const facts: Map<string, NotificationFacts> =
    translated.length === 0
      ? new Map()
      : await loadNotificationFacts(
          trx,
          translated.map((n) => ({
            id: n.id,
            kind: n.kind,
            userId: n.user_id,
            actorName: n.actor_name,
            groupId: n.group_id,
            threadId: n.thread_id,
            commentId: n.comment_id,
            proposalId: n.proposal_id,
            at: n.created_at,
          })),
        );
  const lineOf = (n: NotificationRow, tr: Translator) => {
    if (tr.locale === SOURCE_LOCALE) return n.text;
    const f = facts.get(n.id);
    return (f && notificationText(tr, f)) ?? n.text;
  };
  // Emails about a thread, a comment or a proposal take replies, which become comments (server/email/inbound.ts).
  const threadOf = (n: NotificationRow) =>
    n.thread_id ?? (n.proposal_id ? proposalById.get(n.proposal_id)?.thread_id : null) ?? null;

  // Everyone told of one thing in the same zone, level and language reads the same message: rendered once.
  const rendered = new Map<string, { text: string; html: string }>();
  const emails: OutgoingEmail[] = [];
  for (const { n, user, level, tr } of sending) {
    const groupId = n.group_id!;
    const timeZone = user.time_zone ?? 'UTC';
    const group = groupName.get(groupId) ?? 'Plenary';
    const line = lineOf(n, tr);
    const subject = `[${group}] ${line}`;
    const key = [
      n.kind,
      line,
      groupId,
      n.thread_id,
      n.comment_id,
      n.proposal_id,
      timeZone,
      level,
      tr.locale,
    ].join('\0');
    let body = rendered.get(key);
    if (!body) {
      body = renderNotification(n, line, level, group, timeZone, tr);
      rendered.set(key, body);
    }
    emails.push({
      kind: 'notification',
      userId: n.user_id,
      to: user.email,
      subject,
      ...body,
      // The worker makes these per-recipient headers as it sends (one-click unsubscribe, and a
      // Reply-To naming the notification when REPLY_DOMAIN is set), so the body stays shared.
      unsubscribeGroupId: groupId,
      replyNotificationId: config.replyDomain && threadOf(n) ? n.id : null,
    });
  }
  await enqueueEmails(trx, emails);

  function renderNotification(
    n: NotificationRow,
    line: string,
    level: EmailNotifications,
    group: string,
    timeZone: string,
    tr: Translator,
  ): { text: string; html: string } {
    const groupId = n.group_id!;
    const proposal = n.proposal_id ? proposalById.get(n.proposal_id) : undefined;
    const threadId = n.thread_id ?? proposal?.thread_id ?? null;
    const url = threadId
      ? `${base}/threads/${encodeURIComponent(threadId)}${
          n.comment_id
            ? `#comment-${encodeURIComponent(n.comment_id)}`
            : n.proposal_id
              ? `#proposal-${encodeURIComponent(n.proposal_id)}`
              : ''
        }`
      : `${base}/groups/${encodeURIComponent(groupId)}`;
    const paragraphs: string[] = [];
    let quote: string | undefined;
    const comment = n.comment_id ? commentBody.get(n.comment_id) : undefined;
    if (comment) quote = clip(comment);
    else if (proposal) {
      quote = clip(proposal.details ? `${proposal.title}\n\n${proposal.details}` : proposal.title);
    }
    if (proposal && n.kind !== 'proposal_closed' && n.kind !== 'outcome_created') {
      paragraphs.push(tr.t('Voting closes {time}.', { time: closingTime(tr, proposal.closes_at, timeZone) }));
    }
    if (config.replyDomain && threadId) {
      paragraphs.push(
        n.comment_id
          ? tr.t(
              'Reply to this email to answer in the thread: what you write above the quoted message is posted as your reply.',
            )
          : tr.t(
              'Reply to this email to comment in the thread: what you write above the quoted message is posted as your comment.',
            ),
      );
    }
    const why =
      level === 'all'
        ? tr.t('You get this because you are a member of {group} and get all of its email.', { group })
        : tr.t('You get this because you are a member of {group} and get its important email.', { group });
    const button = BUTTONS[n.kind];
    return renderEmail(
      {
        preheader: quote ? quote.slice(0, 120) : line,
        heading: line,
        paragraphs,
        quote,
        button: { label: button ? tr.t(button) : tr.t('Open in Plenary'), url },
        footer: why,
        footerLink: { label: tr.t('Change what email you get'), url: preferencesUrl(config) },
      },
      tr.locale,
    );
  }
}
