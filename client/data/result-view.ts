/**
 * Results as they are drawn and read: pie slices for consent, bar rows for
 * the other kinds and the instant-runoff table. The words (figures with their
 * units, the results in one line, who leads or won, the rounds in words) come
 * from shared/, where the decision log's CSV and Markdown files get them too;
 * here they are in the reader's language. Pure: no DOM, no I/O.
 */
import { type IrvStoryLine, irvStory as sharedIrvStory } from '../../shared/irv-story';
import {
  optionFigures,
  type ResultSubject,
  resultsSummary as sharedResultsSummary,
  topMark as sharedTopMark,
  winnerText as sharedWinnerText,
  topOptionIds,
} from '../../shared/result-text';
import { translator } from '../i18n';
import { CONSENT_IDS, type ConsentId, consentLabel, optionLabel } from './proposal-labels';
import type { OptionResult, Proposal, Results } from './proposals';

export type { IrvStoryLine };

/** The rounds of a ranked-choice result in words (shared/irv-story.ts), in the reader's language. */
export function irvStory(p: ResultSubject & Pick<Proposal, 'closedAt'>, results: Results): IrvStoryLine[] {
  return sharedIrvStory(p, results, translator());
}

/** The results in one line (shared/result-text.ts), in the reader's language. */
export function resultsSummary(p: ResultSubject, results: Results): string {
  return sharedResultsSummary(p, results, translator());
}

/** "Leading: Agree", "Winner: Option B", "Tied: A / B" (shared/result-text.ts), in the reader's language. */
export function winnerText(p: ResultSubject & Pick<Proposal, 'closedAt'>, results: Results): string {
  return sharedWinnerText(p, results, translator());
}

/** The badge beside the top option: "Leading", "Winner", "Best so far", "Best slot", in the reader's language. */
export function topMark(p: Pick<Proposal, 'kind' | 'closedAt'>): string {
  return sharedTopMark(p, translator());
}

/** One slice of a pie chart. */
export interface PieSlice {
  id: string;
  value: number;
  /** Share of the total, 0–1. */
  fraction: number;
  /** SVG path `d`: a wedge, or a full circle for a slice that is the whole pie. */
  path: string;
  /** Where a label inside the slice would sit. */
  labelX: number;
  labelY: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Wedges for `items` on a circle of radius `r` centred at (`cx`, `cy`),
 * starting at 12 o'clock and going clockwise. Items worth 0 get no slice; no
 * slices at all when everything is 0.
 */
export function pieSlices(items: { id: string; value: number }[], r: number, cx = r, cy = r): PieSlice[] {
  const total = items.reduce((sum, item) => sum + Math.max(0, item.value), 0);
  if (total <= 0) return [];
  const point = (angle: number, radius = r) =>
    [round3(cx + radius * Math.sin(angle)), round3(cy - radius * Math.cos(angle))] as const;
  const slices: PieSlice[] = [];
  let start = 0;
  for (const item of items) {
    if (item.value <= 0) continue;
    const fraction = item.value / total;
    const end = start + fraction * 2 * Math.PI;
    const [lx, ly] = point((start + end) / 2, r * 0.62);
    let path: string;
    if (fraction >= 1 - 1e-9) {
      // An arc cannot start and end at the same point: two half circles.
      path = `M ${cx} ${cy - r} A ${r} ${r} 0 1 1 ${cx} ${cy + r} A ${r} ${r} 0 1 1 ${cx} ${cy - r} Z`;
    } else {
      const [x0, y0] = point(start);
      const [x1, y1] = point(end);
      const large = end - start > Math.PI ? 1 : 0;
      path = `M ${cx} ${cy} L ${x0} ${y0} A ${r} ${r} 0 ${large} 1 ${x1} ${y1} Z`;
    }
    slices.push({ id: item.id, value: item.value, fraction, path, labelX: lx, labelY: ly });
    start = end;
  }
  return slices;
}

// ---------------------------------------------------------------- results

/** One bar of a result: what it stands for and the words that go with it. */
export interface ResultRow {
  optionId: string;
  label: string;
  /** The bar's length, 0–1 of the longest. */
  share: number;
  /** The meeting kind's if-need-be part, 0–1 of the longest, drawn after `share`. */
  maybeShare?: number;
  /** The figures with their units (shared/result-text.ts `optionFigures`): "7 votes · 35%", "9 dots · 45% of dots". */
  text: string;
  winner: boolean;
}

/** Rows for the bar chart of any kind but consent, in option order. */
export function resultRows(p: Pick<Proposal, 'kind' | 'options'>, results: Results): ResultRow[] {
  const byId = new Map(results.options.map((o) => [o.optionId, o]));
  const ids = p.options.map((o) => o.id);
  const of = (id: string): OptionResult => byId.get(id) ?? { optionId: id, count: 0, score: 0, percent: 0 };
  const winners = new Set(topOptionIds(p, results));
  const value = (r: OptionResult) => {
    if (p.kind === 'meeting') return (r.yesCount ?? 0) + (r.maybeCount ?? 0);
    if (p.kind === 'score' || p.kind === 'dot_vote') return r.score;
    return r.count;
  };
  const max = Math.max(0, ...ids.map((id) => value(of(id))));
  const scaled = (n: number) => (max > 0 ? n / max : 0);
  return ids.map((id) => {
    const r = of(id);
    const row = {
      optionId: id,
      label: optionLabel(p, id),
      winner: winners.has(id),
      text: optionFigures(p, results, id, translator()),
    };
    switch (p.kind) {
      case 'score':
      case 'dot_vote':
        return { ...row, share: scaled(r.score) };
      case 'meeting':
        return { ...row, share: scaled(r.yesCount ?? 0), maybeShare: scaled(r.maybeCount ?? 0) };
      default:
        return { ...row, share: scaled(r.count) };
    }
  });
}

/** Consent results as pie items and legend lines, in the fixed order. */
export function consentRows(
  results: Results,
): { id: ConsentId; label: string; count: number; percent: number }[] {
  return CONSENT_IDS.map((id) => {
    const r = results.options.find((o) => o.optionId === id);
    return { id, label: consentLabel(id), count: r?.count ?? 0, percent: r?.percent ?? 0 };
  });
}

/** The instant-runoff table: one row per option, one cell per round. */
export interface IrvTable {
  rounds: number;
  rows: {
    optionId: string;
    label: string;
    /** Votes in each round; null once the option is out. */
    counts: (number | null)[];
    /** The round (0-based) at whose end it was eliminated; null if it never was. */
    eliminatedIn: number | null;
    winner: boolean;
    borda: number;
  }[];
  /** Ballots with no continuing option left, per round. */
  exhausted: number[];
}

/**
 * Lays out `results.rounds` as a table: winners first, then the options that
 * lasted longest, each with its count per round (blank after elimination).
 */
export function irvTable(p: Pick<Proposal, 'kind' | 'options'>, results: Results): IrvTable {
  const rounds = results.rounds ?? [];
  const winners = new Set(results.winnerIds);
  const rows = p.options.map((o, index) => {
    const counts = rounds.map((round) => (o.id in round.counts ? round.counts[o.id]! : null));
    const eliminated = rounds.findIndex((round) => round.eliminatedIds.includes(o.id));
    return {
      optionId: o.id,
      label: optionLabel(p, o.id),
      counts,
      eliminatedIn: eliminated >= 0 ? eliminated : null,
      winner: winners.has(o.id),
      borda: results.bordaPoints?.[o.id] ?? 0,
      index,
    };
  });
  const lasted = (r: (typeof rows)[number]) => (r.eliminatedIn === null ? rounds.length : r.eliminatedIn);
  const lastCount = (r: (typeof rows)[number]) => {
    for (let i = r.counts.length - 1; i >= 0; i--) if (r.counts[i] !== null) return r.counts[i]!;
    return 0;
  };
  rows.sort(
    (a, b) =>
      Number(b.winner) - Number(a.winner) ||
      lasted(b) - lasted(a) ||
      lastCount(b) - lastCount(a) ||
      a.index - b.index,
  );
  return {
    rounds: rounds.length,
    rows: rows.map(({ index: _index, ...row }) => row),
    exhausted: rounds.map((round) => (round as { exhaustedCount?: number }).exhaustedCount ?? 0),
  };
}
