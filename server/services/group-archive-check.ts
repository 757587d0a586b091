import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ballotRulesOf, validateBallot } from '../../shared/ballot';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, GroupArchive } from '../../shared/schemas/group-archive';
import { AppError, detailsFromValidation, type ErrorDetail } from '../errors';

// Whether a file is a group archive this server can load, before anything is
// written: first its shape (the TypeBox schema), then what a schema cannot say
// (every email named belongs to someone listed, replies point at earlier
// comments of their thread, ballots are valid for their proposal).

const checkShape = addFormats(new Ajv({ allErrors: true, strict: false })).compile(GroupArchive);
const MAX_REPORTED = 20;

function refuse(details: ErrorDetail[]): never {
  const first = details[0]!;
  throw new AppError(
    400,
    'validation_failed',
    `not a loadable group archive: ${first.path || '(the file)'} ${first.message}` +
      (details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : ''),
    details.slice(0, MAX_REPORTED),
  );
}

/** Parses and checks an archive file's text; a 400 naming each problem (JSON pointers into the file) otherwise. */
export function parseArchive(text: string): GroupArchive {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    refuse([{ path: '', message: `is not JSON (${(err as Error).message})` }]);
  }
  const head = value as { format?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.format !== ARCHIVE_FORMAT) {
    refuse([
      { path: '/format', message: `must be "${ARCHIVE_FORMAT}": this is not a Plenary group archive` },
    ]);
  }
  if (head.version !== ARCHIVE_VERSION) {
    refuse([
      {
        path: '/version',
        message: `is ${JSON.stringify(head.version)}; this server reads version ${ARCHIVE_VERSION} (a newer server may read it)`,
      },
    ]);
  }
  if (!checkShape(value)) refuse(detailsFromValidation(checkShape.errors ?? []));
  const archive = value as GroupArchive;
  const problems = consistencyProblems(archive);
  if (problems.length > 0) refuse(problems);
  return archive;
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
  return problems;
}
