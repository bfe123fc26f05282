import { describe, expect, it } from 'vitest';
import { normaliseForMatching, seriousPhrasesIn } from './serious-words.ts';

describe('serious comments', () => {
  it.each([
    ['Cán bộ nhũng nhiễu, đòi bồi dưỡng mới làm', ['nhũng nhiễu', 'bồi dưỡng']],
    ['can bo doi phong bi moi giai quyet', ['phong bì']],
    ['CÁN BỘ VÒI VĨNH!!!', ['vòi vĩnh']],
    ['Nhân viên gây   khó dễ cho dân', ['gây khó dễ']],
    ['có hiện tượng tiêu cực, phải đưa tiền', ['tiêu cực', 'đưa tiền']],
    ['vòi vinh và nhung nhieu', ['nhũng nhiễu', 'vòi vĩnh']],
  ])('finds the serious wording in “%s”', (comment, phrases) => {
    expect(seriousPhrasesIn(comment).sort()).toEqual([...phrases].sort());
  });

  it.each([
    'Phòng làm việc sạch sẽ, phong bìa hồ sơ đẹp',
    'Cán bộ nhiệt tình, hướng dẫn chu đáo',
    'tiền điện thoại không liên quan',
    'đất bồi đắp phù sa',
    '',
  ])('stays quiet on “%s”', (comment) => {
    expect(seriousPhrasesIn(comment)).toEqual([]);
  });

  it('compares without diacritics, đ as d, case and runs of spaces or punctuation', () => {
    expect(normaliseForMatching('  Phong  BÌ, đưa tiền!')).toBe('phong bi dua tien');
    expect(normaliseForMatching('ĐƯA\tTIỀN')).toBe('dua tien');
  });
});
