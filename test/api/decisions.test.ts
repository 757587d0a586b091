import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { irvStory } from '../../shared/irv-story';
import { resultsSummary } from '../../shared/result-text';
import type { Proposal } from '../../shared/schemas/proposals';
import { createGroup, type Harness, type Person, signUp, startApp } from '../helpers/app';
import { type BulkMember, bulkMembers, createProposal } from '../helpers/factories';
import { startThread } from '../helpers/threads';

// The decision log's CSV and Markdown files word the results as the screen does (shared/result-text.ts,
// shared/irv-story.ts): every figure with its unit, "Winner" for a closed proposal, the runoff in words.
let h: Harness;
let facilitator: Person;
let voters: BulkMember[];
let groupId: string;
let threadId: string;

beforeAll(async () => {
  h = await startApp();
  facilitator = await signUp(h.app, { name: 'Fran Facilitator' });
  groupId = (await createGroup(h.app, facilitator, 'Commons Co-op')).id;
  voters = await bulkMembers(h, groupId, 5);
  threadId = (await startThread(h.app, facilitator, groupId)).id;
});
afterAll(() => h?.close());

const api = (method: string, url: string, who: { headers: Record<string, string> }, payload?: unknown) =>
  h.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: who.headers,
    payload: payload as object,
  });

async function decide(
  body: Record<string, unknown>,
  ballots: (ids: string[]) => unknown[][],
): Promise<string> {
  const p = await createProposal(h.app, facilitator, threadId, body);
  const ids = p.options.map((o) => o.id);
  for (const [i, choices] of ballots(ids).entries()) {
    const res = await api('PUT', `/proposals/${p.id}/vote`, voters[i]!, { choices });
    expect(res.statusCode, res.body).toBe(200);
  }
  expect((await api('POST', `/proposals/${p.id}/close`, facilitator, {})).statusCode).toBe(200);
  return p.id;
}

/** RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('the decision log downloads say what the screen says', () => {
  let ranked: string;
  let dots: string;
  let poll: string;

  beforeAll(async () => {
    const rank = (...ids: string[]) => ids.map((optionId, i) => ({ optionId, rank: i + 1 }));
    ranked = await decide(
      {
        kind: 'ranked_choice',
        title: 'Who stewards the commons?',
        options: [{ label: 'Commons Circle' }, { label: 'Tech Stewards' }, { label: 'Ward Assembly' }],
      },
      ([cc, ts, wa]) => [rank(cc!), rank(cc!), rank(wa!), rank(wa!), rank(ts!, cc!)],
    );
    dots = await decide(
      {
        kind: 'dot_vote',
        title: 'Where do the dots go?',
        options: [{ label: 'Garden' }, { label: 'Kitchen' }],
        dotsPerVoter: 10,
      },
      ([garden, kitchen]) => [
        [{ optionId: garden, score: 6 }],
        [
          { optionId: garden, score: 3 },
          { optionId: kitchen, score: 1 },
        ],
      ],
    );
    poll = await decide(
      { kind: 'poll', title: 'Do we go ahead?', options: [{ label: 'Yes!' }, { label: 'Not yet.' }] },
      ([yes, notYet]) => [[{ optionId: yes }], [{ optionId: yes }], [{ optionId: notYet }]],
    );
  });

  test('the CSV results column is the summary the decision log page shows, with labelled figures', async () => {
    const json = (await api('GET', `/groups/${groupId}/decisions`, facilitator)).json() as {
      items: { proposal: Proposal }[];
    };
    const proposals = new Map(json.items.map((d) => [d.proposal.id, d.proposal]));
    const res = await api('GET', `/groups/${groupId}/decisions?format=csv`, facilitator);
    const [header, ...rows] = parseCsv(res.body);
    const column = (name: string) => header!.indexOf(name);
    const row = (id: string) => rows.find((r) => r[column('proposal_id')] === id)!;
    for (const id of [ranked, dots, poll]) {
      const p = proposals.get(id)!;
      expect(row(id)[column('results')]).toBe(resultsSummary(p, p.results!));
    }
    expect(row(ranked)[column('results')]).toBe(
      'Commons Circle: 2 first preferences · 40% · 5 Borda points; Tech Stewards: 1 first preference · 20% · 2 Borda points; Ward Assembly: 2 first preferences · 40% · 4 Borda points',
    );
    expect(row(ranked)[column('winner')]).toBe('Commons Circle');
    expect(row(dots)[column('results')]).toBe('Garden: 9 dots · 90% of dots; Kitchen: 1 dot · 10% of dots');
    expect(row(poll)[column('results')]).toBe('Yes! 2 votes · 66.7%; Not yet. 1 vote · 33.3%');
    expect(row(poll)[column('winner')]).toBe('Yes!');
  });

  test('the Markdown names the winner as such, labels the tally and tells the runoff in words', async () => {
    const md = (await api('GET', `/groups/${groupId}/decisions?format=md`, facilitator)).body;
    const section = (title: string) => md.slice(md.indexOf(`## ${title}`)).split(/\n## /)[0]!;
    const rankedSection = section('Who stewards the commons?');
    expect(rankedSection).toContain('- Winner: Commons Circle\n');
    expect(rankedSection).toContain('- Tally: Commons Circle: 2 first preferences · 40% · 5 Borda points;');
    expect(rankedSection).toContain(
      [
        '- Instant runoff:',
        '  - Round 1: Tech Stewards had the fewest votes and was eliminated; its 1 vote moved to Commons Circle.',
        '  - Round 2: Commons Circle won with 3 of 5 votes.',
      ].join('\n'),
    );
    const json = (await api('GET', `/proposals/${ranked}`, facilitator)).json().proposal as Proposal;
    for (const line of irvStory(json, json.results!)) expect(rankedSection).toContain(line.text);

    const pollSection = section('Do we go ahead?');
    expect(pollSection).toContain('- Winner: Yes!\n');
    expect(pollSection).toContain('- Tally: Yes! 2 votes · 66.7%; Not yet. 1 vote · 33.3%');
    expect(pollSection).not.toMatch(/Yes!:|Yes!\.|yet\.[.:]/);
    expect(pollSection).not.toContain('Instant runoff');
    expect(section('Where do the dots go?')).toContain(
      '- Tally: Garden: 9 dots · 90% of dots; Kitchen: 1 dot · 10% of dots',
    );
  });
});
