import { createReadStream } from 'node:fs';
import { MAX_ATTACHMENT_BYTES } from '../../shared/limits';
import type { GroupArchive } from '../../shared/schemas/group-archive';
import { AppError, type ErrorDetail } from '../errors';
import { attachmentBytes, checkArchive, refuseArchive, refuseNotJson } from './group-archive-check';

/*
 * An archive file read without ever holding it whole. A group's files may
 * take its whole quota (500 MB by default, two thirds more as base64): more
 * than one JavaScript string can hold, and several copies of it would not fit
 * a small server. So the file is read as a stream and split: the elements of
 * the top-level `attachments` array, one file each, are taken out one at a
 * time, and everything else (the group, its people and threads) is parsed as
 * one JSON text with a `0` in each file's place. Syntax is still checked
 * whole: the rest and each file are parsed by `JSON.parse`.
 *
 * The file is read twice: first to check it whole (each file's bytes against
 * its SHA-256, then dropped), so a damaged file is refused before anything is
 * written; then inside the import's transaction, to write the bytes one file
 * at a time (`attachmentData`), checked again as they are written.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const PLACEHOLDER = Buffer.from('0');
const ATTACHMENTS_KEY = 'attachments';

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isStructural = (b: number) =>
  isSpace(b) ||
  b === COMMA ||
  b === COLON ||
  b === QUOTE ||
  b === OPEN_OBJECT ||
  b === CLOSE_OBJECT ||
  b === OPEN_ARRAY ||
  b === CLOSE_ARRAY;

/** The most one file's JSON may take: its bytes as base64, plus room for its name and the rest. */
const MAX_ELEMENT_BYTES = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4 + 64 * 1024;

/**
 * Splits an archive's bytes as they come: `push` returns the `attachments`
 * elements each chunk completes, `head` what is left with `0` in their place.
 * It tracks only what it must (string, escape, nesting, the top-level key
 * being read); whether the whole is JSON is left to `JSON.parse`. UTF-8 never
 * uses the bytes of JSON's punctuation inside a longer character, so bytes do.
 */
export class ArchiveSplitter {
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** The bytes of the string being read at depth 1 (a key, or a value), while short enough to be a key. */
  #stringBytes: number[] | null = null;
  #lastString: string | null = null;
  /** The key whose value comes next, at depth 1. */
  #key: string | null = null;
  #inAttachments = false;
  /** Whether an `attachments` array was found (and split). */
  split = false;
  /** The element being read: its parts and length, and what kind of JSON value it is. */
  #element: Buffer[] | null = null;
  #elementLength = 0;
  #elementKind: 'container' | 'string' | 'scalar' = 'container';
  #elements = 0;
  readonly #head: Buffer[] | null;

  constructor(keepHead: boolean) {
    this.#head = keepHead ? [] : null;
  }

  push(chunk: Buffer): Buffer[] {
    const done: Buffer[] = [];
    let runStart = 0;
    const toElement = (end: number) => {
      const part = chunk.subarray(runStart, end);
      this.#elementLength += part.length;
      if (this.#elementLength > MAX_ELEMENT_BYTES) {
        refuseArchive([
          {
            path: `/attachments/${this.#elements}`,
            message: `is larger than any file can be (${MAX_ATTACHMENT_BYTES / 1024 / 1024} MiB, as base64)`,
          },
        ]);
      }
      this.#element!.push(part);
      runStart = end;
    };
    const toHead = (end: number) => {
      this.#head?.push(chunk.subarray(runStart, end));
      runStart = end;
    };
    const startElement = (at: number, kind: 'container' | 'string' | 'scalar') => {
      toHead(at);
      this.#head?.push(PLACEHOLDER);
      this.#element = [];
      this.#elementLength = 0;
      this.#elementKind = kind;
    };
    const endElement = (end: number) => {
      toElement(end);
      done.push(Buffer.concat(this.#element!));
      this.#element = null;
      this.#elements += 1;
    };

    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#inString) {
        if (this.#escaped) {
          this.#escaped = false;
          this.#stringBytes = null; // an escaped key is not one this reader looks for
          i += 1;
          continue;
        }
        // Long strings (a file's base64) are crossed at the speed of `indexOf`.
        // A backslash is looked for only up to the quote: never past the string, however many follow.
        const quote = chunk.indexOf(QUOTE, i);
        const upTo = quote === -1 ? n : quote;
        const backslash = chunk.subarray(i, upTo).indexOf(BACKSLASH);
        const next = backslash === -1 ? quote : i + backslash;
        const end = next === -1 ? n : next;
        if (this.#stringBytes) {
          if (this.#stringBytes.length + (end - i) > ATTACHMENTS_KEY.length) this.#stringBytes = null;
          else for (let j = i; j < end; j++) this.#stringBytes.push(chunk[j]!);
        }
        if (next === -1) break;
        i = next + 1;
        if (chunk[next] === BACKSLASH) {
          this.#escaped = true;
          continue;
        }
        this.#inString = false;
        if (this.#depth === 1 && this.#element === null) {
          this.#lastString = this.#stringBytes ? Buffer.from(this.#stringBytes).toString('latin1') : null;
          this.#stringBytes = null;
        }
        if (this.#element !== null && this.#elementKind === 'string' && this.#depth === 2) endElement(i);
        continue;
      }

      const b = chunk[i]!;
      if (this.#element !== null && this.#elementKind === 'scalar' && isStructural(b)) endElement(i);
      if (this.#inAttachments && this.#depth === 2 && this.#element === null) {
        if (b === CLOSE_ARRAY) {
          this.#inAttachments = false;
          this.#depth = 1;
          i += 1;
          continue;
        }
        if (!isSpace(b) && b !== COMMA) {
          startElement(
            i,
            b === OPEN_OBJECT || b === OPEN_ARRAY ? 'container' : b === QUOTE ? 'string' : 'scalar',
          );
        }
      }
      if (b === QUOTE) {
        this.#inString = true;
        if (this.#depth === 1 && this.#element === null) this.#stringBytes = [];
      } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        if (b === OPEN_ARRAY && this.#depth === 1 && this.#key === ATTACHMENTS_KEY) {
          if (this.split) {
            refuseArchive([{ path: '/attachments', message: 'is in the file twice' }]);
          }
          this.#inAttachments = true;
          this.split = true;
        }
        this.#depth += 1;
      } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        this.#depth -= 1;
        if (this.#element !== null && this.#elementKind === 'container' && this.#depth === 2) {
          endElement(i + 1);
        }
      } else if (this.#depth === 1 && b === COLON) {
        this.#key = this.#lastString;
      } else if (this.#depth === 1 && b === COMMA) {
        this.#key = null;
      }
      i += 1;
    }
    if (this.#element !== null) toElement(n);
    else toHead(n);
    return done;
  }

  /** All but the attachments' elements, as text; `0` stands in each one's place. */
  head(): string {
    return Buffer.concat(this.#head ?? []).toString('utf8');
  }
}

/** Reads a file in chunks, splitting as it goes; a file that cannot be read is refused, naming it. */
async function* elementsOf(file: string, splitter: ArchiveSplitter): AsyncGenerator<Buffer> {
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
  try {
    for await (const chunk of stream) yield* splitter.push(chunk as Buffer);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(400, 'validation_failed', `cannot read ${file}: ${(err as Error).message}`);
  } finally {
    stream.destroy();
  }
}

function parseElement(text: Buffer, index: number): unknown {
  try {
    return JSON.parse(text.toString('utf8'));
  } catch (err) {
    refuseNotJson(err, `/attachments/${index}`);
  }
}

/** An attachment's id and base64 text as the archive holds them, before they are checked. */
export interface AttachmentText {
  id: unknown;
  data: unknown;
}

/** An archive file, checked whole, and its attachments' bytes to read again, one file at a time. */
export interface ArchiveFile {
  /** The archive; its attachments' `data` is empty: `attachmentData` reads it. */
  archive: GroupArchive;
  attachmentData: () => AsyncIterable<AttachmentText>;
}

/**
 * Reads and checks an archive file as `parseArchive` does its text, holding at
 * most one of its files in memory at a time; a 400 naming each problem
 * otherwise (a damaged file by its name and place).
 */
export async function readArchiveFile(file: string): Promise<ArchiveFile> {
  const splitter = new ArchiveSplitter(true);
  const files: unknown[] = [];
  const problems: ErrorDetail[] = [];
  let index = 0;
  for await (const element of elementsOf(file, splitter)) {
    const value = parseElement(element, index);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const checked = attachmentBytes(value, `/attachments/${index}`);
      if ('problem' in checked) problems.push(checked.problem);
      // The bytes are checked; the rest is checked with the archive, as the schema says.
      (value as { data?: unknown }).data = '';
    }
    files.push(value);
    index += 1;
  }
  let head: unknown;
  try {
    head = JSON.parse(splitter.head());
  } catch (err) {
    refuseNotJson(err);
  }
  if (!splitter.split) {
    // No `attachments` array found to split (none, or a key written with escapes): all was parsed whole.
    const archive = checkArchive(head);
    return { archive, attachmentData: () => inArchive(archive) };
  }
  // The placeholders were where the elements were: put each file's checked part back there.
  const withFiles = head as { attachments?: unknown };
  if (Array.isArray(withFiles.attachments) && withFiles.attachments.length === files.length) {
    withFiles.attachments = files;
  }
  const archive = checkArchive(head, problems);
  return { archive, attachmentData: () => fromFile(file) };
}

/** The attachments' texts of an archive held whole (`parseArchive`). */
export async function* inArchive(archive: GroupArchive): AsyncGenerator<AttachmentText> {
  for (const a of archive.attachments ?? []) yield { id: a.id, data: a.data };
}

/** The attachments' texts read from the file again, one at a time. */
async function* fromFile(file: string): AsyncGenerator<AttachmentText> {
  let index = 0;
  for await (const element of elementsOf(file, new ArchiveSplitter(false))) {
    const value = parseElement(element, index) as { id?: unknown; data?: unknown } | null;
    yield { id: value?.id, data: value?.data };
    index += 1;
  }
}
