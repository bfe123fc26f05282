import { i18n } from './i18n.svelte.ts';

/** Percentages as officials write them: 87,3% in Vietnamese, 87.3% in English. */
export function percent(value: number | null, digits = 1): string {
  if (value === null) return '—';
  return `${value.toLocaleString(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits })}%`;
}

export function number(value: number | null, digits = 0): string {
  if (value === null) return '—';
  return value.toLocaleString(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A gap to a target in points, with its sign. */
export function points(value: number | null): string {
  if (value === null) return '—';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${number(Math.abs(value), 1)}`;
}

/** A month, `YYYY-MM…`, as officials write it: Tháng 01/2026. */
export function monthName(month: string): string {
  return i18n.t('period.name.month', { month: month.slice(5, 7), year: month.slice(0, 4) });
}

/** A month on a chart's axis, where room is short: 01/2026. */
export function monthShort(month: string): string {
  return i18n.t('period.monthShort', { month: month.slice(5, 7), year: month.slice(0, 4) });
}

/** A report period as officials name it: Quý II/2026, 6 tháng đầu năm 2026, Tháng 01/2026, … */
export function periodName(period: { kind: string; from: string; to: string; year: number }): string {
  const year = period.from.slice(0, 4);
  const month = Number(period.from.slice(5, 7));
  switch (period.kind) {
    case 'month':
      return monthName(period.from);
    case 'quarter':
      return i18n.t(`period.name.q${Math.floor((month - 1) / 3) + 1}` as 'period.name.q1', { year });
    case 'half':
      return i18n.t('period.name.half', { year });
    case 'nine_months':
      return i18n.t('period.name.nine_months', { year });
    case 'year':
      return i18n.t('period.name.year', { year });
    default: {
      // `to` is the first day after the range.
      const last = new Date(Date.parse(`${period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      return i18n.t('period.name.range', { from: i18n.date(period.from), to: i18n.date(last) });
    }
  }
}
