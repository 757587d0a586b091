import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = "Empties deleted comments' words from their earlier events.";

/**
 * A deleted comment's words must be gone from every answer, stream replays
 * included. Deleting a comment now empties its earlier events in the same
 * transaction; this does the same for comments deleted before that: their
 * `comment.created`, `comment.updated` and `reaction.changed` events keep the
 * comment with an empty body and `deletedAt` set. Only the thread's events are
 * walked (by its index) for each deleted comment.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update events e
       set data = jsonb_set(jsonb_set(e.data, '{comment,body}', '""'), '{comment,deletedAt}',
                            to_jsonb(to_char(c.deleted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
      from comments c
     where c.deleted_at is not null
       and e.thread_id = c.thread_id and e.recipient_id is null and e.subject_id = c.id
       and jsonb_typeof(e.data -> 'comment') = 'object'
       and coalesce(e.data #>> '{comment,body}', '') <> ''`.execute(db);
}

/** The words are gone for good: there is nothing to put back. */
export async function down(_db: Kysely<any>): Promise<void> {}
