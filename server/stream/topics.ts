import type { TopicFilter } from '../db/events';
import type { Ctx } from '../services/context';
import { isUuid } from '../services/text';

/** What a subscriber may see of a topic: where its events are, and the group that grants access. */
export interface TopicAccess {
  filter: TopicFilter;
  /** The group whose membership grants this topic; null for `me`. */
  groupId: string | null;
}

/** Resolves a topic for a user, or null when it does not exist or they may not see it. */
export async function authorizeTopic(ctx: Ctx, userId: string, topic: string): Promise<TopicAccess | null> {
  if (topic === 'me') return { filter: { recipientId: userId }, groupId: null };
  const [kind, id] = topic.split(':') as [string, string];
  if (!isUuid(id)) return null;
  if (kind === 'group') {
    const member = await ctx.db
      .selectFrom('memberships')
      .select('group_id')
      .where('group_id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return member ? { filter: { groupId: id }, groupId: id } : null;
  }
  if (kind === 'thread') {
    const thread = await ctx.db
      .selectFrom('threads')
      .innerJoin('memberships', 'memberships.group_id', 'threads.group_id')
      .select('threads.group_id')
      .where('threads.id', '=', id)
      .where('memberships.user_id', '=', userId)
      .executeTakeFirst();
    return thread ? { filter: { threadId: id }, groupId: thread.group_id } : null;
  }
  return null;
}

/** The topics an event belongs to. */
export function topicsOf(row: {
  group_id: string | null;
  thread_id: string | null;
  recipient_id: string | null;
}): string[] {
  if (row.recipient_id) return ['me'];
  const topics: string[] = [];
  if (row.group_id) topics.push(`group:${row.group_id}`);
  if (row.thread_id) topics.push(`thread:${row.thread_id}`);
  return topics;
}
