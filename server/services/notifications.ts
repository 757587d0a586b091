import type { Transaction } from 'kysely';
import { english, SOURCE_LOCALE, type Translator } from '../../shared/i18n';
import type { MarkReadBody, Notification, NotificationQuery } from '../../shared/schemas/threads';
import {
  insertNotifications,
  markNotificationsRead,
  type NotificationRow,
  notificationsPage,
  unreadNotificationCount,
} from '../db/notifications';
import type { DB } from '../db/schema';
import { queueNotificationEmails } from '../email/notification-emails';
import { loadNotificationFacts, notificationText } from '../email/notification-text';
import type { Ctx, Emit } from './context';
import { decodeCursor, encodeCursor, isExactTime, pageLimit } from './pagination';
import { isUuid } from './text';

/** The contract's notification kinds. */
export type NotificationKind =
  | 'mentioned'
  | 'replied'
  | 'proposal_created'
  | 'proposal_closing_soon'
  | 'proposal_closed'
  | 'outcome_created'
  | 'invited'
  | 'role_changed';

/** A notification to send, in the caller's transaction. */
export interface NotificationInput {
  userId: string;
  kind: NotificationKind;
  actorId: string | null;
  groupId: string | null;
  threadId?: string | null;
  commentId?: string | null;
  proposalId?: string | null;
  text: string;
}

/** The one JSON form of a notification, over HTTP and on the `me` topic. */
export function presentNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind as NotificationKind,
    at: row.created_at.toISOString(),
    readAt: row.read_at ? row.read_at.toISOString() : null,
    actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? '' } : null,
    groupId: row.group_id,
    threadId: row.thread_id,
    commentId: row.comment_id,
    proposalId: row.proposal_id,
    text: row.text,
  };
}

/** Stores a notification and streams it on its recipient's `me` topic, in the caller's transaction. */
export async function addNotification(
  trx: Transaction<DB>,
  emit: Emit,
  input: NotificationInput,
): Promise<void> {
  await addNotifications(trx, emit, [input]);
}

/**
 * Many notifications at once (everyone in a group, say): one insert, one
 * `notification.created` event each, carrying the notification as its
 * recipient sees it over HTTP.
 */
export async function addNotifications(
  trx: Transaction<DB>,
  emit: Emit,
  inputs: NotificationInput[],
): Promise<void> {
  const rows = await insertNotifications(
    trx,
    inputs.map((input) => ({
      userId: input.userId,
      kind: input.kind,
      actorId: input.actorId,
      groupId: input.groupId,
      threadId: input.threadId ?? null,
      commentId: input.commentId ?? null,
      proposalId: input.proposalId ?? null,
      text: input.text,
    })),
  );
  // Emails by each recipient's preferences, in this same transaction (one insert for all).
  if (emit.config) await queueNotificationEmails(trx, emit.config, rows);
  for (const row of rows) {
    emit({
      kind: 'notification.created',
      recipientId: row.user_id,
      groupId: row.group_id,
      threadId: row.thread_id,
      actorId: row.actor_id,
      subjectId: row.id,
      data: { notification: presentNotification(row) },
    });
  }
}

async function presentNotificationsIn(
  ctx: Ctx,
  tr: Translator,
  rows: NotificationRow[],
): Promise<Notification[]> {
  const presented = rows.map(presentNotification);
  if (tr.locale === SOURCE_LOCALE || rows.length === 0) return presented;
  const facts = await loadNotificationFacts(
    ctx.db,
    rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      userId: row.user_id,
      actorName: row.actor_name,
      groupId: row.group_id,
      threadId: row.thread_id,
      commentId: row.comment_id,
      proposalId: row.proposal_id,
      at: row.created_at,
    })),
  );
  return presented.map((n) => {
    const said = facts.has(n.id) ? notificationText(tr, facts.get(n.id)!) : null;
    return said ? { ...n, text: said } : n;
  });
}

function isNotificationCursor(v: unknown): v is { createdAt: string; id: string } {
  const c = v as { createdAt?: unknown; id?: unknown };
  return isExactTime(c?.createdAt) && typeof c.id === 'string' && isUuid(c.id);
}

/**
 * A page of the caller's notifications, newest first, with how many are
 * unread in all, each said in `tr`'s language: a notification is stored in
 * English, and said again in another language from what it is about (the
 * words its email uses).
 */
export async function listNotifications(
  ctx: Ctx,
  userId: string,
  query: NotificationQuery,
  tr: Translator = english,
) {
  const limit = pageLimit(query.limit);
  const after = decodeCursor(query.cursor, isNotificationCursor);
  const [rows, unreadCount] = await Promise.all([
    notificationsPage(ctx.db, userId, { unreadOnly: query.unread === true, after, limit: limit + 1 }),
    unreadNotificationCount(ctx.db, userId),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: await presentNotificationsIn(ctx, tr, page),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ createdAt: last.cursor_time, id: last.id }) : null,
    unreadCount,
  };
}

/**
 * Marks the caller's notifications read: those named (ids that are not theirs,
 * or not ids at all, are ignored, so a stale list can be sent as is), or all.
 */
export async function markRead(ctx: Ctx, userId: string, body: MarkReadBody): Promise<void> {
  const ids = body.ids === undefined ? null : [...new Set(body.ids.filter(isUuid))];
  await markNotificationsRead(ctx.db, userId, ids);
}
