/**
 * Ballots the vote rules refuse (and a few they take), one row each, for
 * test/domain/ballot-parity.test.ts: every row is sent to the server
 * (`PUT /api/v1/proposals/:id/vote`) and given to the web client's check, and both must answer
 * with exactly `details`.
 *
 * Only ballots the HTTP schema lets through are here (`VoteBody`: `optionId` a string, `score` and
 * `rank` integers): a `"3"` or a `1.5` is refused by the schema before any rule runs, and the
 * client's typed `VoteBody` cannot hold one. Choices name options by label; a name that is no
 * label of the proposal is sent as the `optionId` itself.
 */
import type { ProposalKind } from '../../shared/schemas/proposals';

/** What the proposal a ballot goes to is created with. */
export interface BallotProposalSetup {
  kind: ProposalKind;
  /** Labels; consent proposals have their fixed positions instead. */
  options?: string[];
  reasonRequired?: boolean;
  minChoices?: number;
  maxChoices?: number;
  maxScore?: number;
  dotsPerVoter?: number;
}

/** One entry of `choices`: `option` is a label (or an unknown id); other fields are sent as they are. */
export type CaseChoice = { option?: string } & Record<string, unknown>;

export interface BallotCase {
  name: string;
  proposal: BallotProposalSetup;
  choices: CaseChoice[];
  /** Sent only when set. */
  reason?: string;
  /** What both sides answer: the 400's `details`, or `[]` when the ballot is taken. */
  details: { path: string; message: string }[];
}

const consent: BallotProposalSetup = { kind: 'proposal' };
const poll: BallotProposalSetup = {
  kind: 'poll',
  options: ['Tea', 'Coffee', 'Juice', 'Water'],
  maxChoices: 2,
};
const score: BallotProposalSetup = { kind: 'score', options: ['Tea', 'Coffee', 'Juice'], maxScore: 5 };
const dots: BallotProposalSetup = { kind: 'dot_vote', options: ['Tea', 'Coffee', 'Juice'], dotsPerVoter: 5 };
const ranked: BallotProposalSetup = { kind: 'ranked_choice', options: ['Tea', 'Coffee', 'Juice', 'Water'] };
const meeting: BallotProposalSetup = { kind: 'meeting', options: ['Tue 14:00', 'Wed 10:00'] };

const whole = (path: string, message: string) => [{ path, message }];

export const BALLOT_CASES: BallotCase[] = [
  // consent
  {
    name: 'consent: no position',
    proposal: consent,
    choices: [],
    details: whole('/choices', 'choose one position'),
  },
  {
    name: 'consent: two positions',
    proposal: consent,
    choices: [{ option: 'agree' }, { option: 'block' }],
    details: whole('/choices', 'choose only one position, not 2'),
  },
  {
    name: 'consent: a position that does not exist',
    proposal: consent,
    choices: [{ option: 'maybe' }],
    details: whole('/choices/0/optionId', '"maybe" is not an option of this proposal'),
  },
  {
    name: 'consent: the same position twice',
    proposal: consent,
    choices: [{ option: 'agree' }, { option: 'agree' }],
    details: [
      { path: '/choices/1/optionId', message: 'option "agree" is listed more than once' },
      { path: '/choices', message: 'choose only one position, not 2' },
    ],
  },
  {
    name: 'consent: a required reason left out',
    proposal: { ...consent, reasonRequired: true },
    choices: [{ option: 'agree' }],
    details: whole('/reason', 'is required on this proposal'),
  },
  {
    name: 'consent: a required reason that is only spaces',
    proposal: { ...consent, reasonRequired: true },
    choices: [{ option: 'block' }],
    reason: '   ',
    details: whole('/reason', 'is required on this proposal'),
  },
  {
    name: 'consent: a block with its required reason is taken',
    proposal: { ...consent, reasonRequired: true },
    choices: [{ option: 'block' }],
    reason: 'It breaks our bylaws',
    details: [],
  },

  // poll
  {
    name: 'poll: nothing chosen',
    proposal: poll,
    choices: [],
    details: whole('/choices', 'choose at least 1 option, not 0'),
  },
  {
    name: 'poll: more than maxChoices',
    proposal: poll,
    choices: [{ option: 'Tea' }, { option: 'Coffee' }, { option: 'Juice' }],
    details: whole('/choices', 'choose at most 2 options, not 3'),
  },
  {
    name: 'poll: fewer than minChoices',
    proposal: { ...poll, minChoices: 2, maxChoices: 3 },
    choices: [{ option: 'Tea' }],
    details: whole('/choices', 'choose at least 2 options, not 1'),
  },
  {
    name: 'poll: not exactly minChoices = maxChoices',
    proposal: { ...poll, minChoices: 2, maxChoices: 2 },
    choices: [{ option: 'Tea' }],
    details: whole('/choices', 'choose exactly 2 options, not 1'),
  },
  {
    name: 'poll: two options on a single-choice poll',
    proposal: { ...poll, maxChoices: 1 },
    choices: [{ option: 'Tea' }, { option: 'Coffee' }],
    details: whole('/choices', 'choose exactly one option, not 2'),
  },
  {
    name: 'poll: an option listed twice',
    proposal: poll,
    choices: [{ option: 'Tea' }, { option: 'Tea' }],
    details: whole('/choices/1/optionId', 'option "Tea" is listed more than once'),
  },
  {
    name: 'poll: an unknown option',
    proposal: poll,
    choices: [{ option: 'nope' }],
    details: whole('/choices/0/optionId', '"nope" is not an option of this proposal'),
  },
  {
    name: 'poll: a required reason left out',
    proposal: { ...poll, reasonRequired: true },
    choices: [{ option: 'Tea' }],
    details: whole('/reason', 'is required on this proposal'),
  },
  {
    name: 'poll: fields a poll does not use are ignored',
    proposal: poll,
    choices: [
      { option: 'Tea', rank: 1, score: 4 },
      { option: 'Juice', colour: 'green' },
    ],
    details: [],
  },

  // score
  {
    name: 'score: above maxScore',
    proposal: score,
    choices: [
      { option: 'Tea', score: 6 },
      { option: 'Coffee', score: 0 },
      { option: 'Juice', score: 5 },
    ],
    details: whole('/choices/0/score', 'score must be between 0 and 5'),
  },
  {
    name: 'score: below zero',
    proposal: score,
    choices: [
      { option: 'Tea', score: 1 },
      { option: 'Coffee', score: -1 },
      { option: 'Juice', score: 5 },
    ],
    details: whole('/choices/1/score', 'score must be between 0 and 5'),
  },
  {
    name: 'score: an option left unscored',
    proposal: score,
    choices: [
      { option: 'Tea', score: 3 },
      { option: 'Coffee', score: 2 },
    ],
    details: whole('/choices', 'every option needs a score: missing for "Juice"'),
  },
  {
    name: 'score: a choice without its score',
    proposal: score,
    choices: [{ option: 'Tea' }, { option: 'Coffee', score: 1 }, { option: 'Juice', score: 1 }],
    details: whole('/choices/0/score', 'score is required'),
  },
  {
    name: 'score: an unknown option and a repeated one',
    proposal: score,
    choices: [
      { option: 'Tea', score: 1 },
      { option: 'Tea', score: 2 },
      { option: 'zz', score: 2 },
      { option: 'Coffee', score: 1 },
      { option: 'Juice', score: 1 },
    ],
    details: [
      { path: '/choices/1/optionId', message: 'option "Tea" is listed more than once' },
      { path: '/choices/2/optionId', message: '"zz" is not an option of this proposal' },
    ],
  },

  // dot vote
  {
    name: 'dot vote: more dots than each voter has',
    proposal: dots,
    choices: [
      { option: 'Tea', score: 4 },
      { option: 'Coffee', score: 2 },
    ],
    details: whole('/choices', 'these dots add up to 6, but each voter has only 5'),
  },
  {
    name: 'dot vote: no dots placed',
    proposal: dots,
    choices: [],
    details: whole('/choices', 'place your dots on at least one option'),
  },
  {
    name: 'dot vote: a negative number of dots',
    proposal: dots,
    choices: [{ option: 'Tea', score: -1 }],
    details: whole('/choices/0/score', 'score must be 0 or more (it is a number of dots)'),
  },
  {
    name: 'dot vote: dots without a count',
    proposal: dots,
    choices: [{ option: 'Tea' }],
    details: whole('/choices/0/score', 'score is required'),
  },
  {
    name: 'dot vote: the whole budget, zeros included, is taken',
    proposal: dots,
    choices: [
      { option: 'Tea', score: 0 },
      { option: 'Coffee', score: 5 },
    ],
    details: [],
  },

  // ranked choice
  {
    name: 'ranked choice: nothing ranked',
    proposal: ranked,
    choices: [],
    details: whole('/choices', 'rank at least one option'),
  },
  {
    name: 'ranked choice: a rank used twice',
    proposal: ranked,
    choices: [
      { option: 'Tea', rank: 1 },
      { option: 'Coffee', rank: 1 },
    ],
    details: whole('/choices/1/rank', 'rank 1 is used twice'),
  },
  {
    name: 'ranked choice: ranks with a gap',
    proposal: ranked,
    choices: [
      { option: 'Tea', rank: 1 },
      { option: 'Coffee', rank: 3 },
    ],
    details: whole('/choices', 'rank 2 is missing: ranks must count up from 1 without gaps'),
  },
  {
    name: 'ranked choice: rank 0',
    proposal: ranked,
    choices: [{ option: 'Tea', rank: 0 }],
    details: whole('/choices/0/rank', 'rank must be 1 or more'),
  },
  {
    name: 'ranked choice: a rank beyond the number of options',
    proposal: ranked,
    choices: [{ option: 'Tea', rank: 5 }],
    details: whole('/choices/0/rank', 'rank must be at most 4, the number of options'),
  },
  {
    name: 'ranked choice: a choice without its rank',
    proposal: ranked,
    choices: [{ option: 'Tea', rank: 1 }, { option: 'Coffee' }],
    details: whole('/choices/1/rank', 'rank is required'),
  },
  {
    name: 'ranked choice: an option ranked twice',
    proposal: ranked,
    choices: [
      { option: 'Tea', rank: 1 },
      { option: 'Tea', rank: 2 },
    ],
    details: whole('/choices/1/optionId', 'option "Tea" is listed more than once'),
  },

  // meeting
  {
    name: 'meeting: an answer that is not yes, if need be or no',
    proposal: meeting,
    choices: [
      { option: 'Tue 14:00', score: 3 },
      { option: 'Wed 10:00', score: 2 },
    ],
    details: whole('/choices/0/score', 'score must be 2 (yes), 1 (if need be) or 0 (no)'),
  },
  {
    name: 'meeting: a slot left unanswered',
    proposal: meeting,
    choices: [{ option: 'Tue 14:00', score: 1 }],
    details: whole('/choices', 'every time slot needs an answer: missing for "Wed 10:00"'),
  },
  {
    name: 'meeting: an unknown slot',
    proposal: meeting,
    choices: [
      { option: 'Tue 14:00', score: 1 },
      { option: 'Wed 10:00', score: 0 },
      { option: 'Thu 09:00', score: 2 },
    ],
    details: whole('/choices/2/optionId', '"Thu 09:00" is not an option of this proposal'),
  },
];
