import fp from 'fastify-plugin';
import { EmailWorker } from '../email/worker';

/** Sends the email outbox from this process (EMAIL_WORKER=on), after the database is open. */
export default fp(
  async (app) => {
    const { config } = app.ctx;
    if (!config.emailWorker) return;
    const worker = new EmailWorker(app.ctx.db, config, app.log);
    // Services wake it after a commit that queued mail (ctx is shared by reference).
    app.ctx.email = worker;
    app.decorate('emailWorker', worker);
    if (!config.smtpUrl)
      app.log.info('SMTP_URL is not set: emails stay in the outbox and are written to this log');
    app.addHook('onReady', async () => worker.start());
    app.addHook('preClose', async () => worker.stop());
  },
  { name: 'plenary-email', dependencies: ['plenary-context'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's email worker, when EMAIL_WORKER=on (tests wait on it). */
    emailWorker?: EmailWorker;
  }
}
