import Type from 'typebox';
import { LongText, Name, Timestamp } from './common';

/** The kinds of proposal Plenary puts to a vote. */
export const ProposalKind = Type.Union([
  Type.Literal('proposal'),
  Type.Literal('poll'),
  Type.Literal('score'),
  Type.Literal('dot_vote'),
  Type.Literal('ranked_choice'),
  Type.Literal('meeting'),
]);
export type ProposalKind = Type.Static<typeof ProposalKind>;

export const ProposalOption = Type.Object({
  id: Type.String(),
  label: Type.String(),
  startsAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
});
export type ProposalOption = Type.Static<typeof ProposalOption>;

/** One entry of a ballot's `choices` (stored as `validateBallot` in shared/ballot.ts normalised it). */
export const Choice = Type.Object({
  optionId: Type.String({ maxLength: 100 }),
  score: Type.Optional(Type.Integer()),
  rank: Type.Optional(Type.Integer()),
});
export type Choice = Type.Static<typeof Choice>;

const PersonRef = Type.Object({ id: Type.String(), name: Type.String() });

export const OptionResult = Type.Object({
  optionId: Type.String(),
  count: Type.Number(),
  score: Type.Number(),
  percent: Type.Number(),
  mean: Type.Optional(Type.Number()),
  yesCount: Type.Optional(Type.Number()),
  maybeCount: Type.Optional(Type.Number()),
});
/** Per-option line of `results.options`. */
export type OptionResult = Type.Static<typeof OptionResult>;

/**
 * One instant-runoff round: the votes of each option still in the count, the options eliminated at
 * the end of the round (none in the last round), and the ballots with no continuing option left.
 */
export const RunoffRound = Type.Object({
  counts: Type.Record(Type.String(), Type.Number()),
  eliminatedIds: Type.Array(Type.String()),
  exhaustedCount: Type.Optional(Type.Number()),
});
export type RunoffRound = Type.Static<typeof RunoffRound>;

/** Whether the result is a decision, by the proposal's quorum and thresholds (shared/verdict.ts). */
export const Verdict = Type.Union([
  Type.Literal('passed'),
  Type.Literal('failed'),
  Type.Literal('no_quorum'),
]);
export type Verdict = Type.Static<typeof Verdict>;

/** The `results` object of a proposal (docs/api.md), as `server/domain/tally.ts` computes it. */
export const Results = Type.Object({
  options: Type.Array(OptionResult),
  winnerIds: Type.Array(Type.String()),
  blocked: Type.Optional(Type.Boolean()),
  rounds: Type.Optional(Type.Array(RunoffRound)),
  bordaPoints: Type.Optional(Type.Record(Type.String(), Type.Number())),
  condorcetWinnerId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  bestSlotId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  undecidedCount: Type.Number(),
  /** Null where the proposal sets no quorum and no pass threshold; left out of results frozen before 1.1. */
  verdict: Type.Optional(Type.Union([Verdict, Type.Null()])),
});
export type Results = Type.Static<typeof Results>;

export const Vote = Type.Object({
  proposalId: Type.String(),
  /** Null on anonymous proposals, for everyone. */
  voter: Type.Union([PersonRef, Type.Null()]),
  choices: Type.Array(Choice),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** Null on anonymous proposals: a time would line a ballot up with whoever voted then. */
  createdAt: Type.Union([Timestamp, Type.Null()]),
  updatedAt: Type.Union([Timestamp, Type.Null()]),
  /** 1 for the voter's own vote plus the members whose votes follow it by delegation. */
  weight: Type.Integer({ minimum: 1 }),
});
export type Vote = Type.Static<typeof Vote>;

/**
 * The viewer's vote when it follows a delegate's: whose vote it follows (at
 * the end of the chain) and what that vote is; `via` is the member they
 * delegated to, when the chain runs on through them.
 */
export const FollowedVote = Type.Object({
  proposalId: Type.String(),
  delegatedTo: PersonRef,
  via: Type.Union([PersonRef, Type.Null()]),
  choices: Type.Array(Choice),
});
export type FollowedVote = Type.Static<typeof FollowedVote>;

/** Whom the viewer delegates to on a proposal, and whether only on it (else group-wide). */
export const MyDelegate = Type.Object({
  delegate: PersonRef,
  proposalOnly: Type.Boolean(),
});
export type MyDelegate = Type.Static<typeof MyDelegate>;

/**
 * Members who may vote and have not. On anonymous proposals `items` is always
 * empty (who has voted, read as votes arrive, would say whose ballot each
 * was); `count` is there for every proposal.
 */
export const UndecidedPage = Type.Object({
  items: Type.Array(PersonRef),
  nextCursor: Type.Null(),
  count: Type.Integer(),
});
export type UndecidedPage = Type.Static<typeof UndecidedPage>;

export const Outcome = Type.Object({
  statement: Type.String(),
  author: Type.Union([PersonRef, Type.Null()]),
  createdAt: Timestamp,
  reviewOn: Type.Union([Type.String(), Type.Null()]),
});
export type Outcome = Type.Static<typeof Outcome>;

/**
 * What the caller may do to a proposal, by their role and authorship
 * (server/domain/permissions.ts): facilitators and the author manage it, only
 * facilitators reopen it. The proposal's state decides the rest (`close`
 * while open, `reopen` once closed).
 */
export const ProposalPermissions = Type.Object({
  edit: Type.Boolean(),
  close: Type.Boolean(),
  remind: Type.Boolean(),
  stateOutcome: Type.Boolean(),
  reopen: Type.Boolean(),
  /** Save its kind, options and settings as one of the group's templates. */
  saveAsTemplate: Type.Boolean(),
});
export type ProposalPermissions = Type.Static<typeof ProposalPermissions>;

export const Proposal = Type.Object({
  id: Type.String(),
  threadId: Type.String(),
  groupId: Type.String(),
  kind: ProposalKind,
  title: Type.String(),
  details: Type.String(),
  options: Type.Array(ProposalOption),
  closesAt: Timestamp,
  closedAt: Type.Union([Timestamp, Type.Null()]),
  anonymous: Type.Boolean(),
  resultsHiddenUntilClosed: Type.Boolean(),
  reasonRequired: Type.Boolean(),
  minChoices: Type.Integer(),
  maxChoices: Type.Integer(),
  maxScore: Type.Integer(),
  dotsPerVoter: Type.Integer(),
  author: Type.Union([PersonRef, Type.Null()]),
  createdAt: Timestamp,
  voterCount: Type.Integer(),
  /** Members whose vote counts, directly or (with delegation) through a delegate's. */
  representedCount: Type.Integer(),
  eligibleCount: Type.Integer(),
  /** Of eligible members, the share that must be represented for a verdict other than `no_quorum`. */
  quorumPercent: Type.Union([Type.Integer(), Type.Null()]),
  /** The share that passes (shared/verdict.ts says of what, per kind). */
  passPercent: Type.Union([Type.Integer(), Type.Null()]),
  /** Consent proposals: one block fails it. */
  blockVetoes: Type.Boolean(),
  /** The caller's current vote; left out of stream events, which are shared by every subscriber. */
  myVote: Type.Optional(Type.Union([Vote, FollowedVote, Type.Null()])),
  /** Whether delegation is possible on this proposal: the group allows it and it is not anonymous. */
  delegation: Type.Boolean(),
  /** Whom the viewer's vote follows unless they vote; with `myVote`, per viewer, never in events. */
  myDelegate: Type.Optional(Type.Union([MyDelegate, Type.Null()])),
  /** The caller's permissions, in every HTTP answer; left out of stream events, like `myVote`. */
  permissions: Type.Optional(ProposalPermissions),
  results: Type.Union([Results, Type.Null()]),
  outcome: Type.Union([Outcome, Type.Null()]),
});
export type Proposal = Type.Static<typeof Proposal>;

const OptionInput = Type.Object({
  label: Name,
  startsAt: Type.Optional(Timestamp),
});

export const CreateProposalBody = Type.Object({
  kind: ProposalKind,
  title: Name,
  details: Type.Optional(LongText),
  options: Type.Optional(Type.Array(OptionInput, { maxItems: 50 })),
  closesAt: Timestamp,
  anonymous: Type.Optional(Type.Boolean()),
  resultsHiddenUntilClosed: Type.Optional(Type.Boolean()),
  reasonRequired: Type.Optional(Type.Boolean()),
  minChoices: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
  maxChoices: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  maxScore: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  dotsPerVoter: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  quorumPercent: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()])),
  passPercent: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()])),
  blockVetoes: Type.Optional(Type.Boolean()),
});
export type CreateProposalBody = Type.Static<typeof CreateProposalBody>;

/**
 * What `POST /threads/:id/proposals` takes: a `CreateProposalBody`, or a
 * `template` (GET /templates) in place of `kind` and options, whose kind,
 * options, details and settings fill in whatever the body leaves out.
 */
export const NewProposalBody = Type.Object({
  ...CreateProposalBody.properties,
  kind: Type.Optional(ProposalKind),
  template: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});
export type NewProposalBody = Type.Static<typeof NewProposalBody>;

export const PatchProposalBody = Type.Object({
  title: Type.Optional(Name),
  details: Type.Optional(LongText),
  options: Type.Optional(Type.Array(OptionInput, { maxItems: 50 })),
  closesAt: Type.Optional(Timestamp),
});
export type PatchProposalBody = Type.Static<typeof PatchProposalBody>;

export const VoteBody = Type.Object({
  choices: Type.Array(Choice, { maxItems: 50 }),
  reason: Type.Optional(Type.Union([LongText, Type.Null()])),
});
export type VoteBody = Type.Static<typeof VoteBody>;

export const OutcomeBody = Type.Object({
  statement: Type.String({ minLength: 1, maxLength: 100_000 }),
  reviewOn: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
});
export type OutcomeBody = Type.Static<typeof OutcomeBody>;

export const CloseBody = Type.Object({ outcome: Type.Optional(OutcomeBody) });
/** `POST /proposals/:id/remind`: how many members who had not voted were notified. */
export const RemindReply = Type.Object({ notified: Type.Integer({ minimum: 0 }) });
export type RemindReply = Type.Static<typeof RemindReply>;
export const ReopenBody = Type.Object({ closesAt: Timestamp });

export const ProposalListQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
  /** Only the proposals of this thread (the thread page's pinned open proposals). */
  threadId: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  cursor: Type.Optional(Type.String()),
});
export const DecisionsQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('md')])),
});
