/**
 * Results in words, one wording for the screen and the decision log's CSV and
 * Markdown files, so a figure reads the same wherever it is shown: each
 * option's figures with their unit ("2 first preferences · 50%", "9 dots ·
 * 45% of dots"), the results in one line, and who is leading (while voting is
 * open) or won (once closed). Pure: no DOM, no I/O. Every function that
 * words something takes the reader's translator last (English by default).
 */
import { CONSENT_POSITIONS, type ConsentPosition } from './ballot';
import { english, m, type Translator } from './i18n';
import type { OptionResult, Proposal, Results } from './schemas/proposals';

/** The proposal fields the wording reads. */
export type ResultSubject = Pick<Proposal, 'kind' | 'options'>;

/**
 * What each consent position is called (stored options use the bare position as their label), in
 * English: translate where shown (`tr.t(CONSENT_LABELS.agree)`), or use {@link resultLabel}.
 */
export const CONSENT_LABELS: Record<ConsentPosition, string> = {
  agree: m('Agree'),
  abstain: m('Abstain'),
  disagree: m('Disagree'),
  block: m('Block'),
};

/** An option's label as people read it ("Agree" rather than `agree`). */
export function resultLabel(p: ResultSubject, optionId: string, tr: Translator = english): string {
  if (p.kind === 'proposal' && optionId in CONSENT_LABELS) {
    return tr.t(CONSENT_LABELS[optionId as ConsentPosition]);
  }
  return p.options.find((o) => o.id === optionId)?.label ?? tr.t('Removed option');
}

/** "60%", "33.3%" ("33,3 %" in Spanish): a percentage (0–100) with at most one decimal, no trailing zero. */
export function percentText(percent: number, tr: Translator = english): string {
  const rounded = Math.round(percent * 10) / 10;
  return tr.number(rounded / 100, { style: 'percent', maximumFractionDigits: 1 });
}

// Lists of names are wording too; the function lives with the translator, which screens without
// any results (who is here, who reacted) use.
export { listText } from './i18n';

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
export function optionFigures(
  p: ResultSubject,
  results: Results,
  optionId: string,
  tr: Translator = english,
): string {
  const r: OptionResult = results.options.find((o) => o.optionId === optionId) ?? {
    optionId,
    count: 0,
    score: 0,
    percent: 0,
  };
  switch (p.kind) {
    case 'score':
      return tr.t('Total {total} · mean {mean}', {
        total: r.score,
        mean: tr.number(r.mean ?? 0, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      });
    case 'dot_vote': {
      const given = dotsGiven(results);
      return tr.t('{count, plural, one {# dot} other {# dots}} · {percent} of dots', {
        count: r.score,
        percent: percentText(given > 0 ? (r.score * 100) / given : 0, tr),
      });
    }
    case 'meeting':
      return tr.t('{yes} yes · {maybe} if need be', { yes: r.yesCount ?? 0, maybe: r.maybeCount ?? 0 });
    case 'ranked_choice':
      return tr.t('{count, plural, one {# first preference} other {# first preferences}} · {percent}', {
        count: r.count,
        percent: percentText(r.percent, tr),
      });
    case 'proposal':
    case 'poll':
      return tr.t('{count, plural, one {# vote} other {# votes}} · {percent}', {
        count: r.count,
        percent: percentText(r.percent, tr),
      });
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
export function resultsSummary(p: ResultSubject, results: Results, tr: Translator = english): string {
  return summaryIds(p, results)
    .map((id) => {
      const borda = p.kind === 'ranked_choice' ? results.bordaPoints?.[id] : undefined;
      const figures =
        optionFigures(p, results, id, tr) +
        (borda === undefined
          ? ''
          : ` · ${tr.t('{count, plural, one {# Borda point} other {# Borda points}}', { count: borda })}`);
      return labelled(resultLabel(p, id, tr), figures);
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
export function winnerText(
  p: ResultSubject & Pick<Proposal, 'closedAt'>,
  results: Results,
  tr: Translator = english,
): string {
  const ids = topOptionIds(p, results);
  if (ids.length === 0) return '';
  const names = ids.map((id) => resultLabel(p, id, tr)).join(' / ');
  if (ids.length > 1) return tr.t('Tied: {names}', { names });
  if (p.kind === 'meeting') {
    return p.closedAt ? tr.t('Best slot: {names}', { names }) : tr.t('Best so far: {names}', { names });
  }
  return p.closedAt ? tr.t('Winner: {names}', { names }) : tr.t('Leading: {names}', { names });
}

/** The badge beside the top option: "Leading" while voting is open, "Winner" once closed ("Best so far" / "Best slot" for a meeting). */
export function topMark(p: Pick<Proposal, 'kind' | 'closedAt'>, tr: Translator = english): string {
  if (p.kind === 'meeting') return p.closedAt ? tr.t('Best slot') : tr.t('Best so far');
  return p.closedAt ? tr.t('Winner') : tr.t('Leading');
}
