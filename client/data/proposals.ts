import type {
  Choice,
  CreateProposalBody,
  Outcome,
  OutcomeBody,
  Proposal,
  ProposalKind,
  ProposalOption,
  ProposalPermissions,
  Results,
  Vote,
  VoteBody,
} from '../../shared/schemas/proposals';
import { API_BASE, api } from './api';

export type {
  Choice,
  CreateProposalBody,
  Outcome,
  OutcomeBody,
  Proposal,
  ProposalKind,
  ProposalOption,
  ProposalPermissions,
  Results,
  Vote,
  VoteBody,
};

/** One line of `results.options`. */
export type OptionResult = Results['options'][number];
/** One instant-runoff round of a ranked-choice result. */
export type RunoffRound = NonNullable<Results['rounds']>[number];
/** A member named in a list (the undecided, say). */
export interface PersonRef {
  id: string;
  name: string;
}
/** One entry of the decision log: a closed proposal and the thread it was decided in. */
export interface Decision {
  proposal: Proposal;
  thread: { id: string; title: string };
  /** Its newest link in the group's decision chain; null when closed before records were kept. */
  record: { sequence: number; hash: string } | null;
}
/** The formats the decision log downloads as. */
export type DecisionFormat = 'json' | 'csv' | 'md';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const enc = encodeURIComponent;

/** Puts a new proposal of any kind to a vote in a thread. */
export async function createProposal(threadId: string, body: CreateProposalBody): Promise<Proposal> {
  return (await api<{ proposal: Proposal }>('POST', `/threads/${enc(threadId)}/proposals`, { body }))
    .proposal;
}

/** One proposal as the caller sees it, with `myVote`. */
export async function getProposal(proposalId: string, signal?: AbortSignal): Promise<Proposal> {
  return (await api<{ proposal: Proposal }>('GET', `/proposals/${enc(proposalId)}`, { signal })).proposal;
}

/** One page of a group's proposals, newest first. */
export async function listGroupProposals(
  groupId: string,
  options: { status?: 'open' | 'closed'; cursor?: string | null; limit?: number; signal?: AbortSignal } = {},
): Promise<Page<Proposal>> {
  const query = new URLSearchParams({ limit: String(options.limit ?? 50) });
  if (options.status) query.set('status', options.status);
  if (options.cursor) query.set('cursor', options.cursor);
  return api<Page<Proposal>>('GET', `/groups/${enc(groupId)}/proposals?${query}`, { signal: options.signal });
}

/** Casts or replaces the caller's vote. */
export async function castVote(proposalId: string, body: VoteBody): Promise<Vote> {
  return (await api<{ vote: Vote }>('PUT', `/proposals/${enc(proposalId)}/vote`, { body })).vote;
}

/** Withdraws the caller's vote (while the proposal is open). */
export async function retractVote(proposalId: string): Promise<void> {
  await api<void>('DELETE', `/proposals/${enc(proposalId)}/vote`);
}

/**
 * Every vote the caller may see, following the cursor: everyone's (voter
 * `null` on anonymous proposals), or only their own while results are hidden.
 */
export async function listVotes(proposalId: string, signal?: AbortSignal): Promise<Vote[]> {
  const all: Vote[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '200' });
    if (cursor) query.set('cursor', cursor);
    const page: Page<Vote> = await api<Page<Vote>>('GET', `/proposals/${enc(proposalId)}/votes?${query}`, {
      signal,
    });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Members who may vote and have not yet. */
export async function listUndecided(proposalId: string, signal?: AbortSignal): Promise<PersonRef[]> {
  return (await api<{ items: PersonRef[] }>('GET', `/proposals/${enc(proposalId)}/undecided`, { signal }))
    .items;
}

/** Closes voting now (facilitators, the author), optionally stating the outcome in the same step. */
export async function closeProposal(proposalId: string, outcome?: OutcomeBody): Promise<Proposal> {
  const body = outcome ? { outcome } : {};
  return (await api<{ proposal: Proposal }>('POST', `/proposals/${enc(proposalId)}/close`, { body }))
    .proposal;
}

/**
 * Notifies the members who have not voted yet, now (facilitators and the
 * author, while open); resolves with how many. At most once an hour per
 * proposal: sooner rejects with a 429 ApiError whose message says when.
 */
export async function remindNonVoters(proposalId: string): Promise<number> {
  return (await api<{ notified: number }>('POST', `/proposals/${enc(proposalId)}/remind`)).notified;
}

/** States (or restates) the outcome of a closed proposal. */
export async function stateOutcome(proposalId: string, body: OutcomeBody): Promise<Proposal> {
  return (await api<{ proposal: Proposal }>('POST', `/proposals/${enc(proposalId)}/outcome`, { body }))
    .proposal;
}

/** Opens a closed proposal again until `closesAt` (facilitators). */
export async function reopenProposal(proposalId: string, closesAt: string): Promise<Proposal> {
  return (
    await api<{ proposal: Proposal }>('POST', `/proposals/${enc(proposalId)}/reopen`, { body: { closesAt } })
  ).proposal;
}

/** The group's decision log: every closed proposal, newest decision first. */
export async function listDecisions(groupId: string, signal?: AbortSignal): Promise<Decision[]> {
  return (await api<Page<Decision>>('GET', `/groups/${enc(groupId)}/decisions?format=json`, { signal }))
    .items;
}

/** The address that downloads a closed proposal's decision record (for a plain link). */
export function recordUrl(proposalId: string): string {
  return `${API_BASE}/proposals/${enc(proposalId)}/record`;
}

/** The address that downloads the decision log in `format` (for a plain link). */
export function decisionsUrl(groupId: string, format: DecisionFormat): string {
  return `${API_BASE}/groups/${enc(groupId)}/decisions?format=${format}`;
}
