import { connect as connectTcp } from 'node:net';

/** The machine's NATS (CI starts it); `NATS_URL` points elsewhere. */
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Whether something accepts TCP connections at a nats:// URL. */
export async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connectTcp({ host: hostname, port: Number(port || 4222) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Whether the NATS tests can run: on a developer's machine without NATS they
 * are skipped, but in CI (`CI` set) a missing NATS fails the run.
 */
export async function natsForTests(): Promise<boolean> {
  const up = await reachable(NATS_URL);
  if (!up && process.env.CI)
    throw new Error(`NATS is not reachable at ${NATS_URL}: .ci/run should have started it`);
  return up;
}
