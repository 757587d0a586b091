import { randomUUID } from 'node:crypto';
import { BALLOT_DEFAULTS, CONSENT_POSITIONS } from '../../../shared/ballot';
import type { CreateProposalBody, ProposalKind } from '../../../shared/schemas/proposals';
import { type DecisionThresholds, PASS_PERCENT_KINDS } from '../../../shared/verdict';
import { invalid } from '../../errors';
import { trimmed } from '../text';

// What a proposal's author may ask for, checked before anything is written.

/** Options as given, checked against the kind's rules; consent proposals get the fixed positions. */
export function checkOptions(
  kind: ProposalKind,
  given: { label: string; startsAt?: string }[] | undefined,
): { id: string; label: string; startsAt: Date | null }[] {
  if (kind === 'proposal') {
    if (given && given.length > 0)
      throw invalid('/options', 'are fixed for consent proposals: leave them out');
    return CONSENT_POSITIONS.map((position) => ({ id: position, label: position, startsAt: null }));
  }
  const options = given ?? [];
  const min = kind === 'meeting' ? 1 : 2;
  if (options.length < min) throw invalid('/options', `need at least ${min} for a ${kind.replace('_', ' ')}`);
  const seen = new Set<string>();
  return options.map((o, i) => {
    const label = trimmed(o.label, `/options/${i}/label`);
    const key = `${label.toLowerCase()}|${o.startsAt ?? ''}`;
    if (seen.has(key)) throw invalid(`/options/${i}/label`, `"${label}" is listed twice`);
    seen.add(key);
    if (kind === 'meeting' && !o.startsAt)
      throw invalid(`/options/${i}/startsAt`, 'is required for a meeting slot');
    return {
      id: randomUUID(),
      label,
      startsAt: kind === 'meeting' && o.startsAt ? new Date(o.startsAt) : null,
    };
  });
}

/** A date in the request that must lie ahead (closing times). */
export function futureDate(value: string, path: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(path, 'is not a date');
  if (date.getTime() <= Date.now()) throw invalid(path, 'must be in the future');
  return date;
}

/**
 * The ballot settings of a new proposal: what the body asks for where its
 * kind uses it, `BALLOT_DEFAULTS` everywhere else. A poll's choice limits
 * must fit its options.
 */
export function ballotSettings(body: CreateProposalBody, optionCount: number) {
  const poll = body.kind === 'poll';
  const minChoices = poll ? (body.minChoices ?? BALLOT_DEFAULTS.minChoices) : BALLOT_DEFAULTS.minChoices;
  const maxChoices = poll
    ? (body.maxChoices ?? Math.max(BALLOT_DEFAULTS.maxChoices, minChoices))
    : BALLOT_DEFAULTS.maxChoices;
  if (poll && minChoices > maxChoices) throw invalid('/minChoices', 'must not be more than maxChoices');
  if (poll && maxChoices > optionCount)
    throw invalid('/maxChoices', 'must not be more than the number of options');
  if (poll && minChoices < 1) throw invalid('/minChoices', 'must be at least 1');
  return {
    minChoices,
    maxChoices,
    maxScore: body.kind === 'score' ? (body.maxScore ?? BALLOT_DEFAULTS.maxScore) : BALLOT_DEFAULTS.maxScore,
    dotsPerVoter:
      body.kind === 'dot_vote'
        ? (body.dotsPerVoter ?? BALLOT_DEFAULTS.dotsPerVoter)
        : BALLOT_DEFAULTS.dotsPerVoter,
  };
}

/** A new proposal's quorum and thresholds; each only where its kind has a use for it. */
export function decisionThresholds(body: CreateProposalBody): DecisionThresholds {
  const passPercent = body.passPercent ?? null;
  if (passPercent !== null && !PASS_PERCENT_KINDS.includes(body.kind)) {
    throw invalid(
      '/passPercent',
      `applies to ${PASS_PERCENT_KINDS.join(', ')}: a ${body.kind.replace('_', ' ')} passes when one option leads`,
    );
  }
  if (body.blockVetoes !== undefined && body.kind !== 'proposal') {
    throw invalid('/blockVetoes', 'applies to consent proposals only (kind "proposal")');
  }
  return { quorumPercent: body.quorumPercent ?? null, passPercent, blockVetoes: body.blockVetoes ?? true };
}
