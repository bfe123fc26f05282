import type { TargetComparison, TargetMetric } from './target.table.ts';

/**
 * Finds the satisfaction targets a reform plan sets (mức độ hài lòng … đạt tối thiểu
 * 90%), for an official to confirm. Matching runs on a copy of the text without
 * diacritics, in lower case, whose character positions are those of the original: OCR
 * text that lost its diacritics matches the same way, and sentences are quoted as written.
 */

export interface ProposedTarget {
  /** The sentence (or clause) of the plan that sets the target, as written. */
  sentence: string;
  percent: number;
  comparison: TargetComparison;
  metric: TargetMetric;
  /** Domain code for domain targets. */
  domain: string | null;
  /** The year the sentence names, else the plan's year. */
  year: number | null;
}

export interface PlanExtraction {
  /** The plan's own number (Số: 12/KH-UBND), when its header has one. */
  planNumber: string | null;
  /** The plan's own date, `YYYY-MM-DD`, when its header has one. */
  planDate: string | null;
  year: number | null;
  targets: ProposedTarget[];
}

/**
 * Lower case without diacritics, one character for one character (đ → d, ế → e), so that
 * an index in the folded text is the same index in the original.
 */
export function fold(text: string): string {
  let folded = '';
  for (const char of text) {
    const base = char.normalize('NFD')[0] ?? char;
    folded += (base === 'đ' || base === 'Đ' ? 'd' : base).toLowerCase().slice(0, char.length).padEnd(char.length, ' ');
  }
  return folded;
}

/** Keywords of each domain as they appear in plans, without diacritics. */
const DOMAIN_KEYWORDS: [code: string, pattern: RegExp][] = [
  ['land', /\bdat dai\b/],
  ['construction', /\bxay dung\b/],
  ['business_investment', /\bdau tu\b|\bkinh doanh\b|\bdang ky doanh nghiep\b/],
  ['health', /\by te\b|\bkham (benh|chua benh)\b/],
  ['education', /\bgiao duc\b|\btruong hoc\b/],
  ['civil_status', /\bho tich\b/],
  ['certification', /\bchung thuc\b/],
  ['labour_social', /\blao dong\b|\bnguoi co cong\b|\bthuong binh\b|\bbao tro xa hoi\b/],
  ['justice', /\btu phap\b/],
  ['transport', /\bgiao thong\b/],
  ['environment', /\bmoi truong\b|\btai nguyen\b/],
  ['agriculture', /\bnong nghiep\b/],
  ['culture', /\bvan hoa\b|\bdu lich\b|\bthe thao\b/],
];

const AGENCY_SERVICE = /su phuc vu (cua )?(cac )?co quan|phuc vu hanh chinh|co quan hanh chinh nha nuoc|\bsipas\b/;
const PERCENT = /(\d{1,3}(?:[.,]\d{1,2})?)\s*%/g;

/** Splits flowing text into sentences, list items (a) …, - …, 1. …) and clauses (…; …). */
function clauses(text: string): { start: number; end: number }[] {
  const boundaries = [0, text.length];
  const breakAt = /;|[.!?](?=\s+[\p{Lu}\d])|\s(?=[-–•+]\s)|\s(?=[a-zđ]\)\s)|\s(?=\d{1,2}\.\s\p{Lu})/gu;
  for (const match of text.matchAll(breakAt)) boundaries.push(match.index + match[0].length);
  const sorted = [...new Set(boundaries)].sort((a, b) => a - b);
  return sorted.slice(0, -1).map((start, index) => ({ start, end: sorted[index + 1]! }));
}

/** How the words just before a percentage state it: a target, and of which kind, or not. */
function comparisonBefore(foldedBefore: string): TargetComparison | undefined {
  const near = foldedBefore.slice(-40);
  // "đã đạt 84%" reports a past result, not a target.
  if (/\bda dat\b[^%]*$/.test(near)) return undefined;
  if (/\bkhong (duoi|thap hon)\s*$/.test(near)) return 'gte';
  if (/\b(duoi|thap hon|giam)\s*$/.test(near)) return undefined;
  if (/\b(tren|hon|vuot)\s*$/.test(near)) return 'gt';
  if (/\b(toi thieu|it nhat|tu|dat|dat muc|dat ty le|len)\s*$/.test(near)) return 'gte';
  return undefined;
}

function yearIn(folded: string): number | undefined {
  const match = /\b(?:den|nam|trong nam|giai doan \d{4}\s*-)\s*(20\d{2})\b/.exec(folded);
  return match ? Number(match[1]) : undefined;
}

function planHeader(text: string, folded: string): Pick<PlanExtraction, 'planNumber' | 'planDate' | 'year'> {
  // The header ends where the plan starts citing other documents ("Căn cứ …").
  const end = Math.min(folded.search(/\bcan cu\b/) >= 0 ? folded.search(/\bcan cu\b/) : 1500, 1500);
  const header = folded.slice(0, end);
  const number = /\bso\s*:?\s*(\d{1,5}\s*\/\s*[a-z0-9đ]+(?:\s*-\s*[a-z0-9đ]+)*)/.exec(header);
  const date = /\bngay\s+(\d{1,2})\s*(?:thang\s*|\/|-)\s*(\d{1,2})\s*(?:nam\s*|\/|-)\s*(\d{4})/.exec(header);
  const titleYear = /\bke hoach\b[^.]{0,160}?\bnam\s+(20\d{2})\b/.exec(folded.slice(0, 3000));
  const planNumber = number
    ? text.slice(number.index + number[0].indexOf(number[1]!), number.index + number[0].length).replace(/\s+/g, '')
    : null;
  const planDate = date ? `${date[3]}-${date[2]!.padStart(2, '0')}-${date[1]!.padStart(2, '0')}` : null;
  return {
    planNumber,
    planDate: planDate && !Number.isNaN(Date.parse(planDate)) ? planDate : null,
    year: titleYear ? Number(titleYear[1]) : date ? Number(date[3]) : null,
  };
}

export function extractTargets(input: string): PlanExtraction {
  // Text from PDFs wraps lines and sometimes splits words at the margin: one flowing text.
  const text = input
    .normalize('NFC')
    .replace(/[\u00a0\t]/g, ' ')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  const folded = fold(text);
  const header = planHeader(text, folded);
  const targets: ProposedTarget[] = [];
  const seen = new Set<string>();

  for (const { start, end } of clauses(text)) {
    const clause = folded.slice(start, end);
    const satisfaction = /\b(hai long|su hai long)\b/.exec(clause);
    if (!satisfaction) continue;
    for (const match of clause.matchAll(PERCENT)) {
      if (match.index < satisfaction.index) continue;
      const comparison = comparisonBefore(clause.slice(0, match.index));
      if (!comparison) continue;
      const percent = Number(match[1]!.replace(',', '.'));
      if (!(percent > 0 && percent <= 100)) continue;
      // What is measured: the words between "hài lòng" and the figure.
      const subject = clause.slice(satisfaction.index, match.index);
      const domains = DOMAIN_KEYWORDS.filter(([, pattern]) => pattern.test(subject)).map(([code]) => code);
      const kinds: { metric: TargetMetric; domain: string | null }[] =
        domains.length > 0
          ? domains.map((domain) => ({ metric: 'domain' as const, domain }))
          : [{ metric: AGENCY_SERVICE.test(subject) ? 'agency_service' : 'tthc', domain: null }];
      const sentence = text
        .slice(start, end)
        .replace(/^\s*(?:[-–•+]|[a-zđ]\)|\d{1,2}\.)\s*/u, '')
        .replace(/[;,]\s*$/, '')
        .trim();
      const year = yearIn(clause) ?? header.year;
      for (const kind of kinds) {
        const key = `${kind.metric}|${kind.domain}|${percent}|${comparison}|${year}`;
        if (seen.has(key)) continue;
        seen.add(key);
        targets.push({ sentence, percent, comparison, ...kind, year });
      }
    }
  }
  return { ...header, targets };
}
