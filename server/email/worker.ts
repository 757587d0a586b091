import { type Kysely, sql } from 'kysely';
import nodemailer, { type Mail } from 'nodemailer';
import type { Config } from '../config';
import type { DB } from '../db/schema';
import { unsubscribeHeaders } from './layout';
import { type EmailWaker, SENT_KEPT_DAYS } from './outbox';
import { replyAddress } from './reply-address';

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface OutboxRow {
  id: string;
  kind: string;
  user_id: string | null;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: Record<string, string> | string;
  group_id: string | null;
  notification_id: string | null;
  attempts: number;
}

/** A claimed row with its body, inline or shared (`c` the outbox row, `b` the shared body). */
const OUTBOX_COLUMNS = sql.raw(`c.id, c.kind, c.user_id, c.recipient, c.subject,
  coalesce(c.text_body, b.text_body) as text_body, coalesce(c.html_body, b.html_body) as html_body,
  c.headers, c.group_id, c.notification_id, c.attempts`);

/** Messages claimed per round; each round's lease must outlast sending them all. */
const BATCH = 50;
/** Retries back off from twice the poll interval up to this. */
const MAX_BACKOFF_MS = 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/**
 * The embedded database has no autovacuum: every claim and every mark leaves
 * a dead row version, and the claim's index scan wades through them (seen:
 * 300 ms a claim after a few thousand messages). The worker vacuums the
 * outbox itself after this many changed rows.
 */
const VACUUM_AFTER_ROWS = 1000;
/** How long a wake waits before its round (see wake()). */
const WAKE_DELAY_MS = 25;

/**
 * Sends the outbox. Each round claims due messages with one statement
 * (`for update skip locked`, so several processes never claim the same one)
 * and moves their `next_attempt_at` past a lease: if this process dies
 * mid-send, the message simply falls due again and another round takes it.
 * Each message is marked sent right after its own send. A message whose send
 * completed but whose mark did not (the process died in between) goes out
 * again, with the same Message-ID (`<outbox-id@from-domain>`), which lets
 * receiving servers and clients drop the copy.
 */
export class EmailWorker implements EmailWaker {
  readonly #db: Kysely<DB>;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #transport: Mail | null;
  readonly #domain: string;
  #timer: NodeJS.Timeout | null = null;
  #wakeTimer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #lastPrune = 0;
  /** Outbox rows changed since the last vacuum (embedded database only). */
  #changedRows = 0;
  #sendFailures = 0;

  constructor(db: Kysely<DB>, config: Config, log: Logger) {
    this.#db = db;
    this.#config = config;
    this.#log = log;
    this.#domain = /@([^>\s]+)>?\s*$/.exec(config.emailFrom)?.[1] ?? 'localhost';
    this.#transport = config.smtpUrl
      ? nodemailer.createTransport({
          ...smtpOptions(config.smtpUrl),
          pool: true,
          maxConnections: 5,
          // A refused or hung server must fail the send, not hold the round past its lease.
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        })
      : null;
  }

  start(): void {
    if (this.#timer) return;
    // Jitter, so processes started together do not all poll at once.
    const every = this.#config.emailPollMs + Math.floor(Math.random() * (this.#config.emailPollMs / 4));
    this.#timer = setInterval(() => this.#runRound(), every);
    this.#timer.unref();
    this.#runRound();
  }

  /**
   * Sends what is due, shortly: wakes within WAKE_DELAY_MS fold into one
   * round, and the request whose commit queued the mail answers before the
   * worker competes with it for the database. A wake during a round runs
   * one more round after it.
   */
  wake(): void {
    if (this.#stopped || this.#wakeTimer) return;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = null;
      this.#runRound();
    }, WAKE_DELAY_MS);
    this.#wakeTimer.unref();
  }

  #runRound(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#round();
        } while (this.#again && !this.#stopped);
      } catch (err) {
        this.#log.warn({ err }, 'email worker round failed; will retry');
      } finally {
        this.#running = null;
      }
    })();
  }

  /** Sends that failed since this worker started, retried or refused for good (`/metrics`). */
  get sendFailures(): number {
    return this.#sendFailures;
  }

  /** Resolves when the round in progress (if any) is over: tests and shutdown. */
  async idle(): Promise<void> {
    while (this.#running || this.#wakeTimer) {
      await (this.#running ?? new Promise((resolve) => setTimeout(resolve, WAKE_DELAY_MS)));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer);
    this.#timer = null;
    this.#wakeTimer = null;
    await this.idle();
    this.#transport?.close();
  }

  async #round(): Promise<void> {
    if (!this.#transport) {
      await this.#logUnsent();
      return;
    }
    for (;;) {
      if (this.#stopped) return;
      const rows = await this.#claim();
      const sent = await Promise.all(rows.map((row) => this.#send(row)));
      await this.#markSent(rows.filter((_, i) => sent[i]).map((row) => row.id));
      this.#changedRows += 2 * rows.length;
      await this.#vacuumIfEmbedded();
      if (rows.length < BATCH) break;
    }
    await this.#prune();
  }

  #claim(): Promise<OutboxRow[]> {
    const lease = `${this.#config.emailLeaseMs} milliseconds`;
    return sql<OutboxRow>`
      with claimed as (
        update email_outbox
           set next_attempt_at = now() + ${lease}::interval,
               locked_until = now() + ${lease}::interval,
               attempts = attempts + 1
         where id in (select id from email_outbox
                       where sent_at is null and failed_at is null and next_attempt_at <= now()
                       order by next_attempt_at
                       limit ${BATCH}
                       for update skip locked)
        returning *
      )
      select ${OUTBOX_COLUMNS} from claimed c left join email_bodies b on b.id = c.body_id`
      .execute(this.#db)
      .then((r) => r.rows);
  }

  /** Sends one message; false when it failed (and was rescheduled or given up). */
  async #send(row: OutboxRow): Promise<boolean> {
    const messageId = this.#messageId(row.id);
    try {
      await this.#transport!.sendMail({
        from: this.#config.emailFrom,
        to: row.recipient,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        headers: this.#headersOf(row),
        messageId,
      });
    } catch (err) {
      await this.#failed(row, err);
      return false;
    }
    return true;
  }

  /** The row's own headers, and the per-recipient ones a notification email gets as it leaves. */
  #headersOf(row: OutboxRow): Record<string, string> {
    const own = typeof row.headers === 'string' ? JSON.parse(row.headers) : (row.headers ?? {});
    const reply = row.notification_id ? replyAddress(this.#config, row.notification_id) : null;
    return {
      ...own,
      ...(row.group_id && row.user_id ? unsubscribeHeaders(this.#config, row.user_id, row.group_id) : {}),
      ...(reply ? { 'Reply-To': reply } : {}),
    };
  }

  #messageId(id: string): string {
    return `<outbox-${id}@${this.#domain}>`;
  }

  /**
   * One statement for a round's sent messages, not one each: the database
   * would otherwise be busier recording sends than the SMTP pool is making
   * them. A process killed between the sends and this leaves the round's
   * messages to be sent again when their lease ends, each with the same
   * Message-ID, by which receivers drop the copy.
   */
  async #markSent(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await sql`
      update email_outbox
         set sent_at = now(), locked_until = null, last_error = null,
             message_id = '<outbox-' || id || ${`@${this.#domain}>`}
       where id = any(${ids}::uuid[])`.execute(this.#db);
  }

  async #failed(row: OutboxRow, err: unknown): Promise<void> {
    this.#sendFailures += 1;
    const e = err as { message?: string; responseCode?: number };
    const message = String(e?.message ?? err).slice(0, 500);
    // 5xx is the server saying "never": retrying would only repeat the refusal.
    const permanent = typeof e?.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
    const base = 2 * this.#config.emailPollMs * 2 ** Math.min(row.attempts - 1, 20);
    // Full jitter over the upper half, so a recovering server is not met by every message at once.
    const delay = Math.min(MAX_BACKOFF_MS, base) * (0.5 + Math.random() * 0.5);
    this.#log.warn(
      { emailId: row.id, attempts: row.attempts, error: message, permanent },
      permanent ? 'email refused for good' : 'email not sent; will retry',
    );
    await this.#db
      .updateTable('email_outbox')
      .set({
        last_error: message,
        locked_until: null,
        ...(permanent
          ? { failed_at: sql`now()` }
          : { next_attempt_at: sql`now() + ${`${Math.round(delay)} milliseconds`}::interval` }),
      })
      .where('id', '=', row.id)
      .execute();
  }

  /** No SMTP server: each unsent message goes to the log once, links and all, so local use still works. */
  async #logUnsent(): Promise<void> {
    for (;;) {
      const { rows } = await sql<OutboxRow>`
        with logged as (
          update email_outbox set logged_at = now()
           where id in (select id from email_outbox
                         where sent_at is null and failed_at is null and logged_at is null
                         order by created_at
                         limit ${BATCH}
                         for update skip locked)
          returning *
        )
        select ${OUTBOX_COLUMNS} from logged c left join email_bodies b on b.id = c.body_id`.execute(
        this.#db,
      );
      for (const row of rows) {
        this.#log.info(
          {
            email: {
              id: row.id,
              kind: row.kind,
              to: row.recipient,
              subject: row.subject,
              links: linksIn(row.text_body),
            },
          },
          `email not sent (no SMTP_URL): "${row.subject}" to ${row.recipient}`,
        );
      }
      this.#changedRows += rows.length;
      await this.#vacuumIfEmbedded();
      if (rows.length < BATCH) return;
    }
  }

  async #vacuumIfEmbedded(): Promise<void> {
    if (this.#config.databaseUrl !== null || this.#changedRows < VACUUM_AFTER_ROWS) return;
    this.#changedRows = 0;
    await sql`vacuum email_outbox`.execute(this.#db);
  }

  async #prune(): Promise<void> {
    if (Date.now() - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = Date.now();
    await sql`delete from email_outbox
               where sent_at < now() - ${`${SENT_KEPT_DAYS} days`}::interval`.execute(this.#db);
    await sql`delete from email_bodies b
               where not exists (select 1 from email_outbox o where o.body_id = b.id)`.execute(this.#db);
  }
}

/** Every http(s) link in a text, in order, once each. */
export function linksIn(text: string): string[] {
  return [...new Set(text.match(/https?:\/\/[^\s<>"')]+/g) ?? [])];
}

/**
 * nodemailer's options from SMTP_URL. smtp:// upgrades with STARTTLS when
 * offered; smtps:// is TLS from the start. Credentials are URL-decoded.
 */
function smtpOptions(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    // Local sinks and test servers speak plain SMTP; a real server offering STARTTLS still gets it.
    ...(url.searchParams.get('tls') === 'off' ? { ignoreTLS: true } : {}),
  };
}
