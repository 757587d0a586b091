import type { StreamEvent } from '../../shared/schemas/stream';
import type { LoggedEvent } from '../db/events';
import { commentForViewer } from '../services/comments';
import type { SharedComment } from '../services/types';

/** Events whose data is `{comment}`: its reactions carry `mine`, which depends on who looks. */
const COMMENT_EVENTS: ReadonlySet<string> = new Set([
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'reaction.changed',
]);

/** The comment of a comment event that has reactions, the only case where viewers see it differently. */
function reactedComment(row: LoggedEvent): SharedComment | null {
  if (!COMMENT_EVENTS.has(row.kind)) return null;
  const comment = (row.data as { comment?: SharedComment }).comment;
  return comment && comment.reactions.length > 0 ? comment : null;
}

/** Who is looking: the data of some events depends on it. */
export interface Viewer {
  userId: string;
}

/**
 * The data of an event as this viewer may see it. Event rows store what the
 * HTTP presenters need; anything a viewer may not see (the voter of an
 * anonymous vote, tallies of hidden results) is removed here, at delivery.
 * Returns the same object for every viewer when nothing depends on who looks,
 * which lets the hub serialise a frame once for a thousand subscribers.
 */
export function shapeEventData(row: LoggedEvent, viewer: Viewer): Record<string, unknown> {
  const data = row.data as Record<string, unknown>;
  const comment = reactedComment(row);
  if (comment) return { ...data, comment: commentForViewer(comment, viewer.userId) };
  if (data.anonymous === true && 'voter' in data) {
    const { voter: _hidden, ...rest } = data;
    return { ...rest, voter: null };
  }
  if (data.resultsHidden === true && 'results' in data) {
    return { ...data, results: null };
  }
  return data;
}

/** True when `shapeEventData` gives every viewer the same thing for this row. */
export function isViewerIndependent(row: LoggedEvent): boolean {
  return reactedComment(row) === null;
}

/** The contract's event object. */
export function presentStreamEvent(row: LoggedEvent, viewer: Viewer): StreamEvent {
  return {
    id: Number(row.id),
    kind: row.kind,
    groupId: row.group_id,
    threadId: row.thread_id,
    actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? '' } : null,
    at: new Date(row.created_at).toISOString(),
    data: shapeEventData(row, viewer),
  };
}
