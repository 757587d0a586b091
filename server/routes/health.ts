import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Ok } from '../../shared/schemas/common';

/** Liveness; readiness (`/readyz`) lives with the database it checks. */
const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness',
        description: '`{"ok": true}` while the process runs; it checks nothing else (see `/readyz`).',
        response: { 200: Ok, ...errorResponses(400) },
      },
    },
    async () => ({ ok: true }),
  );
};
export default health;
