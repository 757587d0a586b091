import { irvStory } from '../../shared/irv-story';
import { resultLabel, resultsSummary, topOptionIds, winnerText } from '../../shared/result-text';
import type { Proposal } from '../../shared/schemas/proposals';
import { recordHeads } from '../db/decision-records';
import { closedProposalsOfGroup } from '../db/proposals';
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

/** A group's decision log in `format`, for its members; 404 for outsiders. */
export async function exportDecisions(
  ctx: Ctx,
  groupId: string,
  userId: string,
  format: 'json' | 'csv' | 'md' = 'json',
): Promise<DecisionExport> {
  const { group } = await groupAccess(ctx, groupId, userId);
  const decisions = await decisionsOf(ctx, groupId);
  if (format === 'json') return { page: { items: decisions, nextCursor: null } };
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
        body: decisionsCsv(decisions),
      },
    };
  }
  return {
    file: {
      contentType: 'text/markdown; charset=utf-8',
      filename: `${slug}-decisions.md`,
      body: decisionsMarkdown(group.name, decisions),
    },
  };
}

/**
 * The results in one line, worded as the decision log's page words them (shared/result-text.ts),
 * every figure with its unit: "Agree: 12 votes · 60%; Block: 1 vote · 5%".
 */
export function summariseResults(p: Proposal): string {
  return p.results ? resultsSummary(p, p.results) : '';
}

/** The winning option(s) by label, "A / B" on a tie; the best slot of a meeting poll. */
function winners(p: Proposal): string {
  return p.results
    ? topOptionIds(p, p.results)
        .map((id) => resultLabel(p, id))
        .join(' / ')
    : '';
}

function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The log as CSV: one row per decision, `results` worded as on screen. */
export function decisionsCsv(decisions: Decision[]): string {
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
      winners(p),
      p.kind === 'proposal' ? String(Boolean(p.results?.blocked)) : '',
      summariseResults(p),
      p.outcome?.statement ?? '',
      p.outcome?.reviewOn ?? '',
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/** The log as Markdown: a section per decision with its winner, tally, runoff rounds in words and outcome. */
export function decisionsMarkdown(groupName: string, decisions: Decision[]): string {
  const parts = [`# Decision log: ${groupName}`, ''];
  if (decisions.length === 0) parts.push('No decisions yet.', '');
  for (const { proposal: p, thread } of decisions) {
    parts.push(`## ${p.title}`, '');
    parts.push(`- Thread: ${thread.title}`);
    parts.push(`- Kind: ${p.kind.replace('_', ' ')}`);
    parts.push(`- Closed: ${p.closedAt}`);
    parts.push(`- Voted: ${p.voterCount} of ${p.eligibleCount}`);
    const top = p.results ? winnerText(p, p.results) : '';
    if (top) parts.push(`- ${top}${p.results?.blocked ? ' (blocked)' : ''}`);
    if (p.results) parts.push(`- Tally: ${summariseResults(p) || 'no votes were cast'}`);
    const story = p.results ? irvStory(p, p.results) : [];
    if (story.length > 0) {
      parts.push('- Instant runoff:');
      for (const line of story) parts.push(`  - Round ${line.round}: ${line.text}`);
    }
    parts.push('');
    if (p.outcome) {
      parts.push('### Outcome', '', p.outcome.statement, '');
      if (p.outcome.reviewOn) parts.push(`Review on ${p.outcome.reviewOn}.`, '');
    }
  }
  return parts.join('\n');
}
