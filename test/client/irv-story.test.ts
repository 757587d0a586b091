import { describe, expect, test } from 'vitest';
import { tallyProposal } from '../../server/domain/tally';
import { irvStory } from '../../shared/irv-story';
import type { ProposalOption } from '../../shared/schemas/proposals';

/**
 * Ranked ballots counted by the real tally, then told in words: each ballot is its options' labels,
 * best first, written "A > B".
 */
function story(labels: string[], ballots: string[], closed = false): string[] {
  const options: ProposalOption[] = labels.map((label, i) => ({ id: `o${i + 1}`, label }));
  const idOf = (label: string) => options.find((o) => o.label === label.trim())!.id;
  const choices = ballots.map((ballot) =>
    ballot.split('>').map((label, i) => ({ optionId: idOf(label), rank: i + 1 })),
  );
  const rules = {
    kind: 'ranked_choice' as const,
    options,
    minChoices: 1,
    maxChoices: 6,
    maxScore: 5,
    dotsPerVoter: 10,
  };
  const results = tallyProposal(rules, choices, ballots.length + 1);
  const lines = irvStory(
    { kind: 'ranked_choice', options, closedAt: closed ? '2026-03-02T12:00:00.000Z' : null },
    results,
  );
  expect(lines.map((line) => line.round)).toEqual(lines.map((_, i) => i + 1));
  return lines.map((line) => line.text);
}

const times = (n: number, ballot: string) => Array.from({ length: n }, () => ballot);

describe('the instant runoff in words', () => {
  test('one vote moves on to a named option; the last round says who leads with how many of how many', () => {
    expect(
      story(
        ['Commons Circle', 'Tech Stewards', 'Ward Assembly'],
        [...times(2, 'Commons Circle'), ...times(2, 'Ward Assembly'), 'Tech Stewards > Commons Circle'],
      ),
    ).toEqual([
      'Tech Stewards had the fewest votes and was eliminated; its 1 vote moved to Commons Circle.',
      'Commons Circle leads with 3 of 5 votes.',
    ]);
  });

  test('once voting has closed the last round says who won', () => {
    expect(story(['Apples', 'Bananas'], ['Apples', 'Apples', 'Bananas'], true)).toEqual([
      'Apples won with 2 of 3 votes.',
    ]);
  });

  test('votes split between several options and exhausted ballots are each counted and named', () => {
    expect(
      story(
        ['Commons Circle', 'Riverside', 'Tech Stewards', 'Ward Assembly'],
        [
          ...times(5, 'Commons Circle'),
          ...times(5, 'Riverside'),
          ...times(5, 'Ward Assembly'),
          'Tech Stewards > Commons Circle',
          'Tech Stewards > Riverside',
          'Tech Stewards > Commons Circle',
          'Tech Stewards',
        ],
      )[0],
    ).toBe(
      'Tech Stewards had the fewest votes and was eliminated; of its 4 votes, 2 moved to Commons Circle, 1 to Riverside and 1 was exhausted (no further preference).',
    );
  });

  test('votes with no further preference are exhausted, singular and plural', () => {
    // Cherries (2) and Damsons (1) together are fewer than Apples or Bananas (5): out together.
    expect(
      story(
        ['Apples', 'Bananas', 'Cherries', 'Damsons'],
        [...times(5, 'Apples'), ...times(5, 'Bananas'), ...times(2, 'Cherries'), 'Damsons'],
      ),
    ).toEqual([
      'Cherries (2 votes) and Damsons (1 vote) had the fewest votes and were eliminated together, as even combined they could not catch up; their 3 votes were exhausted (no further preference).',
      'Apples and Bananas are tied with 5 votes each of 10; 3 ballots were exhausted.',
    ]);
    const single = story(
      ['Apples', 'Bananas', 'Cherries'],
      [...times(4, 'Apples'), ...times(4, 'Bananas'), ...times(2, 'Cherries > Apples'), 'Cherries'],
    );
    expect(single[0]).toBe(
      'Cherries had the fewest votes and was eliminated; of its 3 votes, 2 moved to Apples and 1 was exhausted (no further preference).',
    );
    expect(single[1]).toBe('Apples leads with 6 of 10 votes; 1 ballot was exhausted.');
  });

  test('a tie at the top stops the count, closed or open', () => {
    const ballots = [...times(3, 'Apples'), ...times(3, 'Bananas > Apples'), ...times(3, 'Cherries')];
    expect(story(['Apples', 'Bananas', 'Cherries'], ballots)).toEqual([
      'Apples, Bananas and Cherries are tied with 3 votes each of 9.',
    ]);
    expect(story(['Apples', 'Bananas', 'Cherries'], ballots, true)).toEqual([
      'Apples, Bananas and Cherries tied with 3 votes each of 9.',
    ]);
  });

  test('an option with no votes goes out in the first round, with nothing to pass on', () => {
    expect(
      story(['Apples', 'Bananas', 'Cherries'], ['Apples', 'Apples', 'Bananas', 'Bananas > Apples']),
    ).toEqual([
      'Cherries had no votes and was eliminated; it had no votes to pass on.',
      'Apples and Bananas are tied with 2 votes each of 4.',
    ]);
  });

  test('a tie for the fewest votes is said as such, with how it was broken: an earlier round', () => {
    const lines = story(
      ['Apples', 'Bananas', 'Cherries', 'Damsons'],
      [
        ...times(3, 'Apples > Cherries'),
        ...times(2, 'Bananas > Cherries'),
        ...times(5, 'Cherries'),
        'Damsons > Bananas > Cherries',
      ],
    );
    expect(lines).toEqual([
      'Damsons had the fewest votes and was eliminated; its 1 vote moved to Bananas.',
      'Apples and Bananas tied for the fewest votes (3 each) and Bananas, with fewer in round 1, was eliminated; its 3 votes moved to Cherries.',
      'Cherries leads with 8 of 11 votes.',
    ]);
  });

  test('a tie for the fewest votes in the first round goes to the option listed last', () => {
    expect(
      story(
        ['Apples', 'Bananas', 'Cherries'],
        [...times(2, 'Apples > Cherries'), ...times(2, 'Bananas > Apples'), ...times(3, 'Cherries')],
        true,
      ),
    ).toEqual([
      'Apples and Bananas tied for the fewest votes (2 each) and Bananas, listed last of them, was eliminated; its 2 votes moved to Apples.',
      'Apples won with 4 of 7 votes.',
    ]);
  });

  test('a label that ends in punctuation ends the sentence without another mark', () => {
    const lines = story(['Yes!', 'No', 'Not sure?'], ['Yes!', 'Yes!', 'No', 'No', 'Not sure? > Yes!'], true);
    expect(lines).toEqual([
      'Not sure? had the fewest votes and was eliminated; its 1 vote moved to Yes!',
      'Yes! won with 3 of 5 votes.',
    ]);
    for (const line of lines) expect(line).not.toMatch(/[!?][.:]/);
  });

  test('options nobody ranked go out together in the first round', () => {
    expect(
      story(['Apples', 'Bananas', 'Cherries', 'Damsons'], ['Apples', 'Apples', 'Bananas', 'Bananas']),
    ).toEqual([
      'Cherries and Damsons had no votes and were eliminated; they had no votes to pass on.',
      'Apples and Bananas are tied with 2 votes each of 4.',
    ]);
  });

  test('no ballots, no story', () => {
    expect(story(['Apples', 'Bananas'], [])).toEqual([]);
  });
});
