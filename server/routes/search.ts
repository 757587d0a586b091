import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Page } from '../../shared/schemas/common';
import { SearchHit, SearchQuery } from '../../shared/schemas/threads';
import { requireUser, signedIn } from '../plugins/auth';
import { search } from '../services/search';

/**
 * Full-text search over the caller's groups (API.md, `GET /search`). Besides
 * the contract's answers: `503 busy` with `Retry-After` while this process
 * already runs and queues as many searches as it takes, `503 search_timeout`
 * when one runs too long (Postgres).
 */
const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  app.get(
    '/search',
    {
      schema: {
        tags: ['threads'],
        summary: 'Full-text search over threads and comments in the caller’s groups',
        description:
          '`groupId` narrows it to one group (`404` if the caller is not a member). `503 busy` (with ' +
          '`Retry-After`) while this process runs as many searches as it takes; `503 search_timeout` ' +
          'when one runs too long.',
        querystring: SearchQuery,
        response: { 200: Page(SearchHit), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => search(ctx, requireUser(request).user.id, request.query),
  );
};
export default searchRoutes;
