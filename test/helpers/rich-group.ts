import { expect } from 'vitest';
import { createGroup, join, type Person, signUp, type TestApp } from './app';
import { createProposal, inSeconds } from './factories';
import { as } from './requests';
import { postComment, startThread } from './threads';

/** A tiny but real PNG (1×1, transparent): the photo on Cy's farewell comment. */
export const PHOTO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** The price list on the consent proposal: every byte value, so nothing may pass through as text. */
export const PRICE_LIST_PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n% Hof Meyer prices\n'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)),
]);
/** Notes Bo uploaded and never linked. */
export const NOTES_TXT = Buffer.from('Oats: 25 kg\nBeans: 10 kg\n');

/** Words a member took back: no export, and no import of one, may hold them. */
export const DELETED_WORDS = 'Wistful-Heron-7 said the rota is rigged';

/** The people of `populateGroup`: Fran facilitates; Ada, Bo and Zed are members; Cy wrote and left. */
export interface Cast {
  fran: Person;
  ada: Person;
  bo: Person;
  cy: Person;
  zed: Person;
}

export async function signUpCast(app: TestApp, tag: string): Promise<Cast> {
  const person = (name: string) => signUp(app, { name, email: `${name.toLowerCase()}.${tag}@example.org` });
  return {
    fran: await person('Fran'),
    ada: await person('Ada'),
    bo: await person('Bo'),
    cy: await person('Cy'),
    zed: await person('Zed'),
  };
}

/** Uploads a file as `who`; its id and URL. */
export async function uploadFile(
  app: TestApp,
  who: Person,
  groupId: string,
  filename: string,
  bytes: Buffer,
  contentType: string,
): Promise<{ id: string; url: string }> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/groups/${groupId}/attachments?filename=${encodeURIComponent(filename)}`,
    headers: { ...who.headers, 'content-type': contentType },
    payload: bytes,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().attachment;
}

/**
 * A group with one of everything an archive holds: settings, a pinned and a
 * closed thread, comments with replies, edits and reactions, a deleted comment
 * (edited before it went), a member who wrote and left, and proposals of six
 * kinds: named and anonymous, open and closed, results hidden, with votes,
 * reasons, outcomes (one restated). Files: a photo on a comment (uploaded by
 * Cy, who left), a PDF on a proposal, and notes linked from nowhere. Zed is a
 * member who did nothing.
 */
export async function populateGroup(app: TestApp, cast: Cast) {
  const { fran, ada, bo, cy, zed } = cast;
  const ok = async (res: Promise<{ statusCode: number; body: string }>, status = 200) => {
    const r = await res;
    expect(r.statusCode, r.body).toBe(status);
    return r;
  };
  const group = await createGroup(app, fran, 'Riverside Food Co-op');
  await ok(
    as(app, fran).patch(`/api/v1/groups/${group.id}`, {
      description: 'We buy **together**.',
      settings: { membersCanInvite: false },
    }),
  );
  await join(app, fran, group.id, ada);
  await join(app, fran, group.id, bo, 'facilitator');
  await join(app, fran, group.id, cy);
  await join(app, fran, group.id, zed);

  const orders = await startThread(app, fran, group.id, { title: 'Bulk orders', body: 'Who orders oats?' });
  const first = await postComment(app, ada, orders.id, 'I can, **weekly**.');
  await postComment(app, bo, orders.id, 'Thanks Ada!', first.id);
  await ok(as(app, ada).patch(`/api/v1/comments/${first.id}`, { body: 'I can, fortnightly.' }));
  await ok(as(app, ada).patch(`/api/v1/comments/${first.id}`, { body: 'I can, monthly.' }));
  await ok(as(app, fran).put(`/api/v1/comments/${first.id}/reactions/${encodeURIComponent('👍')}`));
  await ok(as(app, bo).put(`/api/v1/comments/${first.id}/reactions/${encodeURIComponent('🎉')}`));
  await ok(as(app, cy).put(`/api/v1/comments/${first.id}/reactions/${encodeURIComponent('👍')}`));
  const regret = await postComment(app, bo, orders.id, `First draft: ${DELETED_WORDS}`);
  await ok(as(app, bo).patch(`/api/v1/comments/${regret.id}`, { body: DELETED_WORDS }));
  await ok(as(app, ada).put(`/api/v1/comments/${regret.id}/reactions/${encodeURIComponent('😮')}`));
  await postComment(app, ada, orders.id, 'Replying before it went', regret.id);
  await ok(as(app, bo).delete(`/api/v1/comments/${regret.id}`), 204);
  const photo = await uploadFile(app, cy, group.id, 'beans.png', PHOTO_PNG, 'image/png');
  await postComment(app, cy, orders.id, `I am moving away, good luck! ![beans.png](${photo.url})`);
  const priceList = await uploadFile(
    app,
    fran,
    group.id,
    'Hof Meyer prices.pdf',
    PRICE_LIST_PDF,
    'application/pdf',
  );
  const notes = await uploadFile(app, bo, group.id, 'notes.txt', NOTES_TXT, 'text/plain');

  const vote = (who: Person, id: string, choices: unknown, reason?: string) =>
    ok(as(app, who).put(`/api/v1/proposals/${id}/vote`, { choices, ...(reason ? { reason } : {}) }));
  const close = (id: string, outcome?: unknown) =>
    ok(as(app, fran).post(`/api/v1/proposals/${id}/close`, outcome ? { outcome } : {}));

  const consent = await createProposal(app, fran, orders.id, {
    kind: 'proposal',
    title: 'Order oats from Hof Meyer',
    details: `Organic, 25 kg sacks. Prices: [Hof Meyer prices.pdf](${priceList.url})`,
    reasonRequired: true,
  });
  await vote(ada, consent.id, [{ optionId: 'agree' }], 'Good price');
  await vote(bo, consent.id, [{ optionId: 'disagree' }], 'Too far');
  await vote(cy, consent.id, [{ optionId: 'agree' }], 'Fine by me');
  await close(consent.id, { statement: 'Adopted for a trial month.', reviewOn: '2027-03-01' });
  await ok(
    as(app, fran).post(`/api/v1/proposals/${consent.id}/outcome`, { statement: 'Adopted for good.' }),
    201,
  );

  const secretPoll = await createProposal(app, ada, orders.id, {
    kind: 'poll',
    title: 'Which day for pick-up?',
    options: [{ label: 'Tuesday' }, { label: 'Thursday' }, { label: 'Saturday' }],
    anonymous: true,
  });
  await vote(fran, secretPoll.id, [{ optionId: secretPoll.options[2]!.id }]);
  await vote(ada, secretPoll.id, [{ optionId: secretPoll.options[0]!.id }]);
  await vote(bo, secretPoll.id, [{ optionId: secretPoll.options[2]!.id }]);
  await close(secretPoll.id);

  const ranked = await createProposal(app, ada, orders.id, {
    kind: 'ranked_choice',
    title: 'Rank the suppliers',
    options: [{ label: 'Hof Meyer' }, { label: 'Grain Coop' }, { label: 'Market' }],
  });
  const [m1, m2, m3] = ranked.options;
  await vote(ada, ranked.id, [
    { optionId: m1!.id, rank: 1 },
    { optionId: m2!.id, rank: 2 },
  ]);
  await vote(bo, ranked.id, [
    { optionId: m2!.id, rank: 1 },
    { optionId: m3!.id, rank: 2 },
    { optionId: m1!.id, rank: 3 },
  ]);

  const meeting = await createProposal(app, fran, orders.id, {
    kind: 'meeting',
    title: 'Packing evening',
    options: [
      { label: 'Monday', startsAt: '2027-01-11T18:00:00.000Z' },
      { label: 'Wednesday', startsAt: '2027-01-13T18:00:00.000Z' },
    ],
    anonymous: true,
    closesAt: inSeconds(7200),
  });

  // Results hidden until the close, still open: nobody sees these ballots, so no export holds them.
  const budget = await createProposal(app, bo, orders.id, {
    kind: 'poll',
    title: 'Budget for the new fridge',
    options: [{ label: '€300' }, { label: '€600' }],
    resultsHiddenUntilClosed: true,
  });
  await vote(ada, budget.id, [{ optionId: budget.options[1]!.id }]);
  await vote(fran, budget.id, [{ optionId: budget.options[0]!.id }]);

  // Cy leaves: what Cy wrote stays, with Cy's name; the ballot on the closed proposal stays counted.
  await ok(as(app, cy).delete(`/api/v1/groups/${group.id}/members/${cy.id}`), 204);

  const rota = await startThread(app, ada, group.id, { title: 'Cleaning rota' });
  await ok(as(app, fran).patch(`/api/v1/threads/${rota.id}`, { pinned: true }));
  const score = await createProposal(app, bo, rota.id, {
    kind: 'score',
    title: 'How fair is the rota?',
    options: [{ label: 'Mornings' }, { label: 'Evenings' }],
    maxScore: 3,
    resultsHiddenUntilClosed: true,
  });
  await vote(ada, score.id, [
    { optionId: score.options[0]!.id, score: 3 },
    { optionId: score.options[1]!.id, score: 1 },
  ]);
  await vote(fran, score.id, [
    { optionId: score.options[0]!.id, score: 2 },
    { optionId: score.options[1]!.id, score: 2 },
  ]);
  await close(score.id);
  const dots = await createProposal(app, fran, rota.id, {
    kind: 'dot_vote',
    title: 'Spend the dots',
    options: [{ label: 'Brooms' }, { label: 'Buckets' }],
    dotsPerVoter: 5,
    anonymous: true,
  });
  await vote(ada, dots.id, [
    { optionId: dots.options[0]!.id, score: 4 },
    { optionId: dots.options[1]!.id, score: 1 },
  ]);
  await close(dots.id, { statement: 'Brooms it is.' });
  await ok(as(app, fran).patch(`/api/v1/threads/${rota.id}`, { closed: true }));

  return {
    groupId: group.id,
    threads: { orders: orders.id, rota: rota.id },
    comments: { first: first.id, deleted: regret.id },
    attachments: { photo: photo.id, priceList: priceList.id, notes: notes.id },
    proposals: {
      consent: consent.id,
      secretPoll: secretPoll.id,
      ranked: ranked.id,
      meeting: meeting.id,
      budget: budget.id,
      score: score.id,
      dots: dots.id,
    },
  };
}
