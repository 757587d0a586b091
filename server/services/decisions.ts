import { english, type Translator } from '../../shared/i18n';
import { irvStory } from '../../shared/irv-story';
import { resultLabel, resultsSummary, topOptionIds, winnerText } from '../../shared/result-text';
import type { Proposal } from '../../shared/schemas/proposals';
import { recordHeads } from '../db/decision-records';
import { closedProposalsOfGroup } from '../db/proposals';
import { memberLocale, translatorFor } from '../i18n';
import type { Ctx } from './context';
import { groupAccess } from './groups';
import { loadProposalsForViewer } from './proposals/view';

export interface Decision {
  proposal: Proposal;
  thread: { id: string; title: string };
  /** The proposal's newest link in the group's chain (`GET /proposals/:id/record`); null when closed before records were kept. */
  record: { sequence: number; hash: string } | null;
}

const MAX_DECISIONS = 5_000;

/** Every closed proposal of a group, newest decision first, with its final results and outcome. */
async function decisionsOf(ctx: Ctx, groupId: string): Promise<Decision[]> {
  const rows = await closedProposalsOfGroup(ctx.db, groupId, MAX_DECISIONS);
  const ids = rows.map((r) => r.id);
  const [proposals, records] = await Promise.all([
    loadProposalsForViewer(ctx.db, null, ids),
    recordHeads(ctx.db, ids),
  ]);
  return rows.map((r) => ({
    proposal: proposals.get(r.id)!,
    thread: { id: r.thread_id, title: r.thread_title },
    record: records.get(r.id) ?? null,
  }));
}

/** The decision log as one page, or as a file to download (`content-disposition` names it). */
export type DecisionExport =
  | { page: { items: Decision[]; nextCursor: null } }
  | { file: { contentType: string; filename: string; body: string } };

/**
 * A group's decision log in `format`, for its members; 404 for outsiders. The CSV and Markdown
 * files are worded in `tr`, by default the language of the member asking (their setting, else their
 * browser's), read from the database: a caller with the member's row at hand passes
 * `translatorFor(memberLocale(user))` instead.
 */
export async function exportDecisions(
  ctx: Ctx,
  groupId: string,
  userId: string,
  format: 'json' | 'csv' | 'md' = 'json',
  tr?: Translator,
): Promise<DecisionExport> {
  const { group } = await groupAccess(ctx, groupId, userId);
  const decisions = await decisionsOf(ctx, groupId);
  if (format === 'json') return { page: { items: decisions, nextCursor: null } };
  const words = tr ?? (await readerTranslator(ctx, userId));
  const slug =
    group.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'group';
  if (format === 'csv') {
    return {
      file: {
        contentType: 'text/csv; charset=utf-8',
        filename: `${slug}-decisions.csv`,
        body: decisionsCsv(decisions, words),
      },
    };
  }
  return {
    file: {
      contentType: 'text/markdown; charset=utf-8',
      filename: `${slug}-decisions.md`,
      body: decisionsMarkdown(group.name, decisions, words),
    },
  };
}

/** The translator for the member's language (their setting, else their browser's, else English). */
async function readerTranslator(ctx: Ctx, userId: string): Promise<Translator> {
  const user = await ctx.db
    .selectFrom('users')
    .select(['locale', 'browser_locale'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return user ? translatorFor(memberLocale(user)) : english;
}

/**
 * The results in one line, worded as the decision log's page words them (shared/result-text.ts),
 * every figure with its unit: "Agree: 12 votes · 60%; Block: 1 vote · 5%".
 */
export function summariseResults(p: Proposal, tr: Translator = english): string {
  return p.results ? resultsSummary(p, p.results, tr) : '';
}

/** The winning option(s) by label, "A / B" on a tie; the best slot of a meeting poll. */
function winners(p: Proposal, tr: Translator): string {
  return p.results
    ? topOptionIds(p, p.results)
        .map((id) => resultLabel(p, id, tr))
        .join(' / ')
    : '';
}

function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The log as CSV: one row per decision, `results` worded as on screen (column names stay as they are). */
export function decisionsCsv(decisions: Decision[], tr: Translator = english): string {
  const header = [
    'proposal_id',
    'title',
    'kind',
    'thread',
    'closed_at',
    'voters',
    'eligible',
    'winner',
    'blocked',
    'results',
    'outcome',
    'review_on',
  ];
  const lines = decisions.map(({ proposal: p, thread }) =>
    [
      p.id,
      p.title,
      p.kind,
      thread.title,
      p.closedAt,
      p.voterCount,
      p.eligibleCount,
      winners(p, tr),
      p.kind === 'proposal' ? String(Boolean(p.results?.blocked)) : '',
      summariseResults(p, tr),
      p.outcome?.statement ?? '',
      p.outcome?.reviewOn ?? '',
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/** The log as Markdown: a section per decision with its winner, tally, runoff rounds in words and outcome. */
export function decisionsMarkdown(
  groupName: string,
  decisions: Decision[],
  tr: Translator = english,
): string {
  const parts = [`# ${tr.t('Decision log: {group}', { group: groupName })}`, ''];
  if (decisions.length === 0) parts.push(tr.t('No decisions yet.'), '');
  for (const { proposal: p, thread } of decisions) {
    parts.push(`## ${p.title}`, '');
    parts.push(`- ${tr.t('Thread: {title}', { title: thread.title })}`);
    parts.push(
      `- ${tr.t('Kind: {kind, select, proposal {proposal} poll {poll} score {score} dot_vote {dot vote} ranked_choice {ranked choice} meeting {meeting} other {{kind}}}', { kind: p.kind })}`,
    );
    parts.push(`- ${tr.t('Closed: {date}', { date: p.closedAt })}`);
    parts.push(
      `- ${tr.t('Voted: {voted} of {eligible}', { voted: p.voterCount, eligible: p.eligibleCount })}`,
    );
    const top = p.results ? winnerText(p, p.results, tr) : '';
    if (top) parts.push(`- ${p.results?.blocked ? tr.t('{winner} (blocked)', { winner: top }) : top}`);
    if (p.results) {
      parts.push(
        `- ${tr.t('Tally: {tally}', { tally: summariseResults(p, tr) || tr.t('no votes were cast') })}`,
      );
    }
    const story = p.results ? irvStory(p, p.results, tr) : [];
    if (story.length > 0) {
      parts.push(`- ${tr.t('Instant runoff:')}`);
      for (const line of story)
        parts.push(`  - ${tr.t('Round {round}: {text}', { round: line.round, text: line.text })}`);
    }
    parts.push('');
    if (p.outcome) {
      parts.push(`### ${tr.t('Outcome')}`, '', p.outcome.statement, '');
      if (p.outcome.reviewOn) parts.push(tr.t('Review on {date}.', { date: p.outcome.reviewOn }), '');
    }
  }
  return parts.join('\n');
}
