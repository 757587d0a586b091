import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGroup,
  detailPaths,
  expectError,
  type Harness,
  join,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { as } from '../helpers/requests';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';

// API.md "Email and account recovery": POST /groups/:id/invitations {emails, role?, message?}; each
// address gets an email with its own link. Plus resend and revoke on the invitation screen.

const PUBLIC = 'http://localhost';
const LINK = /http:\/\/localhost\/invite\/[A-Za-z0-9_-]+/;

describe('invitations by email', () => {
  let sink: SmtpSink;
  let h: Harness;
  let ann: Person;
  let bea: Person;
  let group: { id: string; name: string };
  let stamp = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startApp({ SMTP_URL: sink.url, EMAIL_POLL_MS: '100', PUBLIC_URL: PUBLIC });
    ann = await signUp(h.app, { name: 'Ann' });
    bea = await signUp(h.app, { name: 'Bea' });
    group = await createGroup(h.app, ann, 'Commons Circle');
    await join(h.app, ann, group.id, bea);
  });
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
  });

  /** A fresh address nobody has used in this file. */
  const address = (name: string) => `${name}-${++stamp}-${Date.now()}@example.net`;
  const invite = (p: Person, payload: Record<string, unknown>) =>
    as(h.app, p).post(`/api/v1/groups/${group.id}/invitations`, payload);
  const resend = (p: Person, invitationId: string) =>
    as(h.app, p).post(`/api/v1/groups/${group.id}/invitations/${invitationId}/resend`);
  const accept = (p: Person, token: string) => as(h.app, p).post(`/api/v1/invitations/${token}/accept`);
  const preview = (token: string) => as(h.app, null).get(`/api/v1/invitations/${token}`);
  const listed = async () =>
    (await as(h.app, ann).get(`/api/v1/groups/${group.id}/invitations`)).json().items as {
      id: string;
      email: string | null;
      uses: number;
      valid: boolean;
      sentAt?: string;
    }[];
  /** Every invitation delivered to `to` so far (other mail, such as a sign-up's, aside), once `count` have arrived. */
  const deliveredTo = async (to: string, count = 1): Promise<SinkMessage[]> => {
    h.app.ctx.email.wake();
    for (;;) {
      const found = sink.messages.filter((m) => m.to.includes(to) && m.subject.includes(' invited you to '));
      if (found.length >= count) return found;
      await sink.waitFor(sink.messages.length + 1);
    }
  };
  const linkIn = (m: SinkMessage) => m.text.match(LINK)?.[0];
  /** As if the invitation had been emailed `minutes` ago. */
  const emailedAgo = (invitationId: string, minutes: number) =>
    h.db.database.db
      .updateTable('invitations')
      .set({ emailed_at: new Date(Date.now() - minutes * 60_000) })
      .where('id', '=', invitationId)
      .execute();
  const queuedTo = async (to: string) =>
    (
      await h.db.database.db
        .selectFrom('email_outbox')
        .select(['kind', 'subject'])
        .where('recipient', '=', to)
        .where('kind', 'in', ['invitation', 'notification'])
        .execute()
    ).length;
  const invitationsQueued = async () =>
    (
      await h.db.database.db
        .selectFrom('email_outbox')
        .select('id')
        .where('kind', '=', 'invitation')
        .execute()
    ).length;

  it('emails each address its own link, with the group in the subject and the message as the inviter wrote it', async () => {
    const [cy, dee, eve] = [address('cy'), address('dee'), address('eve')];
    const message = 'Come and help us decide <b>the rota</b> & the budget.\nSee you there!';
    // Case and spaces do not matter, and an address given twice is invited once.
    const res = await invite(ann, {
      emails: [cy, ` ${dee.toUpperCase()} `, eve, dee],
      message,
    });
    expect(res.statusCode).toBe(201);
    const { items, skipped } = res.json();
    expect(skipped).toEqual([]);
    expect(items.map((i: { email: string }) => i.email)).toEqual([cy, dee, eve]);
    for (const inv of items) {
      expect(inv).toMatchObject({
        role: 'member',
        maxUses: 1,
        uses: 0,
        valid: true,
        sentAt: expect.any(String),
      });
      expect(inv.url).toBe(`${PUBLIC}/invite/${inv.token}`);
      const days = (Date.parse(inv.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(13.9);
    }
    expect(new Set(items.map((i: { token: string }) => i.token)).size).toBe(3);

    for (const inv of items) {
      const [mail] = await deliveredTo(inv.email);
      expect(mail!.subject).toBe('Ann invited you to Commons Circle');
      expect(linkIn(mail!)).toBe(inv.url);
      expect(mail!.html).toContain(`href="${inv.url}"`);
      // The message is quoted as text: its markup shows, it does not render.
      expect(mail!.text).toContain('> Come and help us decide <b>the rota</b> & the budget.');
      expect(mail!.html).toContain('Come and help us decide &lt;b&gt;the rota&lt;/b&gt; &amp; the budget.');
      expect(mail!.html).not.toContain('<b>the rota</b>');
      expect(mail!.text).toMatch(/because Ann invited .* to Commons Circle/);
      // Asked for by a person, and perhaps to someone with no account: no unsubscribe header.
      expect(mail!.headers['list-unsubscribe']).toBeUndefined();
    }
    // Nobody else got anything.
    expect(
      sink.messages.filter((m) => m.subject.includes('invited you')).every((m) => m.to.length === 1),
    ).toBe(true);
  });

  it('refuses more than 100 addresses, an address that is not one, or a message with nowhere to go; nothing is queued', async () => {
    const before = await rowCounts(h);
    const many = Array.from({ length: 101 }, (_, i) => `person${i}@example.net`);
    const tooMany = expectError(await invite(ann, { emails: many }), 400, 'validation_failed');
    expect(detailPaths(tooMany)).toContain('/emails');

    const bad = expectError(
      await invite(ann, { emails: ['ok@example.net', 'also-ok@example.net', 'not an address', 'x@'] }),
      400,
      'validation_failed',
    );
    expect(detailPaths(bad)).toEqual(['/emails/2', '/emails/3']);
    expect(bad.message).toContain('emails/2');

    expectError(await invite(ann, { emails: [] }), 400, 'validation_failed');
    expectError(await invite(ann, { message: 'Hello' }), 400, 'validation_failed');
    expectError(
      await invite(ann, { emails: ['a@example.net'], email: 'b@example.net' }),
      400,
      'validation_failed',
    );
    expectError(
      await invite(ann, { emails: ['a@example.net'], message: 'x'.repeat(2001) }),
      400,
      'validation_failed',
    );
    expect(await rowCounts(h)).toEqual(before);
  });

  it('403 for a member when members may not invite, and for a member inviting facilitators; nothing is queued', async () => {
    const before = await rowCounts(h);
    expectError(await invite(bea, { emails: [address('f')], role: 'facilitator' }), 403, 'forbidden');
    const patched = await as(h.app, ann).patch(`/api/v1/groups/${group.id}`, {
      settings: { membersCanInvite: false },
    });
    expect(patched.statusCode).toBe(200);
    const afterPatch = await rowCounts(h);
    expect(afterPatch.email_outbox).toBe(before.email_outbox);
    expectError(await invite(bea, { emails: [address('g')] }), 403, 'forbidden');
    expect(await rowCounts(h)).toEqual(afterPatch);
    await as(h.app, ann).patch(`/api/v1/groups/${group.id}`, { settings: { membersCanInvite: true } });
    // A member who may invite sends member invitations.
    const ok = await invite(bea, { emails: [address('h')] });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().items[0]).toMatchObject({ role: 'member', issuedBy: { id: bea.id } });
  });

  it('someone with no account signs up with the invited address and joins through the emailed link', async () => {
    const gil = address('gil');
    const res = await invite(ann, { emails: [gil], role: 'facilitator' });
    expect(res.statusCode).toBe(201);
    const [mail] = await deliveredTo(gil);
    const token = linkIn(mail!)!.split('/invite/')[1]!;
    expect((await preview(token)).json().invitation).toMatchObject({
      groupName: 'Commons Circle',
      role: 'facilitator',
      valid: true,
    });
    const newcomer = await signUp(h.app, { name: 'Gil', email: gil });
    const joined = await accept(newcomer, token);
    expect(joined.statusCode).toBe(200);
    expect(joined.json().membership).toMatchObject({ user: { id: newcomer.id }, role: 'facilitator' });
    // The link admits one person: it is spent.
    expect((await preview(token)).json().invitation.valid).toBe(false);
    expect((await listed()).find((i) => i.email === gil)).toMatchObject({ uses: 1, valid: false });
  });

  it('someone with an account is told in the app too, gets one email (not a second, notification one), and joins', async () => {
    const hal = await signUp(h.app, { name: 'Hal', email: address('hal') });
    const res = await invite(ann, { emails: [hal.email.toUpperCase()] });
    expect(res.statusCode).toBe(201);
    const [mail] = await deliveredTo(hal.email);
    expect(mail!.subject).toBe('Ann invited you to Commons Circle');
    const notes = await h.db.database.db
      .selectFrom('notifications')
      .select(['kind', 'group_id'])
      .where('user_id', '=', hal.id)
      .execute();
    expect(notes).toEqual([{ kind: 'invited', group_id: group.id }]);
    expect(await queuedTo(hal.email)).toBe(1);
    const token = linkIn(mail!)!.split('/invite/')[1]!;
    expect((await accept(hal, token)).statusCode).toBe(200);
  });

  it('the single-address form still answers {invitation}, and now emails its link too', async () => {
    const ivy = address('ivy');
    const res = await invite(ann, { email: ivy, message: 'Hi Ivy' });
    expect(res.statusCode).toBe(201);
    const { invitation } = res.json();
    expect(invitation).toMatchObject({ email: ivy, maxUses: 1 });
    const [mail] = await deliveredTo(ivy);
    expect(linkIn(mail!)).toBe(invitation.url);
    expect(mail!.text).toContain('> Hi Ivy');
  });

  it('inviting an address again sends its pending invitation again rather than a second one; members are skipped', async () => {
    const jo = address('jo');
    const first = (await invite(ann, { emails: [jo] })).json().items[0];
    await deliveredTo(jo);

    // Moments later: nothing new is sent.
    const soon = await invite(ann, { emails: [jo, bea.email] });
    expect(soon.statusCode).toBe(201);
    expect(soon.json()).toEqual({
      items: [],
      skipped: [
        { email: jo, reason: 'recently_sent' },
        { email: bea.email.toLowerCase(), reason: 'already_member' },
      ],
    });
    expect(await queuedTo(jo)).toBe(1);

    await emailedAgo(first.id, 11);
    const again = await invite(ann, { emails: [jo], message: 'A reminder' });
    const [inv] = again.json().items;
    expect(inv).toMatchObject({ id: first.id, token: first.token });
    const mails = await deliveredTo(jo, 2);
    expect(linkIn(mails[1]!)).toBe(first.url);
    expect(mails[1]!.text).toContain('> A reminder');
    expect((await listed()).filter((i) => i.email === jo)).toHaveLength(1);
  });

  it('resend delivers the same link again, at most once per 10 minutes, and brings an expired one back', async () => {
    const kim = address('kim');
    const inv = (await invite(ann, { emails: [kim], message: 'Welcome' })).json().items[0];
    await deliveredTo(kim);

    const before = await rowCounts(h);
    const throttled = await resend(ann, inv.id);
    expectError(throttled, 429, 'rate_limited');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(500);
    expect(await rowCounts(h)).toEqual(before);

    // Expired, and last sent long ago: a resend makes it work for another 14 days.
    await h.db.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('id', '=', inv.id)
      .execute();
    await emailedAgo(inv.id, 11);
    expect((await preview(inv.token)).json().invitation.valid).toBe(false);
    const res = await resend(ann, inv.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().invitation).toMatchObject({ id: inv.id, token: inv.token, valid: true });
    expect((Date.parse(res.json().invitation.expiresAt) - Date.now()) / 86_400_000).toBeGreaterThan(13.9);
    const mails = await deliveredTo(kim, 2);
    expect(linkIn(mails[1]!)).toBe(inv.url);
    expect(mails[1]!.text).toContain('> Welcome');
    expect((await preview(inv.token)).json().invitation.valid).toBe(true);
    expectError(await resend(ann, inv.id), 429, 'rate_limited');
  });

  it('resend: facilitators only, links without an address and accepted invitations are 409', async () => {
    const lee = address('lee');
    const inv = (await invite(ann, { emails: [lee] })).json().items[0];
    await emailedAgo(inv.id, 11);
    const before = await invitationsQueued();
    expectError(await resend(bea, inv.id), 403, 'forbidden');
    expectError(await resend(await signUp(h.app), inv.id), 404, 'not_found');
    const link = (await invite(ann, {})).json().invitation;
    const afterLink = await rowCounts(h);
    expectError(await resend(ann, link.id), 409, 'conflict');
    expect(await rowCounts(h)).toEqual(afterLink);
    expect(await invitationsQueued()).toBe(before);

    const leeAccount = await signUp(h.app, { name: 'Lee', email: lee });
    expect((await accept(leeAccount, inv.token)).statusCode).toBe(200);
    expectError(await resend(ann, inv.id), 409, 'conflict');
  });

  it('a revoked invitation’s link stops working', async () => {
    const mo = address('mo');
    const inv = (await invite(ann, { emails: [mo] })).json().items[0];
    const [mail] = await deliveredTo(mo);
    const res = await as(h.app, ann).delete(`/api/v1/groups/${group.id}/invitations/${inv.id}`);
    expect(res.statusCode).toBe(204);
    const token = linkIn(mail!)!.split('/invite/')[1]!;
    expectError(await preview(token), 404, 'not_found');
    const account = await signUp(h.app, { name: 'Mo', email: mo });
    expectError(await accept(account, token), 404, 'not_found');
    expect((await listed()).some((i) => i.id === inv.id)).toBe(false);
  });
});
