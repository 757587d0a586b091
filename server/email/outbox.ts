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
 * insert): rows travel as a single jsonb parameter, so no parameter limit applies.
 */
export async function enqueueEmails(
  trx: Kysely<DB> | Transaction<DB>,
  emails: OutgoingEmail[],
): Promise<void> {
  if (emails.length === 0) return;
  const seen = new Set<string>();
  // Many recipients usually share one body (a proposal to the whole group): each distinct body travels once.
  const bodies: { text_body: string; html_body: string }[] = [];
  const bodyIndex = new Map<string, Map<string, number>>();
  const rows = [];
  for (const e of emails) {
    if (e.dedupeKey !== undefined) {
      if (seen.has(e.dedupeKey)) continue;
      seen.add(e.dedupeKey);
    }
    let byText = bodyIndex.get(e.html);
    if (!byText) {
      byText = new Map();
      bodyIndex.set(e.html, byText);
    }
    let body = byText.get(e.text);
    if (body === undefined) {
      body = bodies.push({ text_body: e.text, html_body: e.html });
      byText.set(e.text, body);
    }
    rows.push({
      kind: e.kind,
      user_id: e.userId ?? null,
      recipient: e.to,
      subject: e.subject,
      body,
      headers: e.headers ?? {},
      dedupe_key: e.dedupeKey ?? null,
    });
  }
  await sql`
    insert into email_outbox (kind, user_id, recipient, subject, text_body, html_body, headers, dedupe_key)
    select r.kind, r.user_id, r.recipient, r.subject, b.text_body, b.html_body, r.headers, r.dedupe_key
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as r(kind text, user_id uuid, recipient text, subject text, body integer, headers jsonb, dedupe_key text)
      join rows from (jsonb_to_recordset(${JSON.stringify(bodies)}::jsonb) as (text_body text, html_body text))
        with ordinality as b(text_body, html_body, n) on b.n = r.body
    on conflict (dedupe_key) do nothing`.execute(trx);
}
