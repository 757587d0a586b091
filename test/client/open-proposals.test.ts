import { describe, expect, test } from 'vitest';
import { closedProposalLine, myVoteNote, openProposalState } from '../../client/data/open-proposal-text';
import {
  applyOpenProposalEvent,
  outcomeIsCurrent,
  sortOpenProposals,
} from '../../client/data/open-proposals';
import type { Outcome, Proposal, Vote } from '../../client/data/proposals';
import type { StreamEvent } from '../../client/data/stream';
import { consent, DAY, HOUR, NOW, proposal, results } from './proposal-fixtures';

const at = (ms: number) => new Date(NOW + ms).toISOString();

function vote(over: Partial<Vote> = {}): Vote {
  return {
    proposalId: 'p1',
    voter: { id: 'me', name: 'Me' },
    choices: [{ optionId: 'a' }],
    reason: null,
    createdAt: at(0),
    updatedAt: at(0),
    weight: 1,
    ...over,
  } as Vote;
}

let nextId = 100;
function event(kind: string, data: Record<string, unknown>): StreamEvent {
  return { id: nextId++, groupId: 'g1', threadId: 't1', actor: null, kind, at: at(0), data } as StreamEvent;
}

describe('sortOpenProposals', () => {
  test('those the reader has not voted on first, then the soonest to close; closed ones left out', () => {
    const voted = proposal({ id: 'voted', closesAt: at(HOUR), myVote: vote() });
    const later = proposal({ id: 'later', closesAt: at(2 * DAY), myVote: null });
    const sooner = proposal({ id: 'sooner', closesAt: at(3 * HOUR) });
    const closed = proposal({ id: 'closed', closedAt: at(-HOUR) });
    expect(sortOpenProposals([voted, later, closed, sooner]).map((p) => p.id)).toEqual([
      'sooner',
      'later',
      'voted',
    ]);
  });

  test('a vote that follows a delegate counts as voted', () => {
    const followed = proposal({
      id: 'followed',
      closesAt: at(HOUR),
      myVote: { proposalId: 'followed', delegatedTo: { id: 'b', name: 'Bea' }, via: null, choices: [] },
    });
    const open = proposal({ id: 'open', closesAt: at(DAY) });
    expect(sortOpenProposals([followed, open]).map((p) => p.id)).toEqual(['open', 'followed']);
  });
});

describe('openProposalState', () => {
  test('how many voted and when it closes, in full and compact', () => {
    const p = proposal({ voterCount: 3, eligibleCount: 7, closesAt: at(5 * HOUR) });
    expect(openProposalState(p, NOW)).toBe('3 of 7 members have voted · closes in 5 h');
    expect(openProposalState(p, NOW, true)).toBe('3 of 7 voted · closes in 5 h');
  });
});

describe('myVoteNote', () => {
  test('own vote, a followed vote, none, unknown', () => {
    expect(myVoteNote({ myVote: vote() })).toBe('You voted');
    expect(
      myVoteNote({
        myVote: { proposalId: 'p1', delegatedTo: { id: 'b', name: 'Bea Okafor' }, via: null, choices: [] },
      }),
    ).toBe('Your vote follows Bea Okafor’s');
    expect(myVoteNote({ myVote: null })).toBeNull();
    expect(myVoteNote({})).toBeNull();
  });
});

describe('closedProposalLine', () => {
  test('the verdict when the proposal set a threshold', () => {
    const p = consent({
      closedAt: at(-HOUR),
      passPercent: 60,
      voterCount: 3,
      representedCount: 3,
      eligibleCount: 4,
      results: results({
        options: [
          { optionId: 'agree', count: 2, score: 2, percent: 66.7 },
          { optionId: 'disagree', count: 1, score: 1, percent: 33.3 },
        ],
        winnerIds: ['agree'],
        verdict: 'passed',
      }),
    });
    expect(closedProposalLine(p)).toMatch(/^Passed: 66.7% agree/);
  });

  test('else the winner, or nothing when nobody voted', () => {
    const p = proposal({
      closedAt: at(-HOUR),
      results: results({ options: [{ optionId: 'b', count: 2, score: 2, percent: 100 }], winnerIds: ['b'] }),
    });
    expect(closedProposalLine(p)).toBe('Winner: Café');
    expect(closedProposalLine(proposal({ closedAt: at(-HOUR), results: results() }))).toBeNull();
    expect(closedProposalLine(proposal({ closedAt: at(-HOUR), results: null }))).toBeNull();
  });
});

describe('outcomeIsCurrent', () => {
  const stated: Outcome = {
    statement: 'We meet at the café.',
    author: null,
    createdAt: at(0),
    reviewOn: null,
  };
  test('the row of the current statement repeats it; a replaced one does not', () => {
    expect(outcomeIsCurrent(stated, { outcome: stated })).toBe(true);
    expect(outcomeIsCurrent(undefined, { outcome: stated })).toBe(true);
    expect(
      outcomeIsCurrent({ ...stated, statement: 'Library.', createdAt: at(-DAY) }, { outcome: stated }),
    ).toBe(false);
    expect(outcomeIsCurrent(stated, { outcome: null })).toBe(false);
  });
});

describe('applyOpenProposalEvent', () => {
  const open = proposal({ id: 'p1', voterCount: 1, eligibleCount: 5, myVote: null, delegation: false });

  test('a created proposal joins and is fetched for the reader’s vote; one already known keeps it', () => {
    const created = proposal({ id: 'p2' });
    const change = applyOpenProposalEvent([open], event('proposal.created', { proposal: created }), 'me');
    expect(change.proposals.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(change.refetch).toEqual(['p2']);
    const again = applyOpenProposalEvent(
      [open],
      event('proposal.reopened', { proposal: { ...open, myVote: undefined } }),
      'me',
    );
    expect(again.proposals[0]!.myVote).toBeNull();
    expect(again.refetch).toEqual([]);
  });

  test('a closed proposal leaves; an edit replaces, keeping the reader’s vote', () => {
    const closed = applyOpenProposalEvent(
      [open],
      event('proposal.closed', { proposal: { ...open, closedAt: at(0) } }),
      'me',
    );
    expect(closed.proposals).toEqual([]);
    const mine = { ...open, myVote: vote() };
    const edited = applyOpenProposalEvent(
      [mine],
      event('proposal.updated', { proposal: { ...open, title: 'Where now?' } }),
      'me',
    );
    expect(edited.proposals[0]).toMatchObject({ title: 'Where now?', myVote: vote() });
    // An edit of a proposal not listed (closed) does not bring it in.
    expect(applyOpenProposalEvent([], event('proposal.updated', { proposal: open }), 'me').proposals).toEqual(
      [],
    );
  });

  test('votes move the counts, and the reader’s own vote when the event names them', () => {
    const others = applyOpenProposalEvent(
      [open],
      event('vote.cast', {
        proposalId: 'p1',
        vote: vote({ voter: { id: 'bea', name: 'Bea' } }),
        voterCount: 2,
        eligibleCount: 5,
        results: null,
      }),
      'me',
    );
    expect(others.proposals[0]).toMatchObject({ voterCount: 2, representedCount: 2, myVote: null });
    const mine = applyOpenProposalEvent(
      others.proposals,
      event('vote.cast', { proposalId: 'p1', vote: vote(), voterCount: 3, eligibleCount: 5, results: null }),
      'me',
    );
    expect(mine.proposals[0]).toMatchObject({ voterCount: 3, myVote: vote() });
    const retracted = applyOpenProposalEvent(
      mine.proposals,
      event('vote.retracted', {
        proposalId: 'p1',
        voter: { id: 'me', name: 'Me' },
        voterCount: 2,
        eligibleCount: 5,
        results: null,
      }),
      'me',
    );
    expect(retracted.proposals[0]).toMatchObject({ voterCount: 2, myVote: null });
  });

  test('where the reader’s vote follows a delegate, votes and recounts fetch it again', () => {
    const following: Proposal = {
      ...open,
      delegation: true,
      myVote: { proposalId: 'p1', delegatedTo: { id: 'bea', name: 'Bea' }, via: null, choices: [] },
    };
    const cast = applyOpenProposalEvent(
      [following],
      event('vote.cast', {
        proposalId: 'p1',
        vote: vote({ voter: { id: 'bea', name: 'Bea' } }),
        voterCount: 2,
        representedCount: 3,
        eligibleCount: 5,
        results: null,
      }),
      'me',
    );
    expect(cast.proposals[0]).toMatchObject({ voterCount: 2, representedCount: 3 });
    expect(cast.refetch).toEqual(['p1']);
    const plain = applyOpenProposalEvent(
      [open],
      event('proposal.recounted', { proposalId: 'p1', voterCount: 1, representedCount: 2, eligibleCount: 5 }),
      'me',
    );
    expect(plain.proposals[0]).toMatchObject({ representedCount: 2 });
    expect(plain.refetch).toEqual([]);
  });

  test('events about proposals not listed, and other events, change nothing', () => {
    const list = [open];
    for (const e of [
      event('vote.cast', { proposalId: 'other', voterCount: 9, eligibleCount: 9, results: null }),
      event('proposal.closed', { proposal: { ...open, id: 'other', closedAt: at(0) } }),
      event('comment.created', { comment: {} }),
    ]) {
      expect(applyOpenProposalEvent(list, e, 'me').proposals).toBe(list);
    }
  });
});
