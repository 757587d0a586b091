import { describe, expect, test } from 'vitest';
import { buildProposal, emptyProposalDraft } from '../../client/data/proposal-draft';
import { draftFromTemplate } from '../../client/data/templates';
import { toLocalInput } from '../../client/data/time-text';
import { BUILT_IN_TEMPLATES, builtInTemplate } from '../../shared/templates';
import { DAY, NOW } from './proposal-fixtures';

describe('a template in the proposal form', () => {
  const typed = {
    ...emptyProposalDraft(NOW),
    title: 'Keep me',
    closesAt: toLocalInput(new Date(NOW + 2 * DAY)),
  };

  test('fills in kind, options, details and settings, and keeps the title and closing time', () => {
    const draft = draftFromTemplate(typed, builtInTemplate('gradients_of_agreement')!);
    expect(draft).toMatchObject({
      kind: 'poll',
      title: 'Keep me',
      closesAt: typed.closesAt,
      maxChoices: '1',
    });
    expect(draft.options).toHaveLength(8);
    const consent = draftFromTemplate(typed, builtInTemplate('consent')!);
    expect(consent).toMatchObject({ kind: 'proposal', reasonRequired: true, blockVetoes: true });
    expect(consent.details).toContain('What we propose');
  });

  test('every built-in template gives a form the server accepts once its blanks are filled', () => {
    for (const template of BUILT_IN_TEMPLATES) {
      const draft = draftFromTemplate(typed, template);
      const filled = {
        ...draft,
        options: draft.options.map((o, i) => ({
          label: o.label || `Option ${i + 1}`,
          startsAt: template.kind === 'meeting' ? toLocalInput(new Date(NOW + (i + 1) * DAY)) : '',
        })),
      };
      const { body, errors } = buildProposal(filled, NOW);
      expect({ id: template.id, errors }).toEqual({ id: template.id, errors: {} });
      expect(body.kind).toBe(template.kind);
    }
  });

  test("a group's template with a quorum and threshold carries them as typed text", () => {
    const draft = draftFromTemplate(typed, {
      id: 'x',
      groupId: 'g',
      name: 'Assembly night',
      description: '',
      kind: 'poll',
      options: ['Monday', 'Thursday'],
      details: '',
      settings: { quorumPercent: 40, passPercent: null },
      createdAt: null,
    });
    expect(draft).toMatchObject({ quorumPercent: '40', passPercent: '', details: typed.details });
    expect(draft.options.map((o) => o.label)).toEqual(['Monday', 'Thursday']);
  });
});
