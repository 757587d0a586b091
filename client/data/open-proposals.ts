/**
 * A thread page's proposals at a glance: the open ones in the order a reader
 * should see them, and how the thread's events change that list. (What the
 * page says about them is in open-proposal-text.ts, which loads with the
 * first proposal shown.) Pure: no DOM, no I/O, no clock.
 */
import { isFollowedVote } from './delegations';
import type { Outcome, Proposal, Results, Vote } from './proposals';
import type { StreamEvent } from './stream';

/**
 * The open proposals in reading order: those the reader has not voted on
 * first (their vote is what is missing), then the soonest to close.
 */
export function sortOpenProposals(list: readonly Proposal[]): Proposal[] {
  const voted = (p: Proposal) => (p.myVote ? 1 : 0);
  return list
    .filter((p) => !p.closedAt)
    .sort(
      (a, b) =>
        voted(a) - voted(b) ||
        Date.parse(a.closesAt) - Date.parse(b.closesAt) ||
        a.title.localeCompare(b.title),
    );
}

/**
 * Whether an outcome row of the timeline states what the proposal's own row
 * already shows (its current outcome): the row then only says that it was
 * stated, so that the statement is read once. A superseded statement is history
 * and keeps its own row.
 */
export function outcomeIsCurrent(rowOutcome: Outcome | undefined, p: Pick<Proposal, 'outcome'>): boolean {
  const current = p.outcome;
  if (!current) return false;
  if (!rowOutcome) return true;
  return rowOutcome.createdAt === current.createdAt && rowOutcome.statement === current.statement;
}

/** What {@link applyOpenProposalEvent} made of one event. */
export interface OpenProposalsChange {
  proposals: Proposal[];
  /** Proposals to ask for over HTTP: the reader's own part in them (`myVote`, `myDelegate`) may have changed. */
  refetch: string[];
}

/** `vote.cast`, `vote.retracted` and `proposal.recounted` data, as far as the list reads it. */
interface VoteEventData {
  proposalId?: string;
  vote?: Vote;
  voter?: { id: string } | null;
  voterCount?: number;
  representedCount?: number;
  eligibleCount?: number;
  results?: Results | null;
}

/** Fields the server gives per viewer and leaves out of events: an event must not erase them. */
function keepViewerFields(incoming: Proposal, current: Proposal | undefined): Proposal {
  const { myVote, myDelegate, permissions, ...shared } = incoming;
  if (!current) return { ...shared };
  return {
    ...shared,
    ...(current.myVote !== undefined ? { myVote: current.myVote } : {}),
    ...(current.myDelegate !== undefined ? { myDelegate: current.myDelegate } : {}),
    ...(current.permissions !== undefined ? { permissions: current.permissions } : {}),
  };
}

/**
 * The open proposals of a thread after one of its events: created and
 * reopened ones join (to be fetched for the reader's own vote), closed ones
 * leave, edits replace, and votes and recounts move the counts (and the
 * reader's own vote when the event names them as the voter; a vote that
 * follows a delegate's is asked for again, as events carry only counts).
 */
export function applyOpenProposalEvent(
  list: readonly Proposal[],
  event: StreamEvent,
  viewerId: string | null,
): OpenProposalsChange {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const same = { proposals: list as Proposal[], refetch: [] };
  switch (event.kind) {
    case 'proposal.created':
    case 'proposal.reopened':
    case 'proposal.updated': {
      const incoming = data.proposal as Proposal | undefined;
      if (!incoming) return same;
      const current = list.find((p) => p.id === incoming.id);
      const others = list.filter((p) => p.id !== incoming.id);
      if (incoming.closedAt) return { proposals: others, refetch: [] };
      if (event.kind === 'proposal.updated' && !current) return same;
      return {
        proposals: [...others, keepViewerFields(incoming, current)],
        refetch: current?.myVote !== undefined ? [] : [incoming.id],
      };
    }
    case 'proposal.closed': {
      const id = (data.proposal as Proposal | undefined)?.id ?? (data.proposalId as string | undefined);
      return id && list.some((p) => p.id === id)
        ? { proposals: list.filter((p) => p.id !== id), refetch: [] }
        : same;
    }
    case 'vote.cast':
    case 'vote.retracted':
    case 'proposal.recounted': {
      const vote = data as VoteEventData;
      const current = list.find((p) => p.id === vote.proposalId);
      if (!current) return same;
      const voter = event.kind === 'vote.cast' ? (vote.vote?.voter ?? null) : (vote.voter ?? null);
      const mine = voter !== null && viewerId !== null && voter.id === viewerId;
      const next: Proposal = {
        ...current,
        ...(typeof vote.voterCount === 'number' ? { voterCount: vote.voterCount } : {}),
        ...(typeof vote.representedCount === 'number'
          ? { representedCount: vote.representedCount }
          : typeof vote.voterCount === 'number' && event.kind !== 'proposal.recounted'
            ? { representedCount: vote.voterCount }
            : {}),
        ...(typeof vote.eligibleCount === 'number' ? { eligibleCount: vote.eligibleCount } : {}),
        ...('results' in vote ? { results: vote.results ?? null } : {}),
        ...(mine ? { myVote: event.kind === 'vote.cast' ? (vote.vote ?? null) : null } : {}),
      };
      return {
        proposals: list.map((p) => (p === current ? next : p)),
        refetch: !mine && followsSomeoneElse(current, event.kind) ? [current.id] : [],
      };
    }
    default:
      return same;
  }
}

/** Whether the reader's vote may have moved with someone else's vote or delegation. */
function followsSomeoneElse(p: Proposal, kind: string): boolean {
  if (!p.delegation) return false;
  if (kind === 'proposal.recounted') return true;
  const mine = p.myVote;
  return Boolean(p.myDelegate) || isFollowedVote(mine) || Boolean(mine && mine.weight > 1);
}
