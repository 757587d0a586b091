import Type from 'typebox';
import { LongText, Name, Timestamp } from './common';
import { CreateProposalBody, ProposalKind } from './proposals';

/**
 * The settings a template gives a new proposal; whatever the proposal's own
 * body says wins. The same names as `CreateProposalBody`.
 */
export const TemplateSettings = Type.Partial(
  Type.Pick(CreateProposalBody, [
    'anonymous',
    'resultsHiddenUntilClosed',
    'reasonRequired',
    'minChoices',
    'maxChoices',
    'maxScore',
    'dotsPerVoter',
    'quorumPercent',
    'passPercent',
    'blockVetoes',
  ]),
);
export type TemplateSettings = Type.Static<typeof TemplateSettings>;

/** A ready-made process: built in (`id` a name such as `consent`) or saved by a group (`id` a uuid). */
export const ProposalTemplate = Type.Object({
  id: Type.String(),
  /** Null for the built-in templates, every group's. */
  groupId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  /** When to use it, in a sentence or two. */
  description: Type.String(),
  kind: ProposalKind,
  /** Option labels a proposal starts with; empty: the proposal gives its own (consent's are fixed). */
  options: Type.Array(Type.String()),
  /** Text a new proposal's details start with (a prompt, a structure). */
  details: Type.String(),
  settings: TemplateSettings,
  createdAt: Type.Union([Timestamp, Type.Null()]),
});
export type ProposalTemplate = Type.Static<typeof ProposalTemplate>;

export const TemplatesQuery = Type.Object({
  /** Adds the templates that group saved (members only). */
  groupId: Type.Optional(Type.String()),
});

export const TemplateList = Type.Object({ items: Type.Array(ProposalTemplate), nextCursor: Type.Null() });

/** `POST /proposals/:id/template`: saves the proposal's kind, options and settings for its group. */
export const SaveTemplateBody = Type.Object({
  name: Type.Optional(Name),
  description: Type.Optional(LongText),
});
