import type { CreateProposalBody, NewProposalBody, ProposalKind } from '../../shared/schemas/proposals';
import type { ProposalTemplate, TemplateSettings } from '../../shared/schemas/templates';
import { BUILT_IN_TEMPLATES, builtInTemplate } from '../../shared/templates';
import { optionsOf, proposalRows } from '../db/proposals';
import type { UserRow } from '../db/schema';
import {
  deleteTemplate,
  insertTemplate,
  type TemplateRow,
  templateById,
  templatesOfGroup,
} from '../db/templates';
import { forbidden, invalid, notFound } from '../errors';
import { type Ctx, writeTransaction } from './context';
import { groupAccess } from './groups';
import { permissionsOn, proposalAccess } from './proposals/view';
import { isUuid, trimmed } from './text';

function presentTemplate(row: TemplateRow): ProposalTemplate {
  return {
    id: row.id,
    groupId: row.group_id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    options: row.options as string[],
    details: row.details,
    settings: row.settings as TemplateSettings,
    createdAt: row.created_at.toISOString(),
  };
}

/** The built-in templates, and with `groupId` the ones that group saved (members only). */
export async function listTemplates(ctx: Ctx, userId: string, groupId?: string): Promise<ProposalTemplate[]> {
  if (!groupId) return [...BUILT_IN_TEMPLATES];
  await groupAccess(ctx, groupId, userId);
  return [...BUILT_IN_TEMPLATES, ...(await templatesOfGroup(ctx.db, groupId)).map(presentTemplate)];
}

/**
 * A proposal body with its template filled in: the template gives the kind,
 * the options, the details and the settings; anything the body itself says
 * wins. A group's template serves only that group's threads.
 */
export async function applyTemplate(
  ctx: Ctx,
  groupId: string,
  body: NewProposalBody,
): Promise<CreateProposalBody> {
  if (!body.template) {
    const { template: _none, kind, ...rest } = body;
    if (!kind) throw invalid('/kind', 'is required, unless a template is named');
    return { ...rest, kind };
  }
  const template =
    builtInTemplate(body.template) ??
    (isUuid(body.template) ? await templateById(ctx.db, body.template) : undefined);
  const found =
    template && 'group_id' in template
      ? template.group_id === groupId
        ? presentTemplate(template)
        : undefined
      : template;
  if (!found) throw invalid('/template', 'names no template of this group (see GET /api/v1/templates)');
  if (body.kind && body.kind !== found.kind) {
    throw invalid(
      '/kind',
      `is "${body.kind}", but the template "${found.name}" is a ${found.kind}: leave kind out`,
    );
  }
  const { template: _named, ...rest } = body;
  const options =
    rest.options ?? (found.options.length ? found.options.map((label) => ({ label })) : undefined);
  return {
    ...found.settings,
    ...rest,
    kind: found.kind,
    details: rest.details ?? found.details,
    ...(options && found.kind !== 'proposal' ? { options } : {}),
  };
}

/** Saves a proposal's kind, options, details and settings as one of its group's templates (facilitators). */
export async function saveProposalAsTemplate(
  ctx: Ctx,
  proposalId: string,
  user: UserRow,
  body: { name?: string; description?: string },
): Promise<ProposalTemplate> {
  const p = await proposalAccess(ctx, proposalId, user.id);
  if (!permissionsOn(p, user.id).saveAsTemplate) throw forbidden('only facilitators may save templates');
  const [[row], options] = await Promise.all([
    proposalRows(ctx.db, [proposalId]),
    optionsOf(ctx.db, [proposalId]),
  ]);
  const kind: ProposalKind = row!.kind;
  const settings: TemplateSettings = {
    anonymous: row!.anonymous,
    resultsHiddenUntilClosed: row!.results_hidden_until_closed,
    reasonRequired: row!.reason_required,
    ...(kind === 'poll' ? { minChoices: row!.min_choices, maxChoices: row!.max_choices } : {}),
    ...(kind === 'score' ? { maxScore: row!.max_score } : {}),
    ...(kind === 'dot_vote' ? { dotsPerVoter: row!.dots_per_voter } : {}),
    quorumPercent: row!.quorum_percent,
    passPercent: row!.pass_percent,
    ...(kind === 'proposal' ? { blockVetoes: row!.block_vetoes } : {}),
  };
  const name = body.name === undefined ? row!.title : trimmed(body.name, '/name');
  const saved = await writeTransaction(ctx, async (trx, emit) => {
    const inserted = await insertTemplate(trx, {
      groupId: row!.group_id,
      name,
      description: body.description ?? '',
      kind,
      // Meeting slots are dates of that meeting: a template keeps none.
      options: kind === 'proposal' || kind === 'meeting' ? [] : options.map((o) => o.label),
      details: row!.details,
      settings,
      createdBy: user.id,
    });
    emit({
      kind: 'template.created',
      groupId: row!.group_id,
      actorId: user.id,
      subjectId: inserted.id,
      data: { template: presentTemplate(inserted) },
    });
    return inserted;
  });
  return presentTemplate(saved);
}

/** Deletes one of the group's templates (facilitators); proposals made from it stay as they are. */
export async function removeTemplate(
  ctx: Ctx,
  groupId: string,
  templateId: string,
  user: UserRow,
): Promise<void> {
  await groupAccess(ctx, groupId, user.id, 'manage_templates');
  if (!isUuid(templateId)) throw notFound('template');
  await writeTransaction(ctx, async (trx, emit) => {
    if (!(await deleteTemplate(trx, groupId, templateId))) throw notFound('template');
    emit({
      kind: 'template.deleted',
      groupId,
      actorId: user.id,
      subjectId: templateId,
      data: { templateId },
    });
  });
}
