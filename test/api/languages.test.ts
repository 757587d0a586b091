import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createGroup,
  expectError,
  type Harness,
  join,
  ORIGIN,
  rowCounts,
  sessionCookie,
  signUp,
  startApp,
} from '../helpers/app';
import { as } from '../helpers/requests';

// The member's language: chosen in their settings (`PATCH /me {locale}`), else
// the one their browser asked for when they last signed up or in, which is
// what their emails speak (test/email/languages.test.ts).

let h: Harness;
beforeAll(async () => {
  h = await startApp();
});
afterAll(() => h?.close());

const userRow = (id: string) =>
  h.db.database.db
    .selectFrom('users')
    .select(['locale', 'browser_locale'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('the language setting', () => {
  test('a member chooses Spanish, sees it on /me, and goes back to following the browser with null', async () => {
    const ana = await signUp(h.app);
    expect((await as(h.app, ana).get('/api/v1/me')).json().user.locale).toBeNull();

    const chosen = await as(h.app, ana).patch('/api/v1/me', { locale: 'es' });
    expect(chosen.statusCode).toBe(200);
    expect(chosen.json().user.locale).toBe('es');
    expect((await as(h.app, ana).get('/api/v1/me')).json().user.locale).toBe('es');
    expect((await userRow(ana.id)).locale).toBe('es');

    const cleared = await as(h.app, ana).patch('/api/v1/me', { locale: null });
    expect(cleared.json().user.locale).toBeNull();
  });

  test('a language Plenary does not speak, or not a language tag at all, is refused and changes nothing', async () => {
    const ben = await signUp(h.app);
    await as(h.app, ben).patch('/api/v1/me', { locale: 'es' });
    const before = await rowCounts(h);

    const unknown = await as(h.app, ben).patch('/api/v1/me', { locale: 'fr' });
    expectError(unknown, 400, 'validation_failed');
    expect(unknown.json().error.details).toEqual([expect.objectContaining({ path: '/locale' })]);
    expectError(await as(h.app, ben).patch('/api/v1/me', { locale: 'Spanish!' }), 400, 'validation_failed');
    expectError(await as(h.app, ben).patch('/api/v1/me', { locale: 7 }), 400, 'validation_failed');

    expect((await userRow(ben.id)).locale).toBe('es');
    expect(await rowCounts(h)).toEqual(before);
  });

  test('another member sees no one’s language', async () => {
    const cy = await signUp(h.app);
    const dee = await signUp(h.app);
    await as(h.app, cy).patch('/api/v1/me', { locale: 'es' });
    const group = await createGroup(h.app, cy, 'Lenguas');
    await join(h.app, cy, group.id, dee);
    const members = await as(h.app, dee).get(`/api/v1/groups/${group.id}/members`);
    expect(JSON.stringify(members.json())).not.toContain('"locale"');
  });
});

describe('the browser’s language', () => {
  test('sign-up and sign-in keep the best language the browser asks for that Plenary speaks', async () => {
    const email = `lengua-${Date.now()}@example.org`;
    const password = 'correct horse battery';
    const registered = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { origin: ORIGIN, 'accept-language': 'fr-CA, es-MX;q=0.8, en;q=0.5' },
      payload: { name: 'Eva', email, password },
    });
    expect(registered.statusCode).toBe(201);
    const id = registered.json().user.id;
    expect(await userRow(id)).toEqual({ locale: null, browser_locale: 'es' });

    const english = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { origin: ORIGIN, 'accept-language': 'en-GB' },
      payload: { email, password },
    });
    expect(english.statusCode).toBe(200);
    expect(sessionCookie(english)).toBeTruthy();
    expect((await userRow(id)).browser_locale).toBe('en');

    // A sign-in without the header (an API client) leaves it as it was.
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { origin: ORIGIN },
      payload: { email, password },
    });
    expect((await userRow(id)).browser_locale).toBe('en');
  });
});

describe('notifications in the reader’s language', () => {
  test('stored in English, listed in Spanish for a member who chose it or whose browser asks for it', async () => {
    const ann = await signUp(h.app);
    const eva = await signUp(h.app);
    const tom = await signUp(h.app);
    const group = await createGroup(h.app, ann, 'Cooperativa');
    await join(h.app, ann, group.id, eva);
    await join(h.app, ann, group.id, tom);
    await as(h.app, eva).patch('/api/v1/me', { locale: 'es' });
    const thread = (
      await as(h.app, ann).post(`/api/v1/groups/${group.id}/threads`, {
        title: 'Alianza',
        body: '¿Nos aliamos?',
      })
    ).json().thread;
    const created = await as(h.app, ann).post(`/api/v1/threads/${thread.id}/proposals`, {
      kind: 'proposal',
      title: 'Aliarnos con la campaña',
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(created.statusCode).toBe(201);

    const newest = async (person: typeof eva, headers: Record<string, string> = {}) =>
      (await as(h.app, { headers: { ...person.headers, ...headers } }).get('/api/v1/notifications')).json()
        .items[0] as { kind: string; text: string };
    const stored = await h.db.database.db
      .selectFrom('notifications')
      .select('text')
      .where('user_id', '=', eva.id)
      .executeTakeFirstOrThrow();

    const inSpanish = await newest(eva);
    expect(inSpanish.kind).toBe('proposal_created');
    expect(inSpanish.text).not.toBe(stored.text);
    expect(inSpanish.text).toContain('Aliarnos con la campaña');
    expect(await newest(tom)).toMatchObject({ text: expect.stringContaining('Aliarnos con la campaña') });
    expect((await newest(tom)).text).not.toBe(inSpanish.text);
    expect((await newest(tom, { 'accept-language': 'es-ES,es;q=0.9' })).text).toBe(inSpanish.text);
  });
});
