import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ArchiveSplitter, readArchiveFile } from '../../server/services/group-archive-file';

// `plenary import` reads an archive in pieces, one file's bytes at a time: whatever the layout of the
// JSON and wherever the reads split it, it must read exactly what JSON.parse reads.

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed) % 256));
const file = (id: string, filename: string, data: Buffer) => ({
  id,
  filename,
  contentType: 'application/octet-stream',
  size: data.length,
  sha256: createHash('sha256').update(data).digest('hex'),
  uploader: 'fran@example.org',
  createdAt: '2026-01-01T00:00:00.000Z',
  usedIn: null,
  data: data.toString('base64'),
});

/** A small archive whose files' names hold everything a naive splitter trips on. */
function archive() {
  return {
    format: 'plenary-group',
    version: 2,
    // First, not last: a reader may not rely on the order this server writes.
    attachments: [
      file('a1', 'quote " and backslash \\ and ] } [ {.bin', bytes(300, 7)),
      file('a2', 'café 🎉 "attachments": [0].txt', bytes(5, 3)),
    ],
    exportedAt: '2026-01-02T00:00:00.000Z',
    sourceGroupId: 'g1',
    group: {
      name: 'Files "attachments" ]}',
      description: 'A \\"tricky\\" one: {"attachments": [1, 2]}',
      createdAt: '2026-01-01T00:00:00.000Z',
      settings: { membersCanStartThreads: true, membersCanCreateProposals: true, membersCanInvite: true },
    },
    members: [
      {
        email: 'fran@example.org',
        name: 'Fran',
        handle: 'fran',
        role: 'facilitator',
        joinedAt: '2026-01-01T00:00:00.000Z',
      },
    ],
    formerMembers: [],
    threads: [],
  };
}

function split(text: string, chunkSize: number) {
  const buffer = Buffer.from(text);
  const splitter = new ArchiveSplitter(true);
  const elements: string[] = [];
  for (let i = 0; i < buffer.length; i += chunkSize) {
    for (const e of splitter.push(buffer.subarray(i, i + chunkSize))) elements.push(e.toString('utf8'));
  }
  return { elements, head: splitter.head(), split: splitter.split };
}

function write(text: string): string {
  const at = path.join(mkdtempSync(path.join(tmpdir(), 'plenary-archive-file-')), 'archive.json');
  writeFileSync(at, text);
  return at;
}

describe('splitting an archive', () => {
  test.each([
    ['compact', undefined],
    ['indented', 2],
  ] as const)(
    '%s: each file apart, the rest with 0 in its place, however the reads fall',
    (_name, indent) => {
      const value = archive();
      const text = JSON.stringify(value, null, indent);
      for (const chunkSize of [1, 2, 3, 7, 64, text.length]) {
        const { elements, head, split: found } = split(text, chunkSize);
        expect(found).toBe(true);
        expect(elements.map((e) => JSON.parse(e))).toEqual(value.attachments);
        expect(JSON.parse(head)).toEqual({ ...value, attachments: [0, 0] });
      }
    },
  );

  test('an archive without files is all head', () => {
    const { attachments: _none, ...value } = archive();
    const { elements, head, split: found } = split(JSON.stringify(value), 5);
    expect(found).toBe(false);
    expect(elements).toEqual([]);
    expect(JSON.parse(head)).toEqual(value);
  });
});

describe('readArchiveFile', () => {
  test('reads the archive checked whole, then each file again, in order', async () => {
    const value = archive();
    const read = await readArchiveFile(write(JSON.stringify(value, null, 2)));
    expect(read.archive.group.name).toBe('Files "attachments" ]}');
    expect(read.archive.attachments!.map((a) => [a.id, a.filename, a.data])).toEqual([
      ['a1', value.attachments[0]!.filename, ''],
      ['a2', value.attachments[1]!.filename, ''],
    ]);
    const again = [];
    for await (const a of read.attachmentData()) again.push(a);
    expect(again).toEqual(value.attachments.map((a) => ({ id: a.id, data: a.data })));
  });

  test('a file cut short, or with a stray comma between files, is not JSON', async () => {
    const text = JSON.stringify(archive());
    await expect(readArchiveFile(write(text.slice(0, text.length - 40)))).rejects.toThrow('is not JSON');
    const stray = text.replace('},{"id":"a2"', '},,{"id":"a2"');
    expect(stray).not.toBe(text);
    await expect(readArchiveFile(write(stray))).rejects.toThrow('is not JSON');
  });

  test('a damaged file is named; a file larger than any upload is refused before it is read whole', async () => {
    const value = archive();
    value.attachments[1]!.sha256 = '0'.repeat(64);
    await expect(readArchiveFile(write(JSON.stringify(value)))).rejects.toThrow(
      '/attachments/1/data does not match the sha256 of "café 🎉 "attachments": [0].txt"',
    );
    const huge = archive();
    huge.attachments[0]!.data = 'A'.repeat(15 * 1024 * 1024);
    await expect(readArchiveFile(write(JSON.stringify(huge)))).rejects.toThrow(
      '/attachments/0 is larger than any file can be (10 MiB, as base64)',
    );
  });
});
