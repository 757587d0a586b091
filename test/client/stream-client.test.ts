import { afterEach, describe, expect, test, vi } from 'vitest';
import { CREDENTIAL_REVOKED, type SocketLike, StreamClient } from '../../client/data/stream';

/** A socket the test opens and closes by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: string[] = [];
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  closeFromServer(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function clientWithSockets(onRevoked = () => {}) {
  const sockets: FakeSocket[] = [];
  const client = new StreamClient({
    url: () => 'ws://test/api/v1/stream',
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    minRetryMs: 10,
    maxRetryMs: 10,
    random: () => 0,
    onRevoked,
  });
  return { client, sockets };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('StreamClient after the server closes the socket', () => {
  test('a dropped connection is retried', () => {
    vi.useFakeTimers();
    const { client, sockets } = clientWithSockets();
    client.start();
    sockets[0]!.open();
    sockets[0]!.closeFromServer(1006);
    expect(client.state.value).toBe('reconnecting');
    vi.advanceTimersByTime(50);
    expect(sockets).toHaveLength(2);
    client.stop();
  });

  test('a revoked credential stops the client and tells the app, with no retry', () => {
    vi.useFakeTimers();
    const revoked = vi.fn();
    const { client, sockets } = clientWithSockets(revoked);
    client.start();
    sockets[0]!.open();
    sockets[0]!.closeFromServer(CREDENTIAL_REVOKED);
    expect(revoked).toHaveBeenCalledOnce();
    expect(client.state.value).toBe('idle');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});
