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

/** Opens `/api/v1/stream` on a listening server. `auth` is a cookie header or an API token. */
export async function openStream(
  baseUrl: string,
  auth: { cookie?: string; token?: string },
): Promise<StreamClient> {
  const url = new URL('/api/v1/stream', baseUrl.replace(/^http/, 'ws'));
  if (auth.token) url.searchParams.set('token', auth.token);
  const socket = new WebSocket(url, { headers: auth.cookie ? { cookie: auth.cookie } : {} });
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
