import type {
  CreateInvitationBody,
  Invitation,
  InvitationPreview,
  InvitationsSent,
  Membership,
  Role,
  SkippedInvitation,
} from '../../shared/schemas/groups';
import { api } from './api';

export type { Invitation, InvitationsSent, SkippedInvitation };
/** What an invitation link shows before anyone signs in. */
export type InvitationSummary = InvitationPreview['invitation'];

/** As the server's MAX_INVITATION_EMAILS and MAX_INVITATION_MESSAGE (shared/schemas/groups.ts), without the schema library in the bundle. */
export const MAX_INVITATION_EMAILS = 100;
export const MAX_INVITATION_MESSAGE = 2000;

const enc = encodeURIComponent;

/** Creates an invitation link (facilitators; members too when the group allows it). */
export async function createInvitation(
  groupId: string,
  body: CreateInvitationBody = {},
): Promise<Invitation> {
  return (await api<{ invitation: Invitation }>('POST', `/groups/${enc(groupId)}/invitations`, { body }))
    .invitation;
}

/**
 * Emails an invitation, each with its own link, to every address (up to 100);
 * an address with a pending invitation gets that one again.
 */
export async function inviteByEmail(
  groupId: string,
  body: { emails: string[]; role?: Role; message?: string },
): Promise<InvitationsSent> {
  return api<InvitationsSent>('POST', `/groups/${enc(groupId)}/invitations`, { body });
}

/** Emails an invitation again (facilitators; at most once per 10 minutes each). */
export async function resendInvitation(groupId: string, invitationId: string): Promise<Invitation> {
  return (
    await api<{ invitation: Invitation }>(
      'POST',
      `/groups/${enc(groupId)}/invitations/${enc(invitationId)}/resend`,
    )
  ).invitation;
}

/** Withdraws an invitation: its link stops working (facilitators). */
export async function revokeInvitation(groupId: string, invitationId: string): Promise<void> {
  await api('DELETE', `/groups/${enc(groupId)}/invitations/${enc(invitationId)}`);
}

/**
 * The addresses in pasted text, separated by commas, semicolons, spaces or
 * new lines, lower-cased and each once ("Ann <ann@example.org>" gives the address).
 */
export function parseEmailList(text: string): string[] {
  const seen = new Set<string>();
  // "Ann Lee <ann@example.org>", as mail clients copy addresses: the name goes.
  const bare = text.replace(/"[^"]*"\s*(?=<)/g, ' ').replace(/[^<>,;\n]*<([^<>]*)>/g, ' $1 ');
  for (const part of bare.split(/[\s,;]+/)) {
    const email = part.replace(/^[<("']+|[>)"']+$/g, '').toLowerCase();
    if (email) seen.add(email);
  }
  return [...seen];
}

/** Whether text looks like one email address (the server has the last word). */
export function looksLikeEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);
}

/** Where an invitation by email stands, for the invitation screen. */
export function invitationState(
  inv: Invitation,
  now = Date.now(),
): 'accepted' | 'expired' | 'stopped' | 'pending' {
  if (inv.maxUses !== null && inv.uses >= inv.maxUses) return 'accepted';
  if (inv.expiresAt && Date.parse(inv.expiresAt) <= now) return 'expired';
  return inv.valid ? 'pending' : 'stopped';
}

/** The group's invitations (facilitators). */
export async function listInvitations(groupId: string): Promise<Invitation[]> {
  return (await api<{ items: Invitation[] }>('GET', `/groups/${enc(groupId)}/invitations`)).items;
}

/** Makes the caller (a facilitator) the link's issuer, so a link whose issuer stepped down works again. */
export async function reissueInvitation(groupId: string, invitationId: string): Promise<Invitation> {
  return (
    await api<{ invitation: Invitation }>(
      'POST',
      `/groups/${enc(groupId)}/invitations/${enc(invitationId)}/reissue`,
    )
  ).invitation;
}

/** Group name, role and validity of a link; 404 for an unknown token. */
export async function previewInvitation(token: string, signal?: AbortSignal): Promise<InvitationSummary> {
  return (await api<InvitationPreview>('GET', `/invitations/${enc(token)}`, { signal })).invitation;
}

/** Joins the group through the link (signed in). */
export async function acceptInvitation(token: string): Promise<{ membership: Membership; groupId: string }> {
  return api('POST', `/invitations/${enc(token)}/accept`);
}
