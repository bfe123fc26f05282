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

/** A report period as officials name it: Quý II/2026, 6 tháng đầu năm 2026, … */
export function periodName(period: { kind: string; from: string; to: string; year: number }): string {
  const vi = i18n.language === 'vi';
  const year = period.from.slice(0, 4);
  const month = Number(period.from.slice(5, 7));
  const last = new Date(Date.parse(`${period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  switch (period.kind) {
    case 'month':
      return vi ? `Tháng ${month}/${year}` : period.from.slice(0, 7);
    case 'quarter':
      return vi
        ? `Quý ${['I', 'II', 'III', 'IV'][Math.floor((month - 1) / 3)]}/${year}`
        : `Q${Math.floor((month - 1) / 3) + 1} ${year}`;
    case 'half':
      return vi ? `6 tháng đầu năm ${year}` : `First half of ${year}`;
    case 'nine_months':
      return vi ? `9 tháng đầu năm ${year}` : `First nine months of ${year}`;
    case 'year':
      return vi ? `Năm ${year}` : year;
    default:
      return vi
        ? `Từ ${i18n.date(`${period.from}T00:00:00+07:00`)} đến ${i18n.date(`${last}T00:00:00+07:00`)}`
        : `${period.from} to ${last}`;
  }
}
