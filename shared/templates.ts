import { m } from './i18n';
import type { ProposalTemplate } from './schemas/templates';

/**
 * The processes Plenary offers ready-made, with their wording and settings.
 * Each is an ordinary proposal kind with options and settings filled in, so
 * tallies, verdicts and records need nothing new. Ids are stable: a client or
 * API user may name them in `POST /threads/:id/proposals {template}`.
 *
 * Their wording (name, description, options, details) is English, marked for
 * the catalogue with `m()`: a screen shows a built-in template (`groupId`
 * null) through `t()` (client/data/templates.ts does), a group's own as
 * its members wrote it.
 */
export const BUILT_IN_TEMPLATES: readonly ProposalTemplate[] = [
  builtIn({
    id: 'consent',
    name: m('Consent decision'),
    description: m(
      'Adopt a proposal unless someone has a reasoned, paramount objection. Agree, abstain, disagree (and let it pass), or block: a block stops it. Everyone says why.',
    ),
    kind: 'proposal',
    details: m('What we propose:\n\nWhy now:\n\nHow we will know it worked:\n'),
    settings: { reasonRequired: true, blockVetoes: true },
  }),
  builtIn({
    id: 'advice',
    name: m('Advice process'),
    description: m(
      'You will decide, after hearing from the people affected and those with expertise. Members give their advice; the decision stays yours, stated as the outcome.',
    ),
    kind: 'poll',
    options: [m('Go ahead'), m('Go ahead, with changes (say which)'), m('I have concerns (say which)')],
    details: m('What I intend to decide:\n\nWho it affects:\n\nWhen I will decide:\n'),
    settings: { reasonRequired: true, minChoices: 1, maxChoices: 1 },
  }),
  builtIn({
    id: 'gradients_of_agreement',
    name: m('Gradients of agreement'),
    description: m(
      'Shows how much support there is, not just yes or no: eight steps from whole-hearted endorsement to veto (after Kaner, Facilitator’s Guide to Participatory Decision-Making).',
    ),
    kind: 'poll',
    options: [
      m('Whole-hearted endorsement'),
      m('Agreement with a minor point of contention'),
      m('Support with reservations'),
      m('Abstain'),
      m('More discussion needed'),
      m('I don’t like it, but I will support it'),
      m('Serious disagreement'),
      m('Veto'),
    ],
    settings: { minChoices: 1, maxChoices: 1 },
  }),
  builtIn({
    id: 'sense_check',
    name: m('Sense check'),
    description: m(
      'A quick temperature check before a formal proposal: is this heading the right way? Not a decision.',
    ),
    kind: 'poll',
    options: [m('Looks good'), m('Not sure yet'), m('I have concerns')],
    settings: { minChoices: 1, maxChoices: 1 },
  }),
  builtIn({
    id: 'poll',
    name: m('Poll'),
    description: m('Members choose among options you list; the most chosen leads.'),
    kind: 'poll',
    settings: { minChoices: 1, maxChoices: 1 },
  }),
  builtIn({
    id: 'score',
    name: m('Score vote'),
    description: m(
      'Members score every option; the highest total leads. Good for weighing several ideas at once.',
    ),
    kind: 'score',
    settings: { maxScore: 5 },
  }),
  builtIn({
    id: 'dot_vote',
    name: m('Dot vote'),
    description: m('Each member spreads a number of dots over the options: priorities at a glance.'),
    kind: 'dot_vote',
    settings: { dotsPerVoter: 10 },
  }),
  builtIn({
    id: 'ranked_choice',
    name: m('Ranked choice'),
    description: m(
      'Members rank the options; the one with fewest first preferences is eliminated, round by round. For elections and choices among several.',
    ),
    kind: 'ranked_choice',
    settings: {},
  }),
  builtIn({
    id: 'meeting',
    name: m('Find a time'),
    description: m('Members say yes, if need be, or no to each time slot; the best slot leads.'),
    kind: 'meeting',
    settings: {},
  }),
];

function builtIn(
  template: Pick<ProposalTemplate, 'id' | 'name' | 'description' | 'kind' | 'settings'> &
    Partial<Pick<ProposalTemplate, 'options' | 'details'>>,
): ProposalTemplate {
  return { groupId: null, options: [], details: '', createdAt: null, ...template };
}

/** A built-in template by its id. */
export function builtInTemplate(id: string): ProposalTemplate | undefined {
  return BUILT_IN_TEMPLATES.find((template) => template.id === id);
}
