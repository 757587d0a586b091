import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueDigests } from '../../server/email/digests';
import { createGroup, type Harness, join, type Person, signUp, startApp } from '../helpers/app';
import { createProposal } from '../helpers/factories';
import { as } from '../helpers/requests';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { postComment, startThread } from '../helpers/threads';

const PUBLIC = 'http://localhost';
const ZONE = 'Europe/Berlin';
const HOUR_MS = 3600_000;

const local = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hour: '2-digit',
  hourCycle: 'h23',
  weekday: 'short',
});
/** The hour and weekday it is in Berlin at `t`. */
function berlin(t: number): { hour: number; weekday: string } {
  const parts = local.formatToParts(new Date(t));
  return {
    hour: Number(parts.find((p) => p.type === 'hour')!.value),
    weekday: parts.find((p) => p.type === 'weekday')!.value,
  };
}
/** The first whole hour, at least an hour from now, at which it is `hour` o'clock in Berlin on a day `day` accepts. */
function nextBerlin(hour: number, day: (weekday: string) => boolean = () => true): Date {
  let t = Math.ceil((Date.now() + HOUR_MS) / HOUR_MS) * HOUR_MS;
  for (;;) {
    const b = berlin(t);
    if (b.hour === hour && day(b.weekday)) return new Date(t);
    t += HOUR_MS;
  }
}

describe('email digests', () => {
  let sink: SmtpSink;
  let h: Harness;
  let ann: Person; // writes everything
  let bea: Person; // daily digest
  let cy: Person; // weekly digest
  let dee: Person; // daily, but has turned this group's email off
  let eve: Person; // daily, in a group where nothing happens
  let group: { id: string };
  let thread: { id: string };
  let beaThread: { id: string };
  let secretThread: { id: string };
  let proposalId: string;
  let firstCommentId: string;
  /** The digest hour: 8 (07:00 UTC in winter), unless Berlin is near 8 now and the app's own minute check could send first. */
  let digestHour: number;

  const patch = (p: Person, payload: Record<string, unknown>) =>
    as(h.app, p).patch('/api/v1/me/preferences', payload);
  const digestsFor = async (p: Person) =>
    h.db.database.db
      .selectFrom('email_outbox')
      .select(['subject', 'text_body', 'html_body', 'headers'])
      .where('recipient', '=', p.email)
      .where('kind', '=', 'digest')
      .execute();
  const sentThrough = async (p: Person) =>
    (
      await h.db.database.db
        .selectFrom('user_preferences')
        .select('digest_sent_at')
        .where('user_id', '=', p.id)
        .executeTakeFirstOrThrow()
    ).digest_sent_at;
  const delivered = async (p: Person): Promise<SinkMessage> => {
    h.app.ctx.email.wake();
    for (;;) {
      const found = sink.messages.find((m) => m.to.includes(p.email) && m.subject.includes('digest'));
      if (found) return found;
      await sink.waitFor(sink.messages.length + 1);
    }
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startApp({ SMTP_URL: sink.url, EMAIL_POLL_MS: '100', PUBLIC_URL: PUBLIC });
    [ann, bea, cy, dee, eve] = await Promise.all(
      ['Ann', 'Bea', 'Cy', 'Dee', 'Eve'].map((name) => signUp(h.app, { name })),
    );
    const nowHour = berlin(Date.now()).hour;
    digestHour = nowHour === 7 || nowHour === 8 ? 20 : 8;
    group = await createGroup(h.app, ann!, 'Commons Circle');
    const other = await createGroup(h.app, ann!, 'Other Circle');
    const quiet = await createGroup(h.app, eve!, 'Quiet Circle');
    for (const p of [bea!, cy!, dee!]) await join(h.app, ann!, group.id, p);
    for (const [p, digest] of [
      [bea!, 'daily'],
      [cy!, 'weekly'],
      [dee!, 'daily'],
      [eve!, 'daily'],
    ] as const) {
      // Email `none`: a digest is how these members follow their groups.
      const res = await patch(p, { email: 'none', digest, digestHour, timeZone: ZONE });
      expect(res.statusCode).toBe(200);
    }
    expect((await patch(dee!, { groups: { [group.id]: 'none' } })).statusCode).toBe(200);
    expect(quiet.id).toBeTruthy();

    thread = await startThread(h.app, ann!, group.id, { title: 'Transport & <parking>' });
    firstCommentId = (await postComment(h.app, ann!, thread.id, 'We could share a van.')).id;
    await postComment(h.app, bea!, thread.id, 'My own comment.');
    await postComment(h.app, ann!, thread.id, 'Or bikes.');
    proposalId = (
      await createProposal(h.app, ann!, thread.id, { kind: 'proposal', title: 'Buy a cargo bike' })
    ).id;
    beaThread = await startThread(h.app, bea!, group.id, { title: 'Bea’s own thread' });
    // A group Bea is not in.
    secretThread = await startThread(h.app, ann!, other.id, { title: 'Secret plans' });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
  });

  it('sends the daily digest at the member’s hour in their zone, once, and not at other hours', async () => {
    const at = nextBerlin(digestHour);
    expect((await sendDueDigests(h.app.ctx, new Date(at.getTime() - HOUR_MS))).members).toBe(0);
    expect((await sendDueDigests(h.app.ctx, new Date(at.getTime() + HOUR_MS))).members).toBe(0);
    expect(await digestsFor(bea)).toEqual([]);

    const run = await sendDueDigests(h.app.ctx, at);
    expect(run.members).toBeGreaterThanOrEqual(3); // Bea, Dee, Eve (and Cy on a Monday)
    expect(await digestsFor(bea)).toHaveLength(1);
    expect((await sentThrough(bea))?.toISOString()).toBe(at.toISOString());

    // Later that hour, and several processes at once: nothing more.
    await sendDueDigests(h.app.ctx, new Date(at.getTime() + 20 * 60_000));
    await Promise.all(
      Array.from({ length: 5 }, () => sendDueDigests(h.app.ctx, new Date(at.getTime() + 40 * 60_000))),
    );
    expect(await digestsFor(bea)).toHaveLength(1);
    expect((await sentThrough(bea))?.toISOString()).toBe(at.toISOString());
  });

  it('lists what others did in the member’s groups, with links, leaving out their own and other groups', async () => {
    const mail = await delivered(bea);
    expect(mail.subject).toBe('[Commons Circle] Daily digest: 1 new thread, 2 new comments, 1 proposal');
    const base = `${PUBLIC}/threads/${thread.id}`;
    expect(mail.text).toContain('Commons Circle');
    expect(mail.text).toContain('New thread: Transport & <parking>');
    expect(mail.text).toContain(base);
    expect(mail.text).toContain('2 new comments in Transport & <parking>');
    expect(mail.text).toContain(`${base}#comment-${firstCommentId}`);
    expect(mail.text).toContain('New proposal: Buy a cargo bike');
    expect(mail.text).toContain(`${base}#proposal-${proposalId}`);
    expect(mail.html).toContain(`href="${base}#proposal-${proposalId}"`);
    expect(mail.html).toContain('Transport &amp; &lt;parking&gt;');
    expect(mail.html).not.toContain('<parking>');
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toContain('Bea’s own thread');
      expect(body).not.toContain(beaThread.id);
      expect(body).not.toContain('Secret plans');
      expect(body).not.toContain(secretThread.id);
    }
    expect(mail.text).toContain('because you asked for one in your email settings');

    // One-click unsubscribe turns the digest off (it covers every group).
    const link = mail.headers['list-unsubscribe']!.slice(1, -1);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const page = await as(h.app, null).get(link.replace(PUBLIC, ''));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('the email digest');
    const res = await h.app.inject({
      method: 'POST',
      url: link.replace(PUBLIC, ''),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    const prefs = await as(h.app, bea).get('/api/v1/me/preferences');
    expect(prefs.json().preferences.digest).toBe('off');
  });

  it('sends nothing when nothing happened: no activity, or only in a group the member silenced', async () => {
    expect(await digestsFor(eve)).toEqual([]);
    expect(await digestsFor(dee)).toEqual([]);
    // Both were due and claimed all the same, so a later run that hour does not look again.
    expect(await sentThrough(eve)).not.toBeNull();
    expect(await sentThrough(dee)).not.toBeNull();
    // The next day nothing new has happened since: nothing again.
    await patch(bea, { digest: 'daily' });
    const next = new Date(nextBerlin(digestHour).getTime() + 24 * HOUR_MS);
    await sendDueDigests(h.app.ctx, next);
    expect((await sentThrough(eve))?.toISOString()).toBe(next.toISOString());
    expect(await digestsFor(eve)).toEqual([]);
    expect(await digestsFor(bea)).toHaveLength(1);
  });

  it('sends the weekly digest only on Monday in the member’s zone', async () => {
    const notMonday = nextBerlin(digestHour, (d) => d !== 'Mon');
    const before = await sentThrough(cy);
    await sendDueDigests(h.app.ctx, notMonday);
    expect(await sentThrough(cy)).toEqual(before);
    const monday = nextBerlin(digestHour, (d) => d === 'Mon');
    if (before?.getTime() !== monday.getTime()) await sendDueDigests(h.app.ctx, monday);
    const mails = await digestsFor(cy);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(
      '[Commons Circle] Weekly digest: 2 new threads, 3 new comments, 1 proposal',
    );
    expect((await sentThrough(cy))?.toISOString()).toBe(monday.toISOString());
  });

  it('takes 8:00 in Berlin as 07:00 UTC in winter (a fixed Monday, 4 January 2027)', async () => {
    const fay = await signUp(h.app, { name: 'Fay' });
    expect((await patch(fay, { digest: 'weekly', digestHour: 8, timeZone: ZONE })).statusCode).toBe(200);
    await sendDueDigests(h.app.ctx, new Date('2027-01-04T06:00:00Z'));
    await sendDueDigests(h.app.ctx, new Date('2027-01-04T08:00:00Z'));
    await sendDueDigests(h.app.ctx, new Date('2027-01-05T07:00:00Z')); // a Tuesday
    expect(String((await sentThrough(fay))?.toISOString())).not.toMatch(/^2027/);
    await sendDueDigests(h.app.ctx, new Date('2027-01-04T07:00:00Z'));
    expect((await sentThrough(fay))?.toISOString()).toBe('2027-01-04T07:00:00.000Z');
    expect(await digestsFor(fay)).toEqual([]);
  });
});
