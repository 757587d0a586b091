import { type Kysely, sql } from 'kysely';
import type { Translator } from '../../shared/i18n';
import type { DB } from '../db/schema';
import { memberLocale, translatorFor } from '../i18n';
import type { Ctx } from '../services/context';
import {
  baseUrl,
  dateLocale,
  digestUnsubscribeHeaders,
  type EmailSection,
  preferencesUrl,
  renderEmail,
} from './layout';
import { enqueueEmails, type OutgoingEmail } from './outbox';

/** Members claimed (and written to) per transaction. */
const BATCH = 200;
/** A digest lists at most this many items per group; the rest are a "and N more" line. */
const ITEMS_PER_GROUP = 25;
const DETAIL_MAX = 200;

type Period = 'daily' | 'weekly';

/** One thing that happened in a group, as the digest query returns it. */
interface Activity {
  user_id: string;
  kind: 'thread' | 'comments' | 'proposal' | 'closed' | 'outcome';
  group_id: string;
  group_name: string;
  thread_id: string;
  item_id: string;
  title: string;
  detail: string | null;
  n: number | string;
  at: Date;
}

interface Claimed {
  user_id: string;
  email: string;
  digest: Period;
  time_zone: string;
  since: Date | null;
  /** The member's language (see memberLocale). */
  locale: string | null;
  browser_locale: string | null;
}

const knownZones = new WeakMap<Kysely<DB>, Promise<string>>();
/**
 * The database's time zone names (lower-cased, as a JSON array), read once per
 * process: a zone the runtime accepted but this Postgres does not know would
 * otherwise fail every digest query, for everyone, every minute.
 */
function zonesOf(db: Kysely<DB>): Promise<string> {
  let zones = knownZones.get(db);
  if (!zones) {
    zones = sql<{ name: string }>`select lower(name) as name from pg_timezone_names`
      .execute(db)
      .then((r) => JSON.stringify(r.rows.map((z) => z.name)));
    zones.catch(() => knownZones.delete(db));
    knownZones.set(db, zones);
  }
  return zones;
}

/**
 * Sends the digests due at `now` (the scheduler passes the clock; tests pass
 * any moment). A member's digest is due when it is `digestHour` in their time
 * zone: every day for `daily`, on Mondays (in their zone) for `weekly`, and
 * at most once per local day. It covers what happened since their last one
 * (at most a period back) in each group they are still a member of and have
 * not silenced (`none` for that group), leaving out what they wrote; a member
 * with nothing to read gets nothing. A run that misses the whole hour (no
 * process up) skips that day's digest rather than sending it late.
 *
 * Exactly once per member and period, however many processes run it: each
 * batch claims its members by moving `digest_sent_at` to `now` under
 * `for update skip locked`, in the transaction that queues their emails; a
 * process reaching a member another has just claimed re-reads the row after
 * the lock and finds it no longer due. Due members are found in SQL, by
 * zone arithmetic on the partial index of members who want a digest.
 */
export async function sendDueDigests(ctx: Ctx, now: Date): Promise<{ members: number; emails: number }> {
  const zones = await zonesOf(ctx.db);
  let members = 0;
  let emails = 0;
  for (;;) {
    const batch = await ctx.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      const claimed = await sql<Claimed>`
        with due as (
          select user_id, digest, time_zone, digest_sent_at
          from user_preferences
          where digest <> 'off'
            and lower(time_zone) in (select jsonb_array_elements_text(${zones}::jsonb))
            and digest_hour = extract(hour from ${at}::timestamptz at time zone time_zone)
            and (digest = 'daily' or extract(isodow from ${at}::timestamptz at time zone time_zone) = 1)
            and (digest_sent_at is null
              or (digest_sent_at at time zone time_zone)::date < (${at}::timestamptz at time zone time_zone)::date)
          order by user_id
          limit ${BATCH}
          for update skip locked
        )
        update user_preferences up set digest_sent_at = ${at}::timestamptz
        from due join users u on u.id = due.user_id
        where up.user_id = due.user_id
        returning up.user_id, u.email, due.digest, due.time_zone, due.digest_sent_at as since,
          u.locale, u.browser_locale`.execute(trx);
      if (claimed.rows.length === 0) return { members: 0, emails: 0 };
      const windows = claimed.rows.map((c) => ({
        user_id: c.user_id,
        since: sinceFor(c, now).toISOString(),
      }));
      const activity = await sql<Activity>`
        with m as (
          select * from jsonb_to_recordset(${JSON.stringify(windows)}::jsonb) as m(user_id uuid, since timestamptz)
        ), g as (
          select m.user_id, m.since, ms.group_id, gr.name as group_name
          from m
          join memberships ms on ms.user_id = m.user_id
          join groups gr on gr.id = ms.group_id
          left join group_email_preferences gp on gp.user_id = m.user_id and gp.group_id = ms.group_id
          where gp.email is distinct from 'none'
        )
        select g.user_id, 'thread' as kind, g.group_id, g.group_name, t.id as thread_id, t.id as item_id,
          t.title, null as detail, 1 as n, t.created_at as at
        from g join threads t on t.group_id = g.group_id
        where t.created_at > g.since and t.created_at <= ${at}::timestamptz
          and t.author_id is distinct from g.user_id
        union all
        select g.user_id, 'comments', g.group_id, g.group_name, c.thread_id,
          (array_agg(c.id order by c.created_at, c.id))[1], th.title, null, count(*), min(c.created_at)
        from g join comments c on c.group_id = g.group_id
          join threads th on th.id = c.thread_id
        where c.created_at > g.since and c.created_at <= ${at}::timestamptz and c.deleted_at is null
          and c.author_id is distinct from g.user_id
        group by g.user_id, g.group_id, g.group_name, c.thread_id, th.title
        union all
        select g.user_id, 'proposal', g.group_id, g.group_name, p.thread_id, p.id, p.title, null, 1, p.created_at
        from g join proposals p on p.group_id = g.group_id
        where p.created_at > g.since and p.created_at <= ${at}::timestamptz
          and p.author_id is distinct from g.user_id
        union all
        select g.user_id, 'closed', g.group_id, g.group_name, p.thread_id, p.id, p.title, null, 1, p.closed_at
        from g join proposals p on p.group_id = g.group_id
        where p.closed_at > g.since and p.closed_at <= ${at}::timestamptz
        union all
        select g.user_id, 'outcome', g.group_id, g.group_name, p.thread_id, p.id, p.title, o.statement, 1,
          o.created_at
        from g join outcomes o on o.created_at > g.since and o.created_at <= ${at}::timestamptz
          and o.superseded_at is null and o.author_id is distinct from g.user_id
          join proposals p on p.id = o.proposal_id and p.group_id = g.group_id
        order by 1, 4, 3, 10`.execute(trx);
      const byUser = new Map<string, Activity[]>();
      for (const a of activity.rows) {
        const list = byUser.get(a.user_id);
        if (list) list.push(a);
        else byUser.set(a.user_id, [a]);
      }
      const outgoing: OutgoingEmail[] = [];
      for (const member of claimed.rows) {
        const items = byUser.get(member.user_id);
        if (!items) continue;
        outgoing.push(digestEmail(ctx, member, sinceFor(member, now), now, items));
      }
      await enqueueEmails(trx, outgoing);
      return { members: claimed.rows.length, emails: outgoing.length };
    });
    members += batch.members;
    emails += batch.emails;
    if (batch.emails > 0) ctx.email.wake();
    if (batch.members < BATCH) return { members, emails };
  }
}

/** Where a digest starts: the last one, but never more than a period back (a digest just turned on). */
function sinceFor(member: Claimed, now: Date): Date {
  const period = (member.digest === 'weekly' ? 7 : 1) * 24 * 3600_000;
  const floor = now.getTime() - period;
  return new Date(Math.max(floor, member.since ? member.since.getTime() : floor));
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** A moment in `timeZone`, as `locale` writes it (`en-GB` for the dedupe key's day, whoever reads). */
function formatIn(timeZone: string, at: Date, style: 'day' | 'moment', locale = 'en-GB'): string {
  const key = `${timeZone}\0${style}\0${locale}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      locale,
      style === 'day'
        ? { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }
        : { timeZone, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' },
    );
    dateFormats.set(key, f);
  }
  return f.format(at);
}

function clip(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > DETAIL_MAX ? `${t.slice(0, DETAIL_MAX).trimEnd()}…` : t;
}

/** One member's digest, in their language: a section per group, in name order, each item a link to it. */
function digestEmail(ctx: Ctx, member: Claimed, since: Date, now: Date, items: Activity[]): OutgoingEmail {
  const tr: Translator = translatorFor(memberLocale(member));
  const base = baseUrl(ctx.config);
  const thread = (id: string, anchor = '') => `${base}/threads/${encodeURIComponent(id)}${anchor}`;
  const counts = { thread: 0, comments: 0, proposal: 0, closed: 0, outcome: 0 };
  const groups = new Map<string, { name: string; items: EmailSection['items'] }>();
  for (const a of items) {
    const n = Number(a.n);
    counts[a.kind] += n;
    let group = groups.get(a.group_id);
    if (!group) {
      group = { name: a.group_name, items: [] };
      groups.set(a.group_id, group);
    }
    const proposalLink = thread(a.thread_id, `#proposal-${encodeURIComponent(a.item_id)}`);
    switch (a.kind) {
      case 'thread':
        group.items.push({ text: tr.t('New thread: {title}', { title: a.title }), url: thread(a.thread_id) });
        break;
      case 'comments':
        group.items.push({
          text: tr.t('{count, plural, one {# new comment} other {# new comments}} in {title}', {
            count: n,
            title: a.title,
          }),
          url: thread(a.thread_id, `#comment-${encodeURIComponent(a.item_id)}`),
        });
        break;
      case 'proposal':
        group.items.push({ text: tr.t('New proposal: {title}', { title: a.title }), url: proposalLink });
        break;
      case 'closed':
        group.items.push({ text: tr.t('Voting closed: {title}', { title: a.title }), url: proposalLink });
        break;
      case 'outcome':
        group.items.push({
          text: tr.t('Outcome of {title}', { title: a.title }),
          url: proposalLink,
          ...(a.detail ? { detail: clip(a.detail) } : {}),
        });
        break;
    }
  }
  const sections: EmailSection[] = [...groups.entries()].map(([id, g]) => ({
    heading: g.name,
    items:
      g.items.length > ITEMS_PER_GROUP
        ? [
            ...g.items.slice(0, ITEMS_PER_GROUP),
            {
              text: tr.t('and {count, plural, one {# more item} other {# more items}}', {
                count: g.items.length - ITEMS_PER_GROUP,
              }),
              url: `${base}/groups/${encodeURIComponent(id)}`,
            },
          ]
        : g.items,
  }));
  const summary = [
    counts.thread &&
      tr.t('{count, plural, one {# new thread} other {# new threads}}', { count: counts.thread }),
    counts.comments &&
      tr.t('{count, plural, one {# new comment} other {# new comments}}', { count: counts.comments }),
    counts.proposal &&
      tr.t('{count, plural, one {# proposal} other {# proposals}}', { count: counts.proposal }),
    counts.closed &&
      tr.t('{count, plural, one {# proposal closed} other {# proposals closed}}', { count: counts.closed }),
    counts.outcome && tr.t('{count, plural, one {# outcome} other {# outcomes}}', { count: counts.outcome }),
  ]
    .filter(Boolean)
    .join(', ');
  const period = member.digest === 'weekly' ? 'weekly' : 'daily';
  const only = groups.size === 1 ? [...groups.values()][0]!.name : null;
  const subject = only
    ? tr.t(
        '{period, select, weekly {[{group}] Weekly digest: {summary}} other {[{group}] Daily digest: {summary}}}',
        { period, group: only, summary },
      )
    : tr.t(
        '{period, select, weekly {Weekly digest: {summary} in {count, plural, one {# group} other {# groups}}} other {Daily digest: {summary} in {count, plural, one {# group} other {# groups}}}}',
        { period, summary, count: groups.size },
      );
  const sinceText = formatIn(member.time_zone, since, 'moment', dateLocale(tr));
  const body = renderEmail(
    {
      preheader: summary,
      heading: tr.t('{period, select, weekly {Your weekly digest} other {Your daily digest}}', { period }),
      paragraphs: [
        only
          ? tr.t('What happened in {group} since {date}: {summary}.', {
              group: only,
              date: sinceText,
              summary,
            })
          : tr.t('What happened in your groups since {date}: {summary}.', { date: sinceText, summary }),
      ],
      sections,
      footer:
        period === 'weekly'
          ? tr.t(
              'You get this weekly digest because you asked for one in your email settings; it covers every group you are a member of and have not turned email off for. Unsubscribing here turns the digest off.',
            )
          : tr.t(
              'You get this daily digest because you asked for one in your email settings; it covers every group you are a member of and have not turned email off for. Unsubscribing here turns the digest off.',
            ),
      footerLink: { label: tr.t('Change what email you get'), url: preferencesUrl(ctx.config) },
    },
    tr.locale,
  );
  return {
    kind: 'digest',
    userId: member.user_id,
    to: member.email,
    subject,
    ...body,
    headers: digestUnsubscribeHeaders(ctx.config, member.user_id),
    // Belt and braces beside the claim: one digest per member and local day.
    dedupeKey: `digest:${member.user_id}:${formatIn(member.time_zone, now, 'day')}`,
  };
}
