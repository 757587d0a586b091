import fp from 'fastify-plugin';
import { sendDueDigests } from '../email/digests';
import { closeDueProposals, remindClosingSoon } from '../services/proposal-closer';

/** How often each process looks for members whose digest is due (their digest hour, in their zone). */
const DIGEST_CHECK_MS = 60_000;

/** Background work every process does: closing proposals on time, reminders, digests. */
export default fp(
  async (app) => {
    let running: Promise<void> | null = null;
    const tick = () => {
      if (running) return;
      running = (async () => {
        try {
          await closeDueProposals(app.ctx);
          await remindClosingSoon(app.ctx);
        } catch (err) {
          app.log.warn({ err }, 'closing due proposals failed; will retry');
        } finally {
          running = null;
        }
      })();
    };
    // Jitter, so processes started together do not all wake at once.
    // The contract allows 60 s between a closing time and the close; the default check is every 15 s.
    const interval = app.ctx.config.closeCheckSeconds * 1000;
    const timer = setInterval(tick, interval + Math.floor(Math.random() * Math.min(2_000, interval / 4)));
    timer.unref();

    let digesting: Promise<void> | null = null;
    const digestTick = () => {
      if (digesting) return;
      digesting = (async () => {
        try {
          await sendDueDigests(app.ctx, new Date());
        } catch (err) {
          app.log.warn({ err }, 'sending due digests failed; will retry');
        } finally {
          digesting = null;
        }
      })();
    };
    // Every minute of a member's digest hour is a chance to send it; one is enough.
    const digestTimer = setInterval(digestTick, DIGEST_CHECK_MS + Math.floor(Math.random() * 2_000));
    digestTimer.unref();

    app.addHook('onReady', async () => tick());
    app.addHook('preClose', async () => {
      clearInterval(timer);
      clearInterval(digestTimer);
      await Promise.all([running, digesting]);
    });
    app.decorate('closeDueProposals', () => closeDueProposals(app.ctx));
  },
  { name: 'plenary-scheduler', dependencies: ['plenary-context'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs the closer now (tests and the CLI). */
    closeDueProposals(): Promise<number>;
  }
}
