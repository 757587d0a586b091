import Type from 'typebox';
import { Timestamp } from './common';
import { Choice, Outcome, ProposalKind, ProposalOption, Results } from './proposals';

const PersonRef = Type.Object({ id: Type.String(), name: Type.String() });

/** One ballot as the contract shows it, under its own id, with the weight it counts with. */
export const RecordBallot = Type.Object({
  /** Random, made when the record is: it says nothing of the voter or of when they voted. */
  ballotId: Type.String(),
  /** Null on anonymous proposals. */
  voter: Type.Union([PersonRef, Type.Null()]),
  choices: Type.Array(Choice),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** 1 + the members whose vote follows this one by delegation. */
  weight: Type.Integer({ minimum: 1 }),
});
export type RecordBallot = Type.Static<typeof RecordBallot>;

/** What a tally of the record needs besides its ballots: the proposal as it was put to the vote. */
export const RecordProposal = Type.Object({
  id: Type.String(),
  threadId: Type.String(),
  kind: ProposalKind,
  title: Type.String(),
  details: Type.String(),
  options: Type.Array(ProposalOption),
  anonymous: Type.Boolean(),
  minChoices: Type.Integer(),
  maxChoices: Type.Integer(),
  maxScore: Type.Integer(),
  dotsPerVoter: Type.Integer(),
  quorumPercent: Type.Union([Type.Integer(), Type.Null()]),
  passPercent: Type.Union([Type.Integer(), Type.Null()]),
  blockVetoes: Type.Boolean(),
  author: Type.Union([PersonRef, Type.Null()]),
  createdAt: Timestamp,
  closesAt: Timestamp,
  closedAt: Timestamp,
});

/**
 * One link of a group's decision chain (API 1.1, "the decision record"):
 * everything needed to count the decision again, and `hash`, the SHA-256 of
 * the record's canonical JSON without `hash` (with `previousHash`, so each
 * link seals the one before). `plenary verify` checks both from the file.
 */
export const DecisionRecord = Type.Object({
  format: Type.Literal('plenary-decision-record'),
  version: Type.Literal(1),
  groupId: Type.String(),
  /** 1 for the group's first record, then one more for each. */
  sequence: Type.Integer({ minimum: 1 }),
  /** `closed`: voting closed; `outcome`: the outcome was stated or restated after the close. */
  reason: Type.Union([Type.Literal('closed'), Type.Literal('outcome')]),
  recordedAt: Timestamp,
  /** How the ballots are counted: the kind's tally, as server/domain/tally.ts implements it. */
  method: Type.String(),
  proposal: RecordProposal,
  eligibleCount: Type.Integer({ minimum: 0 }),
  ballots: Type.Array(RecordBallot),
  results: Results,
  outcome: Type.Union([Outcome, Type.Null()]),
  previousHash: Type.Union([Type.String(), Type.Null()]),
  hash: Type.String(),
});
export type DecisionRecord = Type.Static<typeof DecisionRecord>;

export const DecisionChain = Type.Object({
  items: Type.Array(DecisionRecord),
  nextCursor: Type.Null(),
});
export type DecisionChain = Type.Static<typeof DecisionChain>;
