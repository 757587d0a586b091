import { describe, expect, test } from 'vitest';
import { invitationState, looksLikeEmail, parseEmailList } from '../../client/data/invitations';

describe('parseEmailList: addresses as facilitators paste them', () => {
  test('commas, semicolons, spaces and new lines separate; case and repeats do not count', () => {
    expect(
      parseEmailList(' Ann@Example.org, bo@example.org;cy@example.org\n\nann@example.org  dee@example.org\t'),
    ).toEqual(['ann@example.org', 'bo@example.org', 'cy@example.org', 'dee@example.org']);
  });

  test('names copied from a mail client go, their addresses stay', () => {
    expect(
      parseEmailList('Ann Lee <ann@example.org>, "Bo, the treasurer" <bo@example.org>\ncy@example.org'),
    ).toEqual(['ann@example.org', 'bo@example.org', 'cy@example.org']);
  });

  test('nothing typed is no address; what is not an address is kept, to be pointed out', () => {
    expect(parseEmailList('  \n , ')).toEqual([]);
    const parsed = parseEmailList('ann@example.org annexample.org');
    expect(parsed.filter((e) => !looksLikeEmail(e))).toEqual(['annexample.org']);
  });
});

describe('invitationState', () => {
  const base = {
    id: 'i',
    token: 't',
    url: 'u',
    role: 'member' as const,
    email: 'a@example.org',
    maxUses: 1,
    uses: 0,
    valid: true,
    issuedBy: null,
  };
  const now = Date.parse('2026-12-03T12:00:00Z');
  test('accepted, expired, stopped or pending', () => {
    expect(invitationState({ ...base, uses: 1, valid: false, expiresAt: '2026-12-10T00:00:00Z' }, now)).toBe(
      'accepted',
    );
    expect(invitationState({ ...base, valid: false, expiresAt: '2026-12-01T00:00:00Z' }, now)).toBe(
      'expired',
    );
    expect(invitationState({ ...base, valid: false, expiresAt: '2026-12-10T00:00:00Z' }, now)).toBe(
      'stopped',
    );
    expect(invitationState({ ...base, expiresAt: '2026-12-10T00:00:00Z' }, now)).toBe('pending');
  });
});
