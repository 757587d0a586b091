import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ballotRulesOf, validateBallot } from '../../shared/ballot';
import { ARCHIVE_FORMAT, ARCHIVE_VERSIONS_READ, GroupArchive } from '../../shared/schemas/group-archive';
import { AppError, detailsFromValidation, type ErrorDetail } from '../errors';

// Whether a file is a group archive this server can load, before anything is
// written: first its shape (the TypeBox schema), then what a schema cannot say
// (every email named belongs to someone listed, replies point at earlier
// comments of their thread, ballots are valid for their proposal, files are
// used where the archive has something, and their bytes match their SHA-256).

const checkShape = addFormats(new Ajv({ allErrors: true, strict: false })).compile(GroupArchive);
const MAX_REPORTED = 20;

/** Refuses the file: a 400 naming the first problem, and listing up to 20. */
export function refuseArchive(details: ErrorDetail[]): never {
  const first = details[0]!;
  throw new AppError(
    400,
    'validation_failed',
    `not a loadable group archive: ${first.path || '(the file)'} ${first.message}` +
      (details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : ''),
    details.slice(0, MAX_REPORTED),
  );
}

/** Refuses a file that is not JSON (`path`: the part of it that is not). */
export function refuseNotJson(err: unknown, path = ''): never {
  refuseArchive([{ path, message: `is not JSON (${(err as Error).message})` }]);
}

/**
 * Parses and checks an archive file's text, attachments' bytes included; a
 * 400 naming each problem (JSON pointers into the file) otherwise. For files
 * too large to hold as one text, see group-archive-file.ts.
 */
export function parseArchive(text: string): GroupArchive {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    refuseNotJson(err);
  }
  return checkArchive(value);
}

/**
 * Checks a parsed archive. `bytesChecked`: the problems of the attachments'
 * bytes, found already by whoever read them one at a time (their `data` is
 * then left out of the value); otherwise the bytes are checked here.
 */
export function checkArchive(value: unknown, bytesChecked?: ErrorDetail[]): GroupArchive {
  const head = value as { format?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.format !== ARCHIVE_FORMAT) {
    refuseArchive([
      { path: '/format', message: `must be "${ARCHIVE_FORMAT}": this is not a Plenary group archive` },
    ]);
  }
  if (typeof head.version !== 'number' || !ARCHIVE_VERSIONS_READ.includes(head.version)) {
    const read = ARCHIVE_VERSIONS_READ;
    refuseArchive([
      {
        path: '/version',
        message: `is ${JSON.stringify(head.version)}; this server reads versions ${read.slice(0, -1).join(', ')} and ${read.at(-1)} (a newer server may read it)`,
      },
    ]);
  }
  if (!checkShape(value))
    refuseArchive([...detailsFromValidation(checkShape.errors ?? []), ...(bytesChecked ?? [])]);
  const archive = value as GroupArchive;
  const problems = [...consistencyProblems(archive), ...(bytesChecked ?? bytesProblems(archive))];
  if (problems.length > 0) refuseArchive(problems);
  return archive;
}

/**
 * The bytes of one archived file (`at`: its JSON pointer), checked against its
 * size and SHA-256; otherwise the problem, naming the file.
 */
export function attachmentBytes(
  file: { filename?: unknown; size?: unknown; sha256?: unknown; data?: unknown },
  at: string,
): { bytes: Buffer } | { problem: ErrorDetail } {
  const name = typeof file.filename === 'string' ? `"${file.filename}"` : 'the file';
  const problem = (message: string) => ({ problem: { path: `${at}/data`, message } });
  if (typeof file.data !== 'string') return problem(`must be the bytes of ${name}, as base64 text`);
  const bytes = Buffer.from(file.data, 'base64');
  // Node's decoder skips what is not base64; only text that encodes back the same was base64 throughout.
  if (bytes.toString('base64') !== file.data) {
    return problem(`is not base64 (RFC 4648, padded, on one line): the bytes of ${name} cannot be read`);
  }
  if (typeof file.size === 'number' && bytes.byteLength !== file.size) {
    return problem(`holds ${bytes.byteLength} bytes, not the ${file.size} of ${name}: the file is damaged`);
  }
  if (typeof file.sha256 === 'string') {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== file.sha256) {
      return problem(`does not match the sha256 of ${name}: the file is damaged or was changed`);
    }
  }
  return { bytes };
}

function bytesProblems(archive: GroupArchive): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  (archive.attachments ?? []).forEach((file, i) => {
    const checked = attachmentBytes(file, `/attachments/${i}`);
    if ('problem' in checked) problems.push(checked.problem);
  });
  return problems;
}

/** What the schema cannot check: references inside the file. Ballots are normalised in place. */
function consistencyProblems(archive: GroupArchive): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const people = new Set<string>();
  const listed = (path: string, email: string) => {
    const key = email.toLowerCase();
    if (people.has(key)) problems.push({ path, message: `lists ${email} a second time` });
    people.add(key);
  };
  archive.members.forEach((m, i) => {
    listed(`/members/${i}/email`, m.email);
  });
  archive.formerMembers.forEach((p, i) => {
    listed(`/formerMembers/${i}/email`, p.email);
  });
  if (!archive.members.some((m) => m.role === 'facilitator')) {
    problems.push({ path: '/members', message: 'must include at least one facilitator' });
  }
  const known = (path: string, email: string | null) => {
    if (email !== null && !people.has(email.toLowerCase())) {
      problems.push({ path, message: `names ${email}, who is neither in members nor in formerMembers` });
    }
  };
  const threadIds = new Set<string>();
  // What an attachment's `usedIn` may name: each thread's comments and proposals.
  const commentsOf = new Map<string, Set<string>>();
  const proposalsOf = new Map<string, Set<string>>();
  const proposalIds = new Set<string>();
  archive.threads.forEach((t, ti) => {
    const at = `/threads/${ti}`;
    if (threadIds.has(t.id)) problems.push({ path: `${at}/id`, message: 'is the id of an earlier thread' });
    threadIds.add(t.id);
    known(`${at}/author`, t.author);
    const commentIds = new Map<string, string | null>();
    t.comments.forEach((c, ci) => {
      const cat = `${at}/comments/${ci}`;
      if (commentIds.has(c.id))
        problems.push({ path: `${cat}/id`, message: 'is the id of an earlier comment' });
      if (c.parentId !== null) {
        if (!commentIds.has(c.parentId)) {
          problems.push({ path: `${cat}/parentId`, message: 'names no earlier comment of this thread' });
        } else if (commentIds.get(c.parentId) !== null) {
          problems.push({ path: `${cat}/parentId`, message: 'names a reply; replies are one level deep' });
        }
      }
      commentIds.set(c.id, c.parentId);
      (commentsOf.get(t.id) ?? commentsOf.set(t.id, new Set()).get(t.id)!).add(c.id);
      known(`${cat}/author`, c.author);
      c.reactions.forEach((r, ri) => {
        known(`${cat}/reactions/${ri}/by`, r.by);
      });
      if (c.deletedAt !== null && (c.body !== '' || c.versions.length > 0 || c.reactions.length > 0)) {
        problems.push({ path: cat, message: 'is deleted, so it must have no body, versions or reactions' });
      }
    });
    t.proposals.forEach((p, pi) => {
      const pat = `${at}/proposals/${pi}`;
      if (p.id !== undefined) {
        if (proposalIds.has(p.id))
          problems.push({ path: `${pat}/id`, message: 'is the id of an earlier proposal' });
        proposalIds.add(p.id);
        (proposalsOf.get(t.id) ?? proposalsOf.set(t.id, new Set()).get(t.id)!).add(p.id);
      }
      known(`${pat}/author`, p.author);
      if (p.outcome) known(`${pat}/outcome/author`, p.outcome.author);
      p.earlierOutcomes.forEach((o, oi) => {
        known(`${pat}/earlierOutcomes/${oi}/author`, o.author);
      });
      const optionIds = new Set(p.options.map((o) => o.id));
      if (optionIds.size !== p.options.length) {
        problems.push({ path: `${pat}/options`, message: 'has two options with the same id' });
      }
      const rules = ballotRulesOf(p);
      const voters = new Set<string>();
      p.votes.forEach((v, vi) => {
        const vat = `${pat}/votes/${vi}`;
        if (p.anonymous && (v.voter !== null || v.createdAt !== null || v.updatedAt !== null)) {
          problems.push({
            path: vat,
            message: 'is a ballot of an anonymous proposal: it must name no voter and no time',
          });
        }
        if (v.voter !== null) {
          known(`${vat}/voter`, v.voter);
          if (voters.has(v.voter.toLowerCase()))
            problems.push({ path: `${vat}/voter`, message: 'voted twice' });
          voters.add(v.voter.toLowerCase());
        }
        const checked = validateBallot(rules, v.choices);
        if (!checked.ok) {
          for (const d of checked.details) problems.push({ path: `${vat}${d.path}`, message: d.message });
        } else {
          // Stored as a vote would be: identical ballots are counted together (`ballot_counts`).
          v.choices = checked.choices;
        }
      });
    });
  });
  const attachmentIds = new Set<string>();
  (archive.attachments ?? []).forEach((a, ai) => {
    const aat = `/attachments/${ai}`;
    // Links name files by id whatever its case (a UUID), so two ids differing only in case would clash.
    if (attachmentIds.has(a.id.toLowerCase()))
      problems.push({ path: `${aat}/id`, message: 'is the id of an earlier attachment' });
    attachmentIds.add(a.id.toLowerCase());
    known(`${aat}/uploader`, a.uploader);
    const used = a.usedIn;
    if (used === null) return;
    if (!threadIds.has(used.threadId)) {
      problems.push({ path: `${aat}/usedIn/threadId`, message: 'names no thread of the archive' });
    } else if (used.commentId !== null && used.proposalId !== null) {
      problems.push({
        path: `${aat}/usedIn`,
        message: 'names both a comment and a proposal; a file is used by one',
      });
    } else if (used.commentId !== null && !commentsOf.get(used.threadId)?.has(used.commentId)) {
      problems.push({ path: `${aat}/usedIn/commentId`, message: 'names no comment of that thread' });
    } else if (used.proposalId !== null && !proposalsOf.get(used.threadId)?.has(used.proposalId)) {
      problems.push({ path: `${aat}/usedIn/proposalId`, message: 'names no proposal of that thread' });
    }
  });
  return problems;
}
