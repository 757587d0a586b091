import { afterAll, beforeAll, expect, test } from 'vitest';
import { createGroup, type Harness, type Person, signUp, startApp } from '../helpers/app';
import { listenOn, openStream } from '../helpers/stream';

let h: Harness;
let base: string;
let ada: Person;
let groupId: string;

beforeAll(async () => {
  h = await startApp();
  base = await listenOn(h.app);
  ada = await signUp(h.app, { name: 'Ada' });
  groupId = (await createGroup(h.app, ada)).id;
});
afterAll(() => h?.close());

const group = () => `group:${groupId}`;

// Each is sent as the text of one frame: what a buggy or hostile client may send.
const malformed: [string, () => string][] = [
  ['not JSON', () => 'subscribe me'],
  ['JSON that is not an object', () => '[1, 2]'],
  ['null', () => 'null'],
  ['an unknown type', () => JSON.stringify({ type: 'publish', topic: 'me' })],
  ['a topic that is a number', () => JSON.stringify({ type: 'subscribe', topic: 42 })],
  ['no topic', () => JSON.stringify({ type: 'subscribe' })],
  ['NUL in the topic', () => JSON.stringify({ type: 'subscribe', topic: `${group()}\u0000` })],
  ['NUL as the id', () => JSON.stringify({ type: 'subscribe', topic: 'thread:\u0000' })],
  ['a lone surrogate in the topic', () => JSON.stringify({ type: 'subscribe', topic: 'group:\ud800' })],
  ['since as a string', () => JSON.stringify({ type: 'subscribe', topic: group(), since: '5' })],
  ['a negative since', () => JSON.stringify({ type: 'subscribe', topic: group(), since: -1 })],
  ['a fractional since', () => JSON.stringify({ type: 'subscribe', topic: group(), since: 1.5 })],
  ['since beyond 64 bits', () => `{"type":"subscribe","topic":"${group()}","since":100000000000000000000}`],
  ['since beyond a bigint', () => `{"type":"subscribe","topic":"${group()}","since":9223372036854775808}`],
  ['since past exact integers', () => `{"type":"subscribe","topic":"me","since":9007199254740993}`],
  ['since that overflows to Infinity', () => `{"type":"subscribe","topic":"me","since":1e400}`],
  ['an unsubscribe without a topic', () => JSON.stringify({ type: 'unsubscribe' })],
];

test.each(malformed)(
  '%s gets validation_failed, never internal, and the socket stays usable',
  async (_, frame) => {
    const ws = await openStream(base, { cookie: ada.headers.cookie });
    ws.socket.send(frame());
    const error = await ws.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ type: 'error', code: 'validation_failed', message: expect.any(String) });
    ws.send({ type: 'subscribe', topic: group(), since: 0 });
    await ws.waitFor((m) => m.type === 'subscribed' && m.topic === group());
    expect(ws.messages.filter((m) => m.type === 'error')).toHaveLength(1);
    await ws.close();
  },
);

test('the largest since an event id can be is accepted and replays nothing', async () => {
  const ws = await openStream(base, { cookie: ada.headers.cookie });
  ws.send({ type: 'subscribe', topic: group(), since: Number.MAX_SAFE_INTEGER });
  await ws.waitFor((m) => m.type === 'subscribed');
  ws.send({ type: 'ping' });
  await ws.waitFor((m) => m.type === 'pong');
  expect(ws.messages.map((m) => m.type)).toEqual(['subscribed', 'pong']);
  await ws.close();
});
