import type { Delegation, DelegationPage } from '../../shared/schemas/delegations';
import type { FollowedVote, Vote } from '../../shared/schemas/proposals';
import { api } from './api';

export type { Delegation } from '../../shared/schemas/delegations';
export type { FollowedVote, MyDelegate } from '../../shared/schemas/proposals';

const enc = encodeURIComponent;

/** Where a delegation applies: the whole group, or one proposal (overriding the group one). */
export type DelegationScope = { groupId: string } | { proposalId: string };

function pathOf(scope: DelegationScope): string {
  return 'groupId' in scope
    ? `/groups/${enc(scope.groupId)}/delegation`
    : `/proposals/${enc(scope.proposalId)}/delegation`;
}

/** Lets the caller's vote follow `delegateId`'s unless they vote themselves. */
export async function delegate(scope: DelegationScope, delegateId: string): Promise<Delegation> {
  return (await api<{ delegation: Delegation }>('PUT', pathOf(scope), { body: { delegateId } })).delegation;
}

/** Withdraws the caller's delegation in that scope. */
export async function undelegate(scope: DelegationScope): Promise<void> {
  await api<void>('DELETE', pathOf(scope));
}

/** Every delegation of the group (they are public to its members), following the pages. */
export async function listDelegations(groupId: string, signal?: AbortSignal): Promise<Delegation[]> {
  const all: Delegation[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '200' });
    if (cursor) query.set('cursor', cursor);
    const page: DelegationPage = await api<DelegationPage>(
      'GET',
      `/groups/${enc(groupId)}/delegations?${query}`,
      {
        signal,
      },
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Whether the viewer's vote is a delegate's they follow, rather than their own. */
export function isFollowedVote(vote: Vote | FollowedVote | null | undefined): vote is FollowedVote {
  return Boolean(vote && 'delegatedTo' in vote);
}

/** The viewer's own vote, if they cast one themselves. */
export function ownVote(vote: Vote | FollowedVote | null | undefined): Vote | null {
  return vote && !isFollowedVote(vote) ? vote : null;
}
