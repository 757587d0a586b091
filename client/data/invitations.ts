import type {
  CreateInvitationBody,
  Invitation,
  InvitationPreview,
  Membership,
} from '../../shared/schemas/groups';
import { api } from './api';

export type { Invitation };
/** What an invitation link shows before anyone signs in. */
export type InvitationSummary = InvitationPreview['invitation'];

const enc = encodeURIComponent;

/** Creates an invitation link (facilitators; members too when the group allows it). */
export async function createInvitation(
  groupId: string,
  body: CreateInvitationBody = {},
): Promise<Invitation> {
  return (await api<{ invitation: Invitation }>('POST', `/groups/${enc(groupId)}/invitations`, { body }))
    .invitation;
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
