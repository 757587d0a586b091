import type { Kysely, Transaction } from 'kysely';
import type { Translator } from '../../shared/i18n';
import type { DB, Role } from '../db/schema';

/**
 * A notification's one line (an email's subject and heading, a push's body)
 * in its reader's language. A notification is stored with its text in
 * English, as it was when it happened; a reader in another language gets it
 * said again from what it is about, in the same words as the English.
 */

/** What a notification is about, as its line needs it. */
export interface NotificationFacts {
  kind: string;
  /** Null for what the clock or the operator did. */
  actorName: string | null;
  groupName?: string | null;
  threadTitle?: string | null;
  /** Set when it is about a comment, not the thread's own text. */
  commentId: string | null;
  proposalTitle?: string | null;
  closesAt?: Date | null;
  /** When it happened (a reminder's "closes in" counts from then). */
  at: Date;
  /** The outcome's statement, for `outcome_created`. */
  outcome?: string | null;
  /** The member's role now, for `role_changed`. */
  role?: Role | null;
}

/** "3 hours", "2 days", "40 minutes": how far off `closesAt` is at `now`, as a reminder says it. */
export function timeLeftText(tr: Translator, closesAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.round((closesAt.getTime() - now.getTime()) / 60_000));
  if (minutes < 60) return tr.t('{count, plural, one {# minute} other {# minutes}}', { count: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 48) return tr.t('{count, plural, one {# hour} other {# hours}}', { count: hours });
  return tr.t('{count, plural, one {# day} other {{count, number, ::group-off} days}}', {
    count: Math.round(hours / 24),
  });
}

/** What a member who asks others to vote tells them (stored in English, said in each reader's language). */
export function reminderText(
  tr: Translator,
  r: { actorName: string; title: string; closesAt: Date; now: Date },
): string {
  return tr.t('{actor} reminds you to vote on "{title}", which closes in {time}', {
    actor: r.actorName,
    title: r.title,
    time: timeLeftText(tr, r.closesAt, r.now),
  });
}

/** What the clock tells a member who has not voted when a proposal is about to close. */
export function closingSoonText(tr: Translator, r: { title: string; closesAt: Date; now: Date }): string {
  return tr.t('"{title}" closes in {time} and you have not voted yet', {
    title: r.title,
    time: timeLeftText(tr, r.closesAt, r.now),
  });
}

/** The notification's line in `tr`'s language; null when a fact it needs is missing (use the stored text). */
export function notificationText(tr: Translator, f: NotificationFacts): string | null {
  const actor = f.actorName;
  const thread = f.threadTitle;
  const proposal = f.proposalTitle;
  const group = f.groupName;
  switch (f.kind) {
    case 'mentioned':
      if (actor === null || thread == null) return null;
      return f.commentId === null
        ? tr.t('{actor} mentioned you in the thread “{title}”', { actor, title: thread })
        : tr.t('{actor} mentioned you in a comment in “{title}”', { actor, title: thread });
    case 'replied':
      if (actor === null || thread == null) return null;
      return tr.t('{actor} replied to your comment in “{title}”', { actor, title: thread });
    case 'proposal_created':
      if (actor === null || proposal == null) return null;
      return tr.t('{actor} asks you to vote: {title}', { actor, title: proposal });
    case 'proposal_closing_soon':
      if (proposal == null || !f.closesAt) return null;
      return actor === null
        ? closingSoonText(tr, { title: proposal, closesAt: f.closesAt, now: f.at })
        : reminderText(tr, { actorName: actor, title: proposal, closesAt: f.closesAt, now: f.at });
    case 'proposal_closed':
      if (proposal == null) return null;
      return tr.t('Voting has closed on "{title}"', { title: proposal });
    case 'outcome_created':
      if (proposal == null || f.outcome == null) return null;
      return tr.t('Outcome of "{title}": {outcome}', { title: proposal, outcome: f.outcome.slice(0, 140) });
    case 'invited':
      if (actor === null || group == null) return null;
      return tr.t('{actor} invited you to join {group}', { actor, group });
    case 'role_changed':
      if (group == null || !f.role) return null;
      return actor === null
        ? tr.t('You are now {role, select, facilitator {a facilitator} other {a member}} of {group}', {
            role: f.role,
            group,
          })
        : tr.t('{actor} made you {role, select, facilitator {a facilitator} other {a member}} of {group}', {
            actor,
            role: f.role,
            group,
          });
    default:
      return null;
  }
}

/** A notification as stored or as sent: what `loadNotificationFacts` looks up for it. */
export interface NotificationRef {
  id: string;
  kind: string;
  userId: string;
  actorName: string | null;
  groupId: string | null;
  threadId: string | null;
  commentId: string | null;
  proposalId: string | null;
  at: Date;
}

/**
 * The facts of many notifications, in a few reads however many there are
 * (keyed by notification id): the titles, the group's name, the outcome, the
 * reader's role.
 */
export async function loadNotificationFacts(
  db: Kysely<DB> | Transaction<DB>,
  refs: readonly NotificationRef[],
): Promise<Map<string, NotificationFacts>> {
  const facts = new Map<string, NotificationFacts>();
  if (refs.length === 0) return facts;
  const ids = (pick: (r: NotificationRef) => string | null, kinds?: string[]) => [
    ...new Set(refs.flatMap((r) => ((!kinds || kinds.includes(r.kind)) && pick(r) ? [pick(r)!] : []))),
  ];
  const groupIds = ids((r) => r.groupId);
  const proposalIds = ids((r) => r.proposalId);
  const threadIds = ids((r) => r.threadId, ['mentioned', 'replied']);
  const outcomeIds = ids((r) => r.proposalId, ['outcome_created']);
  const roleUsers = ids((r) => r.userId, ['role_changed']);
  const roleGroups = ids((r) => r.groupId, ['role_changed']);
  const [groups, proposals, threads, outcomes, roles] = await Promise.all([
    groupIds.length === 0
      ? []
      : db.selectFrom('groups').select(['id', 'name']).where('id', 'in', groupIds).execute(),
    proposalIds.length === 0
      ? []
      : db
          .selectFrom('proposals')
          .select(['id', 'title', 'closes_at'])
          .where('id', 'in', proposalIds)
          .execute(),
    threadIds.length === 0
      ? []
      : db.selectFrom('threads').select(['id', 'title']).where('id', 'in', threadIds).execute(),
    outcomeIds.length === 0
      ? []
      : db
          .selectFrom('outcomes')
          .select(['proposal_id', 'statement'])
          .where('proposal_id', 'in', outcomeIds)
          .where('superseded_at', 'is', null)
          .execute(),
    roleUsers.length === 0 || roleGroups.length === 0
      ? []
      : db
          .selectFrom('memberships')
          .select(['user_id', 'group_id', 'role'])
          .where('user_id', 'in', roleUsers)
          .where('group_id', 'in', roleGroups)
          .execute(),
  ]);
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const proposalById = new Map(proposals.map((p) => [p.id, p]));
  const threadTitle = new Map(threads.map((t) => [t.id, t.title]));
  const outcomeOf = new Map(outcomes.map((o) => [o.proposal_id, o.statement]));
  const roleOf = new Map(roles.map((r) => [`${r.user_id}.${r.group_id}`, r.role]));
  for (const r of refs) {
    const proposal = r.proposalId ? proposalById.get(r.proposalId) : undefined;
    facts.set(r.id, {
      kind: r.kind,
      actorName: r.actorName,
      groupName: r.groupId ? groupName.get(r.groupId) : null,
      threadTitle: r.threadId ? threadTitle.get(r.threadId) : null,
      commentId: r.commentId,
      proposalTitle: proposal?.title,
      closesAt: proposal?.closes_at,
      at: r.at,
      outcome: r.proposalId ? outcomeOf.get(r.proposalId) : null,
      role: r.groupId ? roleOf.get(`${r.userId}.${r.groupId}`) : null,
    });
  }
  return facts;
}
