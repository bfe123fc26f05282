import { type Kysely } from 'kysely';

// Frozen. Comments stored before masking and tagging existed are masked (phone, ID and account
// numbers, e-mail addresses) and tagged with their SIPAS elements, by the rules of the day,
// copied here so that later changes to the rules do not change what this migration did.

const BATCH = 1000;

export async function up(db: Kysely<any>): Promise<void> {
  for (let after = 0; ;) {
    const comments: { id: string; body: string }[] = await db
      .selectFrom('comment')
      .select(['id', 'body'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (comments.length === 0) return;
    for (const comment of comments) {
      const body = maskComment(comment.body);
      await db
        .updateTable('comment')
        .set({ body, elements: commentElements(body) })
        .where('id', '=', comment.id)
        .execute();
    }
    after = Number(comments.at(-1)!.id);
  }
}

export async function down(): Promise<void> {
  // What was masked is gone for good; the tags go with the column in the migration before.
}

/** Lower case without diacritics, one character for one character (đ → d). */
function fold(text: string): string {
  let folded = '';
  for (const char of text) {
    const base = char.normalize('NFD')[0] ?? char;
    const lowered = base === 'đ' || base === 'Đ' || base === 'ð' || base === 'Ð' ? 'd' : base.toLowerCase();
    folded += lowered.length === char.length ? lowered : char;
  }
  return folded;
}

const MASKS = {
  phone: '[số điện thoại]',
  citizenId: '[số định danh]',
  email: '[email]',
  digits: '[dãy số]',
} as const;

type MaskKind = keyof typeof MASKS;

// One pattern, tried left to right; at one position the first alternative that matches wins,
// so what is kept (a date, a dossier number, an amount) is recognised before the digit runs.
const PIECE = new RegExp(
  [
    // 1: an e-mail address
    String.raw`([\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,})`,
    // 2: a dossier number: an agency code with a letter, then -yymmdd-sequence
    String.raw`((?<![\p{L}\p{N}])[\p{L}\p{N}.]*\p{L}[\p{L}\p{N}.]*-\d{6}-\d{3,6}(?!\d))`,
    // 3: a date, day first or ISO
    String.raw`((?<!\d)(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2})(?![\d/]))`,
    // 4: an amount with thousands separators: never starts with 0, unlike phone and ID numbers
    String.raw`((?<![\d.,])[1-9]\d{0,2}(?:([.,])\d{3})(?:\5\d{3})*(?![\d]|[.,]\d))`,
    // 6: a run of digits, maybe after +, maybe in groups split by a space, a dot, a dash or brackets
    String.raw`((?<!\d)\+?\(?\d(?:(?:[ .-]|\) ?|\()?\d)*)`,
  ].join('|'),
  'gu',
);

/** What a run of digits (separators taken out) is, or null to keep it as written. */
function classifyDigits(run: string): MaskKind | null {
  const grouped = /[ .()-]/.test(run.trim());
  const international = run.trimStart().startsWith('+');
  let digits = run.replace(/\D/g, '');
  // +84 912 345 678, 84912345678: the national form has a 0 instead of the country code.
  if (digits.startsWith('84') && (international || digits.length === 11 || digits.length === 12)) {
    const national = `0${digits.slice(2)}`;
    if (international || isPhone(national)) digits = national;
  }
  if (isPhone(digits)) return 'phone';
  // Toll-free and shared-cost hotlines are public numbers of offices, not of citizens.
  if (/^1[89]00\d{4,6}$/.test(digits)) return null;
  if (digits.length === 12 || digits.length === 9) return 'citizenId';
  if (digits.length >= 9) return 'digits';
  // A local landline without its area code (3825 1234, 382-51-234) is grouped like one.
  if (digits.length >= 7 && grouped) return 'phone';
  if (international && digits.length >= 7) return 'phone';
  return null;
}

/** Mobile 0[35789]x xxx xxxx, or landline 02xx xxxx xxxx, in their national form. */
function isPhone(digits: string): boolean {
  return /^0[35789]\d{8}$/.test(digits) || /^02\d{9}$/.test(digits);
}

/** The comment with its identifying details replaced by a mask; the rest as written. */
function maskComment(comment: string): string {
  return comment.replace(PIECE, (piece: string, email?: string, ...groups: unknown[]) => {
    if (email !== undefined) return MASKS.email;
    const run = groups[4] as string | undefined;
    if (run === undefined) return piece;
    // The run pattern may take a trailing separator or bracket; it is not part of the number.
    const number = run.replace(/[ .(-]+$/, '');
    const kind = classifyDigits(number);
    if (kind === null) return piece;
    // Groups of digits joined to a letter belong to a code ("a123-4567-89ab", a UUID): kept.
    // Digits in one piece are masked even against a letter ("SĐT0912345678", "STK-1903…").
    const offset = groups[5] as number;
    const before = comment.slice(Math.max(0, offset - 2), offset);
    const after = comment.slice(offset + number.length, offset + number.length + 2);
    const inCode = /\p{L}[.-]?$/u.test(before) || /^[.-]?\p{L}/u.test(after);
    if (inCode && /\D/.test(number)) return piece;
    return MASKS[kind] + run.slice(number.length);
  });
}

const ELEMENT_KEYWORDS: Record<string, string[]> = {
  access: [
    'cho lau',
    'cho doi',
    'cho qua lau',
    'phai cho',
    'xep hang',
    'ghe ngoi',
    'cho ngoi',
    'thieu ghe',
    'chat choi',
    'chat hep',
    'nong buc',
    'nong qua',
    'may lanh',
    'dieu hoa',
    'quat may',
    'quat tran',
    'nha ve sinh',
    'bai xe',
    'gui xe',
    'do xe',
    'bien chi dan',
    'kho tim',
    'lay so',
    'boc so',
    'may tra cuu',
    'wifi',
    'trang thiet bi',
    'co so vat chat',
    'phong cho',
  ],
  procedure: [
    'thu tuc',
    'giay to',
    'bo sung',
    'le phi',
    'thu phi',
    'tien phi',
    'phi',
    'mau don',
    'to khai',
    'niem yet',
    'quy trinh',
    'rac roi',
    'phuc tap',
    'ban sao',
    'thanh phan ho so',
    'dich vu cong',
    'nop truc tuyen',
  ],
  civil_servant: [
    'can bo(?! sung)',
    'cong chuc',
    'nhan vien',
    'thai do',
    'nhiet tinh',
    'tan tinh',
    'niem no',
    'lich su',
    'than thien',
    'kho chiu',
    'cau gat',
    'quat thao',
    'hach dich',
    'to tieng',
    'huong dan',
    'nhung nhieu',
    'voi vinh',
    'boi duong',
    'phong bi',
    'gay kho de',
    'gay kho khan',
    'phien ha',
    'tieu cuc',
    'tien ca phe',
    'tien cafe',
    'choi dien thoai',
    'vang mat',
  ],
  result: [
    'ket qua',
    'tre hen',
    'tre han',
    'bi tre',
    'qua han',
    'qua hen',
    'cham tra',
    'cham tre',
    'tra cham',
    'sai sot',
    'sai ten',
    'sai thong tin',
    'dung hen',
    'som hon hen',
    'giay chung nhan',
    'so do',
    'so hong',
    'hen lai',
    'hen di hen lai',
  ],
  feedback: [
    'gop y',
    'phan anh',
    'kien nghi',
    'khieu nai',
    'duong day nong',
    'hotline',
    'hom thu',
    'tra loi',
    'phan hoi',
  ],
};

const ELEMENT_ORDER = ['access', 'procedure', 'civil_servant', 'result', 'feedback'];

const RULES = ELEMENT_ORDER.map((element) => ({
  element,
  pattern: new RegExp(`(?<![a-z0-9])(?:${ELEMENT_KEYWORDS[element]!.join('|')})(?![a-z0-9])`),
}));

/** The SIPAS elements a comment speaks about, in the elements' order; none when it names none. */
function commentElements(comment: string): string[] {
  const folded = fold(comment).replace(/\s+/g, ' ');
  return RULES.filter((rule) => rule.pattern.test(folded)).map((rule) => rule.element);
}
