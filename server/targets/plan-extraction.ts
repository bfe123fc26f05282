import type { TargetComparison, TargetMetric } from './target.table.ts';
import { tokenize, type Token, type WorkMeter } from './plan-words.ts';

export { fold } from './plan-words.ts';
export type { WorkMeter } from './plan-words.ts';

/**
 * Finds the satisfaction targets a reform plan sets (mức độ hài lòng … đạt tối thiểu
 * 90%), for an official to confirm, and the plan's own number, date and year.
 *
 * The text is read once, as tokens (see plan-words.ts), then clause by clause. A
 * percentage is a target when it states a satisfaction figure the plan aims for: the
 * words since the previous percentage name satisfaction ("hài lòng"), or carry on the
 * satisfaction figure before it ("…, về sự phục vụ đạt 95%"), or the words after it say
 * who is satisfied ("95% người dân hài lòng"). Every look before or after a percentage is
 * bounded, so the work grows with the length of the text and nothing else.
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
  /** The year of the plan's title ("… năm 2025"; the last year of "giai đoạn 2021-2025"), else of its date. */
  year: number | null;
  targets: ProposedTarget[];
}

/** What a phrase tells about the figure that follows it. */
type Feature =
  | 'satisfaction'
  | 'dissatisfaction'
  | 'sipas'
  | 'service'
  | 'agency'
  | 'procedure'
  | 'past'
  | 'report'
  | 'respectively'
  | 'aim'
  | 'field'
  | 'measure'
  | 'other'
  | `domain:${string}`;

/** Phrases as they read without diacritics; the longest phrase at a place wins. */
const PHRASES: [Feature, string[]][] = [
  ['satisfaction', ['hai long']],
  ['dissatisfaction', ['khong hai long', 'chua hai long', 'bat hai long']],
  ['sipas', ['sipas']],
  ['service', ['phuc vu']],
  ['agency', ['co quan hanh chinh nha nuoc', 'co quan hanh chinh', 'co quan nha nuoc']],
  [
    'procedure',
    [
      'thu tuc hanh chinh',
      'tthc',
      'thu tuc',
      'dich vu cong',
      'giai quyet ho so',
      // A place, not the service of the agencies: "Trung tâm Phục vụ hành chính công".
      'trung tam phuc vu hanh chinh cong',
      'bo phan mot cua',
      'bo phan tiep nhan va tra ket qua',
    ],
  ],
  ['past', ['da', 'chi dat', 'uoc dat']],
  ['respectively', ['lan luot']],
  // A report of results, up to the figure even when "hài lòng" comes after it.
  [
    'report',
    [
      'ket qua nam',
      'ket qua khao sat',
      'ket qua danh gia',
      'ket qua do luong',
      'theo ket qua',
      'cung ky',
      'nam qua',
      'nam truoc',
      'hien nay',
      'hien tai',
    ],
  ],
  ['aim', ['phan dau', 'muc tieu', 'chi tieu']],
  ['field', ['linh vuc', 'nganh', 'dich vu', 'doi voi']],
  ['measure', ['ty le', 'ti le', 'chi so', 'so luong', 'ho so', 'so hoa', 'van ban', 'du lieu', 'truc tuyen']],
  ['domain:land', ['dat dai', 'quyen su dung dat', 'su dung dat']],
  ['domain:construction', ['xay dung', 'cap phep xay dung']],
  [
    'domain:business_investment',
    ['dau tu', 'kinh doanh', 'dang ky doanh nghiep', 'moi truong dau tu', 'moi truong kinh doanh'],
  ],
  ['domain:health', ['y te', 'kham benh', 'kham chua benh', 'benh vien']],
  ['domain:education', ['giao duc', 'dao tao', 'truong hoc']],
  ['domain:civil_status', ['ho tich']],
  ['domain:certification', ['chung thuc']],
  ['domain:labour_social', ['lao dong', 'nguoi co cong', 'thuong binh', 'bao tro xa hoi', 'chinh sach xa hoi']],
  ['domain:justice', ['tu phap']],
  ['domain:transport', ['giao thong', 'van tai']],
  ['domain:environment', ['moi truong', 'tai nguyen']],
  ['domain:agriculture', ['nong nghiep', 'phat trien nong thon']],
  ['domain:culture', ['van hoa', 'the thao', 'du lich']],
  // The same words where they name no domain.
  [
    'other',
    [
      'xay dung chinh quyen',
      'xay dung ke hoach',
      'xay dung nong thon',
      'xay dung doi ngu',
      'xay dung va ban hanh',
      'xay dung he thong',
      'xay dung co so',
      'moi truong dien tu',
      'moi truong mang',
      'moi truong so',
      'moi truong truc tuyen',
      'moi truong lam viec',
      'van hoa cong vu',
      'van hoa cong so',
      'van hoa ung xu',
      'toi da',
      'da dang',
      'da so',
      'da phuong',
      'kinh te',
    ],
  ],
];

/** How the words just before a percentage state it; the longest match wins. */
const COMPARISONS: [phrase: string, comparison: TargetComparison | 'not'][] = (
  [
    ['khong duoi', 'gte'],
    ['khong thap hon', 'gte'],
    ['khong it hon', 'gte'],
    ['it nhat', 'gte'],
    ['toi thieu', 'gte'],
    ['tu', 'gte'],
    ['dat', 'gte'],
    ['dat duoc', 'gte'],
    ['muc', 'gte'],
    ['ty le', 'gte'],
    ['ti le', 'gte'],
    ['la', 'gte'],
    ['bang', 'gte'],
    ['len', 'gte'],
    ['duy tri', 'gte'],
    ['phan dau', 'gte'],
    ['khoang', 'gte'],
    ['≥', 'gte'],
    ['> =', 'gte'],
    ['tren', 'gt'],
    ['hon', 'gt'],
    ['vuot', 'gt'],
    ['>', 'gt'],
    // Below a figure, a fall, a rise by some points, a result: not a target to reach.
    ['duoi', 'not'],
    ['thap hon', 'not'],
    ['it hon', 'not'],
    ['giam', 'not'],
    ['tang', 'not'],
    ['tang them', 'not'],
    ['da dat', 'not'],
    ['chi dat', 'not'],
    ['<', 'not'],
    ['≤', 'not'],
    ['< =', 'not'],
  ] satisfies [string, TargetComparison | 'not'][]
).sort(([a], [b]) => b.split(' ').length - a.split(' ').length);
const COMPARISON_WORDS = Math.max(...COMPARISONS.map(([phrase]) => phrase.split(' ').length));

/** Words that may stand between two figures of one satisfaction target ("90%, riêng lĩnh vực đất đai đạt 85%"). */
const CONTINUATION_WORDS = new Set(
  (
    'va con rieng ve doi voi trong tai o cac nhung cua su cong lap nguoi dan to chuc doanh nghiep ca nhan ' +
    'nam den giai doan het cuoi vao dat toi thieu tren muc tu it nhat khong duoi thap hon tro len phan dau vuot ' +
    'bang la do cao lon nhieu duy tri tang khoang hang deu dong thoi moi cap xa phuong huyen tinh tuong ung'
  ).split(' '),
);
const CONTINUATION_MARKS = new Set([',', ':', '-', '/', '≥', '>', '=']);

/** Words that may follow a target's figure: "trở lên", "đối với …", "vào năm 2025", … */
const AFTER_FIGURE = new Set(
  'tro doi voi trong o tai ve cho thuoc cua va nam vao den giai theo khi tren tuong hoac so moi sau tinh trung binh'.split(
    ' ',
  ),
);
/** Words that introduce what a figure is of, after it: "đạt 85% đối với lĩnh vực đất đai". */
const INTRODUCERS = new Set('doi voi trong o tai ve cho thuoc cua'.split(' '));
/** Words of a list of domains after a figure. */
const LIST_WORDS = new Set(
  'cac nhung cong lap va cua nguoi dan to chuc doanh nghiep ca nhan giai quyet trong doi voi su tai cap xa huyen tinh'.split(
    ' ',
  ),
);
/** Words between a figure and "hài lòng" when the figure counts people: "95% người dân, tổ chức hài lòng". */
const SATISFIED_PEOPLE = new Set(
  (
    'nguoi dan to chuc doanh nghiep ca nhan cong so luot khach hang duoc hoi khao sat tham gia den giao dich danh gia ' +
    'deu cam thay tro len ve doi voi muc do su ty ti le va'
  ).split(' '),
);
/** The first word after such a figure. */
const PEOPLE = new Set('nguoi to doanh ca cong so luot khach ve doi'.split(' '));

/** List bullets, with the Symbol font's bullet that Word documents and PDFs carry. */
const BULLETS = new Set(['-', '•', '+', '*', '·', '▪', '●', '○', '◦', '\uf0b7']);
const ROMAN = new Set(['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x']);
const HEADER_TOKENS = 500;
const TITLE_TOKENS = 2000;
const TAIL_TOKENS = 30;
const QUOTE_CHARS = 600;
const MAX_TARGETS = 200;

interface Phrase {
  keys: string[];
  feature: Feature;
}

const phrasesByFirstWord = new Map<string, Phrase[]>();
for (const [feature, phrases] of PHRASES) {
  for (const phrase of phrases) {
    const keys = phrase.split(' ');
    const list = phrasesByFirstWord.get(keys[0]!) ?? [];
    list.push({ keys, feature });
    phrasesByFirstWord.set(keys[0]!, list);
  }
}
for (const list of phrasesByFirstWord.values()) list.sort((a, b) => b.keys.length - a.keys.length);

/** Every word the extraction reads; OCR repairs and split words are checked against it. */
const VOCABULARY: ReadonlySet<string> = new Set(
  [
    ...PHRASES.flatMap(([, phrases]) => phrases),
    ...COMPARISONS.map(([phrase]) => phrase),
    ...CONTINUATION_WORDS,
    ...AFTER_FIGURE,
    ...LIST_WORDS,
    ...SATISFIED_PEOPLE,
    'muc do ke hoach so ngay thang nam can cu thuc hien trien khai theo phan tram cai cach quyet dinh nghi quyet',
    'uy ban nhan dan ubnd kh qd nq cp',
  ]
    .flatMap((phrase) => phrase.split(' '))
    .filter((word) => word.length > 1 && /^[a-z]+$/.test(word)),
);

/** The phrase that starts at a token, if any, within `end`. */
function phraseAt(tokens: Token[], index: number, end: number): Phrase | undefined {
  const first = tokens[index];
  if (index >= end || first?.kind !== 'word') return undefined;
  for (const phrase of phrasesByFirstWord.get(first.key) ?? []) {
    if (index + phrase.keys.length > end) continue;
    if (phrase.keys.every((key, offset) => tokens[index + offset]!.key === key)) return phrase;
  }
  return undefined;
}

const keyAt = (tokens: Token[], index: number): string | undefined => tokens[index]?.key;
const isYearNumber = (token: Token | undefined) =>
  token?.kind === 'number' && token.key.length === 4 && Number(token.key) >= 1990 && Number(token.key) <= 2100;

/**
 * The year a number names as a time of the plan ("năm 2025", "đến 2025", the end of
 * "giai đoạn 2021-2025"), or undefined for a year in a date or in a comparison with the
 * past ("so với năm 2024").
 */
function yearAt(tokens: Token[], index: number): number | undefined {
  const token = tokens[index];
  if (!isYearNumber(token)) return undefined;
  const before = keyAt(tokens, index - 1);
  if (before === '-' && isYearNumber(tokens[index - 2])) return Number(token!.key);
  if (before === 'nam') {
    // "tháng 3 năm 2024" and "ngày … năm 2024" are dates; "so với năm 2024" looks back.
    if (keyAt(tokens, index - 3) === 'thang' || keyAt(tokens, index - 2) === 'thang') return undefined;
    if (keyAt(tokens, index - 2) === 'voi' && keyAt(tokens, index - 3) === 'so') return undefined;
    if (keyAt(tokens, index - 2) === 'ky' && keyAt(tokens, index - 3) === 'cung') return undefined;
    return Number(token!.key);
  }
  if (before === 'den' || before === 'doan' || before === 'het') return Number(token!.key);
  return undefined;
}

/** A number of at most three digits, with decimals after a comma or point: "90", "87,5". */
function figureNumberAt(tokens: Token[], index: number, end: number): { value: number; next: number } | undefined {
  const token = tokens[index]!;
  if (token.kind !== 'number' || token.key.length > 3) return undefined;
  let written = token.key;
  let next = index + 1;
  const separator = tokens[next];
  const fraction = tokens[next + 1];
  if (
    next + 1 < end &&
    (separator?.key === ',' || separator?.key === '.') &&
    !separator.spaced &&
    fraction?.kind === 'number' &&
    !fraction.spaced &&
    fraction.key.length <= 2
  ) {
    written += `.${fraction.key}`;
    next += 2;
  }
  const value = Number(written);
  return value > 0 && value <= 100 ? { value, next } : undefined;
}

/** "900/o": OCR read "90%" as "90" and "0/o" with no space between. */
function gluedPercentAt(tokens: Token[], index: number, end: number): { value: number; next: number } | undefined {
  const key = tokens[index]!.key;
  const slash = tokens[index + 1];
  const o = tokens[index + 2];
  if (key.length < 2 || key.length > 4 || !key.endsWith('0') || index + 2 >= end) return undefined;
  if (slash?.key !== '/' || slash.spaced || (o?.key !== 'o' && o?.key !== '0') || o.spaced) return undefined;
  const value = Number(key.slice(0, -1));
  return value > 0 && value <= 100 ? { value, next: index + 3 } : undefined;
}

/** A percentage written at a token: "90%", "87,5 %", "90 phần trăm", "90 o/o" as OCR reads "%". */
function percentAt(tokens: Token[], index: number, end: number): { value: number; next: number } | undefined {
  const glued = gluedPercentAt(tokens, index, end);
  if (glued) return glued;
  const number = figureNumberAt(tokens, index, end);
  if (!number) return undefined;
  const next = number.next;
  const sign = tokens[next];
  if (!sign || next >= end) return undefined;
  let signLength = 0;
  if (sign.key === '%') signLength = 1;
  else if (sign.key === 'phan' && keyAt(tokens, next + 1) === 'tram' && next + 1 < end) signLength = 2;
  else if (
    (sign.key === 'o' || sign.key === '0' || sign.key === '°') &&
    keyAt(tokens, next + 1) === '/' &&
    !tokens[next + 1]!.spaced &&
    (keyAt(tokens, next + 2) === 'o' || keyAt(tokens, next + 2) === '0') &&
    !tokens[next + 2]!.spaced &&
    next + 2 < end
  )
    signLength = 3;
  return signLength > 0 ? { value: number.value, next: next + signLength } : undefined;
}

const TABLE_BETWEEN = new Set(['|', ':', '≥', '>', '=', 'toi', 'thieu', 'tren', 'it', 'nhat', 'tu', 'dat']);

/**
 * A figure in a table of targets, after the unit column: "Mức độ hài lòng … | % | ≥ 90",
 * "… (%) 90". The index is the unit's "%"; the figure is the number after it.
 */
function tableFigureAt(
  tokens: Token[],
  index: number,
  end: number,
): { at: number; value: number; next: number } | undefined {
  let at = index + 1;
  if (keyAt(tokens, index - 1) === '(' && keyAt(tokens, at) === ')') at++;
  while (at < end && at - index <= 6 && TABLE_BETWEEN.has(tokens[at]!.key)) at++;
  if (at >= end) return undefined;
  const number = figureNumberAt(tokens, at, end);
  // "… % 90%" is an ordinary percentage, read as such.
  if (!number || percentAt(tokens, at, end)) return undefined;
  return { at, ...number };
}

/** How the words just before a percentage state it, or `none` when they say nothing. */
function comparisonBefore(tokens: Token[], index: number, start: number): TargetComparison | 'not' | 'none' {
  const words: string[] = [];
  for (let at = index - 1; at >= start && words.length < COMPARISON_WORDS; at--) words.unshift(tokens[at]!.key);
  const before = words.join(' ');
  for (const [phrase, comparison] of COMPARISONS) {
    if (before === phrase || before.endsWith(` ${phrase}`)) return comparison;
  }
  return 'none';
}

/** What a stretch of words says about the figure it describes. */
interface Subject {
  domains: string[];
  service: boolean;
  agency: boolean;
  procedure: boolean;
}

const emptySubject = (): Subject => ({ domains: [], service: false, agency: false, procedure: false });

function addFeature(subject: Subject, feature: Feature): void {
  if (feature.startsWith('domain:')) {
    const domain = feature.slice('domain:'.length);
    if (!subject.domains.includes(domain)) subject.domains.push(domain);
  } else if (feature === 'service' || feature === 'sipas') subject.service = true;
  else if (feature === 'agency') subject.agency = true;
  else if (feature === 'procedure') subject.procedure = true;
}

interface Kind {
  metric: TargetMetric;
  domain: string | null;
}

/** Domains first; then the service of the agencies (SIPAS); else the handling of procedures. */
function kindsOf(subject: Subject): Kind[] | undefined {
  if (subject.domains.length > 0) return subject.domains.map((domain) => ({ metric: 'domain', domain }));
  if (subject.service || (subject.agency && !subject.procedure)) return [{ metric: 'agency_service', domain: null }];
  if (subject.procedure) return [{ metric: 'tthc', domain: null }];
  return undefined;
}

function mergeSubjects(...subjects: Subject[]): Subject {
  const merged = emptySubject();
  for (const subject of subjects) {
    for (const domain of subject.domains) addFeature(merged, `domain:${domain}`);
    merged.service ||= subject.service;
    merged.agency ||= subject.agency;
    merged.procedure ||= subject.procedure;
  }
  return merged;
}

/** What the words after a percentage say, read up to a bounded distance. */
interface Tail {
  /** "trở lên": at least. */
  orMore: boolean;
  /** "so với …": a change against another figure, not a level. */
  relative: boolean;
  /** "vào năm 2025", "(năm 2025)". */
  year: number | undefined;
  /** A noun follows: the figure counts something else ("95% hồ sơ"). */
  countsThings: boolean;
  /** The figure counts satisfied people ("95% người dân … hài lòng"). */
  countsSatisfied: boolean;
  subject: Subject;
  /** Where the words the tail took end. */
  next: number;
}

function readTail(tokens: Token[], start: number, end: number, meter: WorkMeter): Tail {
  const tail: Tail = {
    orMore: false,
    relative: false,
    year: undefined,
    countsThings: false,
    countsSatisfied: false,
    subject: emptySubject(),
    next: start,
  };
  const limit = Math.min(end, start + TAIL_TOKENS);
  let at = start;
  // "80% - 85% trong năm 2026": what follows the range is said of its lower end.
  if (['-', 'den', 'toi'].includes(keyAt(tokens, at)!) && at + 1 < limit) {
    const upper = percentAt(tokens, at + 1, limit);
    if (upper) at = upper.next;
  }
  if (keyAt(tokens, at) === 'tro' && keyAt(tokens, at + 1) === 'len' && at + 1 < limit) {
    tail.orMore = true;
    at += 2;
  }
  if (keyAt(tokens, at) === 'so' && keyAt(tokens, at + 1) === 'voi') tail.relative = true;
  // A year right after the figure is the figure's: "đạt 90% vào năm 2025", "(năm 2025)".
  const bracket = keyAt(tokens, at) === '(';
  let yearFrom = bracket ? at + 1 : at;
  while (yearFrom < limit && ['vao', 'trong', 'den', 'cuoi', 'het'].includes(keyAt(tokens, yearFrom)!)) yearFrom++;
  if (keyAt(tokens, yearFrom) === 'giai' && keyAt(tokens, yearFrom + 1) === 'doan') yearFrom += 2;
  let year: number | undefined;
  let yearEnd = yearFrom;
  if (isYearNumber(tokens[yearFrom]) && keyAt(tokens, yearFrom + 1) === '-' && isYearNumber(tokens[yearFrom + 2])) {
    // "trong giai đoạn 2021-2025": by the end of the period.
    year = Number(tokens[yearFrom + 2]!.key);
    yearEnd = yearFrom + 3;
  } else if (keyAt(tokens, yearFrom) === 'nam' && isYearNumber(tokens[yearFrom + 1])) {
    year = Number(tokens[yearFrom + 1]!.key);
    yearEnd = yearFrom + 2;
  }
  // "(năm 2024 đạt 84%)" is a remark about another year, not this figure's year.
  if (year !== undefined && yearEnd <= limit && (!bracket || keyAt(tokens, yearEnd) === ')')) {
    tail.year = year;
    at = bracket ? yearEnd + 1 : yearEnd;
    tail.next = at;
  }
  const first = tokens[at];
  if (!first || at >= limit || first.kind !== 'word') return tail;

  // "95% người dân, tổ chức hài lòng với …": the figure counts satisfied people.
  let person = at;
  while (
    PEOPLE.has(first.key) &&
    person < limit &&
    person - at < 14 &&
    (SATISFIED_PEOPLE.has(tokens[person]!.key) || tokens[person]!.key === ',')
  ) {
    meter.steps++;
    if (phraseAt(tokens, person, limit)?.feature === 'satisfaction') break;
    person++;
  }
  if (phraseAt(tokens, person, limit)?.feature === 'satisfaction') {
    tail.countsSatisfied = true;
    readSubject(tokens, person + 2, Math.min(end, person + 2 + TAIL_TOKENS), tail.subject, false, meter);
    return tail;
  }
  if (first.key === 'doi' && keyAt(tokens, at + 1) === 'voi') {
    readSubject(tokens, at + 2, limit, tail.subject, true, meter);
    return tail;
  }
  if (INTRODUCERS.has(first.key)) {
    readSubject(tokens, at + 1, limit, tail.subject, true, meter);
    return tail;
  }
  tail.countsThings = !AFTER_FIGURE.has(first.key);
  return tail;
}

/**
 * Domains and kinds named from `start` on: after a figure only in a list of domains
 * ("đối với lĩnh vực đất đai, xây dựng và đầu tư"), after "hài lòng" up to the next figure.
 */
function readSubject(
  tokens: Token[],
  start: number,
  end: number,
  subject: Subject,
  listOnly: boolean,
  meter: WorkMeter,
): void {
  for (let at = start; at < end;) {
    meter.steps++;
    const token = tokens[at]!;
    if (token.kind === 'number' && percentAt(tokens, at, end)) return;
    const phrase = phraseAt(tokens, at, end);
    if (phrase) {
      if (
        listOnly &&
        !(phrase.feature.startsWith('domain:') || ['service', 'agency', 'procedure', 'field'].includes(phrase.feature))
      )
        return;
      addFeature(subject, phrase.feature);
      at += phrase.keys.length;
      continue;
    }
    if (listOnly && !(LIST_WORDS.has(token.key) || CONTINUATION_MARKS.has(token.key))) return;
    if (!listOnly && (token.key === ';' || token.key === '.')) return;
    at++;
  }
}

/** The words since the previous percentage (or the start of the clause). */
interface Segment {
  /** "hài lòng" was named, and not as "không hài lòng". */
  satisfaction: boolean;
  /** Named before "hài lòng": domains count when a field introduces them ("Đối với lĩnh vực đất đai, mức độ hài lòng …"). */
  before: Subject;
  fieldBefore: boolean;
  /** Named after "hài lòng". */
  after: Subject;
  /** A result, not an aim: "đã đạt" after "hài lòng". */
  past: boolean;
  /** A report of results: "Kết quả khảo sát năm 2023, mức độ hài lòng …", until an aim ("phấn đấu"). */
  report: boolean;
  /** After "hài lòng", another measure began: "…, tỷ lệ hồ sơ đúng hạn đạt 98%". */
  otherMeasure: boolean;
  /** An aim was stated: "phấn đấu", "mục tiêu". */
  aim: boolean;
  /** "lần lượt đạt 85% và 88%": one kind for each figure, in turn. */
  respectively: boolean;
  /** Nothing but words that carry on a satisfaction target. */
  continuation: boolean;
  afterComma: boolean;
  year: number | undefined;
}

const newSegment = (): Segment => ({
  satisfaction: false,
  before: emptySubject(),
  fieldBefore: false,
  after: emptySubject(),
  past: false,
  report: false,
  otherMeasure: false,
  respectively: false,
  aim: false,
  continuation: true,
  afterComma: false,
  year: undefined,
});

interface Clause {
  /** Tokens [start, end), after any list marker. */
  start: number;
  end: number;
  /** The clause ends its sentence (., a new list item), not only itself (;). */
  endsSentence: boolean;
  /** The clause ends with a colon before a list: "Mục tiêu đến năm 2025:". */
  leadIn: boolean;
  /** 0 for I., 1 for 1., 2 for a), 3 for -, 4 without a marker. */
  level: number;
}

/** A list marker at the start of a line: "- ", "a) ", "đ) ", "1. ", "II. ". */
function listMarker(tokens: Token[], index: number): { length: number; level: number } | undefined {
  const token = tokens[index]!;
  if (!token.lineStart) return undefined;
  if (token.kind === 'punct') return BULLETS.has(token.key) ? { length: 1, level: 3 } : undefined;
  const mark = tokens[index + 1];
  if (!mark || mark.spaced || (mark.key !== ')' && mark.key !== '.')) return undefined;
  const after = tokens[index + 2];
  if (after && !after.spaced) return undefined;
  if (token.kind === 'number') return token.key.length <= 2 ? { length: 2, level: 1 } : undefined;
  if (token.capital && ROMAN.has(token.key)) return { length: 2, level: 0 };
  return token.key.length === 1 ? { length: 2, level: 2 } : undefined;
}

/** Clauses in one pass: sentences, list items and the parts of a sentence between semicolons. */
function clausesOf(tokens: Token[], meter: WorkMeter): Clause[] {
  const clauses: Clause[] = [];
  let current: Clause = { start: 0, end: 0, endsSentence: true, leadIn: false, level: 4 };
  const close = (end: number, endsSentence: boolean, leadIn = false) => {
    current.end = end;
    current.endsSentence = endsSentence;
    current.leadIn = leadIn;
    if (current.end > current.start) clauses.push(current);
    else if (endsSentence && clauses.length > 0) clauses.at(-1)!.endsSentence = true;
  };
  for (let index = 0; index < tokens.length; index++) {
    meter.steps++;
    const token = tokens[index]!;
    const marker = listMarker(tokens, index);
    if (marker) {
      close(index, true);
      current = { start: index + marker.length, end: 0, endsSentence: true, leadIn: false, level: marker.level };
      index += marker.length - 1;
      continue;
    }
    if (token.kind !== 'punct') continue;
    const next = tokens[index + 1];
    if (token.key === ';') {
      close(index, false);
      current = { start: index + 1, end: 0, endsSentence: true, leadIn: false, level: 4 };
    } else if (
      (token.key === '.' || token.key === '!' || token.key === '?' || token.key === '…') &&
      (!next || next.lineStart || (next.spaced && (next.capital || next.kind === 'number')))
    ) {
      close(index + 1, true);
      current = { start: index + 1, end: 0, endsSentence: true, leadIn: false, level: 4 };
    } else if (token.key === ':' && (!next || next.lineStart)) {
      close(index + 1, true, true);
      current = { start: index + 1, end: 0, endsSentence: true, leadIn: false, level: 4 };
    }
  }
  close(tokens.length, true);
  return clauses;
}

interface PlanHeader {
  planNumber: string | null;
  planDate: string | null;
  year: number | null;
  /** Before this year, a figure is a past result: the first year of the plan. */
  firstYear: number | null;
}

/** The plan's header ends where the plan starts citing documents or stating its purpose. */
function headerEnd(tokens: Token[]): number {
  const limit = Math.min(tokens.length, HEADER_TOKENS);
  for (let index = 0; index < limit; index++) {
    const key = tokens[index]!.key;
    const next = keyAt(tokens, index + 1);
    if (key === 'can' && next === 'cu') return index;
    if (tokens[index]!.lineStart && ((key === 'thuc' && next === 'hien') || (key === 'trien' && next === 'khai')))
      return index;
    if (key === 'muc' && (next === 'dich' || next === 'tieu')) return index;
  }
  return limit;
}

const DOCUMENT_KINDS = new Set(['hoach', 'dinh', 'quyet', 'van', 'tu', 'thi', 'bao', 'dan', 'trinh', 'ban', 'luat']);

/** "Số: 112/KH-UBND": the plan's own number, from the first number slot of its header. */
function planNumberIn(tokens: Token[], text: string, end: number): { number: string | null; end: number } {
  for (let index = 0; index < end; index++) {
    const token = tokens[index]!;
    if (token.key !== 'so' || token.kind !== 'word') continue;
    let slot: number;
    if (keyAt(tokens, index + 1) === ':') slot = index + 2;
    else if (
      token.lineStart &&
      tokens[index + 1]?.kind === 'number' &&
      keyAt(tokens, index + 2) === '/' &&
      !DOCUMENT_KINDS.has(keyAt(tokens, index - 1) ?? '')
    )
      slot = index + 1;
    else continue;
    // The first slot is the plan's, even left blank ("Số:     /QĐ-UBND") for the number to be written in.
    const number = tokens[slot];
    if (number?.kind !== 'number' || number.key.length > 6) return { number: null, end: slot };
    let written = number.key;
    let at = slot + 1;
    while (at + 1 < tokens.length && at - slot < 12) {
      const separator = tokens[at]!;
      const part = tokens[at + 1]!;
      if (separator.key !== '/' && separator.key !== '-') break;
      const raw = text.slice(part.start, part.end);
      if (part.kind === 'punct' || (part.spaced && part.kind === 'word' && raw !== raw.toUpperCase())) break;
      written += `${separator.key}${part.kind === 'number' ? part.key : raw}`;
      at += 2;
    }
    return { number: written, end: at };
  }
  return { number: null, end: 0 };
}

/** A date at a token after "ngày": "15 tháng 3 năm 2024", "15/3/2024"; a blank day or month gives no date. */
function dateAt(tokens: Token[], index: number): { date: string | null; year: number } | undefined {
  let at = index;
  const number = (token: Token | undefined, digits: number) =>
    token?.kind === 'number' && token.key.length <= digits ? Number(token.key) : undefined;
  const day = number(tokens[at], 2);
  if (day !== undefined) at++;
  let month: number | undefined;
  let year: number | undefined;
  const separator = keyAt(tokens, at);
  if (separator === '/' || separator === '-' || separator === '.') {
    month = number(tokens[at + 1], 2);
    if (keyAt(tokens, at + 2) === separator && isYearNumber(tokens[at + 3])) year = Number(tokens[at + 3]!.key);
  } else if (separator === 'thang') {
    at++;
    month = number(tokens[at], 2);
    if (month !== undefined) at++;
    if (keyAt(tokens, at) === ',') at++;
    if (keyAt(tokens, at) === 'nam' && isYearNumber(tokens[at + 1])) year = Number(tokens[at + 1]!.key);
  }
  if (year === undefined) return undefined;
  if (day === undefined || month === undefined) return { date: null, year };
  const date = new Date(Date.UTC(year, month - 1, day));
  const valid = date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return {
    date: valid ? `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` : null,
    year,
  };
}

/** The plan's own date: the first "ngày …" of the header that is not a cited document's. */
function planDateIn(
  tokens: Token[],
  end: number,
  ownNumberEnd: number,
): { date: string | null; year: number } | undefined {
  for (let index = 0; index < end; index++) {
    if (tokens[index]!.key !== 'ngay') continue;
    // "… số 15/QĐ-UBND ngày 10/01/2024": the date of the document cited just before.
    let cited = false;
    for (let back = index - 1; back >= Math.max(ownNumberEnd, index - 4); back--)
      if (tokens[back]!.key === '/') cited = true;
    if (cited) continue;
    const found = dateAt(tokens, index + 1);
    if (found) return found;
  }
  return undefined;
}

/** "KẾ HOẠCH Cải cách hành chính năm 2025" or "… giai đoạn 2021-2025": the year(s) of the plan's title. */
function titleYears(tokens: Token[], meter: WorkMeter): { first: number; last: number } | undefined {
  const limit = Math.min(tokens.length, TITLE_TOKENS);
  let titles = 0;
  for (let index = 0; index < limit && titles < 3; index++) {
    meter.steps++;
    if (tokens[index]!.key !== 'ke' || keyAt(tokens, index + 1) !== 'hoach') continue;
    // "Kế hoạch số 215/KH-UBND", "Căn cứ Kế hoạch …", "thực hiện Kế hoạch …": other plans.
    if (keyAt(tokens, index + 2) === 'so') continue;
    if (['cu', 'theo', 'hien', 'khai', 'cua'].includes(keyAt(tokens, index - 1) ?? '')) continue;
    titles++;
    for (let at = index + 2; at < Math.min(tokens.length, index + 42); at++) {
      meter.steps++;
      const key = tokens[at]!.key;
      if (key === ';' || key === '.' || key === 'ngay' || (key === 'can' && keyAt(tokens, at + 1) === 'cu')) break;
      if (!isYearNumber(tokens[at])) continue;
      const before = keyAt(tokens, at - 1);
      if (before === '/' || before === 'thang' || keyAt(tokens, at - 2) === 'thang') continue;
      const year = Number(tokens[at]!.key);
      if (keyAt(tokens, at + 1) === '-' && isYearNumber(tokens[at + 2]))
        return { first: year, last: Number(tokens[at + 2]!.key) };
      return { first: year, last: year };
    }
  }
  return undefined;
}

function readHeader(tokens: Token[], text: string, meter: WorkMeter): PlanHeader {
  const end = headerEnd(tokens);
  meter.steps += end;
  const number = planNumberIn(tokens, text, end);
  const date = planDateIn(tokens, end, number.end);
  const title = titleYears(tokens, meter);
  return {
    planNumber: number.number,
    planDate: date?.date ?? null,
    year: title?.last ?? date?.year ?? null,
    firstYear: title?.first ?? date?.year ?? null,
  };
}

/** The clause as written, on one line, without its list marker; a window around the figure when it is long. */
function quote({ text, tokens, meter }: Reading, clause: Clause, figure: number, figureEnd: number): string {
  let start = tokens[clause.start]!.start;
  let end = tokens[clause.end - 1]!.end;
  let prefix = '';
  let suffix = '';
  if (end - start > QUOTE_CHARS) {
    const from = Math.max(start, tokens[figure]!.start - (QUOTE_CHARS - 150));
    const to = Math.min(end, tokens[figureEnd - 1]!.end + 150);
    if (from > start) prefix = '…';
    if (to < end) suffix = '…';
    start = from;
    end = to;
  }
  meter.steps += end - start;
  return `${prefix}${text
    .slice(start, end)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[;,:]$/, '')}${suffix}`;
}

/** The state of the reading that lasts beyond one clause. */
interface Reading {
  tokens: Token[];
  text: string;
  header: PlanHeader;
  meter: WorkMeter;
  targets: ProposedTarget[];
  seen: Set<string>;
  /** The year the sentence named last. */
  sentenceYear: number | undefined;
  /** The kinds of the last satisfaction figure of the sentence, which a later figure may carry on. */
  topic: Kind[] | undefined;
  /** The token after the last percentage read. */
  lastFigureEnd: number;
  /** The last satisfaction figure of the sentence was a result, not an aim. */
  reporting: boolean;
  /** The kinds left for the next figures after "lần lượt". */
  inTurn: Kind[][];
  /** How the last satisfaction figure of the sentence was stated. */
  comparison: TargetComparison | undefined;
  /** "Mục tiêu đến năm 2025:" names the year of the list that follows it. */
  leadIn: { year: number | undefined; level: number } | undefined;
  clauseYear: number | undefined;
}

function figure(
  reading: Reading,
  clause: Clause,
  segment: Segment,
  index: number,
  percent: { value: number; next: number },
  table = false,
) {
  const { tokens } = reading;
  // "từ 85% đến 90%", "85% - 90%": the upper end of a range is not another target.
  const previous = reading.lastFigureEnd;
  reading.lastFigureEnd = percent.next;
  if (previous === index - 1 && ['-', 'den', 'toi'].includes(keyAt(tokens, index - 1)!)) return percent.next;
  const tail = readTail(tokens, percent.next, clause.end, reading.meter);
  if (tail.year !== undefined) reading.sentenceYear = reading.clauseYear = tail.year;
  let kinds: Kind[] | undefined;
  let countsSatisfied = false;
  let carriedOn = false;
  if (tail.countsSatisfied) {
    kinds = kindsOf(tail.subject) ?? [{ metric: 'tthc', domain: null }];
    countsSatisfied = true;
  } else if (segment.satisfaction && !segment.otherMeasure) {
    const before = segment.fieldBefore ? segment.before : emptySubject();
    kinds = kindsOf(mergeSubjects(before, segment.after, tail.subject)) ?? [{ metric: 'tthc', domain: null }];
  } else if (reading.topic && segment.continuation && !segment.past) {
    kinds = kindsOf(mergeSubjects(segment.before, tail.subject)) ?? reading.inTurn.shift() ?? reading.topic;
    carriedOn = true;
  }
  reading.topic = kinds;
  if (!kinds) return tail.next;
  if (segment.respectively && kinds.length > 1) {
    reading.inTurn = kinds.slice(1).map((kind) => [kind]);
    kinds = kinds.slice(0, 1);
  }

  let stated = comparisonBefore(tokens, index, clause.start);
  // "đạt 90% năm 2025 và 95% năm 2030": the second figure is reached like the first.
  if (stated === 'none' && carriedOn) stated = reading.comparison ?? 'none';
  // A table of targets states levels to reach.
  if (stated === 'none' && table) stated = 'gte';
  const comparison: TargetComparison | undefined =
    stated === 'gte' || stated === 'gt'
      ? stated
      : stated === 'none' && (countsSatisfied || tail.orMore)
        ? 'gte'
        : undefined;
  reading.comparison = comparison;
  // "Kết quả năm 2024: … đạt 86,2%, về sự phục vụ đạt 84,7%": the figures after a result are results too.
  const reported = segment.past || segment.report || (carriedOn && reading.reporting && !segment.aim);
  reading.reporting = reported;
  if (!comparison || tail.relative || reported || (tail.countsThings && !countsSatisfied)) return tail.next;
  const year = tail.year ?? segment.year ?? reading.sentenceYear ?? reading.leadIn?.year ?? reading.header.year;
  // A figure for a year before the plan's is a result it reports.
  if (year !== null && reading.header.firstYear !== null && year < reading.header.firstYear) return tail.next;

  const figureEnd = Math.max(percent.next, tail.next);
  for (const kind of kinds) {
    const key = `${kind.metric}|${kind.domain}|${percent.value}|${comparison}|${year}`;
    if (reading.seen.has(key) || reading.targets.length >= MAX_TARGETS) continue;
    reading.seen.add(key);
    reading.targets.push({
      sentence: quote(reading, clause, index, figureEnd),
      percent: percent.value,
      comparison,
      ...kind,
      year,
    });
  }
  return tail.next;
}

function readClause(reading: Reading, clause: Clause): void {
  const { tokens, meter } = reading;
  let segment = newSegment();
  reading.clauseYear = undefined;
  for (let index = clause.start; index < clause.end;) {
    meter.steps++;
    const token = tokens[index]!;
    if (token.kind === 'number') {
      const percent = percentAt(tokens, index, clause.end);
      if (percent) {
        index = Math.max(percent.next, figure(reading, clause, segment, index, percent));
        segment = newSegment();
        continue;
      }
      const year = yearAt(tokens, index);
      if (year !== undefined) segment.year = reading.sentenceYear = reading.clauseYear = year;
      else if (!(isYearNumber(token) && keyAt(tokens, index + 1) === '-')) segment.continuation = false;
      segment.afterComma = false;
      index++;
      continue;
    }
    if (token.kind === 'punct') {
      const tableFigure =
        token.key === '%' && segment.satisfaction && !segment.otherMeasure
          ? tableFigureAt(tokens, index, clause.end)
          : undefined;
      if (tableFigure) {
        index = Math.max(tableFigure.next, figure(reading, clause, segment, tableFigure.at, tableFigure, true));
        segment = newSegment();
        continue;
      }
      if (!CONTINUATION_MARKS.has(token.key)) segment.continuation = false;
      segment.afterComma = token.key === ',';
      index++;
      continue;
    }
    const phrase = phraseAt(tokens, index, clause.end);
    if (!phrase) {
      if (!CONTINUATION_WORDS.has(token.key)) segment.continuation = false;
      segment.afterComma = token.key === 'va';
      index++;
      continue;
    }
    const feature = phrase.feature;
    if (feature === 'satisfaction' || feature === 'sipas') {
      segment.satisfaction = true;
      segment.otherMeasure = false;
      segment.past = false;
      segment.after = emptySubject();
      if (feature === 'sipas') segment.after.service = true;
    } else if (feature === 'dissatisfaction') {
      segment.satisfaction = false;
      segment.continuation = false;
    } else if (feature === 'past') {
      segment.past = true;
      segment.continuation = false;
    } else if (feature === 'report') {
      segment.report = true;
      segment.continuation = false;
    } else if (feature === 'respectively') {
      segment.respectively = true;
    } else if (feature === 'aim') {
      segment.aim = true;
      segment.past = false;
      segment.report = false;
    } else if (feature === 'measure') {
      if (segment.satisfaction && segment.afterComma) segment.otherMeasure = true;
      // "đạt tỷ lệ 90%" states the figure; any other measure is another topic.
      if (!(token.key === 'ty' || token.key === 'ti') || keyAt(tokens, index - 1) !== 'dat')
        segment.continuation = false;
    } else if (feature === 'field') {
      if (!segment.satisfaction) segment.fieldBefore = true;
    } else if (feature === 'other') {
      segment.continuation = false;
    }
    addFeature(segment.satisfaction ? segment.after : segment.before, feature);
    segment.afterComma = false;
    index += phrase.keys.length;
  }
}

/** The plan's number, date and year, and the satisfaction targets it sets. */
export function extractTargets(input: string, meter: WorkMeter = { steps: 0 }): PlanExtraction {
  const text = input.normalize('NFC');
  const tokens = tokenize(text, VOCABULARY, meter);
  const header = readHeader(tokens, text, meter);
  const reading: Reading = {
    tokens,
    text,
    header,
    meter,
    targets: [],
    seen: new Set(),
    sentenceYear: undefined,
    topic: undefined,
    comparison: undefined,
    inTurn: [],
    reporting: false,
    lastFigureEnd: -1,
    leadIn: undefined,
    clauseYear: undefined,
  };
  for (const clause of clausesOf(tokens, meter)) {
    if (reading.leadIn && clause.level <= reading.leadIn.level) reading.leadIn = undefined;
    readClause(reading, clause);
    if (clause.leadIn) {
      reading.leadIn = { year: reading.clauseYear, level: clause.level === 4 ? 1 : clause.level };
    }
    if (clause.endsSentence) {
      reading.sentenceYear = undefined;
      reading.topic = undefined;
      reading.comparison = undefined;
      reading.inTurn = [];
      reading.reporting = false;
    }
  }
  return { planNumber: header.planNumber, planDate: header.planDate, year: header.year, targets: reading.targets };
}
