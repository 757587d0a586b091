import type { Notification } from '../../shared/schemas/threads';
import { t } from '../i18n';

/*
 * The bell's list shows entries, not raw notifications: several notifications
 * about one thing become one entry, so a busy thread or a proposal's life
 * (asked to vote, closing soon, closed, outcome) takes one line, not five.
 *
 * The rules (pure, unit-tested in test/client/notification-groups.test.ts):
 *
 * - One proposal: every notification about it (proposal_created,
 *   proposal_closing_soon, proposal_closed, outcome_created) is one entry.
 *   Closed together with an outcome reads as the outcome with "Voting closed"
 *   beside it, whichever came first.
 * - Personal kinds (`mentioned`, `replied`) are about me, so they never fold
 *   into a thread's or a proposal's entry and always say what they are. Several
 *   of the same personal kind in one thread do share an entry of their own
 *   ("3 mentions, from Ana and Ben"): unlike GitHub, which folds a mention into
 *   the thread's line, the reason stays visible; unlike Loomio, three
 *   mentions in one conversation do not take three lines.
 * - Any other notification about a thread (kinds the server may add later,
 *   such as new comments) shares one entry per thread.
 * - Everything else (invitations, role changes) stands alone.
 *
 * An entry is as new as its newest notification, unread while any of its
 * notifications is, and leads to the oldest unread one (where the news
 * begins), or to the newest when all are read. Marking the entry read marks
 * all of its notifications. The bell's count stays the server's: unread
 * notifications, not entries (the count covers notifications not loaded yet,
 * which the list cannot group).
 */

/** Kinds that are about the reader themselves: grouped only with their own kind. */
export const PERSONAL_KINDS: ReadonlySet<string> = new Set(['mentioned', 'replied']);

const PROPOSAL_KINDS: ReadonlySet<string> = new Set([
  'proposal_created',
  'proposal_closing_soon',
  'proposal_closed',
  'outcome_created',
]);

/** One line of the list: one notification, or several about the same thing. */
export interface NotificationEntry {
  /** Stable while the entry lasts (for keyed rendering). */
  key: string;
  /** Newest first. */
  items: Notification[];
  /** The notification whose text the entry shows. */
  shown: Notification;
  /** The notification the entry leads to: the oldest unread, else the newest. */
  target: Notification;
  /** The newest notification's time. */
  at: string;
  /** Ids of the entry's unread notifications (empty when read). */
  unreadIds: string[];
  /** A plain-text line on what was folded in ("3 mentions, from Ana and Ben"), in the reader's language, or null. */
  summary: string | null;
}

/** Which entry a notification belongs to. */
export function groupKey(n: Notification): string {
  if (PERSONAL_KINDS.has(n.kind) && n.threadId) return `thread:${n.threadId}:${n.kind}`;
  if (n.proposalId && PROPOSAL_KINDS.has(n.kind)) return `proposal:${n.proposalId}`;
  if (n.threadId && !PERSONAL_KINDS.has(n.kind)) return `thread:${n.threadId}`;
  return `notification:${n.id}`;
}

/**
 * The list's entries, newest first (by each entry's newest notification).
 * Each notification lands in exactly one entry.
 */
export function groupNotifications(items: readonly Notification[]): NotificationEntry[] {
  const byKey = new Map<string, Notification[]>();
  for (const n of items) {
    const key = groupKey(n);
    const members = byKey.get(key);
    if (members) members.push(n);
    else byKey.set(key, [n]);
  }
  // Stable sort: entries whose newest notifications tie keep the input's order.
  return [...byKey]
    .map(([key, members]) => entry(key, newestFirst(members)))
    .sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? 1 : -1));
}

/** Sorted by time, newest first, ties by id; the input is usually sorted already. */
function newestFirst(items: Notification[]): Notification[] {
  return [...items].sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
}

function entry(key: string, items: Notification[]): NotificationEntry {
  const newest = items[0]!;
  const unread = items.filter((n) => !n.readAt);
  return {
    key,
    items,
    shown: shownOf(items),
    target: unread[unread.length - 1] ?? newest,
    at: newest.at,
    unreadIds: unread.map((n) => n.id),
    summary: summaryOf(items),
  };
}

/** The newest outcome says the most about a proposal; otherwise the newest notification. */
function shownOf(items: Notification[]): Notification {
  return items.find((n) => n.kind === 'outcome_created') ?? items[0]!;
}

function summaryOf(items: Notification[]): string | null {
  const first = items[0]!;
  if (PERSONAL_KINDS.has(first.kind)) {
    if (items.length === 1) return null;
    const values = { count: items.length, names: names(items) };
    if (first.kind === 'mentioned') {
      return values.names
        ? t('{count, plural, one {# mention} other {# mentions}}, from {names}', values)
        : t('{count, plural, one {# mention} other {# mentions}}', values);
    }
    return values.names
      ? t('{count, plural, one {# reply} other {# replies}}, from {names}', values)
      : t('{count, plural, one {# reply} other {# replies}}', values);
  }
  const closedWithOutcome =
    items.some((n) => n.kind === 'proposal_closed') && items.some((n) => n.kind === 'outcome_created');
  const parts: string[] = [];
  if (closedWithOutcome) parts.push(t('Voting closed'));
  // Closed and its outcome count as one piece of news.
  const updates = items.length - (closedWithOutcome ? 1 : 0);
  if (updates > 1) {
    parts.push(
      first.proposalId && PROPOSAL_KINDS.has(first.kind)
        ? t('{count, plural, one {# update on this proposal} other {# updates on this proposal}}', {
            count: updates,
          })
        : t('{count, plural, one {# update in this thread} other {# updates in this thread}}', {
            count: updates,
          }),
    );
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** "Ana", "Ana and Ben", "Ana, Ben and 2 others": distinct actors, newest first. */
function names(items: Notification[]): string {
  const seen = [...new Set(items.flatMap((n) => (n.actor?.name ? [n.actor.name] : [])))];
  if (seen.length === 0) return '';
  if (seen.length === 1) return seen[0]!;
  if (seen.length === 2) return t('{first} and {second}', { first: seen[0], second: seen[1] });
  return t('{first}, {second} and {count, plural, one {# other} other {# others}}', {
    first: seen[0],
    second: seen[1],
    count: seen.length - 2,
  });
}
