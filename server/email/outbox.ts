import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema';

/** One email to send, as callers hand it to the outbox. */
export interface OutgoingEmail {
  /** One address. */
  to: string;
  subject: string;
  /** The plain-text part. */
  text: string;
  /** The HTML part, inline styles only. */
  html: string;
  /** List-Unsubscribe, List-Unsubscribe-Post, Reply-To ... */
  headers?: Record<string, string>;
  /** 'password_reset', 'invitation', 'notification', 'digest', ... */
  kind: string;
  /** The recipient's account, when there is one. */
  userId?: string | null;
  /** Unique: a second enqueue with the same key is ignored (while the first is kept, see SENT_KEPT_DAYS). */
  dedupeKey?: string;
  /** The worker adds one-click unsubscribe headers for `userId` and this group as it sends. */
  unsubscribeGroupId?: string | null;
  /** The worker adds `Reply-To` naming this notification (REPLY_DOMAIN set) as it sends. */
  replyNotificationId?: string | null;
}

/** What services call after a commit that queued mail, so it leaves now rather than at the next poll. */
export interface EmailWaker {
  wake(): void;
}

/**
 * Sent mail is kept this long (then pruned by the worker) so that a dedupe key
 * still refuses a second enqueue within that window, and so one can see what
 * left; the pick index covers only unsent rows, so kept rows cost the worker nothing.
 */
export const SENT_KEPT_DAYS = 7;

/**
 * Queues emails inside the caller's transaction: they exist only if it
 * commits. One statement however many (a proposal to 2,000 members is one
 * insert): rows travel as a single jsonb parameter, so no parameter limit
 * applies. A body several emails share is stored once (email_bodies); a
 * body of one email stays in its row.
 */
export async function enqueueEmails(
  trx: Kysely<DB> | Transaction<DB>,
  emails: OutgoingEmail[],
): Promise<void> {
  if (emails.length === 0) return;
  const seen = new Set<string>();
  const kept: OutgoingEmail[] = [];
  for (const e of emails) {
    if (e.dedupeKey !== undefined) {
      if (seen.has(e.dedupeKey)) continue;
      seen.add(e.dedupeKey);
    }
    kept.push(e);
  }
  // Many recipients usually share one body (a proposal to the whole group): each distinct body travels once.
  const bodies: { text_body: string; html_body: string; uses: number }[] = [];
  const bodyIndex = new Map<string, Map<string, number>>();
  const bodyOf = kept.map((e) => {
    let byText = bodyIndex.get(e.html);
    if (!byText) {
      byText = new Map();
      bodyIndex.set(e.html, byText);
    }
    let body = byText.get(e.text);
    if (body === undefined) {
      body = bodies.push({ text_body: e.text, html_body: e.html, uses: 0 });
      byText.set(e.text, body);
    }
    bodies[body - 1]!.uses++;
    return body;
  });
  const shared = bodies.map((b, i) => ({ ...b, n: i + 1 })).filter((b) => b.uses > 1);
  const rows = kept.map((e, i) => {
    const body = bodies[bodyOf[i]! - 1]!;
    return {
      kind: e.kind,
      user_id: e.userId ?? null,
      recipient: e.to,
      subject: e.subject,
      // The shared body's number, or the body itself.
      body: body.uses > 1 ? bodyOf[i] : null,
      text_body: body.uses > 1 ? null : body.text_body,
      html_body: body.uses > 1 ? null : body.html_body,
      headers: e.headers ?? {},
      group_id: e.unsubscribeGroupId ?? null,
      notification_id: e.replyNotificationId ?? null,
      dedupe_key: e.dedupeKey ?? null,
    };
  });
  await sql`
    with src as (
      select * from jsonb_to_recordset(${JSON.stringify(shared.map(({ text_body, html_body, n }) => ({ text_body, html_body, n })))}::jsonb)
        as b(text_body text, html_body text, n integer)
    ), stored as (
      insert into email_bodies (text_body, html_body) select text_body, html_body from src
      returning id, text_body, html_body
    ), numbered as (
      select src.n, stored.id from src join stored using (text_body, html_body)
    )
    insert into email_outbox (kind, user_id, recipient, subject, text_body, html_body, body_id, headers,
                              group_id, notification_id, dedupe_key)
    select r.kind, r.user_id, r.recipient, r.subject, r.text_body, r.html_body, numbered.id, r.headers,
           r.group_id, r.notification_id, r.dedupe_key
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as r(kind text, user_id uuid, recipient text, subject text, body integer, text_body text,
             html_body text, headers jsonb, group_id uuid, notification_id uuid, dedupe_key text)
      left join numbered on numbered.n = r.body
    on conflict (dedupe_key) do nothing`.execute(trx);
}
