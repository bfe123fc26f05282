import { safeCell } from '../reports/export.ts';
import type { PublicFigure, Scorecard } from './scorecard.ts';

/**
 * The scorecard as CSV: one line per figure (the period's total, each published domain,
 * each month), with the same numbers as the JSON. UTF-8 with a byte-order mark, so that
 * spreadsheets read the Vietnamese; text that a spreadsheet would take for a formula is
 * written as text.
 */

export const CSV_COLUMNS = [
  'unit_code',
  'unit_name',
  'period',
  'row',
  'key',
  'name_vi',
  'name_en',
  'published',
  'n',
  'satisfied',
  'share',
  'interval_low',
  'interval_high',
  'mean',
  'n1',
  'n2',
  'n3',
  'n4',
  'n5',
  'required',
  'enough',
  'target_threshold',
  'target_comparison',
  'target_status',
  'target_gap',
] as const;

type Cell = string | number | boolean | null;

function csvField(value: Cell): string {
  const text = value === null ? '' : String(typeof value === 'boolean' ? value : safeCell(value));
  return /[",;\t\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `published`, then `n` … `enough`: empty when the figure is not published. */
function figureCells(figure: PublicFigure): Cell[] {
  if (!figure.published) return [false, ...Array<Cell>(13).fill(null)];
  const { counts } = figure;
  return [
    true,
    figure.n,
    figure.satisfied,
    figure.share,
    figure.interval.low,
    figure.interval.high,
    figure.mean,
    counts.n1,
    counts.n2,
    counts.n3,
    counts.n4,
    counts.n5,
    figure.required,
    figure.enough,
  ];
}

export function scorecardCsv(card: Scorecard): string {
  const head = [card.unit.code, card.unit.name, card.period.key];
  const tthc = card.targets.find((target) => target.metric === 'tthc');
  const targetCells = (target: { threshold: number; comparison: string; status: string; gap: number | null } | null) =>
    target ? [target.threshold, target.comparison, target.status, target.gap] : [null, null, null, null];
  const lines: Cell[][] = [
    [...CSV_COLUMNS],
    [
      ...head,
      'total',
      '',
      'Tất cả lĩnh vực',
      'All domains',
      ...figureCells(card.overall),
      ...targetCells(tthc ?? null),
    ],
    ...card.domains.map((domain) => [
      ...head,
      'domain',
      domain.code,
      domain.name.vi,
      domain.name.en,
      ...figureCells(domain.figure),
      ...targetCells(domain.target),
    ]),
    ...card.months.map((month) => [
      ...head,
      'month',
      month.month,
      `Tháng ${Number(month.month.slice(5))}/${month.month.slice(0, 4)}`,
      month.month,
      ...figureCells(month.figure),
      ...targetCells(null),
    ]),
  ];
  return `\ufeff${lines.map((line) => line.map(csvField).join(',')).join('\r\n')}\r\n`;
}
