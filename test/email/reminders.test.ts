import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remindClosingSoon } from '../../server/services/proposal-closer';
import { createGroup, type Harness, join, MISSING_ID, type Person, signUp, startApp } from '../helpers/app';
import { TEST_DB_KIND } from '../helpers/database';
import { createProposal, inSeconds } from '../helpers/factories';
import { as } from '../helpers/requests';
import { type ServerProcess, spawnServer } from '../helpers/server-process';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { startThread } from '../helpers/threads';

const PUBLIC = 'http://localhost';
const HOUR = 3600;

/** Polls `check` until it returns something truthy. */
async function until<T>(check: () => Promise<T> | T, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('closing reminders and reminding by hand', () => {
  let sink: SmtpSink;
  let h: Harness;
  let ann: Person; // facilitator
  let bea: Person; // member, votes
  let cy: Person; // member, no email
  let dee: Person; // member, important email only
  let out: Person; // not in the group
  let group: { id: string };
  let threadId: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startApp({ SMTP_URL: sink.url, EMAIL_POLL_MS: '100', PUBLIC_URL: PUBLIC, REMINDER_HOURS: '2' });
    [ann, bea, cy, dee, out] = await Promise.all(
      ['Ann', 'Bea', 'Cy', 'Dee', 'Out'].map((name) => signUp(h.app, { name })),
    );
    group = await createGroup(h.app, ann!, 'Commons Circle');
    for (const p of [bea!, cy!, dee!]) await join(h.app, ann!, group.id, p);
    threadId = (await startThread(h.app, ann!, group.id, { title: 'Transport' })).id;
    for (const [p, email] of [
      [cy!, 'none'],
      [dee!, 'important'],
    ] as const) {
      const res = await as(h.app, p).patch('/api/v1/me/preferences', { email });
      expect(res.statusCode).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
  });

  const db = () => h.db.database.db;
  const propose = (title: string, closesIn: number, extra: Record<string, unknown> = {}, by = ann) =>
    createProposal(h.app, by, threadId, { kind: 'proposal', title, closesAt: inSeconds(closesIn), ...extra });
  const proposeMany = async (title: string, count: number) => {
    const made = [];
    for (let i = 0; i < count; i++) made.push(await propose(`${title} ${i}`, 90 * 60));
    return made;
  };
  /** Put to a vote long ago, so its reminder window is not the time it was created in. */
  const backdate = (ids: string[]) =>
    sql`update proposals set created_at = now() - interval '3 days' where id in (${sql.join(ids)})`.execute(
      db(),
    );
  const vote = async (p: Person, proposalId: string) => {
    const res = await as(h.app, p).put(`/api/v1/proposals/${proposalId}/vote`, {
      choices: [{ optionId: 'agree' }],
    });
    expect(res.statusCode).toBe(200);
  };
  /** Who got a closing-soon notification about a proposal, with how many each. */
  const reminded = async (proposalId: string) => {
    const rows = await db()
      .selectFrom('notifications')
      .select(['user_id', 'text', 'actor_id'])
      .where('proposal_id', '=', proposalId)
      .where('kind', '=', 'proposal_closing_soon')
      .execute();
    return rows;
  };
  const ids = (rows: { user_id: string }[]) => rows.map((r) => r.user_id).sort();
  const remind = (p: Person, proposalId: string) =>
    as(h.app, p).post(`/api/v1/proposals/${proposalId}/remind`);

  it('reminds within REMINDER_HOURS of the close, once, only those who have not voted, by email as each prefers', async () => {
    const inside = await propose('Buy a cargo bike', 100 * 60);
    const outside = await propose('Rent a van', 3 * HOUR);
    const fresh = await propose('Paint the hall', 100 * 60); // put to a vote inside the window: told already
    await backdate([inside.id, outside.id]);
    await vote(bea, inside.id);
    await remindClosingSoon(h.app.ctx);
    await remindClosingSoon(h.app.ctx);
    const rows = await reminded(inside.id);
    expect(ids(rows)).toEqual([ann.id, cy.id, dee.id].sort());
    expect(rows[0]!.text).toBe('"Buy a cargo bike" closes in 2 hours and you have not voted yet');
    expect(rows[0]!.actor_id).toBeNull();
    expect(await reminded(outside.id)).toEqual([]);
    expect(await reminded(fresh.id)).toEqual([]);

    // Email: Ann (all) and Dee (important) get one; Cy (none) and Bea (voted) get none.
    const subject = '[Commons Circle] "Buy a cargo bike" closes in 2 hours';
    h.app.ctx.email.wake();
    await until(
      () => sink.messages.filter((m) => m.subject.startsWith(subject)).length >= 2,
      20_000,
      'the reminder emails',
    );
    const queued = await db()
      .selectFrom('email_outbox')
      .select('recipient')
      .where('subject', 'like', `${subject}%`)
      .execute();
    expect(queued.map((q) => q.recipient).sort()).toEqual([ann.email, dee.email].sort());
    const mail = sink.messages.find((m) => m.to.includes(dee.email) && m.subject.startsWith(subject))!;
    expect(mail.text).toContain(`${PUBLIC}/threads/${threadId}#proposal-${inside.id}`);
    expect(mail.headers['list-unsubscribe']).toMatch(/^<http:\/\/localhost\/api\/v1\/unsubscribe\?token=/);
  });

  it('does not remind anonymous voters, though their ballots carry no name', async () => {
    const secret = await propose('Elect a treasurer', 90 * 60, { anonymous: true });
    await backdate([secret.id]);
    await vote(cy, secret.id);
    await remindClosingSoon(h.app.ctx);
    expect(ids(await reminded(secret.id))).toEqual([ann.id, bea.id, dee.id].sort());
  });

  it('reminds exactly once with many closer runs at once in one process', async () => {
    const many = await proposeMany('Item', 12);
    await backdate(many.map((p) => p.id));
    await Promise.all(Array.from({ length: 8 }, () => remindClosingSoon(h.app.ctx)));
    for (const p of many) expect(ids(await reminded(p.id))).toEqual([ann.id, bea.id, cy.id, dee.id].sort());
  });

  it.skipIf(TEST_DB_KIND === 'pglite')(
    'reminds exactly once with two server processes on one Postgres (the embedded database belongs to one process)',
    async () => {
      const servers: ServerProcess[] = [];
      try {
        const env = {
          DATABASE_URL: h.db.url!,
          REMINDER_HOURS: '2',
          CLOSE_CHECK_SECONDS: '1',
          // The in-process app sends the mail; these two only race for the reminders.
          EMAIL_WORKER: 'off',
        };
        // A busy machine compiles the server slowly: give each start its time.
        const start = () => spawnServer(env, { startTimeoutMs: 120_000 });
        servers.push(...(await Promise.all([start(), start()])));
        const many = await proposeMany('Race', 30);
        // Due for both processes at once, from their next check on.
        await backdate(many.map((p) => p.id));
        await until(
          async () =>
            (
              await db()
                .selectFrom('proposals')
                .select('id')
                .where(
                  'id',
                  'in',
                  many.map((p) => p.id),
                )
                .where('closing_soon_notified', '=', false)
                .execute()
            ).length === 0,
          60_000,
          'every proposal reminded',
        );
        for (const p of many)
          expect(ids(await reminded(p.id))).toEqual([ann.id, bea.id, cy.id, dee.id].sort());
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    },
    240_000,
  );

  it('POST remind: 202 with how many were notified, then 429 with Retry-After within the hour', async () => {
    const p = await propose('Join the federation', 26 * HOUR);
    await vote(bea, p.id);
    const res = await remind(ann, p.id);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ notified: 2 });
    const rows = await reminded(p.id);
    // Not Bea (voted), not Ann (she sent it).
    expect(ids(rows)).toEqual([cy.id, dee.id].sort());
    expect(rows[0]!.text).toBe('Ann reminds you to vote on "Join the federation", which closes in 26 hours');
    expect(rows[0]!.actor_id).toBe(ann.id);

    const again = await remind(ann, p.id);
    expect(again.statusCode).toBe(429);
    expect(again.json().error.code).toBe('rate_limited');
    expect(again.json().error.message).toMatch(/less than an hour ago/);
    const wait = Number(again.headers['retry-after']);
    expect(wait).toBeGreaterThan(3000);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(await reminded(p.id)).toHaveLength(2);

    // An hour on, the author or a facilitator may remind again.
    await sql`update proposals set last_reminded_at = now() - interval '61 minutes' where id = ${p.id}`.execute(
      db(),
    );
    const later = await remind(ann, p.id);
    expect(later.statusCode).toBe(202);
    expect(later.json()).toEqual({ notified: 2 });
  });

  it('POST remind: two at once (the author and a facilitator) give one 202 and one 429', async () => {
    const p = await propose('Share the tools', 10 * HOUR, {}, bea);
    const statuses = (await Promise.all([remind(ann, p.id), remind(bea, p.id)])).map((r) => r.statusCode);
    expect(statuses.sort()).toEqual([202, 429]);
    // One reminder went out: to everyone but whichever of the two sent it.
    const rows = await reminded(p.id);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.actor_id)).size).toBe(1);
  });

  it('POST remind: 403 for members who are neither facilitator nor author, 404 outside or for a bad id, 409 when closed', async () => {
    const p = await propose('Adopt the charter', 10 * HOUR);
    expect((await remind(cy, p.id)).statusCode).toBe(403);
    expect((await remind(cy, p.id)).json().error.code).toBe('forbidden');
    expect((await remind(out, p.id)).statusCode).toBe(404);
    expect((await remind(ann, 'not-a-proposal')).statusCode).toBe(404);
    expect((await remind(ann, MISSING_ID)).statusCode).toBe(404);
    expect((await as(h.app, null).post(`/api/v1/proposals/${p.id}/remind`)).statusCode).toBe(401);
    const closed = await as(h.app, ann).post(`/api/v1/proposals/${p.id}/close`, {});
    expect(closed.statusCode).toBe(200);
    const res = await remind(ann, p.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('proposal_closed');
    expect(await reminded(p.id)).toEqual([]);
  });
});
