import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formerMemberAddress } from '../../server/services/group-export';
import { importGroup, parseArchive } from '../../server/services/group-import';
import type { GroupArchive } from '../../shared/schemas/group-archive';
import { type Harness, type Person, signUp, startApp, type TestApp } from '../helpers/app';
import { CliEnvironments, openCliDatabase, runPlenary, withServerOn } from '../helpers/cli';
import { as } from '../helpers/requests';
import {
  type Cast,
  DELETED_WORDS,
  NOTES_TXT,
  PHOTO_PNG,
  PRICE_LIST_PDF,
  populateGroup,
  signUpCast,
} from '../helpers/rich-group';
import { tableChecksums } from '../helpers/table-checksums';

// `plenary import` (#14): a group exported from one instance, loaded into a fresh one, exports the same.

let source: Harness;
let cast: Cast;
let made: Awaited<ReturnType<typeof populateGroup>>;
let exported: string;
let file: string;
let target: NodeJS.ProcessEnv;
const environments = new CliEnvironments();

const freshEnv = () => environments.create();

const plenary = (args: string[], on: NodeJS.ProcessEnv = target) => runPlenary(args, on);

const open = openCliDatabase;

/** The server on the target's database while `fn` runs (the embedded database is one process's at a time). */
const withServer = <T>(fn: (app: TestApp) => Promise<T>, on: NodeJS.ProcessEnv = target) =>
  withServerOn(on, fn);

/** Every row of every table of the target, hashed: equal before and after means nothing was written. */
async function targetChecksums(): Promise<Record<string, string>> {
  const database = await open(target);
  try {
    return await tableChecksums({ db: { database } } as unknown as Harness);
  } finally {
    await database.close();
  }
}

function writeArchive(name: string, content: string): string {
  const at = path.join(mkdtempSync(path.join(tmpdir(), 'plenary-archive-')), name);
  writeFileSync(at, content);
  return at;
}

beforeAll(async () => {
  source = await startApp();
  cast = await signUpCast(source.app, 'import');
  made = await populateGroup(source.app, cast);
  const res = await as(source.app, cast.fran).get(`/api/v1/groups/${made.groupId}/export`);
  expect(res.statusCode, res.body).toBe(200);
  exported = res.body;
  file = writeArchive('riverside.json', exported);
  target = await freshEnv();
}, 120_000);

afterAll(async () => {
  await source.close();
  await environments.drop();
});

/**
 * The archive with only what must differ between two instances taken out: when it was
 * exported, the source group's id, and the archive-local ids of threads, comments,
 * proposals and files, wherever they appear (replaced by their positions, so replies
 * still say which comment they answer, files where they are used, and links in texts
 * which file they link). Option ids are kept as they were (they are the proposal's own,
 * and ballots name them), and so is every other time: when things were written, edited,
 * voted, closed, uploaded.
 */
function comparable(archive: GroupArchive) {
  const { exportedAt: _exportedAt, sourceGroupId: _sourceGroupId, ...rest } = archive;
  const positions = new Map<string, string>();
  for (const [ti, t] of archive.threads.entries()) {
    positions.set(t.id, `thread ${ti}`);
    for (const [ci, c] of t.comments.entries()) positions.set(c.id, `thread ${ti} comment ${ci}`);
    for (const [pi, p] of t.proposals.entries()) positions.set(p.id!, `thread ${ti} proposal ${pi}`);
  }
  for (const [ai, a] of (archive.attachments ?? []).entries()) positions.set(a.id, `attachment ${ai}`);
  let text = JSON.stringify(rest);
  for (const [id, position] of positions) text = text.replaceAll(id, position);
  return JSON.parse(text);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('plenary import', () => {
  let fran: Person;
  let imported: { groupId: string };

  test('round trip: export, import into a fresh database, export again: the same group', async () => {
    // Everyone who is still a member has an account here; Cy, who left, has none.
    const accounts = await withServer(async (app) => {
      const made: Record<string, Person> = {};
      for (const who of ['fran', 'ada', 'bo', 'zed'] as const) {
        made[who] = await signUp(app, {
          name: `${cast[who].name} Here`,
          email: cast[who].email.toUpperCase(),
        });
      }
      return made;
    });
    fran = accounts.fran!;

    const run = await plenary(['import', file, '--json']);
    expect(run.code, run.err).toBe(0);
    const summary = JSON.parse(run.out);
    imported = summary;
    expect(summary).toMatchObject({
      name: 'Riverside Food Co-op',
      invited: [],
      // Cy left before the export, so the archive names them by a stand-in address.
      accountsCreated: [formerMemberAddress(made.groupId, cast.cy.id, cast.cy.email)],
      closedOnImport: [],
      withdrawnVotes: 0,
      counts: { threads: 2, comments: 5, proposals: 7, votes: 11, attachments: 3 },
    });
    expect(summary.members).toEqual([
      { email: cast.fran.email, role: 'facilitator' },
      { email: cast.ada.email, role: 'member' },
      { email: cast.bo.email, role: 'facilitator' },
      { email: cast.zed.email, role: 'member' },
    ]);

    const { again, group, timelineKinds, sourceKinds } = await withServer(async (app) => {
      const res = await as(app, fran).get(`/api/v1/groups/${summary.groupId}/export`);
      expect(res.statusCode, res.body).toBe(200);
      const group = (await as(app, fran).get(`/api/v1/groups/${summary.groupId}`)).json().group;
      const threadId = (res.json() as GroupArchive).threads[0]!.id;
      const timeline = (await as(app, fran).get(`/api/v1/threads/${threadId}/timeline?limit=200`)).json();
      const sourceTimeline = (
        await as(source.app, cast.fran).get(`/api/v1/threads/${made.threads.orders}/timeline?limit=200`)
      ).json();
      // Links to files name each server's own ids.
      const kinds = (page: {
        items: { kind: string; comment?: { body: string }; proposal?: { title: string } }[];
      }) =>
        page.items.map((i) => [
          i.kind,
          i.comment?.body.replace(/attachments\/[0-9a-f-]{36}/g, 'attachments/<id>') ??
            i.proposal?.title ??
            null,
        ]);
      return { again: res.body, group, timelineKinds: kinds(timeline), sourceKinds: kinds(sourceTimeline) };
    });

    // People are the accounts here, matched by email whatever its case, with their names here.
    const second = JSON.parse(again) as GroupArchive;
    const first = JSON.parse(exported) as GroupArchive;
    expect(second.members.map((m) => m.name)).toEqual(['Fran Here', 'Ada Here', 'Bo Here', 'Zed Here']);
    for (const [i, m] of second.members.entries()) {
      m.name = first.members[i]!.name;
      m.handle = first.members[i]!.handle;
      m.email = m.email.toLowerCase();
    }
    const lowered = (text: string) =>
      JSON.parse(text.replace(/"([^"@\s]+@example\.org)"/gi, (_m, e: string) => `"${e.toLowerCase()}"`));
    expect(comparable(lowered(JSON.stringify(second)))).toEqual(comparable(first));
    expect(second.sourceGroupId).toBe(summary.groupId);
    // The files were given new ids, and the texts link those.
    const newIds = second.attachments!.map((a) => a.id);
    expect(newIds).toHaveLength(3);
    for (const id of newIds) expect(first.attachments!.map((a) => a.id)).not.toContain(id);
    expect(second.threads[0]!.comments[4]!.body).toBe(
      `I am moving away, good luck! ![beans.png](/api/v1/attachments/${newIds[0]})`,
    );
    expect(second.threads[0]!.proposals[0]!.details).toContain(`/api/v1/attachments/${newIds[1]}`);
    expect(second.exportedAt > first.exportedAt).toBe(true);
    expect(again).not.toContain('Wistful-Heron');

    // Counts and caches agree with what was imported; the timeline reads as it did.
    expect(group).toMatchObject({ memberCount: 4, myRole: 'facilitator' });
    expect(timelineKinds).toEqual(sourceKinds);
  });

  test('the files download byte for byte in the new group, where they were used, under their names', async () => {
    const { files, downloads, comments } = await withServer(async (app) => {
      const files = (await as(app, fran).get(`/api/v1/groups/${imported.groupId}/attachments`)).json()
        .items as {
        id: string;
        url: string;
        filename: string;
        contentType: string;
        size: number;
        uploader: { name: string } | null;
        usedIn: {
          threadId: string;
          threadTitle: string;
          commentId: string | null;
          proposalId: string | null;
        } | null;
      }[];
      const downloads = [];
      for (const f of files) {
        const res = await as(app, fran).get(f.url);
        expect(res.statusCode, res.body).toBe(200);
        downloads.push({
          filename: f.filename,
          bytes: res.rawPayload,
          type: res.headers['content-type'],
          etag: res.headers.etag,
        });
      }
      const threadId = files.find((f) => f.usedIn)!.usedIn!.threadId;
      const timeline = (await as(app, fran).get(`/api/v1/threads/${threadId}/timeline?limit=200`)).json();
      return { files, downloads, comments: timeline.items };
    });
    const byName = new Map(downloads.map((d) => [d.filename, d]));
    expect([...byName.keys()].sort()).toEqual(['Hof Meyer prices.pdf', 'beans.png', 'notes.txt']);
    for (const [name, bytes, type] of [
      ['beans.png', PHOTO_PNG, 'image/png'],
      ['Hof Meyer prices.pdf', PRICE_LIST_PDF, 'application/pdf'],
      ['notes.txt', NOTES_TXT, 'text/plain'],
    ] as const) {
      const d = byName.get(name)!;
      expect(Buffer.compare(d.bytes, bytes), name).toBe(0);
      expect(d.type).toBe(type);
      expect(d.etag).toBe(`"${sha256(bytes)}"`);
    }
    const file = (name: string) => files.find((f) => f.filename === name)!;
    // Cy's photo, on Cy's farewell comment; the price list on the consent proposal; the notes nowhere.
    const farewell = (comments as { kind: string; comment?: { id: string; body: string } }[]).find((i) =>
      i.comment?.body.startsWith('I am moving away'),
    )!.comment!;
    expect(file('beans.png').usedIn).toMatchObject({
      threadTitle: 'Bulk orders',
      commentId: farewell.id,
      proposalId: null,
    });
    expect(farewell.body).toContain(file('beans.png').url);
    expect(file('beans.png').uploader?.name).toBe('Cy');
    expect(file('Hof Meyer prices.pdf').usedIn).toMatchObject({
      commentId: null,
      proposalId: expect.any(String),
    });
    expect(file('notes.txt').usedIn).toBeNull();
  });

  test('the same file again is refused and changes nothing; --again makes a second group', async () => {
    const before = await targetChecksums();
    const refused = await plenary(['import', file]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      `this group was imported here already, as "Riverside Food Co-op" (${imported.groupId}`,
    );
    expect(refused.err).toContain('--again');
    expect(await targetChecksums()).toEqual(before);

    const second = await plenary(['import', file, '--again', '--json']);
    expect(second.code, second.err).toBe(0);
    expect(JSON.parse(second.out).groupId).not.toBe(imported.groupId);
    const mine = await withServer(
      async (app) => (await as(app, fran).get('/api/v1/groups')).json().items as { name: string }[],
    );
    expect(mine.filter((g) => g.name === 'Riverside Food Co-op')).toHaveLength(2);
  });

  test('a damaged file is refused, naming what is wrong, and changes nothing', async () => {
    const before = await targetChecksums();
    const good = JSON.parse(exported) as GroupArchive;
    const damaged = (change: (a: GroupArchive) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return JSON.stringify(copy);
    };
    const cases: [string, string][] = [
      ['{"format": "plenary-group", "version": 1, "threads": [', 'is not JSON'],
      [JSON.stringify({ hello: 'world' }), '/format must be "plenary-group"'],
      [damaged((a) => Object.assign(a, { version: 3 })), '/version is 3; this server reads versions 1 and 2'],
      [damaged((a) => Object.assign(a.group, { name: undefined })), '/group/name is required'],
      [
        damaged((a) => {
          a.threads[0]!.comments[1]!.author = 'mallory@example.org';
        }),
        '/threads/0/comments/1/author names mallory@example.org, who is neither in members nor in formerMembers',
      ],
      [
        damaged((a) => {
          a.threads[0]!.proposals[0]!.votes[0]!.choices = [{ optionId: 'maybe' }];
        }),
        '/threads/0/proposals/0/votes/0/choices/0',
      ],
      [
        damaged((a) => {
          a.threads[0]!.comments[1]!.parentId = 'nowhere';
        }),
        '/threads/0/comments/1/parentId names no earlier comment of this thread',
      ],
      [
        damaged((a) => {
          a.threads[0]!.proposals[1]!.votes[0]!.voter = a.members[0]!.email;
        }),
        '/threads/0/proposals/1/votes/0 is a ballot of an anonymous proposal: it must name no voter and no time',
      ],
      [
        damaged((a) => {
          a.attachments![1]!.usedIn!.proposalId = 'nowhere';
        }),
        '/attachments/1/usedIn/proposalId names no proposal of that thread',
      ],
      [
        damaged((a) => {
          a.attachments![2]!.uploader = 'mallory@example.org';
        }),
        '/attachments/2/uploader names mallory@example.org, who is neither in members nor in formerMembers',
      ],
    ];
    for (const [content, problem] of cases) {
      const run = await plenary(['import', writeArchive('damaged.json', content)]);
      expect({ code: run.code, problem, err: run.err }).toMatchObject({
        code: 1,
        err: expect.stringContaining(problem),
      });
    }
    const nobody = await plenary(['import', file, '--again', '--as', 'nobody@example.org']);
    expect(nobody).toMatchObject({
      code: 1,
      err: 'plenary: no account here has the address nobody@example.org (--as)\n',
    });
    expect((await plenary(['import', '/nonexistent/archive.json'])).err).toContain('cannot read');
    expect(await targetChecksums()).toEqual(before);
  });

  test('export <group> <file> writes the same archive as the endpoint', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'plenary-export-')), 'out.json');
    const run = await plenary(['export', imported.groupId, out]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(`Exported Riverside Food Co-op (4 members, 2 threads, 3 files) to ${out}.`);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(out, 'utf8');
    const written = JSON.parse(text) as GroupArchive;
    expect(written.sourceGroupId).toBe(imported.groupId);
    // Indented as JSON.stringify indents: the same text, but for the time of the export.
    expect(text).toBe(`${JSON.stringify(written, null, 2)}\n`);
    const endpoint = await withServer(
      async (app) =>
        (await as(app, fran).get(`/api/v1/groups/${imported.groupId}/export`)).json() as GroupArchive,
    );
    expect({ ...written, exportedAt: null }).toEqual({ ...endpoint, exportedAt: null });
    expect((await plenary(['export', 'Riverside Food Co-op', out])).err).toContain(
      '2 groups are called "Riverside Food Co-op"',
    );
  });

  /** The archive with one change, as another file. */
  const changed = (change: (a: GroupArchive) => void, name = 'changed.json') => {
    const copy = JSON.parse(exported) as GroupArchive;
    change(copy);
    return writeArchive(name, JSON.stringify(copy, null, 2));
  };

  test('a file whose bytes do not match its SHA-256 is refused, naming it, and nothing is written', async () => {
    const before = await targetChecksums();
    const tampered = changed((a) => {
      const bytes = Buffer.from(a.attachments![1]!.data, 'base64');
      bytes[20] = bytes[20]! ^ 1;
      a.attachments![1]!.data = bytes.toString('base64');
    });
    const run = await plenary(['import', tampered, '--again']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      '/attachments/1/data does not match the sha256 of "Hof Meyer prices.pdf": the file is damaged or was changed',
    );
    const truncated = changed((a) => {
      a.attachments![0]!.data = PHOTO_PNG.subarray(0, 30).toString('base64');
    });
    expect((await plenary(['import', truncated, '--again'])).err).toContain(
      `/attachments/0/data holds 30 bytes, not the ${PHOTO_PNG.length} of "beans.png": the file is damaged`,
    );
    const notBase64 = changed((a) => {
      a.attachments![2]!.data = `${a.attachments![2]!.data.slice(0, 8)}\n${a.attachments![2]!.data.slice(8)}`;
    });
    expect((await plenary(['import', notBase64, '--again'])).err).toContain(
      '/attachments/2/data is not base64 (RFC 4648, padded, on one line): the bytes of "notes.txt" cannot be read',
    );
    expect(await targetChecksums()).toEqual(before);
  });

  test('files that would take the group over ATTACHMENT_QUOTA_MB refuse the import whole', async () => {
    const before = await targetChecksums();
    const big = randomBytes(1024 * 1024);
    const withBig = changed((a) => {
      a.attachments!.push({
        id: '00000000-0000-4000-8000-000000000001',
        filename: 'minutes.bin',
        contentType: 'application/octet-stream',
        size: big.length,
        sha256: sha256(big),
        uploader: cast.fran.email,
        createdAt: a.exportedAt,
        usedIn: null,
        data: big.toString('base64'),
      });
    });
    const run = await plenary(['import', withBig, '--again'], { ...target, ATTACHMENT_QUOTA_MB: '1' });
    expect(run.code).toBe(1);
    expect(run.err).toContain("the archive's 4 files take 1.1 MB, more than the 1 MB a group may keep");
    expect(run.err).toContain('raise ATTACHMENT_QUOTA_MB to at least 2 and import it again');
    expect(await targetChecksums()).toEqual(before);
    // Within the quota, the same file imports.
    const fits = await plenary(['import', withBig, '--again', '--json'], {
      ...target,
      ATTACHMENT_QUOTA_MB: '2',
    });
    expect(fits.code, fits.err).toBe(0);
    expect(JSON.parse(fits.out).counts.attachments).toBe(4);
  });

  test('an export from before files (version 1) still imports; its links to files are left as they were', async () => {
    const old = changed((a) => {
      a.version = 1;
      delete a.attachments;
      for (const t of a.threads) for (const p of t.proposals) delete p.id;
    }, 'version-1.json');
    const run = await plenary(['import', old, '--again', '--json']);
    expect(run.code, run.err).toBe(0);
    const summary = JSON.parse(run.out);
    expect(summary.counts).toEqual({ threads: 2, comments: 5, proposals: 7, votes: 11, attachments: 0 });
    const again = await withServer(
      async (app) =>
        (await as(app, fran).get(`/api/v1/groups/${summary.groupId}/export`)).json() as GroupArchive,
    );
    expect(again.attachments).toEqual([]);
    const photo = (JSON.parse(exported) as GroupArchive).attachments![0]!.id;
    expect(again.threads[0]!.comments[4]!.body).toContain(`/api/v1/attachments/${photo}`);
  });
});

describe('importing where some people have no account', () => {
  test('members without one are invited by email; what they wrote keeps their name; open ballots go', async () => {
    // The same group, as if Bo and Zed used other addresses on this instance, into the source itself.
    const text = exported
      .replaceAll(cast.bo.email, 'bo.elsewhere@example.org')
      .replaceAll(cast.zed.email, 'zed.elsewhere@example.org');
    const archive = parseArchive(text);
    // The anonymous poll as if still open: its ballots know no voter, so it cannot stay open.
    archive.threads[0]!.proposals[1]!.closedAt = null;
    // Into the instance it came from: a second group beside the first (only an import is recognised as one).
    const summary = await importGroup(source.app.ctx, archive);
    expect(summary).toMatchObject({
      invited: ['bo.elsewhere@example.org', 'zed.elsewhere@example.org'],
      // Cy's stand-in address from the archive names no account here: one is made to keep Cy's words.
      accountsCreated: [
        'bo.elsewhere@example.org',
        formerMemberAddress(made.groupId, cast.cy.id, cast.cy.email),
      ],
      closedOnImport: ['Which day for pick-up?'],
      withdrawnVotes: 1,
    });
    expect(summary.members.map((m) => m.email)).toEqual([cast.fran.email, cast.ada.email]);

    const db = source.db.database.db;
    const mail = await db
      .selectFrom('email_outbox')
      .leftJoin('email_bodies', 'email_bodies.id', 'email_outbox.body_id')
      .select([
        'email_outbox.recipient',
        'email_outbox.kind',
        'email_outbox.subject',
        sql<string>`coalesce(email_outbox.text_body, email_bodies.text_body)`.as('text'),
      ])
      .where('email_outbox.recipient', 'in', ['bo.elsewhere@example.org', 'zed.elsewhere@example.org'])
      .orderBy('email_outbox.recipient')
      .execute();
    expect(mail.map((m) => [m.recipient, m.kind, m.subject])).toEqual([
      ['bo.elsewhere@example.org', 'invitation', 'Fran invited you to Riverside Food Co-op'],
      ['zed.elsewhere@example.org', 'invitation', 'Fran invited you to Riverside Food Co-op'],
    ]);
    expect(mail[0]!.text).toContain('Forgot password?');
    expect(mail[1]!.text).toContain('has moved to this Plenary server');
    expect(mail[1]!.text).not.toContain('Forgot password?');

    const { groupId } = summary;
    const fran = cast.fran;
    const group = (await as(source.app, fran).get(`/api/v1/groups/${groupId}`)).json().group;
    expect(group.memberCount).toBe(2);
    const again = (await as(source.app, fran).get(`/api/v1/groups/${groupId}/export`)).json() as GroupArchive;
    expect(again.members.map((m) => m.email)).toEqual([cast.fran.email, cast.ada.email]);
    // Bo (invited, not yet back) and Cy are not members here: both named by stand-ins, Cy's kept as it came.
    const cyStandIn = formerMemberAddress(made.groupId, cast.cy.id, cast.cy.email);
    const boStandIn = again.formerMembers.find((p) => p.email !== cyStandIn)!.email;
    expect(again.formerMembers.map((p) => p.email).sort()).toEqual([boStandIn, cyStandIn].sort());
    expect(boStandIn).toMatch(/^former-[0-9a-f]{20}@former-members\.invalid$/);
    expect(JSON.stringify(again)).not.toContain('bo.elsewhere@example.org');
    const [orders] = again.threads;
    expect(orders!.comments[1]).toMatchObject({ author: boStandIn, body: 'Thanks Ada!' });
    const poll = orders!.proposals[1]!;
    expect(poll.closedAt).not.toBeNull();
    expect(poll.votes).toHaveLength(3);
    const ranked = orders!.proposals[2]!;
    expect(ranked.votes.map((v) => v.voter)).toEqual([cast.ada.email]);
    expect(ranked.results?.undecidedCount).toBe(1);
    expect(JSON.stringify(again)).not.toContain(DELETED_WORDS);

    // The account kept for Bo's words cannot be signed into until its owner claims it.
    const login = await source.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'bo.elsewhere@example.org', password: 'correct horse battery' },
    });
    expect(login.statusCode).toBe(401);
  });
});
