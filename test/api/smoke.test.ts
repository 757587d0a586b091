import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, signUp, startApp } from '../helpers/app';

let h: Harness;
beforeAll(async () => {
  h = await startApp();
});
afterAll(() => h?.close());

test('health', async () => {
  expect((await h.app.inject('/healthz')).json()).toEqual({ ok: true });
  expect((await h.app.inject('/readyz')).statusCode).toBe(200);
  const p = await signUp(h.app);
  const me = await h.app.inject({ url: '/api/v1/me', headers: p.headers });
  expect(me.json().user.id).toBe(p.id);
});
