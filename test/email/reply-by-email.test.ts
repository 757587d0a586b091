import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment } from '../../shared/schemas/threads';
import { createGroup, type Harness, join, type Person, rowCounts, signUp, startApp } from '../helpers/app';
import { as } from '../helpers/requests';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { listenOn, type StreamClient, subscribeAs } from '../helpers/stream';
import { notifications, postComment, startThread, timeline } from '../helpers/threads';

const PUBLIC = 'http://localhost';
const REPLY_DOMAIN = 'reply.localhost';

describe('reply by email', () => {
  let sink: SmtpSink;
  let h: Harness;
  let base: string;
  let ann: Person;
  let bea: Person;
  let cy: Person;
  let group: { id: string; name: string };
  let threadId: string;
  let beaComment: Comment;
  let annReplyTo: string;
  let sent = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startApp({
      SMTP_URL: sink.url,
      EMAIL_POLL_MS: '100',
      PUBLIC_URL: PUBLIC,
      INBOUND_SMTP_PORT: '0',
      REPLY_DOMAIN,
    });
    base = await listenOn(h.app);
    ann = await signUp(h.app, { name: 'Ann' });
    bea = await signUp(h.app, { name: 'Bea' });
    cy = await signUp(h.app, { name: 'Cy' });
    group = await createGroup(h.app, ann, 'Commons Circle');
    await join(h.app, ann, group.id, bea);
    await join(h.app, ann, group.id, cy);
    threadId = (await startThread(h.app, ann, group.id, { title: 'Transport' })).id;
    beaComment = await postComment(h.app, bea, threadId, `@${ann.handle} shall we share one van?`);
    annReplyTo = (await delivered(ann, 'mentioned you')).headers['reply-to']!;
  });
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
  });

  /** The first email to `person` whose subject contains `subject` (and text `body`), once the worker has sent it. */
  async function delivered(person: Person, subject: string, body = ''): Promise<SinkMessage> {
    h.app.ctx.email.wake();
    for (;;) {
      const found = sink.messages.find(
        (m) => m.to.includes(person.email) && m.subject.includes(subject) && m.text.includes(body),
      );
      if (found) return found;
      await sink.waitFor(sink.messages.length + 1);
    }
  }

  /** Sends a message over real SMTP to the app's inbound listener; resolves once it answered 250. */
  function reply(to: string, text: string, extra: Record<string, unknown> = {}) {
    sent += 1;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.app.inboundSmtpPort!,
      secure: false,
      ignoreTLS: true,
    });
    return transport.sendMail({
      from: ann.email,
      to,
      subject: 'Re: [Commons Circle] Bea mentioned you in “Transport”',
      text,
      messageId: `<reply-${sent}-${Date.now()}@mail.example.org>`,
      ...extra,
    });
  }

  const quotedHistory = [
    '',
    'On Thu, 3 Dec 2026 at 16:30, Plenary <plenary@localhost> wrote:',
    '',
    '> Bea mentioned you in “Transport”',
    '>',
    '> @ann shall we share one van?',
    '>',
    '> --',
    '> You get this because you are a member of Commons Circle.',
  ].join('\n');

  const commentsIn = async (person: Person, id: string) =>
    (await timeline(h.app, person, id, 'limit=200')).items.flatMap((i) =>
      i.kind === 'comment' && i.comment ? [i.comment] : [],
    );

  it('notification emails about a comment carry a signed Reply-To at the reply domain, short enough for SMTP', () => {
    const match = /^reply\+([a-z2-7]+)@reply\.localhost$/.exec(annReplyTo);
    expect(match).not.toBeNull();
    expect(`reply+${match![1]}`.length).toBeLessThanOrEqual(64);
  });

  it('a reply becomes a comment by that member, answering the comment, with only the new text, streamed live', async () => {
    const ws: StreamClient = await subscribeAs(base, bea, `thread:${threadId}`);
    await reply(annReplyTo, `Yes, one van. I can drive on Thursdays.${quotedHistory}\n\n-- \nAnn\nTreasurer`);

    const posted = (await commentsIn(bea, threadId)).filter((c) => c.author?.id === ann.id);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({
      body: 'Yes, one van. I can drive on Thursdays.',
      parentId: beaComment.id,
      author: { id: ann.id, name: 'Ann' },
    });
    const frame = await ws.waitFor(
      (m) =>
        m.type === 'event' &&
        m.event.kind === 'comment.created' &&
        (m.event.data as { comment: Comment }).comment.id === posted[0]!.id,
    );
    expect(frame).toMatchObject({
      event: { actor: { id: ann.id }, data: { comment: { body: posted[0]!.body } } },
    });
    await ws.close();
    // As for a comment posted on the website: Bea is told Ann replied.
    expect((await notifications(h.app, bea)).items.some((n) => n.kind === 'replied')).toBe(true);
  });

  it('a forged, altered or foreign address is refused with 550 at RCPT TO and posts nothing', async () => {
    const before = await rowCounts(h);
    const [local, domain] = annReplyTo.split('@') as [string, string];
    const last = local.at(-1)!;
    const altered = `${local.slice(0, -1)}${last === 'a' ? 'b' : 'a'}@${domain}`;
    const middle = `${local.slice(0, 20)}${local[20] === 'q' ? 'r' : 'q'}${local.slice(21)}@${domain}`;
    for (const to of [
      altered,
      middle,
      `${local}@elsewhere.example`,
      `nobody@${domain}`,
      'reply+@reply.localhost',
    ]) {
      const err = await reply(to, 'Posted by a stranger').then(
        () => null,
        (e: { responseCode?: number; response?: string }) => e,
      );
      expect(err?.responseCode, to).toBe(550);
      expect(err?.response).toMatch(/No such reply address/);
    }
    expect(await rowCounts(h)).toEqual(before);
  });

  it('an address past its 60 days is refused with 550 saying so', async () => {
    await postComment(h.app, bea, threadId, `@${ann.handle} an old question`);
    const message = await delivered(ann, 'mentioned you', 'an old question');
    const notification = (await notifications(h.app, ann)).items[0]!;
    await h.db.database.db
      .updateTable('notifications')
      .set({ created_at: new Date(Date.now() - 61 * 86_400_000) })
      .where('id', '=', notification.id)
      .execute();
    const err = await reply(message.headers['reply-to']!, 'Too late?').then(
      () => null,
      (e: { responseCode?: number; response?: string }) => e,
    );
    expect(err?.responseCode).toBe(550);
    expect(err?.response).toMatch(/expired/);
  });

  it('a message delivered twice (the same Message-ID) is posted once', async () => {
    const messageId = `<twice-${Date.now()}@mail.example.org>`;
    const before = (await commentsIn(ann, threadId)).length;
    await reply(annReplyTo, 'Only once, please.', { messageId });
    await reply(annReplyTo, 'Only once, please.', { messageId });
    const after = await commentsIn(ann, threadId);
    expect(after).toHaveLength(before + 1);
    expect(after.filter((c) => c.body === 'Only once, please.')).toHaveLength(1);
  });

  it('an out-of-office answer is taken and dropped: nothing posted, nothing sent back', async () => {
    const before = await rowCounts(h);
    await reply(annReplyTo, 'I am away until Monday.', { headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(await rowCounts(h)).toEqual(before);
  });

  it('an empty reply (only the quoted email) posts nothing and bounces to the account address', async () => {
    const before = (await commentsIn(ann, threadId)).length;
    // The envelope sender is not who is told: the account's own address is.
    await reply(annReplyTo, quotedHistory, { envelope: { from: 'someone@else.example', to: annReplyTo } });
    const bounce = await delivered(ann, 'was not posted');
    expect(bounce.subject).toBe('Your reply to “Transport” was not posted');
    expect(bounce.text).toContain(
      'Your reply to “Transport” was not posted because it had no text of its own above the quoted message.',
    );
    expect(bounce.headers['auto-submitted']).toBe('auto-replied');
    expect(bounce.headers['reply-to']).toBeUndefined();
    expect(sink.messages.some((m) => m.to.includes('someone@else.example'))).toBe(false);
    expect(await commentsIn(ann, threadId)).toHaveLength(before);
  });

  it('a reply from someone no longer a member posts nothing and gets a bounce saying why', async () => {
    await postComment(h.app, bea, threadId, `@${cy.handle} can you bring the map?`);
    const cyReplyTo = (await delivered(cy, 'mentioned you')).headers['reply-to']!;
    expect(cyReplyTo).not.toBe(annReplyTo);
    const removed = await as(h.app, ann).delete(`/api/v1/groups/${group.id}/members/${cy.id}`);
    expect(removed.statusCode).toBe(204);
    const before = (await commentsIn(ann, threadId)).length;
    await reply(cyReplyTo, `Sure, I will bring it.${quotedHistory}`, { from: cy.email });
    const bounce = await delivered(cy, 'was not posted');
    expect(bounce.text).toContain(
      'Your reply to “Transport” was not posted because you are no longer a member of Commons Circle.',
    );
    // What they wrote comes back, so nothing is lost; no link to a thread they cannot open.
    expect(bounce.text).toContain('> Sure, I will bring it.');
    expect(bounce.text).not.toContain(`/threads/${threadId}`);
    expect(await commentsIn(ann, threadId)).toHaveLength(before);
  });

  it('a reply to a closed thread posts nothing and gets a bounce', async () => {
    const other = await startThread(h.app, ann, group.id, { title: 'Garden rota' });
    await postComment(h.app, bea, other.id, `@${ann.handle} who waters on Sundays?`);
    const message = await delivered(ann, '“Garden rota”');
    const closed = await as(h.app, ann).patch(`/api/v1/threads/${other.id}`, { closed: true });
    expect(closed.statusCode).toBe(200);
    await reply(message.headers['reply-to']!, `I will.${quotedHistory}`);
    const bounce = await delivered(ann, 'Your reply to “Garden rota” was not posted');
    expect(bounce.text).toContain('was not posted because the thread is closed.');
    expect((await commentsIn(ann, other.id)).filter((c) => c.author?.id === ann.id)).toHaveLength(0);
  });

  it('a reply to a comment deleted since posts nothing and says so', async () => {
    const doomed = await postComment(h.app, bea, threadId, `@${ann.handle} a question I will take back`);
    const message = await delivered(ann, 'mentioned you', 'a question I will take back');
    const deleted = await as(h.app, bea).delete(`/api/v1/comments/${doomed.id}`);
    expect(deleted.statusCode).toBe(204);
    const before = (await commentsIn(ann, threadId)).length;
    await reply(message.headers['reply-to']!, `An answer to nothing.${quotedHistory}`);
    const bounce = await delivered(ann, 'was not posted', 'the comment you replied to was deleted');
    expect(bounce.text).toContain('was not posted because the comment you replied to was deleted.');
    expect(await commentsIn(ann, threadId)).toHaveLength(before);
  });

  it('a message over 1 MB is refused with 552', async () => {
    const before = await rowCounts(h);
    const err = await reply(annReplyTo, 'x'.repeat(1_100_000)).then(
      () => null,
      (e: { responseCode?: number }) => e,
    );
    expect(err?.responseCode).toBe(552);
    expect(await rowCounts(h)).toEqual(before);
  });

  it('an email about a proposal takes a reply as a top-level comment in its thread', async () => {
    const res = await as(h.app, bea).post(`/api/v1/threads/${threadId}/proposals`, {
      kind: 'proposal',
      title: 'Buy a van',
      closesAt: '2030-06-01T15:00:00.000Z',
    });
    expect(res.statusCode).toBe(201);
    const message = await delivered(ann, 'Buy a van');
    expect(message.text).toContain('Reply to this email to comment in the thread');
    await reply(message.headers['reply-to']!, `How much would it cost?${quotedHistory}`);
    const posted = (await commentsIn(ann, threadId)).find((c) => c.body === 'How much would it cost?');
    expect(posted).toMatchObject({ parentId: null, author: { id: ann.id } });
  });
});
