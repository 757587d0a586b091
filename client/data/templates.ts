/**
 * Ready-made processes (GET /templates): listing them, their wording in the
 * reader's language, turning one into the proposal form's draft, and saving a
 * proposal as one of its group's. `draftFromTemplate` and the wording are
 * pure; the rest call the API.
 *
 * The built-in templates (`groupId` null, shared/templates.ts) are worded in
 * English messages of the catalogue: show them through {@link templateName}
 * and {@link templateDescription}, which translate those and leave a group's
 * own templates as their members wrote them.
 */
import type { ProposalTemplate } from '../../shared/schemas/templates';
import { t } from '../i18n';
import { api } from './api';
import type { ProposalDraft } from './proposal-draft';

export type { ProposalTemplate };

const enc = encodeURIComponent;

/** A built-in template's text (an English message of shared/templates.ts) in the reader's language; a group's as written. */
function worded(template: ProposalTemplate, text: string): string {
  return template.groupId === null && text ? t(text) : text;
}

/** The template's name, in the reader's language when it is a built-in one ("Consent decision"). */
export function templateName(template: ProposalTemplate): string {
  return worded(template, template.name);
}

/** The template's description, in the reader's language when it is a built-in one. */
export function templateDescription(template: ProposalTemplate): string {
  return worded(template, template.description);
}

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
 * needs but the template leaves to the proposal start as two empty rows. A
 * built-in template's details and options come in the reader's language.
 */
export function draftFromTemplate(draft: ProposalDraft, template: ProposalTemplate): ProposalDraft {
  const s = template.settings;
  const text = (n: number | null | undefined, fallback: string) =>
    n === undefined ? fallback : n === null ? '' : String(n);
  return {
    ...draft,
    kind: template.kind,
    details: worded(template, template.details) || draft.details,
    options: template.options.length
      ? template.options.map((label) => ({ label: worded(template, label), startsAt: '' }))
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
