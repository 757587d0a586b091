/**
 * The ballot rules moved to shared/ballot.ts, where the web client checks ballots with them too;
 * this re-export keeps the server's `domain/ballot` imports working.
 */
export {
  BALLOT_DEFAULTS,
  type BallotRules,
  type BallotValidation,
  givenReason,
  REASON_REQUIRED,
  type ValidationDetail,
  validateBallot,
  validateVote,
} from '../../shared/ballot';
