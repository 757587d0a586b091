import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorBody } from '../../shared/schemas/common';
import { InvitationPreview, Membership, TokenParams } from '../../shared/schemas/groups';
import { requireUser, signedIn } from '../plugins/auth';
import { acceptInvitation, previewInvitation } from '../services/groups';

const tags = ['groups'];

const invitations: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  app.get(
    '/invitations/:token',
    { schema: { tags, params: TokenParams, response: { 200: InvitationPreview, '4xx': ErrorBody } } },
    async (request) => ({ invitation: await previewInvitation(ctx, request.params.token, request.ip) }),
  );

  app.post(
    '/invitations/:token/accept',
    {
      onRequest: signedIn,
      schema: {
        tags,
        params: TokenParams,
        response: { 200: Type.Object({ membership: Membership, groupId: Type.String() }), '4xx': ErrorBody },
      },
    },
    async (request) => acceptInvitation(ctx, request.params.token, requireUser(request).user, request.ip),
  );
};
export default invitations;
