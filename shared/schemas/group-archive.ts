import Type from 'typebox';
import { MAX_ATTACHMENT_BYTES } from '../limits';
import { GroupSettings, Role } from './groups';
import { Choice, ProposalKind, Results } from './proposals';
import { CommentVersion } from './threads';

/*
 * A whole group as one JSON file (`GET /groups/:id/export`, `plenary import`).
 *
 * People are named by email: ids belong to one instance. The `id`s below
 * (threads, comments, proposals, proposal options, attachments) are
 * archive-local: they only link things inside the file (a reply to its
 * parent, a ballot to its options, a file to where it is used, a Markdown link
 * to its file) and mean nothing on the instance that imports it. `format` and
 * `version` say what the file is; a later version may add sections (decision
 * records) and an importer refuses a version it does not know.
 *
 * Version 2 added `attachments` (with their bytes) and proposal `id`s; a
 * version 1 file has neither and still imports.
 */

export const ARCHIVE_FORMAT = 'plenary-group';
/** The version this server writes. */
export const ARCHIVE_VERSION = 2;
/** The versions this server reads. */
export const ARCHIVE_VERSIONS_READ: readonly number[] = [1, 2];

const Email = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' });
const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);
/** Who wrote something, by email; null when their account was gone at the export. */
const AuthorEmail = Type.Union([Email, Type.Null()]);
const LocalId = Type.String({ minLength: 1, maxLength: 100 });
const Text = Type.String({ maxLength: 100_000 });
const Label = Type.String({ minLength: 1, maxLength: 1000 });

/** Someone the archive names: a member, or someone who wrote, voted or reacted and has left since. */
export const ArchivedPerson = Type.Object({
  email: Email,
  name: Label,
  handle: Type.String({ maxLength: 30 }),
});

export const ArchivedMember = Type.Object({
  ...ArchivedPerson.properties,
  role: Role,
  joinedAt: Instant,
});
export type ArchivedMember = Type.Static<typeof ArchivedMember>;

/** One person's reaction; `by` is an email. */
export const ArchivedReaction = Type.Object({
  emoji: Type.String({ minLength: 1, maxLength: 64 }),
  by: Email,
  createdAt: Instant,
});

/**
 * A comment as the contract shows it, author by email, with its earlier
 * versions. A deleted comment keeps its place (replies hang from it) with an
 * empty body and no versions or reactions: deleted words are never exported.
 */
export const ArchivedComment = Type.Object({
  id: LocalId,
  parentId: Type.Union([LocalId, Type.Null()]),
  author: AuthorEmail,
  body: Text,
  createdAt: Instant,
  editedAt: NullableInstant,
  deletedAt: NullableInstant,
  versions: Type.Array(CommentVersion),
  reactions: Type.Array(ArchivedReaction),
});
export type ArchivedComment = Type.Static<typeof ArchivedComment>;

/**
 * A ballot as `GET /proposals/:id/votes` shows it, the voter by email. On an
 * anonymous proposal `voter`, `createdAt` and `updatedAt` are null: the
 * archive holds the ballots, never who cast them.
 */
export const ArchivedVote = Type.Object({
  voter: AuthorEmail,
  choices: Type.Array(Choice, { maxItems: 50 }),
  reason: Type.Union([Text, Type.Null()]),
  createdAt: NullableInstant,
  updatedAt: NullableInstant,
});
export type ArchivedVote = Type.Static<typeof ArchivedVote>;

export const ArchivedOutcome = Type.Object({
  statement: Text,
  author: AuthorEmail,
  createdAt: Instant,
  reviewOn: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
});
export type ArchivedOutcome = Type.Static<typeof ArchivedOutcome>;

export const ArchivedProposal = Type.Object({
  /** Archive-local; what an attachment's `usedIn.proposalId` names (version 2 on). */
  id: Type.Optional(LocalId),
  kind: ProposalKind,
  title: Label,
  details: Text,
  /** Option ids are archive-local; ballots' `optionId`s name them. */
  options: Type.Array(Type.Object({ id: LocalId, label: Label, startsAt: Type.Optional(NullableInstant) }), {
    maxItems: 50,
  }),
  closesAt: Instant,
  closedAt: NullableInstant,
  anonymous: Type.Boolean(),
  resultsHiddenUntilClosed: Type.Boolean(),
  reasonRequired: Type.Boolean(),
  minChoices: Type.Integer({ minimum: 0, maximum: 50 }),
  maxChoices: Type.Integer({ minimum: 1, maximum: 50 }),
  maxScore: Type.Integer({ minimum: 1, maximum: 100 }),
  dotsPerVoter: Type.Integer({ minimum: 1, maximum: 10_000 }),
  /** Quorum and thresholds (API 1.1); left out, none: `null`, `null`, `true`. */
  quorumPercent: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()])),
  passPercent: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()])),
  blockVetoes: Type.Optional(Type.Boolean()),
  author: AuthorEmail,
  createdAt: Instant,
  /** Members who could vote (for a closed proposal, at its close). */
  eligibleCount: Type.Integer({ minimum: 0 }),
  votes: Type.Array(ArchivedVote),
  /** As the contract shows them (null while hidden); an import recounts them from `votes`. */
  results: Type.Union([Results, Type.Null()]),
  outcome: Type.Union([ArchivedOutcome, Type.Null()]),
  /** Outcomes a later one replaced, oldest first. */
  earlierOutcomes: Type.Array(Type.Object({ ...ArchivedOutcome.properties, supersededAt: Instant })),
});
export type ArchivedProposal = Type.Static<typeof ArchivedProposal>;

export const ArchivedThread = Type.Object({
  id: LocalId,
  title: Label,
  body: Text,
  author: AuthorEmail,
  createdAt: Instant,
  updatedAt: Instant,
  lastActivityAt: Instant,
  pinned: Type.Boolean(),
  closedAt: NullableInstant,
  /** Oldest first; a reply comes after the comment it answers. */
  comments: Type.Array(ArchivedComment),
  proposals: Type.Array(ArchivedProposal),
});
export type ArchivedThread = Type.Static<typeof ArchivedThread>;

/** The group's settings; `delegation` is absent from archives made before it existed (off). */
const ArchivedSettings = Type.Object({
  membersCanStartThreads: GroupSettings.properties.membersCanStartThreads,
  membersCanCreateProposals: GroupSettings.properties.membersCanCreateProposals,
  membersCanInvite: GroupSettings.properties.membersCanInvite,
  delegation: Type.Optional(GroupSettings.properties.delegation),
});

/**
 * A file a member uploaded, with its bytes (version 2 on). `id` is the one its
 * group's Markdown links it by (`/api/v1/attachments/<id>`): an import gives
 * the file a new id and rewrites those links. `usedIn` names the thread, and
 * the comment or proposal of that thread, whose text first linked it (null:
 * linked from nowhere yet, or from something deleted since). `sha256` is the
 * hex SHA-256 of the bytes: an import refuses a file whose bytes do not match.
 */
export const ArchivedAttachment = Type.Object({
  id: LocalId,
  filename: Type.String({ minLength: 1, maxLength: 1000 }),
  contentType: Type.String({ minLength: 1, maxLength: 200 }),
  /** In bytes: at most what one upload takes. */
  size: Type.Integer({ minimum: 1, maximum: MAX_ATTACHMENT_BYTES }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** Who uploaded it, by email; null when their account was gone. */
  uploader: AuthorEmail,
  createdAt: Instant,
  usedIn: Type.Union([
    Type.Object({
      threadId: LocalId,
      commentId: Type.Union([LocalId, Type.Null()]),
      proposalId: Type.Union([LocalId, Type.Null()]),
    }),
    Type.Null(),
  ]),
  /** The bytes, base64 (RFC 4648, with padding, no line breaks). Last, so a reader meets the rest first. */
  data: Type.String({ contentEncoding: 'base64' }),
});
export type ArchivedAttachment = Type.Static<typeof ArchivedAttachment>;

export const GroupArchive = Type.Object({
  format: Type.Literal(ARCHIVE_FORMAT),
  version: Type.Union([Type.Literal(1), Type.Literal(ARCHIVE_VERSION)]),
  exportedAt: Instant,
  /** The group's id on the instance it came from: only to recognise the same group imported twice. */
  sourceGroupId: LocalId,
  group: Type.Object({
    name: Label,
    description: Text,
    createdAt: Instant,
    settings: ArchivedSettings,
  }),
  members: Type.Array(ArchivedMember),
  /** People who wrote, voted or reacted in the group and are no longer members. */
  formerMembers: Type.Array(ArchivedPerson),
  threads: Type.Array(ArchivedThread),
  /**
   * Every file of the group, oldest first (version 2 on; absent: none). Last
   * in the file, so that an exporter can write the bytes one file at a time
   * and an importer read them so.
   */
  attachments: Type.Optional(Type.Array(ArchivedAttachment)),
});
export type GroupArchive = Type.Static<typeof GroupArchive>;
