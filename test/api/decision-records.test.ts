import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyDecisionFile } from '../../server/domain/decision-record';
import type { DecisionRecord } from '../../shared/schemas/decision-record';
import {
  addMembers,
  createGroup,
  expectError,
  type Harness,
  type Person,
  signUp,
  startApp,
} from '../helpers/app';
import { createProposal, inSeconds } from '../helpers/factories';
import { as } from '../helpers/requests';
import { startThread } from '../helpers/threads';

// API 1.1, "the decision record": GET /proposals/:id/record and /groups/:id/record, a SHA-256 chain.
let h: Harness;
let fran: Person;
let members: Person[];
let outsider: Person;
let groupId: string;
let threadId: string;

beforeAll(async () => {
  h = await startApp();
  fran = await signUp(h.app, { name: 'Fran Facilitator' });
  outsider = await signUp(h.app, { name: 'Oz Outsider' });
  groupId = (await createGroup(h.app, fran)).id;
  members = await addMembers(h.app, fran, groupId, 3);
  threadId = (await startThread(h.app, fran, groupId)).id;
});
afterAll(() => h?.close());

async function closedProposal(body: Record<string, unknown>, ballots: unknown[][], outcome?: string) {
  const p = await createProposal(h.app, fran, threadId, body);
  for (const [i, choices] of ballots.entries()) {
    const res = await as(h.app, members[i]!).put(`/api/v1/proposals/${p.id}/vote`, {
      choices,
      reason: `reason ${i}`,
    });
    expect(res.statusCode).toBe(200);
  }
  const closed = await as(h.app, fran).post(
    `/api/v1/proposals/${p.id}/close`,
    outcome ? { outcome: { statement: outcome } } : {},
  );
  expect(closed.statusCode).toBe(200);
  return closed.json().proposal;
}

const recordOf = async (id: string, who: Person = members[0]!) =>
  as(h.app, who).get(`/api/v1/proposals/${id}/record`);
const chain = async () => (await as(h.app, fran).get(`/api/v1/groups/${groupId}/record`)).json();

describe('the record of a closed proposal', () => {
  test('holds the proposal, every ballot with its weight, the results and the outcome, and verifies', async () => {
    const p = await closedProposal(
      { kind: 'proposal', quorumPercent: 50 },
      [[{ optionId: 'agree' }], [{ optionId: 'agree' }], [{ optionId: 'disagree' }]],
      'We form the union.',
    );
    const res = await recordOf(p.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const record = res.json() as DecisionRecord;
    expect(record).toMatchObject({
      format: 'plenary-decision-record',
      version: 1,
      groupId,
      reason: 'closed',
      eligibleCount: 4,
      proposal: { id: p.id, kind: 'proposal', quorumPercent: 50, closedAt: p.closedAt },
      results: p.results,
      outcome: { statement: 'We form the union.' },
    });
    expect(record.ballots).toHaveLength(3);
    expect(record.ballots.every((b) => b.weight === 1)).toBe(true);
    expect(record.ballots.map((b) => b.voter?.name).sort()).toEqual(members.map((m) => m.name).sort());
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyDecisionFile(record).problems).toEqual([]);
  });

  test('anonymous ballots appear under random ids with no voter', async () => {
    const p = await closedProposal({ kind: 'proposal', anonymous: true }, [
      [{ optionId: 'agree' }],
      [{ optionId: 'block' }],
    ]);
    const record = (await recordOf(p.id)).json() as DecisionRecord;
    expect(record.ballots.map((b) => b.voter)).toEqual([null, null]);
    const text = JSON.stringify(record);
    for (const m of members) expect(text).not.toContain(m.id);
    expect(new Set(record.ballots.map((b) => b.ballotId)).size).toBe(2);
    expect(verifyDecisionFile(record).problems).toEqual([]);
  });

  test('is for members once closed: 409 while open, 404 for outsiders, 401 signed out', async () => {
    const open = await createProposal(h.app, fran, threadId, { kind: 'proposal' });
    expectError(await recordOf(open.id), 409, 'conflict');
    const closed = await closedProposal({ kind: 'proposal' }, []);
    expectError(await recordOf(closed.id, outsider), 404, 'not_found');
    expectError(await as(h.app, null).get(`/api/v1/proposals/${closed.id}/record`), 401, 'unauthenticated');
    expectError(await as(h.app, outsider).get(`/api/v1/groups/${groupId}/record`), 404, 'not_found');
  });
});

describe("the group's chain", () => {
  test('links every record to the one before; a restated outcome extends it and rewrites nothing', async () => {
    const first = await closedProposal({ kind: 'poll', options: [{ label: 'A' }, { label: 'B' }] }, []);
    const before = await chain();
    const n = before.items.length;
    const restated = await as(h.app, fran).post(`/api/v1/proposals/${first.id}/outcome`, {
      statement: 'On reflection: B.',
    });
    expect(restated.statusCode).toBe(201);
    const after = await chain();
    expect(after.items).toHaveLength(n + 1);
    // Nothing before is changed: the earlier links are byte for byte what they were.
    expect(JSON.stringify(after.items.slice(0, n))).toBe(JSON.stringify(before.items));
    const last = after.items.at(-1) as DecisionRecord;
    expect(last).toMatchObject({
      reason: 'outcome',
      sequence: n + 1,
      previousHash: before.items.at(-1).hash,
      outcome: { statement: 'On reflection: B.' },
    });
    expect((await recordOf(first.id)).json().hash).toBe(last.hash);
    const report = verifyDecisionFile(after);
    expect(report).toEqual({ records: n + 1, problems: [], lastHash: last.hash });
    expect(after.items.map((r: DecisionRecord) => r.sequence)).toEqual(
      Array.from({ length: n + 1 }, (_, i) => i + 1),
    );
  });

  test('a changed ballot, outcome or hash in the downloaded chain is found and named', async () => {
    const downloaded = await chain();
    const tampered = structuredClone(downloaded);
    const withBallots = tampered.items.findIndex((r: DecisionRecord) => r.ballots.length > 0);
    tampered.items[withBallots].ballots[0].choices = [{ optionId: 'block' }];
    const report = verifyDecisionFile(tampered);
    expect(report.problems.join('\n')).toMatch(
      new RegExp(`record ${withBallots + 1} .*results do not match its ballots: /results/`),
    );
    expect(report.problems.join('\n')).toMatch(new RegExp(`record ${withBallots + 1} .*hash is`));

    const reworded = structuredClone(downloaded);
    reworded.items[0].outcome = { ...reworded.items[0].outcome, statement: 'Something else' };
    expect(verifyDecisionFile(reworded).problems.join('\n')).toMatch(/record 1 .*hash is/);

    const rehashed = structuredClone(downloaded);
    rehashed.items[0].hash = 'f'.repeat(64);
    expect(verifyDecisionFile(rehashed).problems.join('\n')).toMatch(
      /record 1 .*hash is f{64}[\s\S]*record 2 .*previousHash/,
    );
  });
});

/** `npx plenary verify <file>` in the checkout, with no database configured: the file alone. */
async function verifyWithCli(file: string) {
  const root = path.resolve(import.meta.dirname, '../..');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: path.join(path.dirname(file), 'nothing'),
  };
  try {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'plenary', 'verify', file], {
      cwd: root,
      env,
    });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('every kind, counted again by plenary verify', () => {
  test('the chain of six closed decisions verifies; a changed weight makes verify exit 1 naming it', {
    timeout: 60_000,
  }, async () => {
    const opts = [{ label: 'A' }, { label: 'B' }, { label: 'C' }];
    const pick = (p: { options: { id: string }[] }, i: number) => p.options[i]!.id;
    const kinds: [Record<string, unknown>, (p: { options: { id: string }[] }) => unknown[][]][] = [
      [
        { kind: 'proposal', passPercent: 60 },
        () => [[{ optionId: 'agree' }], [{ optionId: 'abstain' }], [{ optionId: 'agree' }]],
      ],
      [
        { kind: 'poll', options: opts, maxChoices: 2 },
        (p) => [[{ optionId: pick(p, 0) }, { optionId: pick(p, 1) }], [{ optionId: pick(p, 1) }]],
      ],
      [
        { kind: 'score', options: opts },
        (p) => [
          p.options.map((o, i) => ({ optionId: o.id, score: i + 1 })),
          p.options.map((o) => ({ optionId: o.id, score: 5 })),
        ],
      ],
      [
        { kind: 'dot_vote', options: opts, dotsPerVoter: 5 },
        (p) => [
          [{ optionId: pick(p, 2), score: 5 }],
          [
            { optionId: pick(p, 0), score: 2 },
            { optionId: pick(p, 1), score: 3 },
          ],
        ],
      ],
      [
        { kind: 'ranked_choice', options: opts, quorumPercent: 50 },
        (p) =>
          [
            [1, 0, 2],
            [0, 1, 2],
            [2, 1, 0],
          ].map((order) => order.map((o, r) => ({ optionId: pick(p, o), rank: r + 1 }))),
      ],
      [
        {
          kind: 'meeting',
          options: [
            { label: 'Tue', startsAt: inSeconds(86_400) },
            { label: 'Wed', startsAt: inSeconds(2 * 86_400) },
          ],
        },
        (p) => [
          [
            { optionId: pick(p, 0), score: 2 },
            { optionId: pick(p, 1), score: 1 },
          ],
          [
            { optionId: pick(p, 0), score: 0 },
            { optionId: pick(p, 1), score: 2 },
          ],
        ],
      ],
    ];
    const group = (await createGroup(h.app, fran, 'Six Kinds')).id;
    const voters = await addMembers(h.app, fran, group, 3);
    const thread = (await startThread(h.app, fran, group)).id;
    for (const [body, ballotsOf] of kinds) {
      const p = await createProposal(h.app, fran, thread, body);
      for (const [i, choices] of ballotsOf(p).entries()) {
        const res = await as(h.app, voters[i]!).put(`/api/v1/proposals/${p.id}/vote`, { choices });
        expect(res.statusCode, res.body).toBe(200);
      }
      expect((await as(h.app, fran).post(`/api/v1/proposals/${p.id}/close`, {})).statusCode).toBe(200);
    }
    const downloaded = (await as(h.app, fran).get(`/api/v1/groups/${group}/record`)).json();
    expect(downloaded.items.map((r: DecisionRecord) => r.proposal.kind)).toEqual(kinds.map(([b]) => b.kind));
    const dir = mkdtempSync(path.join(tmpdir(), 'plenary-record-'));
    const good = path.join(dir, 'chain.json');
    writeFileSync(good, JSON.stringify(downloaded, null, 2));
    const ok = await verifyWithCli(good);
    expect(ok, ok.out).toMatchObject({ code: 0 });
    expect(ok.out).toContain('OK: all 6 records');

    const tampered = structuredClone(downloaded);
    tampered.items[4].ballots[0].weight = 3;
    const bad = path.join(dir, 'tampered.json');
    writeFileSync(bad, JSON.stringify(tampered));
    const refused = await verifyWithCli(bad);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/record 5 \(sequence 5, .*\): results do not match its ballots: \/results\//);
    expect(refused.out).toMatch(/record 5 .*hash is/);
  });
});
