import { CLOSING_SOON_HOURS } from '../../shared/limits';
import type { HomeProposal, HomeReply } from '../../shared/schemas/home';
import { api } from './api';
import { ownVote } from './delegations';
import type { Proposal } from './proposals';

export type { HomeProposal, HomeReply, HomeThread } from '../../shared/schemas/home';

/** What needs the caller across their groups (`GET /me/home`); `limit`: proposals per list (the server's first view unless given). */
export function getHome(limit?: number, signal?: AbortSignal): Promise<HomeReply> {
  return api<HomeReply>('GET', limit === undefined ? '/me/home' : `/me/home?limit=${limit}`, { signal });
}

/** Whether the proposal still takes votes at `now` (the server closes it within the minute after `closesAt`). */
export function isVotingOpen(p: Proposal, now: number): boolean {
  return !p.closedAt && Date.parse(p.closesAt) > now;
}

const byClosing = (a: HomeProposal, b: HomeProposal) =>
  Date.parse(a.proposal.closesAt) - Date.parse(b.proposal.closesAt) ||
  a.proposal.id.localeCompare(b.proposal.id);

/**
 * The home page's two proposal lists as they stand at `now`, from the
 * server's lists with each proposal replaced by its freshest form (`current`,
 * say a live store's): "needs your vote" keeps the open ones the viewer has
 * not voted on themselves (a vote following a delegate's still needs theirs);
 * "closing soon" keeps every open one closing within 48 hours, including
 * those of the first list that have come that close since the page loaded.
 * Both soonest close first.
 */
export function homeLists(
  reply: Pick<HomeReply, 'needsVote' | 'closingSoon'>,
  current: (p: Proposal) => Proposal,
  now: number,
): { needsVote: HomeProposal[]; closingSoon: HomeProposal[] } {
  const fresh = (item: HomeProposal): HomeProposal => {
    const proposal = current(item.proposal);
    return proposal === item.proposal ? item : { ...item, proposal };
  };
  const needs = reply.needsVote.map(fresh);
  const needsVote = needs
    .filter((i) => isVotingOpen(i.proposal, now) && !ownVote(i.proposal.myVote))
    .sort(byClosing);
  const horizon = now + CLOSING_SOON_HOURS * 3_600_000;
  const seen = new Set<string>();
  const closingSoon = [...reply.closingSoon.map(fresh), ...needs]
    .filter((i) => {
      if (seen.has(i.proposal.id)) return false;
      seen.add(i.proposal.id);
      return isVotingOpen(i.proposal, now) && Date.parse(i.proposal.closesAt) <= horizon;
    })
    .sort(byClosing);
  return { needsVote, closingSoon };
}
