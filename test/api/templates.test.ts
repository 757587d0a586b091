import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  addMembers,
  createGroup,
  detailPaths,
  eventRows,
  expectError,
  type Harness,
  type Person,
  rowCounts,
  signUp,
  startApp,
} from '../helpers/app';
import { createProposal, inSeconds } from '../helpers/factories';
import { as } from '../helpers/requests';
import { startThread } from '../helpers/threads';

// #13, ready-made processes: GET /templates, POST /threads/:id/proposals {template}, a group's own templates.
let h: Harness;
let fran: Person;
let mo: Person;
let groupId: string;
let threadId: string;

beforeAll(async () => {
  h = await startApp();
  fran = await signUp(h.app, { name: 'Fran Facilitator' });
  groupId = (await createGroup(h.app, fran)).id;
  [mo] = await addMembers(h.app, fran, groupId, 1);
  threadId = (await startThread(h.app, fran, groupId)).id;
});
afterAll(() => h?.close());

const propose = (who: Person, body: Record<string, unknown>, thread = threadId) =>
  as(h.app, who).post(`/api/v1/threads/${thread}/proposals`, {
    title: 'From a template',
    closesAt: inSeconds(3600),
    ...body,
  });

describe('built-in templates', () => {
  test('are listed with their kind, options, wording and settings', async () => {
    const res = await as(h.app, mo).get('/api/v1/templates');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string; kind: string; options: string[]; description: string }[];
    expect(items.map((t) => t.id)).toEqual(
      expect.arrayContaining([
        'advice',
        'consent',
        'gradients_of_agreement',
        'sense_check',
        'poll',
        'ranked_choice',
        'meeting',
        'score',
        'dot_vote',
      ]),
    );
    const gradients = items.find((t) => t.id === 'gradients_of_agreement')!;
    expect(gradients).toMatchObject({ kind: 'poll' });
    expect(gradients.options).toHaveLength(8);
    expect(items.every((t) => t.description.length > 20)).toBe(true);
  });

  test('fill in a new proposal; what the body says wins', async () => {
    const consent = await propose(mo, { template: 'consent' });
    expect(consent.statusCode, consent.body).toBe(201);
    expect(consent.json().proposal).toMatchObject({
      kind: 'proposal',
      reasonRequired: true,
      blockVetoes: true,
    });
    expect(consent.json().proposal.details).toContain('What we propose');

    const advice = await propose(mo, { template: 'advice', reasonRequired: false, details: 'Mine' });
    expect(advice.json().proposal).toMatchObject({ kind: 'poll', reasonRequired: false, details: 'Mine' });
    expect(advice.json().proposal.options.map((o: { label: string }) => o.label)).toEqual([
      'Go ahead',
      'Go ahead, with changes (say which)',
      'I have concerns (say which)',
    ]);
    const ranked = await propose(mo, {
      template: 'ranked_choice',
      options: [{ label: 'Ana' }, { label: 'Bo' }],
    });
    expect(ranked.json().proposal).toMatchObject({ kind: 'ranked_choice' });
  });

  test.each([
    ['an unknown template', { template: 'lottery' }, '/template'],
    ['a kind that contradicts the template', { template: 'consent', kind: 'poll' }, '/kind'],
    ['neither kind nor template', {}, '/kind'],
    ['a template with no options where the kind needs them', { template: 'poll' }, '/options'],
  ])('refuse %s, naming the field, and create nothing', async (_what, body, path) => {
    const before = await rowCounts(h);
    expect(detailPaths(expectError(await propose(mo, body), 400, 'validation_failed'))).toContain(path);
    expect(await rowCounts(h)).toEqual(before);
  });
});

describe("a group's own templates", () => {
  test('a facilitator saves a proposal as one; members use it; other groups cannot', async () => {
    const source = await createProposal(h.app, fran, threadId, {
      kind: 'poll',
      title: 'Which night for the assembly?',
      details: 'Pick the night that suits you.',
      options: [{ label: 'Monday' }, { label: 'Thursday' }],
      quorumPercent: 40,
      reasonRequired: true,
    });
    expectError(await as(h.app, mo).post(`/api/v1/proposals/${source.id}/template`, {}), 403, 'forbidden');
    const saved = await as(h.app, fran).post(`/api/v1/proposals/${source.id}/template`, {
      name: 'Assembly night',
      description: 'How we pick the night of the monthly assembly.',
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const template = saved.json().template;
    expect(template).toMatchObject({
      groupId,
      name: 'Assembly night',
      kind: 'poll',
      options: ['Monday', 'Thursday'],
      details: 'Pick the night that suits you.',
      settings: { quorumPercent: 40, reasonRequired: true },
    });
    const logged = (await eventRows(h, { kind: 'template.created' })).filter(
      (e) => e.subject_id === template.id,
    );
    expect(logged).toHaveLength(1);

    const listed = (await as(h.app, mo).get(`/api/v1/templates?groupId=${groupId}`)).json().items;
    expect(listed.map((t: { id: string }) => t.id)).toContain(template.id);
    expect(
      (await as(h.app, mo).get('/api/v1/templates')).json().items.map((t: { id: string }) => t.id),
    ).not.toContain(template.id);

    const made = await propose(mo, { template: template.id, title: 'June assembly' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().proposal).toMatchObject({ kind: 'poll', quorumPercent: 40, reasonRequired: true });
    expect(made.json().proposal.options.map((o: { label: string }) => o.label)).toEqual([
      'Monday',
      'Thursday',
    ]);

    // Another group's thread cannot use it, nor see it.
    const otherGroup = (await createGroup(h.app, mo, 'Other circle')).id;
    const otherThread = (await startThread(h.app, mo, otherGroup)).id;
    expectError(await propose(mo, { template: template.id }, otherThread), 400, 'validation_failed');
    const outsider = await signUp(h.app, { name: 'Oz Outsider' });
    expectError(await as(h.app, outsider).get(`/api/v1/templates?groupId=${groupId}`), 404, 'not_found');

    // Deleting: facilitators only; proposals made from it stay.
    expectError(
      await as(h.app, mo).delete(`/api/v1/groups/${groupId}/templates/${template.id}`),
      403,
      'forbidden',
    );
    expect(
      (await as(h.app, fran).delete(`/api/v1/groups/${groupId}/templates/${template.id}`)).statusCode,
    ).toBe(204);
    expectError(
      await as(h.app, fran).delete(`/api/v1/groups/${groupId}/templates/${template.id}`),
      404,
      'not_found',
    );
    expect((await as(h.app, mo).get(`/api/v1/proposals/${made.json().proposal.id}`)).statusCode).toBe(200);
  });
});
