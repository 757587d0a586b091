import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/schemas/stream';

/** A websocket client that records every frame, for tests. */
export interface StreamClient {
  messages: ServerMessage[];
  send(message: unknown): void;
  /** Resolves with the first recorded frame (past or future) matching `predicate`. */
  waitFor<T extends ServerMessage = ServerMessage>(
    predicate: (m: ServerMessage) => boolean,
    timeoutMs?: number,
  ): Promise<T>;
  /** Resolves once `count` frames match `predicate`. */
  waitForCount(
    predicate: (m: ServerMessage) => boolean,
    count: number,
    timeoutMs?: number,
  ): Promise<ServerMessage[]>;
  close(): Promise<void>;
  socket: WebSocket;
}

/** Opens `/api/v1/stream` on a listening server. `auth` is a cookie header, an API token (`?token=`) or a Bearer one. */
export async function openStream(
  baseUrl: string,
  auth: { cookie?: string; token?: string; bearer?: string },
): Promise<StreamClient> {
  const url = new URL('/api/v1/stream', baseUrl.replace(/^http/, 'ws'));
  if (auth.token) url.searchParams.set('token', auth.token);
  const headers: Record<string, string> = auth.cookie ? { cookie: auth.cookie } : {};
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  const socket = new WebSocket(url, { headers });
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (raw) => {
    messages.push(JSON.parse(raw.toString()));
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
  const waitForCount = (predicate: (m: ServerMessage) => boolean, count: number, timeoutMs = 10_000) =>
    new Promise<ServerMessage[]>((resolve, reject) => {
      const check = () => {
        const found = messages.filter(predicate);
        if (found.length >= count) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${count} frames; got ${JSON.stringify(messages.slice(-5))}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  return {
    messages,
    socket,
    send: (message) => socket.send(JSON.stringify(message)),
    waitFor: async <T extends ServerMessage>(predicate: (m: ServerMessage) => boolean, timeoutMs?: number) =>
      (await waitForCount(predicate, 1, timeoutMs))[0] as T,
    waitForCount,
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}

/** The events a client received on a topic, in arrival order. */
export function eventsOn(client: StreamClient, topic: string) {
  return client.messages.flatMap((m) => (m.type === 'event' && m.topic === topic ? [m.event] : []));
}

/** Starts the harness's app listening on a free port; answers its base URL. */
export async function listenOn(app: {
  listen(o: { port: number; host: string }): Promise<unknown>;
  server: { address(): unknown };
}): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

/** A socket of `person` (by session cookie) subscribed to `topics`, ready once each is confirmed. */
export async function subscribeAs(
  baseUrl: string,
  person: { headers: Record<string, string> },
  ...topics: string[]
): Promise<StreamClient> {
  const ws = await openStream(baseUrl, { cookie: person.headers.cookie });
  for (const topic of topics) ws.send({ type: 'subscribe', topic });
  await ws.waitForCount((m) => m.type === 'subscribed', topics.length);
  return ws;
}
