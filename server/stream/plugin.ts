import websocket from '@fastify/websocket';
import fp from 'fastify-plugin';
import { StreamHub } from './hub';

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's websocket subscribers. */
    hub: StreamHub;
  }
}

/** Infrastructure for the live stream: websockets and the hub fed by the event bus. */
export default fp(
  async (app) => {
    const hub = new StreamHub(app.ctx, app.log);
    app.decorate('hub', hub);
    await app.register(websocket, {
      options: { maxPayload: 64 * 1024 },
      // In place of the plugin's own, which closes every socket with no code before any hook of
      // ours runs: subscribers hear "going away" (1001) and reconnect, to another process, with since.
      preClose: async () => {
        app.websocketServer.close();
        await hub.close();
      },
    });
  },
  { name: 'plenary-stream', dependencies: ['plenary-context'] },
);
