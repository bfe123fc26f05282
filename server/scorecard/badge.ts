import type { Scorecard } from './scorecard.ts';

/**
 * The embeddable badge of a scorecard, "Hài lòng 91% · Quý III/2026", as a small SVG a
 * unit puts on its own portal (`<img src=".../p/<code>/badge.svg">`). Its accessible name
 * carries the interval and n, which the badge itself has no room for. Text widths are
 * estimated (no font is embedded: the viewer's sans-serif draws it), generously enough
 * for Vietnamese letters with their marks.
 */

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Width of text at 11 px in a common sans-serif, rounded up: wide letters count more. */
function textWidth(text: string): number {
  let width = 0;
  for (const character of text.normalize('NFC')) {
    if (/[mwMWĐ%]/.test(character)) width += 10;
    else if (/[A-ZĂÂÊÔƠƯÀ-Ỹ0-9]/.test(character)) width += 7.5;
    else if (/[il.,:;·|' ]/.test(character)) width += 3.5;
    else width += 6.5;
  }
  return Math.ceil(width);
}

const number = (value: number, language: 'vi' | 'en') =>
  language === 'vi' ? String(value).replace('.', ',') : String(value);

export function badgeSvg(card: Scorecard, language: 'vi' | 'en'): string {
  const label = language === 'vi' ? 'Hài lòng' : 'Satisfied';
  const periodText = language === 'vi' ? card.period.label.vi : card.period.label.en;
  const figure = card.overall;
  const value = figure.published
    ? `${Math.round(figure.share)}%`
    : language === 'vi'
      ? 'chưa công bố'
      : 'not published';
  const title = figure.published
    ? language === 'vi'
      ? `${card.unit.name}: ${number(figure.share, 'vi')}% người dân hài lòng, khoảng tin cậy 95% từ ${number(figure.interval.low, 'vi')}% đến ${number(figure.interval.high, 'vi')}%, n = ${figure.n} đánh giá, ${periodText}`
      : `${card.unit.name}: ${figure.share}% of citizens satisfied, 95% interval ${figure.interval.low}% to ${figure.interval.high}%, n = ${figure.n} ratings, ${periodText}`
    : language === 'vi'
      ? `${card.unit.name}: chưa công bố tỷ lệ hài lòng ${periodText} (chưa đủ số đánh giá)`
      : `${card.unit.name}: satisfaction not published for ${periodText} (too few ratings)`;
  const right = `${value} · ${periodText}`;
  const leftWidth = textWidth(label) + 14;
  const rightWidth = textWidth(right) + 14;
  const width = leftWidth + rightWidth;
  // Dark green on white text passes WCAG AA; grey when nothing is published.
  const color = figure.published ? '#1a6b3c' : '#5c5c5c';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-label="${escape(title)}">`,
    `<title>${escape(title)}</title>`,
    `<rect width="${leftWidth}" height="20" rx="3" fill="#333333"/>`,
    `<rect x="${leftWidth}" width="${rightWidth}" height="20" rx="3" fill="${color}"/>`,
    `<rect x="${leftWidth - 3}" width="6" height="20" fill="${color}"/>`,
    `<g fill="#ffffff" font-family="DejaVu Sans,Verdana,Arial,sans-serif" font-size="11">`,
    `<text x="7" y="14">${escape(label)}</text>`,
    `<text x="${leftWidth + 7}" y="14">${escape(right)}</text>`,
    `</g>`,
    `</svg>`,
  ].join('');
}
