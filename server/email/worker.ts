import { type Kysely, sql } from 'kysely';
import nodemailer, { type Mail } from 'nodemailer';
import type { Config } from '../config';
import type { DB } from '../db/schema';
import { type EmailWaker, SENT_KEPT_DAYS } from './outbox';

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface OutboxRow {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: Record<string, string> | string;
  attempts: number;
}

/** Messages claimed per round; each round's lease must outlast sending them all. */
const BATCH = 50;
/** Retries back off from twice the poll interval up to this. */
const MAX_BACKOFF_MS = 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

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
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #lastPrune = 0;

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
    this.#timer = setInterval(() => this.wake(), every);
    this.#timer.unref();
    this.wake();
  }

  /** Sends what is due now; a wake during a round runs one more round after it. */
  wake(): void {
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

  /** Resolves when the round in progress (if any) is over: tests and shutdown. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
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
      await Promise.all(rows.map((row) => this.#send(row)));
      if (rows.length < BATCH) break;
    }
    await this.#prune();
  }

  #claim(): Promise<OutboxRow[]> {
    const lease = `${this.#config.emailLeaseMs} milliseconds`;
    return sql<OutboxRow>`
      update email_outbox
         set next_attempt_at = now() + ${lease}::interval,
             locked_until = now() + ${lease}::interval,
             attempts = attempts + 1
       where id in (select id from email_outbox
                     where sent_at is null and failed_at is null and next_attempt_at <= now()
                     order by next_attempt_at
                     limit ${BATCH}
                     for update skip locked)
      returning id, kind, recipient, subject, text_body, html_body, headers, attempts`
      .execute(this.#db)
      .then((r) => r.rows);
  }

  async #send(row: OutboxRow): Promise<void> {
    const messageId = `<outbox-${row.id}@${this.#domain}>`;
    try {
      await this.#transport!.sendMail({
        from: this.#config.emailFrom,
        to: row.recipient,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        headers: headersOf(row),
        messageId,
      });
    } catch (err) {
      await this.#failed(row, err);
      return;
    }
    await this.#db
      .updateTable('email_outbox')
      .set({ sent_at: sql`now()`, locked_until: null, message_id: messageId, last_error: null })
      .where('id', '=', row.id)
      .execute();
  }

  async #failed(row: OutboxRow, err: unknown): Promise<void> {
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
        update email_outbox set logged_at = now()
         where id in (select id from email_outbox
                       where sent_at is null and failed_at is null and logged_at is null
                       order by created_at
                       limit ${BATCH}
                       for update skip locked)
        returning id, kind, recipient, subject, text_body, html_body, headers, attempts`.execute(this.#db);
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
      if (rows.length < BATCH) return;
    }
  }

  async #prune(): Promise<void> {
    if (Date.now() - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = Date.now();
    await sql`delete from email_outbox
               where sent_at < now() - ${`${SENT_KEPT_DAYS} days`}::interval`.execute(this.#db);
  }
}

function headersOf(row: OutboxRow): Record<string, string> {
  return typeof row.headers === 'string' ? JSON.parse(row.headers) : (row.headers ?? {});
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
