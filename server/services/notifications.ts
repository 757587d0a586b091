import type { Transaction } from 'kysely';
import type { DB } from '../db/schema';
import type { Emit } from './context';

export type NotificationKind =
  | 'mentioned'
  | 'replied'
  | 'proposal_created'
  | 'proposal_closing_soon'
  | 'proposal_closed'
  | 'outcome_created'
  | 'invited'
  | 'role_changed';

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

/** Stores a notification and streams it on its recipient's `me` topic, in the caller's transaction. */
export async function addNotification(trx: Transaction<DB>, emit: Emit, input: NotificationInput): Promise<void> {
  const row = await trx
    .insertInto('notifications')
    .values({
      user_id: input.userId,
      kind: input.kind,
      actor_id: input.actorId,
      group_id: input.groupId,
      thread_id: input.threadId ?? null,
      comment_id: input.commentId ?? null,
      proposal_id: input.proposalId ?? null,
      text: input.text,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  emit({
    kind: 'notification.created',
    recipientId: input.userId,
    groupId: input.groupId,
    threadId: input.threadId ?? null,
    actorId: input.actorId,
    subjectId: row.id,
    data: { notificationId: row.id },
  });
}

/** Many notifications at once (everyone in a group, say): one insert, one event each. */
export async function addNotifications(trx: Transaction<DB>, emit: Emit, inputs: NotificationInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const rows = await trx
    .insertInto('notifications')
    .values(
      inputs.map((input) => ({
        user_id: input.userId,
        kind: input.kind,
        actor_id: input.actorId,
        group_id: input.groupId,
        thread_id: input.threadId ?? null,
        comment_id: input.commentId ?? null,
        proposal_id: input.proposalId ?? null,
        text: input.text,
      })),
    )
    .returning(['id', 'user_id', 'group_id', 'thread_id', 'actor_id'])
    .execute();
  for (const row of rows) {
    emit({
      kind: 'notification.created',
      recipientId: row.user_id,
      groupId: row.group_id,
      threadId: row.thread_id,
      actorId: row.actor_id,
      subjectId: row.id,
      data: { notificationId: row.id },
    });
  }
}
