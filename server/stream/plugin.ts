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
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    const hub = new StreamHub(app.ctx, app.log);
    app.decorate('hub', hub);
    app.addHook('preClose', async () => {
      await hub.close();
    });
  },
  { name: 'plenary-stream', dependencies: ['plenary-context'] },
);
