import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroup, type Harness, join, type Person, rowCounts, signUp, startApp } from '../helpers/app';
import { createProposal } from '../helpers/factories';
import { as } from '../helpers/requests';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { startThread } from '../helpers/threads';

// The origin inject requests come from (test/helpers/app.ts ORIGIN), so cookie writes pass the CSRF check.
const PUBLIC = 'http://localhost';

describe('email preferences and notification emails', () => {
  let sink: SmtpSink;
  let h: Harness;
  let ann: Person;
  let bea: Person;
  let cy: Person;
  let group: { id: string; name: string };
  let other: { id: string };
  let threadId: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startApp({ SMTP_URL: sink.url, EMAIL_POLL_MS: '100', PUBLIC_URL: PUBLIC });
    ann = await signUp(h.app, { name: 'Ann' });
    bea = await signUp(h.app, { name: 'Bea' });
    cy = await signUp(h.app, { name: 'Cy' });
    group = await createGroup(h.app, ann, 'Commons Circle');
    other = await createGroup(h.app, ann, 'Other Circle');
    await join(h.app, ann, group.id, bea);
    await join(h.app, ann, group.id, cy);
    threadId = (await startThread(h.app, ann, group.id, { title: 'Transport' })).id;
  });
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
  });

  const prefs = async (p: Person) => (await as(h.app, p).get('/api/v1/me/preferences')).json().preferences;
  const patch = (p: Person, payload: Record<string, unknown>) =>
    as(h.app, p).patch('/api/v1/me/preferences', payload);
  /** Notification emails queued (in the proposal's own transaction) for each person, by address. */
  const queuedFor = async (p: Person) =>
    h.db.database.db
      .selectFrom('email_outbox')
      .select('subject')
      .where('recipient', '=', p.email)
      .where('kind', '=', 'notification')
      .execute();
  const delivered = async (p: Person, subject: string): Promise<SinkMessage> => {
    h.app.ctx.email.wake();
    for (;;) {
      const found = sink.messages.find((m) => m.to.includes(p.email) && m.subject.includes(subject));
      if (found) return found;
      await sink.waitFor(sink.messages.length + 1);
    }
  };
  const propose = (title: string) =>
    createProposal(h.app, ann, threadId, {
      kind: 'proposal',
      title,
      details: 'Share <one> van & split the costs.',
      closesAt: '2030-06-01T15:00:00.000Z',
    });

  it('starts from all, no digest, UTC, and no group set apart', async () => {
    expect(await prefs(bea)).toEqual({
      email: 'all',
      digest: 'off',
      digestHour: 8,
      timeZone: 'UTC',
      groups: {},
    });
    expect((await as(h.app, null).get('/api/v1/me/preferences')).statusCode).toBe(401);
  });

  it('changes what is sent, and refuses a bad time zone or a group that is not the caller’s, changing nothing', async () => {
    const res = await patch(bea, { digest: 'daily', digestHour: 18, timeZone: 'Europe/Paris' });
    expect(res.statusCode).toBe(200);
    expect(res.json().preferences).toEqual({
      email: 'all',
      digest: 'daily',
      digestHour: 18,
      timeZone: 'Europe/Paris',
      groups: {},
    });
    const before = await rowCounts(h);
    const badZone = await patch(bea, { email: 'none', timeZone: 'Mars/Olympus_Mons' });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json().error.code).toBe('validation_failed');
    const notMine = await patch(bea, { email: 'none', groups: { [other.id]: 'none' } });
    expect(notMine.statusCode).toBe(400);
    expect(notMine.json().error.details[0].path).toBe(`/groups/${other.id}`);
    expect((await patch(bea, { groups: { 'not-a-group': 'none' } })).statusCode).toBe(400);
    expect((await patch(bea, { digestHour: 24 })).statusCode).toBe(400);
    expect(await rowCounts(h)).toEqual(before);
    expect((await prefs(bea)).email).toBe('all');
  });

  it('all, important, none and a per-group override decide who is emailed about a new proposal', async () => {
    // Bea: all. Cy: none overall, but important for this group.
    expect((await patch(cy, { email: 'none', groups: { [group.id]: 'important' } })).statusCode).toBe(200);
    expect((await prefs(cy)).groups).toEqual({ [group.id]: 'important' });
    const p = await propose('Buy a <shared> van');
    expect(await queuedFor(cy)).toHaveLength(1);
    expect(await queuedFor(ann)).toHaveLength(0);

    const m = await delivered(bea, 'Buy a <shared> van');
    expect(m.subject).toContain('[Commons Circle]');
    expect(m.text).toContain('Share <one> van & split the costs.');
    expect(m.html).toContain('Share &lt;one&gt; van &amp; split the costs.');
    // 15:00 UTC in June is 17:00 in Paris (Bea's zone).
    expect(m.text).toMatch(/Voting closes Saturday,? 1 June 2030,? at 17:00 (CEST|GMT\+2)/);
    const link = `${PUBLIC}/threads/${threadId}#proposal-${p.id}`;
    expect(m.text).toContain(link);
    expect(m.html).toContain(`href="${link}"`);
    expect(m.text).toContain(`${PUBLIC}/settings/email`);
    expect(m.headers['list-unsubscribe']).toMatch(/^<http:\/\/localhost\/api\/v1\/unsubscribe\?token=.+>$/);
    expect(m.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const cyMail = await delivered(cy, 'Buy a <shared> van');
    expect(cyMail.text).toMatch(/Voting closes Saturday,? 1 June 2030,? at 15:00 UTC/);

    // role_changed is not important: Cy (important here) gets none, Bea (all) does.
    await as(h.app, ann).patch(`/api/v1/groups/${group.id}/members/${cy.id}`, { role: 'facilitator' });
    expect(await queuedFor(cy)).toHaveLength(1);
    // Dropping the override: Cy follows "none" again.
    expect((await patch(cy, { groups: { [group.id]: null } })).json().preferences.groups).toEqual({});
    await propose('Paint the office');
    expect(await queuedFor(cy)).toHaveLength(1);
    // Bea at important: a new proposal still comes.
    expect((await patch(bea, { email: 'important' })).statusCode).toBe(200);
    await propose('Plant a garden');
    await delivered(bea, 'Plant a garden');
  });

  it('null takes a group back to the default (what the settings page sends); only for the caller’s groups', async () => {
    expect((await patch(cy, { groups: { [group.id]: 'none' } })).json().preferences.groups).toEqual({
      [group.id]: 'none',
    });
    // Cleared, then cleared again: the second changes nothing and is no error.
    for (let i = 0; i < 2; i++) {
      const res = await patch(cy, { groups: { [group.id]: null } });
      expect(res.statusCode).toBe(200);
      expect(res.json().preferences.groups).toEqual({});
    }
    // Setting one group and clearing another in one request.
    expect((await patch(ann, { groups: { [group.id]: 'important', [other.id]: 'none' } })).statusCode).toBe(
      200,
    );
    const both = await patch(ann, { groups: { [group.id]: null, [other.id]: 'all' } });
    expect(both.json().preferences.groups).toEqual({ [other.id]: 'all' });
    // A group Cy is not in cannot be cleared either: 400, nothing changed.
    const notMine = await patch(cy, { groups: { [other.id]: null } });
    expect(notMine.statusCode).toBe(400);
    expect(notMine.json().error.details[0].path).toBe(`/groups/${other.id}`);
    expect((await patch(ann, { groups: { [other.id]: null } })).statusCode).toBe(200);
    expect((await prefs(ann)).groups).toEqual({});
  });

  it('one-click unsubscribe works without signing in; GET only shows a button', async () => {
    // A notification email (the first mail each person got confirms their address, and has no such link).
    const m = sink.messages.find((x) => x.to.includes(bea.email) && x.headers['list-unsubscribe'])!;
    const url = new URL(m.headers['list-unsubscribe']!.slice(1, -1));
    const path = url.pathname + url.search;

    // Mail clients prefetch links: a GET changes nothing and offers a button that POSTs.
    const page = await as(h.app, null).get(path);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Commons Circle');
    expect(page.body).toMatch(/<form method="post" action="unsubscribe\?token=[^"]+">/);
    expect((await prefs(bea)).groups).toEqual({});

    const forged = await h.app.inject({
      method: 'POST',
      url: `${url.pathname}?token=${encodeURIComponent(`${bea.id}.${group.id}.AAAA`)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(forged.statusCode).toBe(400);
    expect((await prefs(bea)).groups).toEqual({});

    // RFC 8058: the mail client POSTs the URL with this form body, and no cookie.
    const res = await h.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    expect((await prefs(bea)).groups).toEqual({ [group.id]: 'none' });
    const queued = (await queuedFor(bea)).length;
    await propose('Rent a bigger room');
    expect(await queuedFor(bea)).toHaveLength(queued);
  });
});
