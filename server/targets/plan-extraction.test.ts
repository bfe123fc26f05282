import { describe, expect, it } from 'vitest';
import { extractTargets, fold, type WorkMeter } from './plan-extraction.ts';

const targetsOf = (text: string) =>
  extractTargets(text).targets.map(({ metric, domain, comparison, percent, year }) => ({
    metric,
    domain,
    comparison,
    percent,
    year,
  }));

describe('fold', () => {
  it('drops diacritics and case, keeping every character in its place', () => {
    const text = 'Mức độ HÀI LÒNG đạt 90% — Đất đai';
    expect(fold(text)).toBe('muc do hai long dat 90% — dat dai');
    expect(fold(text)).toHaveLength(text.length);
  });
});

describe('extractTargets', () => {
  it('finds a satisfaction target on administrative procedures, with its sentence as written', () => {
    const result = extractTargets(
      '- Phấn đấu mức độ hài lòng của người dân đối với việc giải quyết thủ tục hành chính đạt tối thiểu 92%.',
    );
    expect(result.targets).toEqual([
      {
        metric: 'tthc',
        domain: null,
        comparison: 'gte',
        percent: 92,
        year: null,
        sentence:
          'Phấn đấu mức độ hài lòng của người dân đối với việc giải quyết thủ tục hành chính đạt tối thiểu 92%.',
      },
    ]);
  });

  it('reads OCR text whose diacritics were lost', () => {
    expect(
      targetsOf(
        'Muc do hai long cua nguoi dan, to chuc doi voi su phuc vu cua co quan hanh chinh nha nuoc dat toi thieu 90%',
      ),
    ).toEqual([{ metric: 'agency_service', domain: null, comparison: 'gte', percent: 90, year: null }]);
  });

  it('gives one target per domain when a sentence names several', () => {
    expect(
      targetsOf(
        'Tỷ lệ hài lòng của tổ chức, cá nhân khi giải quyết TTHC trong lĩnh vực đất đai, xây dựng, đầu tư đạt trên 85%.',
      ),
    ).toEqual([
      { metric: 'domain', domain: 'land', comparison: 'gt', percent: 85, year: null },
      { metric: 'domain', domain: 'construction', comparison: 'gt', percent: 85, year: null },
      { metric: 'domain', domain: 'business_investment', comparison: 'gt', percent: 85, year: null },
    ]);
    expect(targetsOf('Su hai long doi voi dich vu y te, giao duc cong lap dat tu 88% tro len')).toEqual([
      { metric: 'domain', domain: 'health', comparison: 'gte', percent: 88, year: null },
      { metric: 'domain', domain: 'education', comparison: 'gte', percent: 88, year: null },
    ]);
  });

  it('finds several targets in one sentence and several sentences in one item', () => {
    const text =
      'c) Mức độ hài lòng về giải quyết thủ tục hành chính đạt tối thiểu 90%, mức độ hài lòng về sự phục vụ của cơ quan hành chính nhà nước đạt tối thiểu 93%. Mức độ hài lòng về dịch vụ y tế đạt 87,5%.';
    expect(targetsOf(text)).toEqual([
      { metric: 'tthc', domain: null, comparison: 'gte', percent: 90, year: null },
      { metric: 'agency_service', domain: null, comparison: 'gte', percent: 93, year: null },
      { metric: 'domain', domain: 'health', comparison: 'gte', percent: 87.5, year: null },
    ]);
  });

  it('leaves out other percentages: on-time handling, online services, the reform index, reported results', () => {
    const text = [
      'b) Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98%; 60% thủ tục hành chính được cung cấp trực tuyến toàn trình;',
      'Chỉ số cải cách hành chính của xã đạt 86,5/100 điểm (86,5%), xếp thứ 8/17.',
      'Năm 2023 mức độ hài lòng của người dân đã đạt 84,2%.',
      'Mức độ hài lòng của người dân đạt 90% và 95% hồ sơ được số hóa khi tiếp nhận.',
      'Không để mức độ hài lòng giảm dưới 70%.',
    ].join('\n');
    expect(targetsOf(text)).toEqual([{ metric: 'tthc', domain: null, comparison: 'gte', percent: 90, year: null }]);
  });

  it('reads "không dưới" as "at least" and "trên", "hơn" as "above"', () => {
    expect(
      targetsOf('mức độ hài lòng không dưới 80%; sự hài lòng của doanh nghiệp về thủ tục đầu tư cao hơn 75%'),
    ).toEqual([
      { metric: 'tthc', domain: null, comparison: 'gte', percent: 80, year: null },
      { metric: 'domain', domain: 'business_investment', comparison: 'gt', percent: 75, year: null },
    ]);
  });

  it('takes the plan’s number, date and year from its header, and a year named in the sentence', () => {
    const plan = `ỦY BAN NHÂN DÂN XÃ AN BÌNH
Số: 45/KH-UBND
An Bình, ngày 10 tháng 01 năm 2027

KẾ HOẠCH
Cải cách hành chính năm 2027

Căn cứ Kế hoạch số 215/KH-UBND ngày 22 tháng 12 năm 2026 của Ủy ban nhân dân tỉnh;

1. Mục tiêu
- Mức độ hài lòng của người dân về giải quyết thủ tục hành
chính đạt tối thiểu 91%;

- Đến năm 2030, mức độ hài lòng của người dân đối với sự phục vụ của cơ quan hành chính nhà nước đạt trên 95%.`;
    const result = extractTargets(plan);
    expect(result).toMatchObject({ planNumber: '45/KH-UBND', planDate: '2027-01-10', year: 2027 });
    expect(targetsOf(plan)).toEqual([
      { metric: 'tthc', domain: null, comparison: 'gte', percent: 91, year: 2027 },
      { metric: 'agency_service', domain: null, comparison: 'gt', percent: 95, year: 2030 },
    ]);
    // The sentence is rejoined across the wrapped line.
    expect(result.targets[0]!.sentence).toBe(
      'Mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt tối thiểu 91%',
    );
  });

  it('finds nothing in a text without satisfaction targets', () => {
    expect(extractTargets('Kế hoạch tuyên truyền về cải cách hành chính năm 2027.').targets).toEqual([]);
    expect(extractTargets('').targets).toEqual([]);
  });
});

describe('extraction work', () => {
  /** Text of `length` characters made of one piece repeated. */
  const repeated = (piece: string, length: number) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length);
  const stepsFor = (text: string) => {
    const meter: WorkMeter = { steps: 0 };
    extractTargets(text, meter);
    return meter.steps;
  };
  // Shapes that made the former extractor quadratic (one endless clause full of figures)
  // and shapes that stress each part of this one: joined words, split words, distinct words,
  // endless whitespace, endless digits, a plan's header repeated.
  const shapes: Record<string, string> = {
    sentences:
      'Mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt tối thiểu 90%. Tỷ lệ hồ sơ đúng hạn đạt 98%.\n',
    'one clause': 'mức độ hài lòng đạt 90%, tỷ lệ hồ sơ đúng hạn đạt 98%, về sự phục vụ đạt 95%, ',
    'no boundaries': 'hai long dat 90% va 95% ho so doi voi linh vuc dat dai, xay dung ',
    'satisfied people': '95% người dân, tổ chức, doanh nghiệp, cá nhân, công dân ',
    'OCR debris': 'Murc do hai l0ng t0i thiéu 9O% hàilòng đạttối thi-\nểu 9l% lò ng ',
    'joined words': 'hàilòngđạttốithiểu90%',
    whitespace: ' '.repeat(500) + '\n'.repeat(500) + 'x',
    digits: '1234567890',
    header: 'Số: 112/KH-UBND\nPhú Lộc, ngày 15 tháng 3 năm 2024\nKẾ HOẠCH năm 2024\n',
  };

  it.each(Object.entries(shapes))('grows linearly with the text: %s', (_shape, piece) => {
    const small = stepsFor(repeated(piece, 50_000));
    const large = stepsFor(repeated(piece, 200_000));
    // Four times the text is four times the work (plus a constant for the header and title).
    expect(large).toBeLessThanOrEqual(4.2 * small);
    expect(large).toBeLessThanOrEqual(8 * 200_000);
  });

  it('counts every distinct word once, however many distinct words the text has', () => {
    const words = (count: number) => Array.from({ length: count }, (_, index) => `tu${index.toString(36)}x`).join(' ');
    expect(stepsFor(words(80_000))).toBeLessThanOrEqual(4.2 * stepsFor(words(20_000)));
  });

  it('quotes a window around the figure of a very long clause', () => {
    const text = `${'Tiếp tục thực hiện các nhiệm vụ, '.repeat(200)}mức độ hài lòng của người dân đạt tối thiểu 90%${', triển khai các giải pháp'.repeat(200)}.`;
    const [target] = extractTargets(text).targets;
    expect(target!.sentence.length).toBeLessThan(700);
    expect(target!.sentence).toMatch(/^….*mức độ hài lòng của người dân đạt tối thiểu 90%.*…$/);
  });
});
