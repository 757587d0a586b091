import Type from 'typebox';
import { Limit, Page, Timestamp } from './common';

const PersonRef = Type.Object({ id: Type.String(), name: Type.String() });

export const DelegationBody = Type.Object({
  delegateId: Type.String(),
});
export type DelegationBody = Type.Static<typeof DelegationBody>;

/** A member's vote following another's: in the whole group (`proposalId` null) or on one proposal. */
export const Delegation = Type.Object({
  from: PersonRef,
  to: PersonRef,
  proposalId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
export type Delegation = Type.Static<typeof Delegation>;

export const DelegationPage = Page(Delegation);
export type DelegationPage = Type.Static<typeof DelegationPage>;

export const DelegationListQuery = Type.Object({
  /** Only the group-wide delegations and those on this proposal. */
  proposalId: Type.Optional(Type.String()),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Limit),
});
export type DelegationListQuery = Type.Static<typeof DelegationListQuery>;
