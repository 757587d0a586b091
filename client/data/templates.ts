/**
 * Ready-made processes (GET /templates): listing them, turning one into the
 * proposal form's draft, and saving a proposal as one of its group's.
 * `draftFromTemplate` is pure; the rest call the API.
 */
import type { ProposalTemplate } from '../../shared/schemas/templates';
import { api } from './api';
import type { ProposalDraft } from './proposal-draft';

export type { ProposalTemplate };

const enc = encodeURIComponent;

/** The built-in templates, and the group's own when `groupId` is given. */
export async function listTemplates(groupId?: string, signal?: AbortSignal): Promise<ProposalTemplate[]> {
  const query = groupId ? `?groupId=${enc(groupId)}` : '';
  return (await api<{ items: ProposalTemplate[] }>('GET', `/templates${query}`, { signal })).items;
}

/** Saves the proposal's kind, options, details and settings as a template of its group. */
export async function saveAsTemplate(proposalId: string, name?: string): Promise<ProposalTemplate> {
  const body = name ? { name } : {};
  return (
    await api<{ template: ProposalTemplate }>('POST', `/proposals/${enc(proposalId)}/template`, { body })
  ).template;
}

/**
 * The form filled in from a template: its kind, options, details and
 * settings; the title and the closing time stay as typed. Options a kind
 * needs but the template leaves to the proposal start as two empty rows.
 */
export function draftFromTemplate(draft: ProposalDraft, t: ProposalTemplate): ProposalDraft {
  const s = t.settings;
  const text = (n: number | null | undefined, fallback: string) =>
    n === undefined ? fallback : n === null ? '' : String(n);
  return {
    ...draft,
    kind: t.kind,
    details: t.details || draft.details,
    options: t.options.length
      ? t.options.map((label) => ({ label, startsAt: '' }))
      : [
          { label: '', startsAt: '' },
          { label: '', startsAt: '' },
        ],
    anonymous: s.anonymous ?? false,
    resultsHiddenUntilClosed: s.resultsHiddenUntilClosed ?? false,
    reasonRequired: s.reasonRequired ?? false,
    minChoices: text(s.minChoices, '1'),
    maxChoices: text(s.maxChoices, '1'),
    maxScore: text(s.maxScore, '5'),
    dotsPerVoter: text(s.dotsPerVoter, '10'),
    quorumPercent: text(s.quorumPercent, ''),
    passPercent: text(s.passPercent, ''),
    blockVetoes: s.blockVetoes ?? true,
  };
}
