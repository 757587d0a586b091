import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { MAX_ATTACHMENT_BYTES } from '../../shared/schemas/attachments';
import {
  addMembers,
  createGroup,
  eventRows,
  expectError,
  type Harness,
  MISSING_ID,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { createProposal, inSeconds } from '../helpers/factories';
import { as } from '../helpers/requests';
import { eventsOn, listenOn, subscribeAs } from '../helpers/stream';
import { postComment, startThread } from '../helpers/threads';

// Attachments: files uploaded to a group, linked from Markdown, served so that none can run as the site.
let h: Harness;
let fran: Person; // facilitator
let mo: Person; // member
let kai: Person; // member
let out: Person; // in another group
let groupId: string;
let otherGroupId: string;

/** A tiny but real PNG (1×1, transparent). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function upload(
  who: Person | null,
  group: string,
  filename: string,
  body: Buffer | string,
  contentType = 'application/octet-stream',
) {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/groups/${group}/attachments?filename=${encodeURIComponent(filename)}`,
    headers: { ...who?.headers, 'content-type': contentType },
    payload: body,
  });
}

async function uploaded(who: Person, filename: string, body: Buffer | string, contentType?: string) {
  const res = await upload(who, groupId, filename, body, contentType);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().attachment as {
    id: string;
    url: string;
    filename: string;
    contentType: string;
    size: number;
    usedIn: unknown;
  };
}

let listening: Promise<string> | undefined;
/** The app listening on a port, for requests and sockets `inject` cannot make. */
const baseUrl = () => {
  listening ??= listenOn(h.app);
  return listening;
};

const download = (who: Person | null, url: string, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'GET', url, headers: { ...who?.headers, ...headers } });

beforeAll(async () => {
  h = await startApp();
  fran = await signUp(h.app, { name: 'Fran Facilitator' });
  groupId = (await createGroup(h.app, fran)).id;
  [mo, kai] = await addMembers(h.app, fran, groupId, 2);
  out = await signUp(h.app, { name: 'Oz Outsider' });
  otherGroupId = (await createGroup(h.app, out, 'Elsewhere')).id;
});
afterAll(() => h?.close());

describe('upload', () => {
  test('a member uploads a file: 201 with its id, name, type, size, URL and uploader, and the group hears of it', async () => {
    const res = await upload(mo, groupId, 'minutes.png', PNG, 'image/png');
    expect(res.statusCode, res.body).toBe(201);
    const attachment = res.json().attachment;
    expect(attachment).toMatchObject({
      filename: 'minutes.png',
      contentType: 'image/png',
      size: PNG.length,
      url: `/api/v1/attachments/${attachment.id}`,
      uploader: { id: mo.id, name: mo.name },
      usedIn: null,
      permissions: { delete: true },
    });
    expect(Date.parse(attachment.createdAt)).not.toBeNaN();
    const [event] = (await eventRows(h, { kind: 'attachment.created', groupId })).filter(
      (e) => e.subject_id === attachment.id,
    );
    expect(event?.data).toMatchObject({ attachment: { id: attachment.id, filename: 'minutes.png' } });
  });

  test('the name keeps only its last part, without control or direction-override characters', async () => {
    const a = await uploaded(mo, 'C:\\Users\\mo\\Docs/report\u202Egpj.exe', 'x');
    expect(a.filename).toBe('reportgpj.exe');
    expectError(await upload(mo, groupId, '///', 'x'), 400, 'validation_failed');
  });

  test('a JSON file is stored as bytes, not parsed', async () => {
    const text = '{"b": 1,   "a": [2]}';
    const a = await uploaded(mo, 'data.json', text, 'application/json; charset=utf-8');
    expect(a.contentType).toBe('application/json');
    expect((await download(mo, a.url)).body).toBe(text);
  });

  test('an empty body or no filename is 400, and stores nothing', async () => {
    const before = await rowCounts(h);
    expectError(await upload(mo, groupId, 'empty.txt', ''), 400, 'validation_failed');
    const noName = await h.app.inject({
      method: 'POST',
      url: `/api/v1/groups/${groupId}/attachments`,
      headers: { ...mo.headers, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expectError(noName, 400, 'validation_failed');
    expect(await rowCounts(h)).toEqual(before);
  });

  test('over 10 MiB is 413 payload_too_large and nothing is stored', async () => {
    const before = await rowCounts(h);
    const res = await upload(mo, groupId, 'big.bin', Buffer.alloc(MAX_ATTACHMENT_BYTES + 1));
    expectError(res, 413, 'payload_too_large');
    expect(await rowCounts(h)).toEqual(before);
    // Exactly 10 MiB fits.
    const fits = await upload(mo, groupId, 'exact.bin', Buffer.alloc(MAX_ATTACHMENT_BYTES, 7));
    expect(fits.statusCode, fits.body).toBe(201);
    expect(await download(mo, fits.json().attachment.url)).toMatchObject({ statusCode: 200 });
  });

  test('a body of unannounced length is refused as it runs over the limit, not after it is all read', async () => {
    const before = await rowCounts(h);
    const base = new URL(await baseUrl());
    // A raw socket, so the answer is read even while the upload is still being written.
    const socket = connect(Number(base.port), base.hostname);
    let answer = '';
    let sentWhenAnswered = -1;
    let sent = 0;
    socket.on('data', (d) => {
      if (sentWhenAnswered < 0) sentWhenAnswered = sent;
      answer += d;
    });
    socket.on('error', () => {}); // the server may close the connection on us mid-upload: that is the point
    socket.write(
      `POST /api/v1/groups/${groupId}/attachments?filename=endless.bin HTTP/1.1\r\nHost: ${base.host}\r\n` +
        `Cookie: ${mo.headers.cookie}\r\nOrigin: ${base.origin}\r\n` +
        'Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    // Chunked, with no Content-Length: up to 64 MiB, one MiB at a time, until an answer comes.
    const chunk = Buffer.alloc(1024 * 1024, 1);
    while (sent < 64 && sentWhenAnswered < 0 && !socket.destroyed) {
      sent += 1;
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
      // Paced, as a network would: the server and this client share one process.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await vi.waitFor(() => expect(answer).toContain('\r\n\r\n{'), { timeout: 10_000 });
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"payload_too_large"');
    expect(sentWhenAnswered).toBeGreaterThan(9);
    expect(sentWhenAnswered).toBeLessThan(64);
    expect(await rowCounts(h)).toEqual(before);
  });

  test('outsiders get 404 and anonymous callers 401, before the body is read; nothing is stored', async () => {
    const before = await rowCounts(h);
    expectError(await upload(out, groupId, 'x.txt', 'x'), 404, 'not_found');
    expectError(await upload(null, groupId, 'x.txt', 'x'), 401, 'unauthenticated');
    expectError(await upload(mo, MISSING_ID, 'x.txt', 'x'), 404, 'not_found');
    // An outsider's oversized upload is refused as not found, not as too large: the body was never considered.
    expectError(
      await upload(out, groupId, 'big.bin', Buffer.alloc(MAX_ATTACHMENT_BYTES + 1)),
      404,
      'not_found',
    );
    expect(await rowCounts(h)).toEqual(before);
  });
});

describe('the group quota', () => {
  let q: Harness;
  let owner: Person;
  let quotaGroup: string;

  beforeAll(async () => {
    q = await startApp({ ATTACHMENT_QUOTA_MB: '1' });
    owner = await signUp(q.app, { name: 'Quinn Quota' });
    quotaGroup = (await createGroup(q.app, owner)).id;
  });
  afterAll(() => q?.close());

  const put = (bytes: number, name: string) =>
    q.app.inject({
      method: 'POST',
      url: `/api/v1/groups/${quotaGroup}/attachments?filename=${name}`,
      headers: { ...owner.headers, 'content-type': 'application/octet-stream' },
      payload: randomBytes(bytes),
    });

  test('two uploads at once that together would pass it: exactly one is stored, the other is 409 quota_exceeded', async () => {
    const [a, b] = await Promise.all([put(600 * 1024, 'a.bin'), put(600 * 1024, 'b.bin')]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expectError(a.statusCode === 409 ? a : b, 409, 'quota_exceeded');
    const rows = await q.db.database.db
      .selectFrom('attachments')
      .select('size')
      .where('group_id', '=', quotaGroup)
      .execute();
    expect(rows).toEqual([{ size: 600 * 1024 }]);
    expect(
      await q.db.database.db.selectFrom('attachment_blobs').select('attachment_id').execute(),
    ).toHaveLength(1);
    // What is left still fits; one byte more does not.
    expect((await put(1024 * 1024 - 600 * 1024, 'rest.bin')).statusCode).toBe(201);
    expectError(await put(1, 'one.bin'), 409, 'quota_exceeded');
  });
});

describe('download', () => {
  test('members get the bytes exactly, with the ETag, nosniff, the sandbox policy and same-origin resources', async () => {
    const bytes = randomBytes(300_000);
    const a = await uploaded(mo, 'Protokoll – März 2026.pdf', bytes, 'application/pdf');
    const res = await download(kai, a.url);
    expect(res.statusCode).toBe(200);
    expect(Buffer.compare(res.rawPayload, bytes)).toBe(0);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(res.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="Protokoll _ M_rz 2026.pdf"; filename*=UTF-8''${encodeURIComponent('Protokoll – März 2026.pdf')}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "sandbox; default-src 'none'",
      'cross-origin-resource-policy': 'same-origin',
      etag: `"${sha}"`,
      'content-length': String(bytes.length),
    });
    const again = await download(kai, a.url, { 'if-none-match': `"${sha}"` });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });

  test('PNG, JPEG, GIF and WebP images are shown in place; other types are downloads', async () => {
    const png = await uploaded(mo, 'chart.png', PNG, 'image/png');
    const res = await download(mo, png.url);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toMatch(/^inline; /);
    expect(Buffer.compare(res.rawPayload, PNG)).toBe(0);
    const text = await uploaded(mo, 'notes.txt', 'plain words', 'text/plain');
    expect((await download(mo, text.url)).headers['content-disposition']).toMatch(/^attachment; /);
  });

  test('HTML and SVG go out as octet-stream attachments in the sandbox, never as a page or an image', async () => {
    const cases = [
      ['page.html', 'text/html', '<script>parent.pwned = 1</script><h1>hi</h1>'],
      [
        'logo.svg',
        'image/svg+xml',
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      ],
      [
        'x.xhtml',
        'application/xhtml+xml',
        '<html xmlns="http://www.w3.org/1999/xhtml"><script>1</script></html>',
      ],
      ['run.js', 'text/javascript', 'parent.pwned = 1'],
    ] as const;
    for (const [name, type, body] of cases) {
      const a = await uploaded(mo, name, body, type);
      expect(a.contentType).toBe(type);
      const res = await download(kai, a.url);
      expect(res.body).toBe(body);
      expect(res.headers).toMatchObject({
        'content-type': 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
      });
      expect(res.headers['content-disposition']).toMatch(/^attachment; /);
    }
  });

  test('outsiders and unknown ids get 404, anonymous callers 401', async () => {
    const a = await uploaded(mo, 'secret.txt', 'members only', 'text/plain');
    expectError(await download(out, a.url), 404, 'not_found');
    expectError(await download(null, a.url), 401, 'unauthenticated');
    expectError(await download(mo, `/api/v1/attachments/${MISSING_ID}`), 404, 'not_found');
    expectError(await download(mo, '/api/v1/attachments/not-a-uuid'), 404, 'not_found');
  });
});

describe('listing and use', () => {
  test('newest first, a page at a time, with the uploader and where each is used', async () => {
    const [first, second] = [
      await uploaded(kai, 'first.txt', 'one', 'text/plain'),
      await uploaded(kai, 'second.png', PNG, 'image/png'),
    ];
    const thread = await startThread(h.app, mo, groupId, {
      title: 'Budget',
      body: `See [the numbers](${first.url}).`,
    });
    const comment = await postComment(
      h.app,
      mo,
      thread.id,
      `![chart](${second.url}) and again [it](${first.url})`,
    );

    const page1 = await as(h.app, mo).get(`/api/v1/groups/${groupId}/attachments?limit=1`);
    expect(page1.statusCode).toBe(200);
    expect(page1.json().items.map((i: { id: string }) => i.id)).toEqual([second.id]);
    expect(page1.json().items[0]).toMatchObject({
      uploader: { id: kai.id, name: kai.name },
      usedIn: { threadId: thread.id, threadTitle: 'Budget', commentId: comment.id, proposalId: null },
      permissions: { delete: false },
    });
    const page2 = await as(h.app, mo).get(
      `/api/v1/groups/${groupId}/attachments?limit=1&cursor=${page1.json().nextCursor}`,
    );
    // The thread's own text used it first; the comment that links it again changes nothing.
    expect(page2.json().items[0]).toMatchObject({
      id: first.id,
      usedIn: { threadId: thread.id, commentId: null, proposalId: null },
    });
    const all = (await as(h.app, fran).get(`/api/v1/groups/${groupId}/attachments?limit=200`)).json();
    expect(all.items.every((i: { permissions: { delete: boolean } }) => i.permissions.delete)).toBe(true);
    const times = all.items.map((i: { createdAt: string }) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    expectError(await as(h.app, out).get(`/api/v1/groups/${groupId}/attachments`), 404, 'not_found');
    expectError(
      await as(h.app, mo).get(`/api/v1/groups/${groupId}/attachments?cursor=forged`),
      400,
      'validation_failed',
    );
  });

  test("a proposal's details record their file; another group's text never claims this group's file", async () => {
    const a = await uploaded(mo, 'plan.txt', 'plan', 'text/plain');
    const thread = await startThread(h.app, mo, groupId, { title: 'Plans' });
    const otherThread = await startThread(h.app, out, otherGroupId, { title: `Stealing ${a.url}` });
    await postComment(h.app, out, otherThread.id, `![x](${a.url})`);
    const proposal = await createProposal(h.app, mo, thread.id, {
      kind: 'proposal',
      title: 'Adopt the plan',
      details: `As in [the plan](${a.url})`,
      closesAt: inSeconds(3600),
    });
    const listed = (await as(h.app, mo).get(`/api/v1/groups/${groupId}/attachments`)).json().items;
    expect(listed.find((i: { id: string }) => i.id === a.id).usedIn).toEqual({
      threadId: thread.id,
      threadTitle: 'Plans',
      commentId: null,
      proposalId: proposal.id,
    });
  });

  test('another member sees a new file live on the group topic', async () => {
    const base = await baseUrl();
    const ws = await subscribeAs(base, kai, `group:${groupId}`);
    try {
      const a = await uploaded(mo, 'live.txt', 'now', 'text/plain');
      await ws.waitFor(
        (m) =>
          m.type === 'event' &&
          m.event.kind === 'attachment.created' &&
          (m.event.data.attachment as { id?: string } | undefined)?.id === a.id,
      );
      const event = eventsOn(ws, `group:${groupId}`).find((e) => e.kind === 'attachment.created');
      expect(event?.data).toMatchObject({
        attachment: { filename: expect.any(String), url: expect.any(String) },
      });
    } finally {
      await ws.close();
    }
  });
});

describe('delete', () => {
  test('another member may not (403); the uploader and facilitators may (204), and the bytes go with it', async () => {
    const mine = await uploaded(mo, 'mine.txt', 'mine', 'text/plain');
    const before = await rowCounts(h);
    expectError(await as(h.app, kai).delete(mine.url), 403, 'forbidden');
    expectError(await as(h.app, out).delete(mine.url), 404, 'not_found');
    expect(await rowCounts(h)).toEqual(before);
    expect((await as(h.app, mo).delete(mine.url)).statusCode).toBe(204);
    expectError(await download(mo, mine.url), 404, 'not_found');
    expect(
      await h.db.database.db.selectFrom('attachment_blobs').where('attachment_id', '=', mine.id).execute(),
    ).toEqual([]);
    expectError(await as(h.app, mo).delete(mine.url), 404, 'not_found');

    const kais = await uploaded(kai, 'kais.txt', 'kai', 'text/plain');
    expect((await as(h.app, fran).delete(kais.url)).statusCode).toBe(204);
    expect((await eventRows(h, { kind: 'attachment.deleted', groupId })).map((e) => e.subject_id)).toEqual(
      expect.arrayContaining([mine.id, kais.id]),
    );
  });
});
