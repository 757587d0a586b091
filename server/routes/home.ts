import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../shared/schemas/common';
import {
  CLOSING_SOON_HOURS,
  HOME_FIRST_LIMIT,
  HOME_LIST_LIMIT,
  HomeQuery,
  HomeReply,
} from '../../shared/schemas/home';
import { requireUser, signedIn } from '../plugins/auth';
import { homePage } from '../services/home';

const tags = ['home'];

/** The signed-in home page: what needs the caller across all their groups. */
const homeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.addHook('onRequest', signedIn);

  app.get(
    '/me/home',
    {
      schema: {
        tags,
        summary: 'What needs the caller across their groups: votes to cast, closings, unread threads',
        description:
          '`needsVote`: open proposals the caller has not voted on themselves (a vote that follows a ' +
          'delegate’s counts as not), soonest close first. `closingSoon`: open proposals closing within ' +
          `${CLOSING_SOON_HOURS} h, voted on or not. \`recentThreads\`: threads with unread comments, most ` +
          `recently active first. Each proposal list holds at most \`limit\` (${HOME_FIRST_LIMIT} unless asked, ` +
          `at most ${HOME_LIST_LIMIT}); \`needsVoteCount\` and \`closingSoonCount\` say how many there are, up to ` +
          `${HOME_LIST_LIMIT}; at most ${HOME_LIST_LIMIT} threads. Proposals as \`GET /proposals/:id\` presents ` +
          'them, with their group’s and thread’s names.',
        querystring: HomeQuery,
        response: { 200: HomeReply, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      // Sent as the text it was serialized to (by this route's own serializer), once per change.
      const json = await homePage(
        ctx,
        requireUser(request).user.id,
        request.query.limit ?? HOME_FIRST_LIMIT,
        (page) => String(reply.serialize(page)),
      );
      return reply.type('application/json; charset=utf-8').send(json as unknown as HomeReply);
    },
  );
};

export default homeRoutes;
