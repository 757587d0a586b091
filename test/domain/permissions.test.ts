import { describe, expect, test } from 'vitest';
import {
  commentPermissions,
  groupPermissions,
  proposalPermissions,
  threadPermissions,
} from '../../server/domain/permissions';

const settings = {
  membersCanStartThreads: true,
  membersCanCreateProposals: false,
  membersCanInvite: true,
  delegation: false,
};

describe('permissions as data', () => {
  test('a group grants members what its settings allow, facilitators everything, outsiders nothing', () => {
    expect(groupPermissions('member', settings)).toMatchObject({
      startThread: true,
      createProposal: false,
      invite: true,
      inviteFacilitator: false,
      moderateComments: false,
    });
    expect(Object.values(groupPermissions('facilitator', settings)).every(Boolean)).toBe(true);
    expect(Object.values(groupPermissions(null, settings)).some(Boolean)).toBe(false);
  });

  test('authors manage what they wrote only while they are members; facilitators reopen and pin', () => {
    const author = { viewerId: 'a', authorId: 'a' };
    expect(threadPermissions({ ...author, role: 'member' })).toEqual({
      edit: true,
      pin: false,
      close: true,
      reopen: false,
    });
    expect(proposalPermissions({ ...author, role: 'member' })).toEqual({
      edit: true,
      close: true,
      remind: true,
      stateOutcome: true,
      reopen: false,
      saveAsTemplate: false,
    });
    expect(Object.values(threadPermissions({ ...author, role: null })).some(Boolean)).toBe(false);
    expect(Object.values(proposalPermissions({ ...author, role: null })).some(Boolean)).toBe(false);
    // A former author whose account is gone (authorId null) is nobody's: only facilitators manage it.
    expect(proposalPermissions({ viewerId: 'b', authorId: null, role: 'member' }).close).toBe(false);
    expect(proposalPermissions({ viewerId: 'f', authorId: null, role: 'facilitator' })).toEqual({
      edit: true,
      close: true,
      remind: true,
      stateOutcome: true,
      reopen: true,
      saveAsTemplate: true,
    });
  });

  test('only its author edits a comment; a facilitator may also delete it', () => {
    expect(commentPermissions({ viewerId: 'a', authorId: 'a', role: 'member' })).toEqual({
      edit: true,
      delete: true,
    });
    expect(commentPermissions({ viewerId: 'f', authorId: 'a', role: 'facilitator' })).toEqual({
      edit: false,
      delete: true,
    });
    expect(commentPermissions({ viewerId: 'b', authorId: 'a', role: 'member' })).toEqual({
      edit: false,
      delete: false,
    });
  });
});
