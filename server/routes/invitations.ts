import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, IdParams, NoBody, Page } from '../../shared/schemas/common';
import {
  CreateInvitationBody,
  Invitation,
  InvitationParams,
  InvitationPreview,
  InvitationsSent,
  Membership,
  TokenParams,
} from '../../shared/schemas/groups';
import { requestOrigin, requireUser, signedIn } from '../plugins/auth';
import * as invitations from '../services/invitations';

const tags = ['groups'];
const InvitationReply = Type.Object({ invitation: Invitation });

const invitationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const origin = (request: Parameters<typeof requestOrigin>[0]) =>
    requestOrigin(request, ctx.config.publicUrl);

  app.post(
    '/groups/:id/invitations',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Invite by link or by email',
        description:
          'A link (no `email`), an invitation to one address (`email`), or one each to up to 100 ' +
          'addresses (`emails`, answered with `{items, skipped}`). Every invitation to an address is ' +
          'emailed with its own link, single-use, and carries the optional `message`. An address with ' +
          'an unused invitation to the group gets that one again (same link, new expiry), unless it was ' +
          'emailed in the last 10 minutes; for facilitators, an address whose account is already a ' +
          'member is skipped.',
        params: IdParams,
        body: CreateInvitationBody,
        response: {
          201: Type.Union([InvitationReply, InvitationsSent]),
          ...errorResponses(400, 401, 403, 404, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const created = await invitations.createInvitations(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.body ?? {},
        origin(request),
      );
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/groups/:id/invitations',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'A group’s invitations',
        description:
          'The group’s invitations; `valid` is false once a link is used up, expired, or its issuer may no ' +
          'longer issue it (demoted, left, or a member after `membersCanInvite` was turned off).',
        params: IdParams,
        response: { 200: Page(Invitation), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: await invitations.listInvitations(
        ctx,
        request.params.id,
        requireUser(request).user.id,
        origin(request),
      ),
      nextCursor: null,
    }),
  );

  app.post(
    '/groups/:id/invitations/:invitationId/reissue',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Re-issue an invitation link (facilitators)',
        description:
          'A facilitator becomes the issuer of an invitation: a link that stopped working when its issuer ' +
          'was demoted or left works again (while not used up or expired).',
        params: InvitationParams,
        response: { 200: InvitationReply, ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    async (request) => ({
      invitation: await invitations.reissueInvitation(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.params.invitationId,
        origin(request),
      ),
    }),
  );

  app.post(
    '/groups/:id/invitations/:invitationId/resend',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Email an invitation again (facilitators)',
        description:
          'Emails an invitation to its address again (facilitators): the same link, working for 14 more ' +
          'days from now, with the caller as its issuer. At most once per 10 minutes per invitation ' +
          '(`429` with `Retry-After`); `409` for a link with no address or one already accepted.',
        params: InvitationParams,
        response: { 200: InvitationReply, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) => ({
      invitation: await invitations.resendInvitation(
        ctx,
        request.params.id,
        requireUser(request).user,
        request.params.invitationId,
        origin(request),
      ),
    }),
  );

  app.delete(
    '/groups/:id/invitations/:invitationId',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Revoke an invitation',
        params: InvitationParams,
        response: { 204: NoBody('Revoked.'), ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      await invitations.revokeInvitation(
        ctx,
        request.params.id,
        requireUser(request).user.id,
        request.params.invitationId,
      );
      return reply.status(204).send();
    },
  );

  app.get(
    '/invitations/:token',
    {
      schema: {
        tags,
        summary: 'What an invitation link offers (anyone)',
        description:
          '`valid: false` once used up or expired; `404` for an unknown token. Too many unknown tokens from ' +
          'one address are `429`.',
        params: TokenParams,
        response: { 200: InvitationPreview, ...errorResponses(400, 404, 429) },
      },
    },
    async (request) => ({
      invitation: await invitations.previewInvitation(ctx, request.params.token, request.ip),
    }),
  );

  app.post(
    '/invitations/:token/accept',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Join a group through an invitation',
        description:
          '`404` for an unknown, used-up or expired token; `403` for an invitation sent to another address; ' +
          '`409` for a member already.',
        params: TokenParams,
        response: {
          200: Type.Object({ membership: Membership, groupId: Type.String() }),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
        },
      },
    },
    async (request) =>
      invitations.acceptInvitation(ctx, request.params.token, requireUser(request).user, request.ip),
  );
};
export default invitationRoutes;
