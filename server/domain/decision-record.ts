/**
 * The decision record: a closed proposal written down so that anyone can count
 * it again, and the SHA-256 chain that seals a group's records in order.
 * Pure: the service reads the rows and stores what `sealRecord` answers;
 * `plenary verify` runs `verifyDecisionFile` on a downloaded file, with no
 * server and no database.
 */
import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ballotRulesOf } from '../../shared/ballot';
import { DecisionRecord } from '../../shared/schemas/decision-record';
import type { Choice, ProposalKind } from '../../shared/schemas/proposals';
import { type TalliedResults, tallyProposal } from './tally';

export const RECORD_FORMAT = 'plenary-decision-record';
export const RECORD_VERSION = 1;

/** How each kind is counted, in the record's words (server/domain/tally.ts is the count itself). */
export const TALLY_METHODS: Record<ProposalKind, string> = {
  proposal: 'consent: ballots per position (agree, abstain, disagree, block); blocked when anyone blocks',
  poll: 'plurality: ballots per option; the most chosen lead',
  score: 'score: total and mean per option, every ballot scoring every option',
  dot_vote: 'dot vote: dots per option',
  ranked_choice:
    'instant runoff (fewest first preferences eliminated each round), with Borda points and the Schulze winner',
  meeting:
    'meeting: yes counts 2, if need be 1; the best slot has the most yes, then the most if need be, then is earliest',
};

/**
 * JSON with object keys sorted (by UTF-16 code units) and no spaces: one text
 * per value, so a hash over it does not depend on who wrote the file or how.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // undefined, functions and symbols have no JSON form; a record never holds them.
    if (text === undefined) throw new TypeError(`no JSON form for ${String(value)}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of the record's canonical JSON, its own `hash` left out. */
export function recordHash(record: Omit<DecisionRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...sealed } = record;
  return createHash('sha256').update(canonicalJson(sealed)).digest('hex');
}

/** The record with its hash. */
export function sealRecord(record: Omit<DecisionRecord, 'hash'>): DecisionRecord {
  return { ...record, hash: recordHash(record) };
}

/** Counts the record's ballots again, each as many times as its weight, by the proposal's own rules. */
export function countRecord(
  record: Pick<DecisionRecord, 'proposal' | 'ballots' | 'eligibleCount'>,
): TalliedResults {
  const p = record.proposal;
  const ballots: Choice[][] = [];
  for (const ballot of record.ballots) for (let i = 0; i < ballot.weight; i++) ballots.push(ballot.choices);
  return tallyProposal(ballotRulesOf(p), ballots, record.eligibleCount, {
    quorumPercent: p.quorumPercent,
    passPercent: p.passPercent,
    blockVetoes: p.blockVetoes,
  });
}

const checkShape = addFormats(new Ajv({ allErrors: true, strict: false })).compile(DecisionRecord);

export interface VerifyReport {
  records: number;
  /** Each difference found, naming the record and what does not match; empty: all is as recorded. */
  problems: string[];
  /** The newest record's hash, to compare with what the group publishes. */
  lastHash: string | null;
}

/**
 * Checks a downloaded record (`GET /proposals/:id/record`) or chain (`GET
 * /groups/:id/record`): each record's shape, its results counted again from
 * its ballots, its hash, and in a chain that each record names the hash of the
 * one before and follows it in sequence.
 */
export function verifyDecisionFile(file: unknown): VerifyReport {
  const chain =
    typeof file === 'object' && file !== null && Array.isArray((file as { items?: unknown }).items);
  const records: unknown[] = chain ? (file as { items: unknown[] }).items : [file];
  const problems: string[] = [];
  let previous: DecisionRecord | null = null;
  for (const [i, candidate] of records.entries()) {
    const where = chain ? `record ${i + 1}` : 'the record';
    if (!checkShape(candidate)) {
      const first = checkShape.errors?.[0];
      problems.push(
        `${where} is not a decision record: ${first?.instancePath || '(the record)'} ${first?.message ?? ''}`.trim(),
      );
      previous = null;
      continue;
    }
    const record = candidate as DecisionRecord;
    const named = `${where} (sequence ${record.sequence}, "${record.proposal.title}")`;
    const difference = firstDifference(record.results, countRecord(record), '/results');
    if (difference) problems.push(`${named}: results do not match its ballots: ${difference}`);
    const hash = recordHash(record);
    if (hash !== record.hash)
      problems.push(`${named}: hash is ${record.hash}, but the record hashes to ${hash}`);
    if (chain && previous) {
      if (record.previousHash !== previous.hash) {
        problems.push(
          `${named}: previousHash ${record.previousHash} is not the hash of the record before (${previous.hash})`,
        );
      }
      if (record.sequence !== previous.sequence + 1) {
        problems.push(`${named}: sequence ${record.sequence} does not follow ${previous.sequence}`);
      }
      if (record.groupId !== previous.groupId) problems.push(`${named}: belongs to another group`);
    } else if (chain && i === 0 && record.sequence === 1 && record.previousHash !== null) {
      problems.push(`${named}: the group's first record names a previous hash`);
    }
    previous = record;
  }
  const last = records.at(-1) as Partial<DecisionRecord> | undefined;
  return { records: records.length, problems, lastHash: typeof last?.hash === 'string' ? last.hash : null };
}

/** Where two JSON values first differ, as "path: file says x, counted y"; null when equal. */
function firstDifference(stated: unknown, counted: unknown, path: string): string | null {
  if (canonicalJson(stated) === canonicalJson(counted)) return null;
  const bothObjects =
    typeof stated === 'object' && stated !== null && typeof counted === 'object' && counted !== null;
  if (bothObjects && Array.isArray(stated) === Array.isArray(counted)) {
    const keys = new Set([...Object.keys(stated), ...Object.keys(counted)]);
    for (const key of [...keys].sort()) {
      const found = firstDifference(
        (stated as Record<string, unknown>)[key],
        (counted as Record<string, unknown>)[key],
        `${path}/${key}`,
      );
      if (found) return found;
    }
  }
  return `${path}: the file says ${short(stated)}, counting gives ${short(counted)}`;
}

function short(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
