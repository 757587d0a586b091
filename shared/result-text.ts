/**
 * Results in words, one wording for the screen and the decision log's CSV and
 * Markdown files, so a figure reads the same wherever it is shown: each
 * option's figures with their unit ("2 first preferences · 50%", "9 dots ·
 * 45% of dots"), the results in one line, and who is leading (while voting is
 * open) or won (once closed). Pure: no DOM, no I/O.
 */
import { CONSENT_POSITIONS, type ConsentPosition } from './ballot';
import type { OptionResult, Proposal, Results } from './schemas/proposals';

/** The proposal fields the wording reads. */
export type ResultSubject = Pick<Proposal, 'kind' | 'options'>;

/** What each consent position is called (stored options use the bare position as their label). */
export const CONSENT_LABELS: Record<ConsentPosition, string> = {
  agree: 'Agree',
  abstain: 'Abstain',
  disagree: 'Disagree',
  block: 'Block',
};

/** An option's label as people read it ("Agree" rather than `agree`). */
export function resultLabel(p: ResultSubject, optionId: string): string {
  if (p.kind === 'proposal' && optionId in CONSENT_LABELS) return CONSENT_LABELS[optionId as ConsentPosition];
  return p.options.find((o) => o.id === optionId)?.label ?? 'Removed option';
}

/** "1 dot", "3 dots": a count with its noun, singular or plural. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "60%", "33.3%": at most one decimal, no trailing zero. */
export function percentText(percent: number): string {
  const rounded = Math.round(percent * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}

/** "A", "A and B", "A, B and C". */
export function listText(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// A label may end a sentence or precede a colon; one that already ends in punctuation ("Yes!",
// "Why not?", "Etc.") must not gain a second mark. Closing quotes and brackets after the mark count.
const ENDS_IN_PUNCTUATION = /[.!?…:;,]["'”’»)\]]*$/u;

/** True when `text` already ends in a punctuation mark ("Yes!", "Etc.", "“Go!”"). */
export function endsInPunctuation(text: string): boolean {
  return ENDS_IN_PUNCTUATION.test(text.trimEnd());
}

/** `text` with a full stop, unless it already ends in punctuation ("Yes!" stays "Yes!"). */
export function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return endsInPunctuation(trimmed) ? trimmed : `${trimmed}.`;
}

/** "Tea: 2 votes", but "Yes! 2 votes": a label followed by what is said about it. */
export function labelled(label: string, text: string): string {
  return endsInPunctuation(label) ? `${label.trimEnd()} ${text}` : `${label}: ${text}`;
}

/** Every dot given, for the dot-vote shares. */
function dotsGiven(results: Results): number {
  return results.options.reduce((sum, o) => sum + Math.max(0, o.score), 0);
}

/**
 * One option's figures, each with its unit, as the bars show them:
 * "2 votes · 50%" (poll, consent), "2 first preferences · 50%" (ranked choice),
 * "Total 23 · mean 3.8" (score), "9 dots · 45% of dots" (dot vote),
 * "2 yes · 1 if need be" (meeting).
 */
export function optionFigures(p: ResultSubject, results: Results, optionId: string): string {
  const r: OptionResult = results.options.find((o) => o.optionId === optionId) ?? {
    optionId,
    count: 0,
    score: 0,
    percent: 0,
  };
  switch (p.kind) {
    case 'score':
      return `Total ${r.score} · mean ${(r.mean ?? 0).toFixed(1)}`;
    case 'dot_vote': {
      const given = dotsGiven(results);
      return `${plural(r.score, 'dot')} · ${percentText(given > 0 ? (r.score * 100) / given : 0)} of dots`;
    }
    case 'meeting':
      return `${r.yesCount ?? 0} yes · ${r.maybeCount ?? 0} if need be`;
    case 'ranked_choice':
      return `${plural(r.count, 'first preference')} · ${percentText(r.percent)}`;
    case 'proposal':
    case 'poll':
      return `${plural(r.count, 'vote')} · ${percentText(r.percent)}`;
    default: {
      const unknownKind: never = p.kind;
      return String(unknownKind);
    }
  }
}

/** The option ids a summary lists: consent positions nobody chose are left out, every option otherwise. */
function summaryIds(p: ResultSubject, results: Results): string[] {
  if (p.kind !== 'proposal') return p.options.map((o) => o.id);
  return CONSENT_POSITIONS.filter((id) => (results.options.find((o) => o.optionId === id)?.count ?? 0) > 0);
}

/**
 * The results in one line, labels not colours, every figure with its unit:
 * "Agree: 3 votes · 75%; Block: 1 vote · 25%", "Tea: 2 first preferences · 50% · 7 Borda points; …".
 * Empty when a consent proposal has no votes.
 */
export function resultsSummary(p: ResultSubject, results: Results): string {
  return summaryIds(p, results)
    .map((id) => {
      const borda = p.kind === 'ranked_choice' ? results.bordaPoints?.[id] : undefined;
      const figures =
        optionFigures(p, results, id) + (borda === undefined ? '' : ` · ${plural(borda, 'Borda point')}`);
      return labelled(resultLabel(p, id), figures);
    })
    .join('; ');
}

/** The options at the top: the best slot of a meeting poll, the winners (or leaders) otherwise. */
export function topOptionIds(p: ResultSubject, results: Results): string[] {
  return p.kind === 'meeting' && results.bestSlotId ? [results.bestSlotId] : results.winnerIds;
}

/**
 * Who is ahead, in words: "Leading: Agree" while voting is open, "Winner: Option B" once closed,
 * "Tied: A / B", "Best so far: …" / "Best slot: …" for a meeting poll; "" with no votes.
 */
export function winnerText(p: ResultSubject & Pick<Proposal, 'closedAt'>, results: Results): string {
  const ids = topOptionIds(p, results);
  if (ids.length === 0) return '';
  const names = ids.map((id) => resultLabel(p, id)).join(' / ');
  if (ids.length > 1) return `Tied: ${names}`;
  return `${topMark(p)}: ${names}`;
}

/** The badge beside the top option: "Leading" while voting is open, "Winner" once closed ("Best so far" / "Best slot" for a meeting). */
export function topMark(p: Pick<Proposal, 'kind' | 'closedAt'>): string {
  if (p.kind === 'meeting') return p.closedAt ? 'Best slot' : 'Best so far';
  return p.closedAt ? 'Winner' : 'Leading';
}
