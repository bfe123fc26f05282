/**
 * Wording in a comment that an official must read today: harassment, bribes, extra
 * demands (the words the Anti-Corruption Law and citizens themselves use). Citizens type
 * on phones without Vietnamese keyboards as often as with, so text and phrases are
 * compared without diacritics, and on whole words: "phong bì" matches "PHONG BI" and
 * "phong  bì", never "phong bìa" or "điện thoại" in "tiền điện".
 */
export const SERIOUS_PHRASES: readonly string[] = [
  'nhũng nhiễu',
  'vòi vĩnh',
  'bồi dưỡng',
  'phong bì',
  'gây khó dễ',
  'gây khó khăn',
  'tiêu cực',
  'đưa tiền',
  'lót tay',
  'tiền cà phê',
  'chi phí ngoài',
  'hối lộ',
  'đòi tiền',
  'xin tiền',
  'quấy rối',
  'lăng mạ',
  'đe dọa',
  'dọa nạt',
  'chửi mắng',
];

/**
 * Lower case, no diacritics (đ → d), any run of spaces or punctuation as one space: the
 * form in which phrases are compared.
 *
 * @example normaliseForMatching('  Phong  BÌ, đưa tiền!') // 'phong bi dua tien'
 */
export function normaliseForMatching(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const NORMALISED = SERIOUS_PHRASES.map((phrase) => ({ phrase, normalised: normaliseForMatching(phrase) }));

/**
 * The serious phrases a comment holds, as written in `SERIOUS_PHRASES` (with diacritics).
 *
 * @example seriousPhrasesIn('Cán bộ vòi vinh, doi "boi duong"') // ['vòi vĩnh', 'bồi dưỡng']
 */
export function seriousPhrasesIn(comment: string): string[] {
  const padded = ` ${normaliseForMatching(comment)} `;
  return NORMALISED.filter(({ normalised }) => padded.includes(` ${normalised} `)).map(({ phrase }) => phrase);
}
