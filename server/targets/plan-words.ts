/**
 * The words of a plan, as the target extraction reads them: one pass over the text splits
 * it into words, numbers and punctuation marks, each with its place in the text, and
 * repairs what OCR and PDF extraction do to Vietnamese words. Keys are in lower case
 * without diacritics, so text that lost its diacritics reads like text that kept them.
 */

/** Counts the steps of one extraction; a test proves with it that the work grows linearly. */
export interface WorkMeter {
  steps: number;
}

export interface Token {
  /** Lower case, without diacritics, OCR debris repaired: `hai`, `2025`, `%`, `,`. */
  key: string;
  kind: 'word' | 'number' | 'punct';
  /** Where the token is in the text: `text.slice(start, end)`. */
  start: number;
  end: number;
  /** The first token of its line. */
  lineStart: boolean;
  /** Whitespace separates it from the token before. */
  spaced: boolean;
  /** Written with a capital first letter. */
  capital: boolean;
}

const foldedChars = new Map<string, string>();

/** One character in lower case without its diacritics (đ → d, Ế → e). */
export function foldChar(char: string): string {
  let folded = foldedChars.get(char);
  if (folded === undefined) {
    const base = char.normalize('NFD')[0] ?? char;
    folded = base === 'đ' || base === 'Đ' || base === 'ð' || base === 'Ð' ? 'd' : base.toLowerCase();
    // A few capitals lower to two characters (İ); they are kept as they are.
    if (folded.length !== char.length) folded = char;
    foldedChars.set(char, folded);
  }
  return folded;
}

/** Lower case without diacritics, one character for one character. */
export function fold(text: string): string {
  let folded = '';
  for (const char of text) folded += foldChar(char);
  return folded;
}

const OTHER = 0;
const LETTER = 1;
const MARK = 2;
const classes = new Map<number, number>();

function charClass(code: number): number {
  if (code < 128) return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122) ? LETTER : OTHER;
  let found = classes.get(code);
  if (found === undefined) {
    const char = String.fromCharCode(code);
    found = /\p{M}/u.test(char) ? MARK : /[\p{L}\p{N}]/u.test(char) ? LETTER : OTHER;
    classes.set(code, found);
  }
  return found;
}

const isNewline = (code: number) =>
  code === 0x0a ||
  code === 0x0d ||
  code === 0x0b ||
  code === 0x0c ||
  code === 0x85 ||
  code === 0x2028 ||
  code === 0x2029;
const isSpace = (code: number) =>
  code === 0x20 ||
  code === 0x09 ||
  code === 0xa0 ||
  (code >= 0x2000 && code <= 0x200b) ||
  code === 0x202f ||
  code === 0x205f ||
  code === 0x3000 ||
  code === 0xfeff;
/** OCR reads a horn or a tone mark as an apostrophe inside a word: "mu’c". */
const APOSTROPHES = new Set(["'", '’', '‘', '`', '´', 'ʼ'].map((char) => char.charCodeAt(0)));
const PUNCT_ALIASES: Record<string, string> = { '％': '%', '–': '-', '—': '-', '−': '-', '‐': '-', '⩾': '≥', '⩽': '≤' };

/**
 * OCR mistakes a letter for another inside a word ("Murc" for "Mức", "rn" for "m");
 * a word outside the vocabulary is tried with each repair in turn.
 */
const LETTER_REPAIRS: [RegExp, string][] = [
  [/ur(?=[a-z])/, 'u'],
  [/or(?=[a-z])/, 'o'],
  [/rn/, 'm'],
  [/cl/, 'd'],
  [/ii/, 'u'],
];
const DIGIT_LIKE = /^[0-9olis|]+$/;

/** A word read by OCR: digits inside words and letters inside numbers put right. */
function repair(key: string, vocabulary: ReadonlySet<string>): { key: string; number: boolean } {
  if (/^\d+$/.test(key)) return { key, number: true };
  if (key.length > 30) return { key, number: false };
  const digits = key.replace(/\D/g, '').length;
  if (digits > 0) {
    // "9O" and "l00" are numbers whose zeros and ones were read as letters.
    if (DIGIT_LIKE.test(key) && digits * 2 >= key.length) {
      return { key: key.replace(/o/g, '0').replace(/[li|]/g, '1').replace(/s/g, '5'), number: true };
    }
    // "l0ng" and "t0i" are words whose letters were read as digits.
    const letters = key.replace(/0/g, 'o').replace(/5/g, 's');
    const withL = letters.replace(/1/g, 'l');
    const withI = letters.replace(/1/g, 'i');
    if (/\d/.test(withL)) return { key, number: false };
    key = vocabulary.has(withI) && !vocabulary.has(withL) ? withI : withL;
  }
  if (!vocabulary.has(key)) {
    for (const [pattern, replacement] of LETTER_REPAIRS) {
      const repaired = key.replace(pattern, replacement);
      if (repaired !== key && vocabulary.has(repaired)) return { key: repaired, number: false };
    }
  }
  return { key, number: false };
}

/**
 * A word that is two or more words of the vocabulary run together ("hàilòng",
 * "tốithiểu", a line joined without its space), split into them; null when it is not.
 */
export function syllables(word: string, vocabulary: ReadonlySet<string>): string[] | null {
  if (word.length < 4 || word.length > 24 || !/^[a-z]+$/.test(word)) return null;
  const parts: (string[] | null)[] = [[]];
  for (let end = 1; end <= word.length; end++) {
    parts[end] = null;
    for (let length = Math.min(7, end); length >= 2; length--) {
      const before = parts[end - length];
      const part = word.slice(end - length, end);
      if (before && vocabulary.has(part)) {
        parts[end] = [...before, part];
        break;
      }
    }
  }
  const found = parts[word.length];
  return found && found.length > 1 ? found : null;
}

/**
 * The tokens of a text, in one pass: each character is looked at once, and each word is
 * repaired with a bounded amount of work, so the time grows with the length of the text.
 */
export function tokenize(text: string, vocabulary: ReadonlySet<string>, meter: WorkMeter): Token[] {
  const tokens: Token[] = [];
  let lineStart = true;
  let spaced = true;
  const length = text.length;
  for (let index = 0; index < length;) {
    meter.steps++;
    const code = text.charCodeAt(index);
    if (isNewline(code)) {
      lineStart = true;
      spaced = true;
      index++;
      continue;
    }
    if (isSpace(code)) {
      spaced = true;
      index++;
      continue;
    }
    const kind = charClass(code);
    if (kind === LETTER || kind === MARK) {
      let key = '';
      let end = index;
      while (end < length) {
        meter.steps++;
        const next = text.charCodeAt(end);
        const nextKind = charClass(next);
        if (nextKind === LETTER) key += foldChar(text[end]!);
        else if (
          nextKind !== MARK &&
          !(APOSTROPHES.has(next) && key !== '' && end + 1 < length && charClass(text.charCodeAt(end + 1)) === LETTER)
        )
          break;
        end++;
      }
      if (key !== '') {
        const first = text[index]!;
        const capital = first !== first.toLowerCase();
        // "thiểu90" and "2025đạt": a word and a number that lost the space between them.
        const glued = /^([a-z]{2,})(\d{1,4})$|^(\d{1,4})([a-z]{2,})$/.exec(key.length <= 30 ? key : '');
        const halves = glued ? (glued[1] ? [glued[1], glued[2]!] : [glued[3]!, glued[4]!]) : undefined;
        if (halves && halves.every((half) => /\d/.test(half) || vocabulary.has(half) || syllables(half, vocabulary))) {
          const [head, rest] = halves as [string, string];
          const cut = index + head.length;
          tokens.push({
            key: head,
            kind: /\d/.test(head) ? 'number' : 'word',
            start: index,
            end: cut,
            lineStart,
            spaced,
            capital,
          });
          tokens.push({
            key: rest,
            kind: /\d/.test(rest) ? 'number' : 'word',
            start: cut,
            end,
            lineStart: false,
            spaced: false,
            capital: false,
          });
        } else {
          const repaired = repair(key, vocabulary);
          tokens.push({
            key: repaired.key,
            kind: repaired.number ? 'number' : 'word',
            start: index,
            end,
            lineStart,
            spaced,
            capital,
          });
        }
        lineStart = false;
        spaced = false;
      }
      index = end;
      continue;
    }
    const char = text[index]!;
    tokens.push({
      key: PUNCT_ALIASES[char] ?? char,
      kind: 'punct',
      start: index,
      end: index + 1,
      lineStart,
      spaced,
      capital: false,
    });
    lineStart = false;
    spaced = false;
    index++;
  }
  return rejoin(tokens, vocabulary, meter);
}

/**
 * Words that OCR or a line break split ("hài lò ng", "tối thi-\nểu") are joined again,
 * and words run together ("hàilòng") are split: a pair is joined only when one half is not
 * a word the extraction knows and the whole is one.
 */
function rejoin(tokens: Token[], vocabulary: ReadonlySet<string>, meter: WorkMeter): Token[] {
  // Plans repeat their words: each distinct word is split (or not) once.
  const splits = new Map<string, string[] | null>();
  const split = (word: string) => {
    let parts = splits.get(word);
    if (parts === undefined) splits.set(word, (parts = vocabulary.has(word) ? null : syllables(word, vocabulary)));
    return parts;
  };
  const known = (word: string) => vocabulary.has(word) || split(word) !== null;
  // A fragment of a split word is short: "lò ng", "thi ểu".
  const joinable = (first: Token, second: Token) =>
    first.kind === 'word' &&
    second.kind === 'word' &&
    Math.min(first.key.length, second.key.length) <= 3 &&
    first.key.length + second.key.length <= 24 &&
    (!known(first.key) || !known(second.key)) &&
    known(first.key + second.key);
  const joined: Token[] = [];
  for (const token of tokens) {
    meter.steps++;
    const last = joined.at(-1);
    if (last && joinable(last, token)) {
      last.key += token.key;
      last.end = token.end;
      continue;
    }
    const beforeHyphen = joined.at(-2);
    if (last?.key === '-' && token.lineStart && beforeHyphen && joinable(beforeHyphen, token)) {
      joined.pop();
      beforeHyphen.key += token.key;
      beforeHyphen.end = token.end;
      continue;
    }
    joined.push(token);
  }
  const words: Token[] = [];
  for (const token of joined) {
    meter.steps++;
    const parts = token.kind === 'word' ? split(token.key) : null;
    if (!parts) {
      words.push(token);
      continue;
    }
    parts.forEach((part, index) =>
      words.push({
        ...token,
        key: part,
        lineStart: index === 0 && token.lineStart,
        spaced: index === 0 ? token.spaced : true,
      }),
    );
  }
  return words;
}
