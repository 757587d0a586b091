import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { archiveStream, exportGroup, formerMemberAddress } from '../../server/services/group-export';
import { parseArchive } from '../../server/services/group-import';
import type { GroupArchive } from '../../shared/schemas/group-archive';
import { type Harness, MISSING_ID, type Person, signUp, startApp } from '../helpers/app';
import { as } from '../helpers/requests';
import {
  type Cast,
  DELETED_WORDS,
  NOTES_TXT,
  PHOTO_PNG,
  PRICE_LIST_PDF,
  populateGroup,
  signUpCast,
  uploadFile,
} from '../helpers/rich-group';

// GET /groups/:id/export (#14): the whole group as one file, for facilitators.

let h: Harness;
let cast: Cast;
let outsider: Person;
let made: Awaited<ReturnType<typeof populateGroup>>;
let archive: GroupArchive;
let raw: string;

beforeAll(async () => {
  h = await startApp();
  cast = await signUpCast(h.app, 'export');
  outsider = await signUp(h.app, { name: 'Olga Outsider' });
  made = await populateGroup(h.app, cast);
  const res = await as(h.app, cast.fran).get(`/api/v1/groups/${made.groupId}/export`);
  expect(res.statusCode, res.body).toBe(200);
  raw = res.body;
  archive = res.json();
}, 60_000);
afterAll(() => h.close());

describe('who may export', () => {
  test('facilitators get a file to save; members 403, outsiders and unknown groups 404, strangers 401', async () => {
    const res = await as(h.app, cast.bo).get(`/api/v1/groups/${made.groupId}/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="riverside-food-co-op-plenary-export.json"',
    );
    expect(res.headers['content-type']).toMatch(/^application\/json/);

    const member = await as(h.app, cast.ada).get(`/api/v1/groups/${made.groupId}/export`);
    expect(member.statusCode).toBe(403);
    expect(member.json()).toEqual({
      error: { code: 'forbidden', message: 'only facilitators may export the group' },
    });
    for (const url of [`/api/v1/groups/${made.groupId}/export`, `/api/v1/groups/${MISSING_ID}/export`]) {
      const res = await as(h.app, outsider).get(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    // Cy left: no longer a member, so not even told the group exists.
    expect((await as(h.app, cast.cy).get(`/api/v1/groups/${made.groupId}/export`)).statusCode).toBe(404);
    expect((await as(h.app, null).get(`/api/v1/groups/${made.groupId}/export`)).statusCode).toBe(401);
  });

  test('the group carries the permission, true for facilitators only', async () => {
    const perms = async (p: Person) =>
      (await as(h.app, p).get(`/api/v1/groups/${made.groupId}`)).json().group.permissions.exportGroup;
    expect(await perms(cast.fran)).toBe(true);
    expect(await perms(cast.ada)).toBe(false);
  });
});

/** Cy wrote and left: the archive's stand-in address for them. */
const cyInArchive = () => formerMemberAddress(made.groupId, cast.cy.id, cast.cy.email);

describe('what the file holds', () => {
  test('is a version 2 archive that an import accepts as it is', () => {
    expect(archive).toMatchObject({ format: 'plenary-group', version: 2, sourceGroupId: made.groupId });
    expect(() => parseArchive(raw)).not.toThrow();
  });

  test('the group, its settings, and its people by email with their roles; who left apart', () => {
    expect(archive.group).toMatchObject({
      name: 'Riverside Food Co-op',
      description: 'We buy **together**.',
      settings: { membersCanStartThreads: true, membersCanCreateProposals: true, membersCanInvite: false },
    });
    expect(archive.members.map((m) => [m.email, m.name, m.role])).toEqual([
      [cast.fran.email, 'Fran', 'facilitator'],
      [cast.ada.email, 'Ada', 'member'],
      [cast.bo.email, 'Bo', 'facilitator'],
      [cast.zed.email, 'Zed', 'member'],
    ]);
    // Who left is named by a stand-in address: a facilitator does not see a former member's email.
    expect(archive.formerMembers).toEqual([{ email: cyInArchive(), name: 'Cy', handle: cast.cy.handle }]);
    expect(cyInArchive()).toMatch(/^former-[0-9a-f]{20}@former-members\.invalid$/);
    expect(raw).not.toContain(cast.cy.email);
    // Ids are per instance: nobody is named by one.
    for (const id of [cast.fran.id, cast.ada.id, cast.bo.id, cast.cy.id]) expect(raw).not.toContain(id);
  });

  test('every thread, comment, version and reaction, people by email', () => {
    const [orders, rota] = archive.threads;
    expect(archive.threads.map((t) => [t.title, t.author, t.pinned, t.closedAt !== null])).toEqual([
      ['Bulk orders', cast.fran.email, false, false],
      ['Cleaning rota', cast.ada.email, true, true],
    ]);
    expect(orders!.body).toBe('Who orders oats?');
    const [first, reply, deleted, replyToDeleted, farewell] = orders!.comments;
    expect(first).toMatchObject({ author: cast.ada.email, body: 'I can, monthly.', parentId: null });
    expect(first!.editedAt).not.toBeNull();
    expect(first!.versions.map((v) => v.body)).toEqual(['I can, **weekly**.', 'I can, fortnightly.']);
    expect(first!.reactions.map((r) => [r.emoji, r.by])).toEqual([
      ['👍', cast.fran.email],
      ['🎉', cast.bo.email],
      ['👍', cyInArchive()],
    ]);
    expect(reply).toMatchObject({ author: cast.bo.email, parentId: first!.id, body: 'Thanks Ada!' });
    expect(replyToDeleted).toMatchObject({ parentId: deleted!.id, body: 'Replying before it went' });
    expect(farewell).toMatchObject({ author: cyInArchive() });
    expect(rota!.comments).toEqual([]);
    expect(rota!.proposals.map((p) => p.kind)).toEqual(['score', 'dot_vote']);
  });

  test('a deleted comment keeps its place with no words, versions or reactions: they are in no part of the file', () => {
    const deleted = archive.threads[0]!.comments[2]!;
    expect(deleted).toMatchObject({ author: cast.bo.email, body: '', versions: [], reactions: [] });
    expect(deleted.deletedAt).not.toBeNull();
    expect(raw).not.toContain('Wistful-Heron');
    expect(raw).not.toContain(DELETED_WORDS);
  });

  test('proposals with their settings, ballots as the contract shows them, results and outcomes', () => {
    const proposals = archive.threads.flatMap((t) => t.proposals);
    const byTitle = new Map(proposals.map((p) => [p.title, p]));
    const consent = byTitle.get('Order oats from Hof Meyer')!;
    expect(consent).toMatchObject({
      kind: 'proposal',
      author: cast.fran.email,
      reasonRequired: true,
      anonymous: false,
      eligibleCount: 5,
      outcome: { statement: 'Adopted for good.', author: cast.fran.email, reviewOn: null },
      earlierOutcomes: [{ statement: 'Adopted for a trial month.', reviewOn: '2027-03-01' }],
    });
    expect(consent.closedAt).not.toBeNull();
    expect(consent.votes.map((v) => [v.voter, v.choices, v.reason])).toEqual([
      [cast.ada.email, [{ optionId: 'agree' }], 'Good price'],
      [cast.bo.email, [{ optionId: 'disagree' }], 'Too far'],
      [cyInArchive(), [{ optionId: 'agree' }], 'Fine by me'],
    ]);
    expect(consent.results?.options.find((o) => o.optionId === 'agree')?.count).toBe(2);

    const ranked = byTitle.get('Rank the suppliers')!;
    expect(ranked.closedAt).toBeNull();
    expect(ranked.votes.map((v) => v.voter)).toEqual([cast.ada.email, cast.bo.email]);
    expect(ranked.votes.every((v) => v.createdAt !== null)).toBe(true);
    expect(byTitle.get('How fair is the rota?')).toMatchObject({
      resultsHiddenUntilClosed: true,
      maxScore: 3,
    });
    expect(byTitle.get('Packing evening')).toMatchObject({ kind: 'meeting', anonymous: true, votes: [] });
    // Open with results hidden: the ballots are no one's to see yet, so they stay behind.
    expect(byTitle.get('Budget for the new fridge')).toMatchObject({
      votes: [],
      results: null,
      closedAt: null,
    });
    expect(byTitle.get('Packing evening')!.options.map((o) => o.startsAt)).toEqual([
      '2027-01-11T18:00:00.000Z',
      '2027-01-13T18:00:00.000Z',
    ]);
  });

  test('anonymous proposals: only the ballots, no voter and no time', () => {
    const anonymous = archive.threads.flatMap((t) => t.proposals).filter((p) => p.anonymous);
    expect(anonymous.map((p) => p.title)).toEqual([
      'Which day for pick-up?',
      'Packing evening',
      'Spend the dots',
    ]);
    const poll = anonymous[0]!;
    expect(poll.votes).toHaveLength(3);
    for (const v of anonymous.flatMap((p) => p.votes)) {
      expect(v).toMatchObject({ voter: null, createdAt: null, updatedAt: null });
    }
    expect(poll.results?.winnerIds).toEqual([poll.options[2]!.id]);
  });
});

describe('files', () => {
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  test('every file with its bytes (base64) and SHA-256, where it is used, its uploader by email', () => {
    const [orders] = archive.threads;
    const farewell = orders!.comments[4]!;
    const consent = orders!.proposals[0]!;
    expect(consent.id).toBe(made.proposals.consent);
    expect(archive.attachments!.map(({ data: _data, ...file }) => file)).toEqual([
      {
        id: made.attachments.photo,
        filename: 'beans.png',
        contentType: 'image/png',
        size: PHOTO_PNG.length,
        sha256: sha256(PHOTO_PNG),
        // Cy left: named by the stand-in, as everywhere else in the file.
        uploader: cyInArchive(),
        createdAt: expect.any(String),
        usedIn: { threadId: orders!.id, commentId: farewell.id, proposalId: null },
      },
      {
        id: made.attachments.priceList,
        filename: 'Hof Meyer prices.pdf',
        contentType: 'application/pdf',
        size: PRICE_LIST_PDF.length,
        sha256: sha256(PRICE_LIST_PDF),
        uploader: cast.fran.email,
        createdAt: expect.any(String),
        usedIn: { threadId: orders!.id, commentId: null, proposalId: consent.id },
      },
      {
        id: made.attachments.notes,
        filename: 'notes.txt',
        contentType: 'text/plain',
        size: NOTES_TXT.length,
        sha256: sha256(NOTES_TXT),
        uploader: cast.bo.email,
        createdAt: expect.any(String),
        usedIn: null,
      },
    ]);
    const bytes = archive.attachments!.map((f) => Buffer.from(f.data, 'base64'));
    expect(bytes).toEqual([PHOTO_PNG, PRICE_LIST_PDF, NOTES_TXT]);
    // One line of plain base64 each: nothing for a reader to unwrap.
    for (const f of archive.attachments!) expect(f.data).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    // The texts link files by the id the archive gives them.
    expect(farewell.body).toContain(`/api/v1/attachments/${made.attachments.photo}`);
    expect(consent.details).toContain(`/api/v1/attachments/${made.attachments.priceList}`);
  });

  test('the files come last in the file, after everything that links them', () => {
    expect(Object.keys(JSON.parse(raw)).at(-1)).toBe('attachments');
    expect(raw.indexOf('"attachments"')).toBeGreaterThan(raw.lastIndexOf('"threads"'));
  });

  test('a file deleted while the export is being written is left out, as if deleted just before', async () => {
    const scratch = await uploadFile(
      h.app,
      cast.fran,
      made.groupId,
      'scratch.txt',
      Buffer.from('x'),
      'text/plain',
    );
    // The snapshot lists it; its bytes are read as the text is written, after the delete.
    const exported = await exportGroup(h.app.ctx, made.groupId);
    expect(exported.attachments.map((f) => f.id)).toContain(scratch.id);
    expect((await as(h.app, cast.fran).delete(`/api/v1/attachments/${scratch.id}`)).statusCode).toBe(204);
    let text = '';
    for await (const chunk of archiveStream(h.app.ctx, exported)) text += chunk;
    const written = parseArchive(text);
    expect(written.attachments!.map((f) => f.id)).toEqual([
      made.attachments.photo,
      made.attachments.priceList,
      made.attachments.notes,
    ]);
  });
});
