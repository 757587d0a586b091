import type { AddressInfo } from 'node:net';
import fp from 'fastify-plugin';
import { createInboundServer } from '../email/inbound';

/**
 * Reply by email: listens for SMTP on INBOUND_SMTP_PORT (0: any free port) when
 * it is set, from when the app is ready until it closes. Every process may
 * listen; a reply delivered to two of them, or twice to one, is posted once.
 */
export default fp(
  async (app) => {
    app.decorate('inboundSmtpPort', null);
    const { config } = app.ctx;
    if (config.inboundSmtpPort === null) return;
    const server = createInboundServer(app.ctx, app.log);
    app.addHook('onReady', async () => {
      await new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(config.inboundSmtpPort!, config.inboundSmtpHost, () => {
          server.server.off('error', reject);
          resolve();
        });
      });
      app.inboundSmtpPort = (server.server.address() as AddressInfo).port;
      app.log.info({ port: app.inboundSmtpPort }, 'listening for emailed replies');
    });
    // Before the database closes (onClose): a reply being posted finishes first.
    app.addHook('preClose', async () => {
      if (app.inboundSmtpPort === null) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
  },
  { name: 'plenary-inbound-email', dependencies: ['plenary-context'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** The port this process takes emailed replies on; null when INBOUND_SMTP_PORT is unset. */
    inboundSmtpPort: number | null;
  }
}
