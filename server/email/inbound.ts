import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { english, type Translator } from '../../shared/i18n';
import { AppError } from '../errors';
import { memberLocale, translatorFor } from '../i18n';
import { createComment } from '../services/comments';
import type { Ctx } from '../services/context';
import { baseUrl, renderEmail } from './layout';
import { enqueueEmails } from './outbox';
import { REPLY_ADDRESS_DAYS, readReplyAddress } from './reply-address';
import { replyText } from './reply-text';

/** The largest reply taken (DATA beyond it is answered 552): text, not attachments, is what is posted. */
export const MAX_REPLY_BYTES = 1024 * 1024;
/** The API's limit on a comment's body (shared/schemas/common.ts LongText). */
const COMMENT_MAX_CHARS = 100_000;
/** What of a refused reply the bounce gives back, so nothing written is lost. */
const BOUNCE_QUOTE_MAX = 5_000;

/** Who a reply address speaks for and where its reply goes, read from the notification it names. */
interface ReplyTarget {
  notificationId: string;
  userId: string;
  userName: string;
  userEmail: string;
  /** The language the member is written to in (a bounce). */
  locale: string;
  threadId: string | null;
  /** The comment the email was about: the reply answers it. Null: the thread or a proposal in it. */
  commentId: string | null;
  createdAt: Date;
}

async function findTarget(ctx: Ctx, notificationId: string): Promise<ReplyTarget | undefined> {
  const row = await ctx.db
    .selectFrom('notifications')
    .innerJoin('users', 'users.id', 'notifications.user_id')
    .leftJoin('proposals', 'proposals.id', 'notifications.proposal_id')
    .select((eb) => [
      'notifications.id',
      'notifications.user_id',
      'users.name',
      'users.email',
      'users.locale',
      'users.browser_locale',
      eb.fn.coalesce('notifications.thread_id', 'proposals.thread_id').as('thread_id'),
      'notifications.comment_id',
      'notifications.created_at',
    ])
    .where('notifications.id', '=', notificationId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    notificationId: row.id,
    userId: row.user_id,
    userName: row.name,
    userEmail: row.email,
    locale: memberLocale(row),
    threadId: row.thread_id,
    commentId: row.comment_id,
    createdAt: row.created_at,
  };
}

/** A refusal at RCPT TO, which the sending server turns into a bounce quoting our text. */
function refused(message: string): Error {
  return Object.assign(new Error(message), { responseCode: 550 });
}

/**
 * RCPT TO: only addresses this server signed, for a notification (and account)
 * that still exists and is not too old. Membership and the thread's state are
 * judged once the message is in, so the member gets a bounce that says why.
 */
export async function checkRecipient(ctx: Ctx, address: string): Promise<Error | null> {
  const notificationId = readReplyAddress(ctx.config, address);
  if (!notificationId) return refused('5.1.1 No such reply address');
  const target = await findTarget(ctx, notificationId);
  if (!target?.threadId) return refused('5.1.1 No such reply address');
  if (Date.now() - target.createdAt.getTime() > REPLY_ADDRESS_DAYS * 86_400_000) {
    return refused(
      `5.1.1 This reply address has expired (after ${REPLY_ADDRESS_DAYS} days): reply on the website instead`,
    );
  }
  return null;
}

/**
 * Out-of-office answers, bounces and list traffic (RFC 3834, and the headers
 * Exchange and others use before it): taken and dropped, never posted and
 * never answered, so two robots cannot mail each other forever.
 */
function isAutomatic(mail: ParsedMail, envelopeFrom: string): boolean {
  if (envelopeFrom === '') return true; // the null sender: a delivery report
  const header = (name: string) => String(mail.headers.get(name) ?? '').toLowerCase();
  const auto = header('auto-submitted');
  if (auto !== '' && auto !== 'no') return true;
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond')) return true;
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(header('precedence'))) return true;
  const type = mail.headers.get('content-type') as { value?: string } | undefined;
  return type?.value?.toLowerCase() === 'multipart/report';
}

class DuplicateReply extends Error {}

type Outcome = { posted: string } | { duplicate: true } | { bounced: string };

/** Why a reply was not posted. */
type Reason = 'gone' | 'not_member' | 'closed' | 'empty' | 'too_long' | 'parent_deleted';

/** Why a reply was not posted, from the error that refused it; null for a fault. */
function reasonFor(err: unknown): Reason | null {
  if (!(err instanceof AppError)) return null;
  if (err.code === 'thread_closed') return 'closed';
  if (err.statusCode === 404 && err.details?.[0]?.path === '/parentId') return 'parent_deleted';
  if (err.statusCode === 404) return 'not_member';
  if (err.statusCode === 400) return 'empty';
  return null;
}

/** "Your reply to “…” was not posted because …", in `tr`'s language. */
function notPosted(tr: Translator, reason: Reason, about: string, group: string | null): string {
  switch (reason) {
    case 'gone':
      return tr.t('Your reply to {about} was not posted because the thread no longer exists.', { about });
    case 'not_member':
      return group === null
        ? tr.t('Your reply to {about} was not posted because you are no longer a member of the group.', {
            about,
          })
        : tr.t('Your reply to {about} was not posted because you are no longer a member of {group}.', {
            about,
            group,
          });
    case 'closed':
      return tr.t('Your reply to {about} was not posted because the thread is closed.', { about });
    case 'empty':
      return tr.t(
        'Your reply to {about} was not posted because it had no text of its own above the quoted message.',
        { about },
      );
    case 'too_long':
      return tr.t('Your reply to {about} was not posted because it is longer than {max} characters.', {
        about,
        max: tr.number(COMMENT_MAX_CHARS),
      });
    case 'parent_deleted':
      return tr.t('Your reply to {about} was not posted because the comment you replied to was deleted.', {
        about,
      });
  }
}

/**
 * Posts one reply as the member, through the same use case as the web (the
 * same checks, events, notifications and live stream), or queues a bounce to
 * the member's account address saying why not.
 */
async function postReply(
  ctx: Ctx,
  target: ReplyTarget,
  mail: ParsedMail,
  messageKey: string,
): Promise<Outcome> {
  const place = await ctx.db
    .selectFrom('threads')
    .innerJoin('groups', 'groups.id', 'threads.group_id')
    .leftJoin('memberships', (j) =>
      j.onRef('memberships.group_id', '=', 'threads.group_id').on('memberships.user_id', '=', target.userId),
    )
    .select(['threads.title', 'threads.closed_at', 'groups.name as group_name', 'memberships.role'])
    .where('threads.id', '=', target.threadId!)
    .executeTakeFirst();
  const about = place ? `“${place.title}”` : `“${(mail.subject ?? '').replace(/^(re|aw|sv|antw):\s*/i, '')}”`;
  const group = place?.group_name ?? null;
  const body = replyText(mail.text ?? '');

  let reason: Reason | null = null;
  if (!place) reason = 'gone';
  else if (!place.role) reason = 'not_member';
  else if (place.closed_at) reason = 'closed';
  else if (body === '') reason = 'empty';
  else if (body.length > COMMENT_MAX_CHARS && [...body].length > COMMENT_MAX_CHARS) reason = 'too_long';

  if (reason === null) {
    try {
      const comment = await createComment(
        ctx,
        target.threadId!,
        { id: target.userId, name: target.userName },
        { body, parentId: target.commentId },
        {
          withComment: async (trx, commentId) => {
            const stored = await trx
              .insertInto('inbound_emails')
              .values({
                message_key: messageKey,
                notification_id: target.notificationId,
                comment_id: commentId,
              })
              .onConflict((oc) => oc.column('message_key').doNothing())
              .returning('message_key')
              .executeTakeFirst();
            // Rolls the comment back: this message was posted before (a sending server retried).
            if (!stored) throw new DuplicateReply();
          },
        },
      );
      return { posted: comment.id };
    } catch (err) {
      if (err instanceof DuplicateReply) return { duplicate: true };
      // A change between the checks above and the comment's transaction (closed, removed a moment ago).
      reason = reasonFor(err);
      if (reason === null) throw err;
    }
  }

  const url = place?.role ? `${baseUrl(ctx.config)}/threads/${encodeURIComponent(target.threadId!)}` : null;
  // Given back so nothing is lost; an empty reply has nothing to give back.
  const written = body;
  // Written in the member's language; the log reads the English.
  const tr = translatorFor(target.locale);
  const content = renderEmail(
    {
      heading: tr.t('Your reply was not posted'),
      paragraphs: [
        notPosted(tr, reason, about, group),
        ...(written ? [tr.t('This is what you wrote:')] : []),
      ],
      quote: written ? written.slice(0, BOUNCE_QUOTE_MAX) : undefined,
      button: url ? { label: tr.t('Open the thread'), url } : undefined,
    },
    tr.locale,
  );
  await enqueueEmails(ctx.db, [
    {
      kind: 'reply_bounce',
      userId: target.userId,
      // The account's address, not the envelope sender, which anyone can write.
      to: target.userEmail,
      subject: tr.t('Your reply to {about} was not posted', { about }),
      ...content,
      headers: { 'Auto-Submitted': 'auto-replied' },
      // A second delivery of the same message bounces once.
      dedupeKey: `reply-bounce:${messageKey}`,
    },
  ]);
  ctx.email.wake();
  return { bounced: notPosted(english, reason, about, group) };
}

/**
 * One received message, for each reply address it was sent to. Throws only on
 * a fault (the database away): the caller answers 451 and the sending server
 * retries, which posts nothing twice.
 */
export async function receiveMessage(
  ctx: Ctx,
  log: FastifyBaseLogger,
  envelope: { from: string; to: string[] },
  raw: Buffer,
): Promise<void> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  if (isAutomatic(mail, envelope.from)) {
    log.info({ messageId: mail.messageId }, 'automatic email to a reply address dropped');
    return;
  }
  const messageId = mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const notificationIds = new Set(envelope.to.flatMap((a) => readReplyAddress(ctx.config, a) ?? []));
  for (const notificationId of notificationIds) {
    const target = await findTarget(ctx, notificationId);
    if (!target?.threadId) continue; // gone since RCPT TO
    const messageKey = createHash('sha256').update(`${messageId}\0${notificationId}`).digest('hex');
    const outcome = await postReply(ctx, target, mail, messageKey);
    log.info({ notificationId, userId: target.userId, ...outcome }, 'emailed reply received');
  }
}

/**
 * Plenary's own SMTP listener for replies: plain SMTP, no AUTH (the reply
 * address is the credential), refusing unknown addresses at RCPT TO.
 */
export function createInboundServer(ctx: Ctx, log: FastifyBaseLogger): SMTPServer {
  const server = new SMTPServer({
    name: ctx.config.replyDomain ?? undefined,
    banner: 'Plenary replies',
    authOptional: true,
    // Behind the MX that receives for REPLY_DOMAIN; TLS belongs to that server (see README).
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_REPLY_BYTES,
    logger: false,
    maxClients: 100,
    // Shutting down does not wait long for a sender's idle connection.
    closeTimeout: 2_000,
    onRcptTo(address, _session, callback) {
      checkRecipient(ctx, address.address).then(
        (err) => callback(err),
        (err: unknown) => {
          log.warn({ err }, 'checking a reply address failed');
          callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > MAX_REPLY_BYTES) {
          return callback(
            Object.assign(new Error(`5.3.4 A reply may be at most ${MAX_REPLY_BYTES} bytes`), {
              responseCode: 552,
            }),
          );
        }
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        receiveMessage(ctx, log, envelope, Buffer.concat(chunks)).then(
          () => callback(),
          (err: unknown) => {
            log.warn({ err }, 'an emailed reply could not be handled; the sender will retry');
            callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  // A sender that drops its connection mid-message is not this process's failure.
  server.on('error', (err) => log.debug({ err }, 'inbound SMTP connection error'));
  return server;
}
