import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashPassword } from '../../server/services/passwords';
import { type Harness, startApp } from '../helpers/app';
import {
  type Ask,
  type Cast,
  changedTables,
  type Draft,
  type Fixture,
  MatrixRunner,
  PRINCIPALS,
  type PrincipalName,
  registeredRoutes,
  send,
  shown,
  signUpCast,
  stateDigest,
} from '../helpers/authz';
import { inSeconds } from '../helpers/factories';
import { listenOn, openStream } from '../helpers/stream';

/**
 * The authorisation matrix (issue #10): every route under /api/v1 and every
 * stream topic, asked by each principal, against API.md. A route Fastify
 * registers without a row here fails the test, and so does a row for a route
 * that does not exist. Each row runs on a fixture built at most a few seconds
 * before (so the removal and the demotion happened a moment ago) that nothing
 * has changed since; its refused cells run first and must change nothing, then
 * its successes.
 */

type Expect = Record<PrincipalName, number>;

/** A row (or one variant of it). `request` gives the URL and a valid body, the same for every principal unless the route is about the caller; `setup` runs before the removal and the demotion. */
interface Case extends Omit<Ask, 'method'> {
  /** Which variant of the route, when it has several. */
  label?: string;
  expect: Expect;
  /** A success uses up what the next one needs (a deleted comment, a closed proposal): each gets a fresh fixture. */
  isolate?: true;
}

/** Everyone, anonymous included. */
const anyone = (status: number): Expect => Object.fromEntries(PRINCIPALS.map((p) => [p, status])) as Expect;
/** Any signed-in caller, in a group or not. */
const signedIn = (status: number): Expect => ({ ...anyone(status), anonymous: 401 });
/** The group's members; outsiders and the removed member cannot tell the resource exists. */
const members = (status: number): Expect => ({
  ...signedIn(status),
  outsider: 404,
  removedMember: 404,
});
const facilitators = (status: number): Expect => ({ ...members(403), facilitator: status });
/** The fixture's thread, comment and proposal are the member's: the member and their API token are the author. */
const authorOrFacilitator = (status: number): Expect => ({ ...members(status), demotedFacilitator: 403 });
const authorOnly = (status: number): Expect => ({ ...authorOrFacilitator(status), facilitator: 403 });

const v1 = (path: string) => `/api/v1${path}`;
const fresh = () => randomUUID().slice(0, 12);

/** Acts as a principal during setup; anything but success stops the test. */
async function act(d: Draft, who: PrincipalName, method: string, url: string, body?: unknown) {
  const res = await send(d.harness, d.headers[who], method, url, body);
  if (res.statusCode >= 300)
    throw new Error(`setup ${method} ${url} as ${who}: ${res.statusCode} ${res.body}`);
}
const voteAs = (who: PrincipalName) => async (d: Draft) =>
  act(d, who, 'PUT', v1(`/proposals/${d.proposalId}/vote`), { choices: [{ optionId: d.agreeOptionId }] });
const everyMemberDoes = (step: (who: PrincipalName) => (d: Draft) => Promise<void>) => async (d: Draft) => {
  for (const who of ['member', 'facilitator', 'removedMember', 'demotedFacilitator'] as const)
    await step(who)(d);
};
const closeProposal = (d: Draft) => act(d, 'facilitator', 'POST', v1(`/proposals/${d.proposalId}/close`), {});
const setting = (name: string) => (d: Draft) =>
  act(d, 'facilitator', 'PATCH', v1(`/groups/${d.groupId}`), { settings: { [name]: false } });
const delegationOn = (d: Draft) =>
  act(d, 'facilitator', 'PATCH', v1(`/groups/${d.groupId}`), { settings: { delegation: true } });
/** The user a route about "me" names: the caller, or the member for callers that are nobody. */
const self = (fx: Fixture, who: PrincipalName) =>
  who === 'anonymous' || who === 'apiToken' ? fx.userIds.member : fx.userIds[who as keyof Cast];
const THUMBS = encodeURIComponent('👍');
/** A browser's push keys as it sends them: a P-256 public key and a 16-byte auth secret. */
const PUSH_KEYS = {
  p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
  auth: randomBytes(16).toString('base64url'),
};
const UNKNOWN_LINK = 'an-unknown-link-token-0000000000000000000';
/** The member uploads a file; its id is the fixture's `attachmentId`. */
async function uploadAsMember(d: Draft) {
  const res = await send(
    d.harness,
    d.headers.member,
    'POST',
    v1(`/groups/${d.groupId}/attachments?filename=a.txt`),
    {
      note: 'uploaded in setup',
    },
  );
  if (res.statusCode !== 201) throw new Error(`setup upload: ${res.statusCode} ${res.body}`);
  return { attachmentId: res.json().attachment.id as string };
}
const CAST_PASSWORD = 'matrix pass phrase 2026';
/** The cast is made without usable passwords (signUpCast): rows that check one give the principals this. */
async function givePasswords(d: Draft) {
  const passwordHash = await hashPassword(CAST_PASSWORD);
  const ids = Object.entries(d.userIds).flatMap(([who, id]) => (who === 'bystander' ? [] : [id]));
  await d.harness.db.database.db
    .updateTable('users')
    .set({ password_hash: passwordHash })
    .where('id', 'in', ids)
    .execute();
  // Straight into the table: the principals the fixture already used are cached with their old hash.
  for (const id of ids) d.harness.app.ctx.auth.evictUser(id);
}

let cast: Cast;

const MATRIX: Record<string, Case | Case[]> = {
  // Accounts and sessions
  'POST /api/v1/auth/register': {
    request: () => ({
      url: v1('/auth/register'),
      body: {
        name: 'New Neighbour',
        email: `new-${fresh()}@example.org`,
        password: 'plum orchard ladder 42',
      },
    }),
    expect: anyone(201),
  },
  'POST /api/v1/auth/login': {
    request: () => ({
      url: v1('/auth/login'),
      body: { email: cast.bystander.email, password: cast.bystander.password },
    }),
    expect: anyone(200),
  },
  'POST /api/v1/auth/logout': { request: () => ({ url: v1('/auth/logout') }), expect: signedIn(204) },
  'GET /api/v1/me': { request: () => ({ url: v1('/me') }), expect: signedIn(200) },
  'PATCH /api/v1/me': {
    request: () => ({ url: v1('/me'), body: { emailNotifications: 'important' } }),
    expect: signedIn(200),
  },
  'GET /api/v1/me/preferences': { request: () => ({ url: v1('/me/preferences') }), expect: signedIn(200) },
  // Across the caller's own groups: a stranger to every group gets an empty home, never someone else's.
  'GET /api/v1/me/home': { request: () => ({ url: v1('/me/home') }), expect: signedIn(200) },
  'PATCH /api/v1/me/preferences': {
    request: () => ({ url: v1('/me/preferences'), body: { digest: 'weekly' } }),
    expect: signedIn(200),
  },
  // The signed link is the credential: a forged one is refused whoever sends it.
  'POST /api/v1/unsubscribe': {
    request: () => ({ url: v1('/unsubscribe?token=forged.token') }),
    expect: anyone(400),
  },
  'GET /api/v1/unsubscribe': {
    request: () => ({ url: v1('/unsubscribe?token=forged.token') }),
    expect: anyone(400),
  },
  // Account recovery: the same answer for any address; a link's token is the credential, and an unknown one is refused.
  'POST /api/v1/auth/password-reset': {
    request: () => ({ url: v1('/auth/password-reset'), body: { email: `someone-${fresh()}@example.org` } }),
    expect: anyone(204),
  },
  'POST /api/v1/auth/password-reset/confirm': {
    request: () => ({
      url: v1('/auth/password-reset/confirm'),
      body: { token: UNKNOWN_LINK, password: 'plum orchard ladder 42' },
    }),
    expect: anyone(400),
  },
  'POST /api/v1/auth/verify-email': {
    request: () => ({ url: v1('/auth/verify-email'), body: { token: UNKNOWN_LINK } }),
    expect: anyone(400),
  },
  'POST /api/v1/auth/email-change/confirm': {
    request: () => ({ url: v1('/auth/email-change/confirm'), body: { token: UNKNOWN_LINK } }),
    expect: anyone(400),
  },
  'POST /api/v1/me/email': {
    request: () => ({
      url: v1('/me/email'),
      body: { email: `moved-${fresh()}@example.org`, currentPassword: CAST_PASSWORD },
    }),
    setup: givePasswords,
    expect: signedIn(202),
  },
  'POST /api/v1/me/email/verification': {
    request: () => ({ url: v1('/me/email/verification') }),
    expect: signedIn(202),
  },
  'GET /api/v1/tokens': { request: () => ({ url: v1('/tokens') }), expect: signedIn(200) },
  // A token that could mint tokens would leave copies of itself behind when revoked (services/accounts.ts).
  'POST /api/v1/tokens': {
    request: () => ({ url: v1('/tokens'), body: { name: 'ci bot' } }),
    expect: { ...signedIn(201), apiToken: 403 },
  },
  'DELETE /api/v1/tokens/:id': {
    label: "the member's token",
    isolate: true,
    request: (fx) => ({ url: v1(`/tokens/${fx.memberTokenId}`) }),
    expect: { ...signedIn(404), member: 204, apiToken: 204 },
  },

  // Groups, members, invitations
  'POST /api/v1/groups': [
    {
      label: 'top level',
      request: () => ({ url: v1('/groups'), body: { name: 'Another circle' } }),
      expect: signedIn(201),
    },
    {
      label: 'subgroup',
      request: (fx) => ({ url: v1('/groups'), body: { name: 'Working group', parentId: fx.groupId } }),
      expect: facilitators(201),
    },
  ],
  'GET /api/v1/groups': { request: () => ({ url: v1('/groups') }), expect: signedIn(200) },
  'GET /api/v1/groups/:id': { request: (fx) => ({ url: v1(`/groups/${fx.groupId}`) }), expect: members(200) },
  'PATCH /api/v1/groups/:id': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}`), body: { name: 'Renamed circle' } }),
    expect: facilitators(200),
  },
  'GET /api/v1/groups/:id/members': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/members`) }),
    expect: members(200),
  },
  'GET /api/v1/groups/:id/export': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/export`) }),
    expect: facilitators(200),
  },
  'PATCH /api/v1/groups/:id/members/:userId': {
    label: 'promote the bystander',
    request: (fx) => ({
      url: v1(`/groups/${fx.groupId}/members/${fx.userIds.bystander}`),
      body: { role: 'facilitator' },
    }),
    expect: facilitators(200),
  },
  'DELETE /api/v1/groups/:id/members/:userId': [
    {
      label: 'remove the bystander',
      request: (fx) => ({ url: v1(`/groups/${fx.groupId}/members/${fx.userIds.bystander}`) }),
      expect: facilitators(204),
    },
    {
      // The only facilitator left cannot leave (409); the member's token leaves as the member.
      label: 'leave',
      isolate: true,
      request: (fx, who) => ({ url: v1(`/groups/${fx.groupId}/members/${self(fx, who)}`) }),
      expect: { ...members(204), facilitator: 409 },
    },
  ],
  'POST /api/v1/groups/:id/invitations': [
    {
      label: 'member link',
      request: (fx) => ({ url: v1(`/groups/${fx.groupId}/invitations`), body: {} }),
      expect: members(201),
    },
    {
      label: 'facilitator link',
      request: (fx) => ({ url: v1(`/groups/${fx.groupId}/invitations`), body: { role: 'facilitator' } }),
      expect: facilitators(201),
    },
    {
      label: 'membersCanInvite off',
      setup: setting('membersCanInvite'),
      request: (fx) => ({ url: v1(`/groups/${fx.groupId}/invitations`), body: {} }),
      expect: facilitators(201),
    },
    {
      label: 'by email',
      request: (fx) => ({
        url: v1(`/groups/${fx.groupId}/invitations`),
        body: { emails: [`invitee-${fx.groupId}@example.net`], message: 'Join us' },
      }),
      expect: members(201),
    },
  ],
  'GET /api/v1/groups/:id/invitations': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/invitations`) }),
    expect: facilitators(200),
  },
  'DELETE /api/v1/groups/:id/invitations/:invitationId': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/invitations/${fx.invitation.id}`) }),
    expect: facilitators(204),
  },
  'POST /api/v1/groups/:id/invitations/:invitationId/reissue': {
    label: "the demoted facilitator's link",
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/invitations/${fx.demotedLink.id}/reissue`) }),
    expect: facilitators(200),
  },
  'POST /api/v1/groups/:id/invitations/:invitationId/resend': {
    label: 'an invitation emailed 11 minutes ago',
    setup: async (d) => {
      const res = await send(
        d.harness,
        d.headers.facilitator,
        'POST',
        v1(`/groups/${d.groupId}/invitations`),
        {
          emails: [`resend-${d.groupId}@example.net`],
        },
      );
      if (res.statusCode !== 201) throw new Error(`setup invitation: ${res.statusCode} ${res.body}`);
      const id = res.json().items[0].id as string;
      // Resends wait 10 minutes after the last email.
      await d.harness.db.database.db
        .updateTable('invitations')
        .set({ emailed_at: new Date(Date.now() - 11 * 60_000) })
        .where('id', '=', id)
        .execute();
      return { emailInvitationId: id };
    },
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/invitations/${fx.extra.emailInvitationId}/resend`) }),
    expect: facilitators(200),
  },
  'GET /api/v1/invitations/:token': {
    request: (fx) => ({ url: v1(`/invitations/${fx.invitation.token}`) }),
    expect: anyone(200),
  },
  'POST /api/v1/invitations/:token/accept': [
    {
      label: 'an unused link',
      request: (fx) => ({ url: v1(`/invitations/${fx.invitation.token}/accept`) }),
      expect: { ...signedIn(409), outsider: 200, removedMember: 200 },
    },
    {
      label: 'the link the removed member joined through',
      request: (fx) => ({ url: v1(`/invitations/${fx.removedMemberLink}/accept`) }),
      expect: { ...signedIn(409), outsider: 200, removedMember: 404 },
    },
    {
      // API.md 1.1: a facilitator's links stop working when they are demoted, whatever role the link gives.
      label: "the demoted facilitator's member link",
      request: (fx) => ({ url: v1(`/invitations/${fx.demotedLink.token}/accept`) }),
      expect: signedIn(404),
    },
    {
      label: "the demoted facilitator's facilitator link",
      setup: async (d) => {
        const res = await send(
          d.harness,
          d.headers.demotedFacilitator,
          'POST',
          v1(`/groups/${d.groupId}/invitations`),
          {
            role: 'facilitator',
          },
        );
        if (res.statusCode !== 201) throw new Error(`setup invitation: ${res.statusCode} ${res.body}`);
        return { token: res.json().invitation.token as string };
      },
      request: (fx) => ({ url: v1(`/invitations/${fx.extra.token}/accept`) }),
      expect: signedIn(404),
    },
  ],
  'GET /api/v1/stream': { websocket: true, request: () => ({ url: v1('/stream') }), expect: signedIn(101) },
  'GET /api/v1/search': { request: () => ({ url: v1('/search?q=assembly') }), expect: signedIn(200) },
  'GET /api/v1/notifications': { request: () => ({ url: v1('/notifications') }), expect: signedIn(200) },
  'POST /api/v1/notifications/read': {
    request: () => ({ url: v1('/notifications/read'), body: {} }),
    expect: signedIn(204),
  },

  // Threads and comments
  'POST /api/v1/groups/:id/threads': [
    {
      request: (fx) => ({ url: v1(`/groups/${fx.groupId}/threads`), body: { title: 'Bike shed colours' } }),
      expect: members(201),
    },
    {
      label: 'membersCanStartThreads off',
      setup: setting('membersCanStartThreads'),
      request: (fx) => ({ url: v1(`/groups/${fx.groupId}/threads`), body: { title: 'Bike shed colours' } }),
      expect: facilitators(201),
    },
  ],
  'GET /api/v1/groups/:id/threads': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/threads`) }),
    expect: members(200),
  },
  'GET /api/v1/threads/:id': {
    request: (fx) => ({ url: v1(`/threads/${fx.threadId}`) }),
    expect: members(200),
  },
  'PATCH /api/v1/threads/:id': [
    {
      label: 'title',
      request: (fx) => ({ url: v1(`/threads/${fx.threadId}`), body: { title: 'Where should we meet?' } }),
      expect: authorOrFacilitator(200),
    },
    {
      label: 'pin',
      request: (fx) => ({ url: v1(`/threads/${fx.threadId}`), body: { pinned: true } }),
      expect: facilitators(200),
    },
    {
      label: 'close',
      isolate: true,
      request: (fx) => ({ url: v1(`/threads/${fx.threadId}`), body: { closed: true } }),
      expect: authorOrFacilitator(200),
    },
    {
      label: 'reopen',
      setup: (d) => act(d, 'facilitator', 'PATCH', v1(`/threads/${d.threadId}`), { closed: true }),
      request: (fx) => ({ url: v1(`/threads/${fx.threadId}`), body: { closed: false } }),
      expect: facilitators(200),
    },
  ],
  'GET /api/v1/threads/:id/timeline': {
    request: (fx) => ({ url: v1(`/threads/${fx.threadId}/timeline`) }),
    expect: members(200),
  },
  'POST /api/v1/threads/:id/read': {
    request: (fx) => ({ url: v1(`/threads/${fx.threadId}/read`), body: { lastEventId: fx.lastEventId } }),
    expect: members(204),
  },
  'POST /api/v1/threads/:id/comments': {
    request: (fx) => ({ url: v1(`/threads/${fx.threadId}/comments`), body: { body: 'The park, if dry.' } }),
    expect: members(201),
  },
  'GET /api/v1/comments/:id': {
    request: (fx) => ({ url: v1(`/comments/${fx.commentId}`) }),
    expect: members(200),
  },
  'PATCH /api/v1/comments/:id': {
    request: (fx) => ({ url: v1(`/comments/${fx.commentId}`), body: { body: 'The hall, on reflection.' } }),
    expect: authorOnly(200),
  },
  'DELETE /api/v1/comments/:id': {
    isolate: true,
    request: (fx) => ({ url: v1(`/comments/${fx.commentId}`) }),
    expect: authorOrFacilitator(204),
  },
  'GET /api/v1/comments/:id/versions': {
    request: (fx) => ({ url: v1(`/comments/${fx.commentId}/versions`) }),
    expect: members(200),
  },
  'PUT /api/v1/comments/:id/reactions/:emoji': {
    request: (fx) => ({ url: v1(`/comments/${fx.commentId}/reactions/${THUMBS}`) }),
    expect: members(200),
  },
  'DELETE /api/v1/comments/:id/reactions/:emoji': {
    setup: everyMemberDoes(
      (who) => (d) => act(d, who, 'PUT', v1(`/comments/${d.commentId}/reactions/${THUMBS}`)),
    ),
    request: (fx) => ({ url: v1(`/comments/${fx.commentId}/reactions/${THUMBS}`) }),
    expect: members(200),
  },

  // Proposals and votes
  'POST /api/v1/threads/:id/proposals': [
    {
      request: (fx) => ({
        url: v1(`/threads/${fx.threadId}/proposals`),
        body: { kind: 'proposal', title: 'Meet in the hall', closesAt: inSeconds(3600) },
      }),
      expect: members(201),
    },
    {
      label: 'membersCanCreateProposals off',
      setup: setting('membersCanCreateProposals'),
      request: (fx) => ({
        url: v1(`/threads/${fx.threadId}/proposals`),
        body: { kind: 'proposal', title: 'Meet in the hall', closesAt: inSeconds(3600) },
      }),
      expect: facilitators(201),
    },
  ],
  'GET /api/v1/proposals/:id': {
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}`) }),
    expect: members(200),
  },
  'PATCH /api/v1/proposals/:id': {
    request: (fx) => ({
      url: v1(`/proposals/${fx.proposalId}`),
      body: { title: 'Meet in the hall, Saturday' },
    }),
    expect: authorOrFacilitator(200),
  },
  'GET /api/v1/groups/:id/proposals': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/proposals`) }),
    expect: members(200),
  },
  'PUT /api/v1/proposals/:id/vote': {
    request: (fx) => ({
      url: v1(`/proposals/${fx.proposalId}/vote`),
      body: { choices: [{ optionId: fx.agreeOptionId }] },
    }),
    expect: members(200),
  },
  'DELETE /api/v1/proposals/:id/vote': {
    setup: everyMemberDoes(voteAs),
    isolate: true,
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/vote`) }),
    expect: members(204),
  },
  'GET /api/v1/proposals/:id/votes': {
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/votes`) }),
    expect: members(200),
  },
  'GET /api/v1/proposals/:id/undecided': {
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/undecided`) }),
    expect: members(200),
  },
  'POST /api/v1/proposals/:id/close': {
    isolate: true,
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/close`), body: {} }),
    expect: authorOrFacilitator(200),
  },
  'POST /api/v1/proposals/:id/remind': {
    // A success takes the proposal's hourly reminder.
    isolate: true,
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/remind`) }),
    expect: authorOrFacilitator(202),
  },
  'POST /api/v1/proposals/:id/outcome': {
    setup: closeProposal,
    request: (fx) => ({
      url: v1(`/proposals/${fx.proposalId}/outcome`),
      body: { statement: 'We meet in the hall.' },
    }),
    expect: authorOrFacilitator(201),
  },
  'POST /api/v1/proposals/:id/reopen': {
    setup: closeProposal,
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/reopen`), body: { closesAt: inSeconds(7200) } }),
    expect: facilitators(200),
  },
  'GET /api/v1/groups/:id/decisions': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/decisions`) }),
    expect: members(200),
  },
  'GET /api/v1/proposals/:id/record': {
    setup: closeProposal,
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/record`) }),
    expect: members(200),
  },
  'GET /api/v1/templates': { request: () => ({ url: v1('/templates') }), expect: signedIn(200) },
  // Web Push: the caller's own devices. Every caller registers the same browser, which moves from one to
  // the next and ends with the member, whom no fixture notifies (the member's own proposal notifies
  // others), until the next write row, the DELETE below, clears it.
  'GET /api/v1/push/key': { request: () => ({ url: v1('/push/key') }), expect: signedIn(200) },
  'POST /api/v1/me/push-subscriptions': {
    request: () => ({
      url: v1('/me/push-subscriptions'),
      body: { endpoint: 'https://push.example.org/matrix-browser', keys: PUSH_KEYS },
    }),
    expect: signedIn(201),
  },
  'GET /api/v1/me/push-subscriptions': {
    request: () => ({ url: v1('/me/push-subscriptions') }),
    expect: signedIn(200),
  },
  'DELETE /api/v1/me/push-subscriptions/:id': {
    isolate: true,
    setup: async (d) => {
      // Left subscribed, a device would be pushed to (its failure counted, a write) while a later row
      // checks that its refusals write nothing.
      await d.harness.db.database.db.deleteFrom('push_subscriptions').execute();
      const res = await send(d.harness, d.headers.member, 'POST', v1('/me/push-subscriptions'), {
        endpoint: `https://push.example.org/member-${fresh()}`,
        keys: PUSH_KEYS,
      });
      if (res.statusCode !== 201) throw new Error(`setup push subscription: ${res.statusCode} ${res.body}`);
      return { subscriptionId: res.json().subscription.id as string };
    },
    request: (fx) => ({ url: v1(`/me/push-subscriptions/${fx.extra.subscriptionId}`) }),
    // The member's own, through their session or their token; anyone else cannot tell it exists.
    expect: { ...signedIn(404), member: 204, apiToken: 204 },
  },
  'POST /api/v1/proposals/:id/template': {
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/template`), body: { name: 'Ours' } }),
    expect: facilitators(201),
  },
  'DELETE /api/v1/groups/:id/templates/:templateId': {
    isolate: true,
    setup: async (d) => {
      const res = await send(
        d.harness,
        d.headers.facilitator,
        'POST',
        v1(`/proposals/${d.proposalId}/template`),
        {},
      );
      if (res.statusCode !== 201) throw new Error(`setup template: ${res.statusCode} ${res.body}`);
      return { templateId: res.json().template.id as string };
    },
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/templates/${fx.extra.templateId}`) }),
    expect: facilitators(204),
  },
  'GET /api/v1/groups/:id/record': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/record`) }),
    expect: members(200),
  },
  // Attachments: the body is the file (here a small JSON one), the member's upload the one others ask for.
  'POST /api/v1/groups/:id/attachments': {
    request: (fx) => ({
      url: v1(`/groups/${fx.groupId}/attachments?filename=matrix.json`),
      body: { minutes: 'of the meeting' },
    }),
    expect: members(201),
  },
  'GET /api/v1/groups/:id/attachments': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/attachments`) }),
    expect: members(200),
  },
  'GET /api/v1/attachments/:id': {
    setup: uploadAsMember,
    request: (fx) => ({ url: v1(`/attachments/${fx.extra.attachmentId}`) }),
    expect: members(200),
  },
  'DELETE /api/v1/attachments/:id': {
    isolate: true,
    setup: uploadAsMember,
    request: (fx) => ({ url: v1(`/attachments/${fx.extra.attachmentId}`) }),
    // The member uploaded it: they (and their token) and facilitators may delete it.
    expect: authorOrFacilitator(204),
  },
  // Delegation: the bystander, a member, is the delegate every caller names.
  'PUT /api/v1/groups/:id/delegation': {
    setup: delegationOn,
    request: (fx) => ({
      url: v1(`/groups/${fx.groupId}/delegation`),
      body: { delegateId: fx.userIds.bystander },
    }),
    expect: members(200),
  },
  'DELETE /api/v1/groups/:id/delegation': {
    setup: async (d) => {
      await delegationOn(d);
      await everyMemberDoes(
        (who) => (x) =>
          act(x, who, 'PUT', v1(`/groups/${x.groupId}/delegation`), { delegateId: x.userIds.bystander }),
      )(d);
    },
    isolate: true,
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/delegation`) }),
    expect: members(204),
  },
  'PUT /api/v1/proposals/:id/delegation': {
    setup: delegationOn,
    request: (fx) => ({
      url: v1(`/proposals/${fx.proposalId}/delegation`),
      body: { delegateId: fx.userIds.bystander },
    }),
    expect: members(200),
  },
  'DELETE /api/v1/proposals/:id/delegation': {
    setup: async (d) => {
      await delegationOn(d);
      await everyMemberDoes(
        (who) => (x) =>
          act(x, who, 'PUT', v1(`/proposals/${x.proposalId}/delegation`), {
            delegateId: x.userIds.bystander,
          }),
      )(d);
    },
    isolate: true,
    request: (fx) => ({ url: v1(`/proposals/${fx.proposalId}/delegation`) }),
    expect: members(204),
  },
  'GET /api/v1/groups/:id/delegations': {
    request: (fx) => ({ url: v1(`/groups/${fx.groupId}/delegations`) }),
    expect: members(200),
  },
};

const cases = Object.entries(MATRIX)
  .flatMap(([route, c]) =>
    (Array.isArray(c) ? c : [c]).map((one) => ({ route, method: route.split(' ')[0]!, ...one })),
  )
  // Reads first: they leave the fixture as it was, so consecutive rows can share it.
  .sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));

let h: Harness;
let base: string;
let runner: MatrixRunner;

beforeAll(async () => {
  // The email worker would mark queued mail as it goes, a change no refused request made.
  h = await startApp({ RATE_LIMITS: 'off', EMAIL_WORKER: 'off' });
  base = await listenOn(h.app);
  cast = await signUpCast(h);
  runner = new MatrixRunner(h, cast, base);
});
afterAll(() => h?.close());

describe('every route × every principal', () => {
  test('every registered /api/v1 route has a row, and every row a route', () => {
    const registered = registeredRoutes(h.app);
    expect(registered.has('GET /api/v1/me')).toBe(true); // the route listing still parses
    const rows = new Set(Object.keys(MATRIX));
    expect({
      withoutRow: [...registered].filter((r) => !rows.has(r)).sort(),
      withoutRoute: [...rows].filter((r) => !registered.has(r)).sort(),
    }).toEqual({ withoutRow: [], withoutRoute: [] });
  });

  test('the fingerprint that shows a refusal changed nothing notices a write', async () => {
    const fx = await runner.fresh();
    const before = await stateDigest(h);
    await send(h, fx.headers.member, 'PATCH', v1(`/comments/${fx.commentId}`), { body: 'Edited.' });
    expect(changedTables(before, await stateDigest(h))).toEqual(
      expect.arrayContaining(['comments', 'events']),
    );
    runner.forget();
  });

  for (const c of cases) {
    test(`${c.route}${c.label ? ` (${c.label})` : ''}`, async () => {
      const expected = Object.fromEntries(PRINCIPALS.map((p) => [p, shown(c.expect[p])]));
      const got: Record<string, string> = {};
      // Refusals first, then the successes; with `isolate`, each success after the first on a new fixture.
      let fx = await runner.fixtureFor(c.setup);
      for (const who of PRINCIPALS.filter((p) => c.expect[p] >= 400)) got[who] = await runner.run(fx, who, c);
      for (const [i, who] of PRINCIPALS.filter((p) => c.expect[p] < 400).entries()) {
        if (i > 0 && c.isolate) fx = await runner.fresh(c.setup);
        got[who] = await runner.run(fx, who, c);
      }
      expect(Object.fromEntries(PRINCIPALS.map((p) => [p, got[p]]))).toEqual(expected);
    });
  }
});

describe('the stream topics × every principal', () => {
  test('members subscribe to their group, its threads and me; others get not_found, anonymous no socket', async () => {
    const fx = await runner.fresh();
    const topics = [`group:${fx.groupId}`, `thread:${fx.threadId}`, 'me'];
    const got: Record<string, string[]> = {};
    for (const who of PRINCIPALS) {
      if (who === 'anonymous') {
        const refused = await openStream(base, {}).then(
          async (ws) => {
            await ws.close();
            return 'socket opened';
          },
          (err) => String(err).match(/upgrade refused: \d+/)?.[0] ?? String(err),
        );
        got[who] = topics.map(() => refused);
        continue;
      }
      const ws = await openStream(base, runner.streamAuth(fx, who));
      for (const topic of topics) ws.send({ type: 'subscribe', topic });
      const answers = await ws.waitForCount(
        (m) => m.type === 'subscribed' || m.type === 'error',
        topics.length,
      );
      got[who] = topics.map((topic) => {
        const m = answers.find((a) => 'topic' in a && a.topic === topic);
        return m?.type === 'error' ? `error ${m.code}` : (m?.type ?? 'no answer');
      });
      await ws.close();
    }
    const refused = 'upgrade refused: 401';
    const outside = ['error not_found', 'error not_found', 'subscribed'];
    const inside = ['subscribed', 'subscribed', 'subscribed'];
    expect(got).toEqual({
      anonymous: [refused, refused, refused],
      outsider: outside,
      member: inside,
      facilitator: inside,
      removedMember: outside,
      demotedFacilitator: inside,
      apiToken: inside,
    });
  });
});

describe('an anonymous caller learns nothing about a body it may not send', () => {
  test('every write that needs a signed-in caller answers 401 to an anonymous malformed body', async () => {
    const fx = await runner.fresh();
    const writes = cases.filter((c) => c.method !== 'GET' && c.expect.anonymous === 401 && !c.websocket);
    const got: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const c of writes) {
      const key = `${c.route}${c.label ? ` (${c.label})` : ''}`;
      // An array where every route expects an object (or nothing): invalid for every schema here.
      got[key] = await runner.run(fx, 'anonymous', {
        ...c,
        request: (f, w) => ({ ...c.request(f, w), body: [] }),
      });
      expected[key] = shown(401);
    }
    expect(got).toEqual(expected);
  });
});
