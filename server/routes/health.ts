import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Ok } from '../../shared/schemas/common';

/** Liveness; readiness (`/readyz`) lives with the database it checks. */
const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', { schema: { hide: true, response: { 200: Ok } } }, async () => ({ ok: true }));
};
export default health;
