/** The public scorecard's words, Vietnamese first; the page is rendered in one language. */

export type Language = 'vi' | 'en';
export type Status = 'met' | 'not_met' | 'uncertain' | 'not_enough_data' | 'not_published';

export const strings = {
  vi: {
    heading: 'Mức độ hài lòng của người dân',
    released: 'Số liệu công bố ngày {date}; không thay đổi sau ngày này.',
    switchLanguage: 'English',
    switchLanguageName: 'Switch to English',
    satisfied: 'hài lòng',
    interval: 'Khoảng tin cậy 95%: {low} – {high}',
    ratings: '{n} đánh giá',
    notPublished: 'Chưa công bố: quá ít đánh giá để bảo đảm không ai bị nhận ra.',
    noRatings: 'Chưa có đánh giá.',
    targets: 'So với chỉ tiêu năm {year}',
    targetTthc: 'Hài lòng về giải quyết thủ tục hành chính',
    targetAtLeast: 'tối thiểu {threshold}',
    targetAbove: 'trên {threshold}',
    noTargets: 'Đơn vị chưa nhập chỉ tiêu cho năm này.',
    status: {
      met: '✓ Đạt chỉ tiêu (cả khoảng tin cậy cao hơn chỉ tiêu)',
      not_met: '✗ Chưa đạt (cả khoảng tin cậy thấp hơn chỉ tiêu)',
      uncertain: '≈ Chưa chắc chắn (chỉ tiêu nằm trong khoảng tin cậy)',
      not_enough_data: '… Chưa đủ dữ liệu để so sánh',
      not_published: '– Không công bố (quá ít đánh giá)',
    } satisfies Record<Status, string>,
    statusShort: {
      met: '✓ Đạt',
      not_met: '✗ Chưa đạt',
      uncertain: '≈ Chưa chắc chắn',
      not_enough_data: '… Chưa đủ dữ liệu',
      not_published: '– Không công bố',
    } satisfies Record<Status, string>,
    domains: 'Theo lĩnh vực',
    domain: 'Lĩnh vực',
    share: 'Hài lòng',
    count: 'Số đánh giá',
    target: 'Chỉ tiêu {threshold}: {status}',
    domainsNotShown:
      '{count} lĩnh vực khác không công bố riêng vì quá ít đánh giá; chúng vẫn được tính trong kết quả chung.',
    noDomains: 'Không lĩnh vực nào đủ đánh giá để công bố riêng.',
    coverage: 'Độ phủ: {share} đánh giá trên 100 hồ sơ đã giải quyết ({n} / {dossiers} hồ sơ).',
    coverageEstimated: 'Số hồ sơ các tháng {months} chưa được nhập, đã ước tính theo các tháng khác.',
    followUp: 'Góp ý của người dân: {comments} góp ý; đến ngày công bố, đơn vị đã trả lời {answered}.',
    followUpMedian: 'Thời gian trả lời (trung vị): {days} ngày.',
    trend: 'Diễn biến theo tháng',
    trendCaption: 'Tỷ lệ hài lòng theo tháng, với khoảng tin cậy 95% và số đánh giá',
    trendChartLabel:
      'Biểu đồ tỷ lệ hài lòng theo tháng: chấm tròn là tỷ lệ, vạch dọc là khoảng tin cậy 95%, đường nét đứt là chỉ tiêu. Số liệu có trong bảng dưới đây.',
    month: 'Tháng',
    notPublishedShort: 'không công bố',
    noRatingsShort: 'chưa có đánh giá',
    subUnits: 'Đơn vị trực thuộc có trang công khai',
    parent: 'Thuộc',
    openData: 'Dữ liệu mở',
    openDataIntro: 'Cùng số liệu, để tải về hoặc dùng lại:',
    openDataPeriods: 'Các kỳ khác',
    badge: 'Huy hiệu cho cổng thông tin của đơn vị',
    badgeHint: 'Chép đoạn mã sau vào trang web của đơn vị:',
    copy: 'Chép mã',
    copied: 'Đã chép',
    method: 'Cách tính',
    methodText:
      'Tỷ lệ hài lòng là số câu trả lời Hài lòng hoặc Rất hài lòng chia cho mọi câu trả lời hợp lệ về mức độ hài lòng chung, kèm khoảng tin cậy 95% (Wilson) và số đánh giá n; một kết quả chỉ được so với chỉ tiêu khi n đủ cho sai số ±5 điểm, tính theo số hồ sơ đơn vị đã giải quyết. Trang chỉ công bố số liệu tổng hợp từ ít nhất {min} đánh giá, không bao giờ công bố ý kiến hay góp ý của riêng ai, và ẩn thêm những số liệu mà nếu trừ cho nhau sẽ lộ ra một nhóm nhỏ hơn; số liệu được công bố theo quý, một tuần sau khi quý kết thúc.',
    earlier: 'Các quý trước',
    notFound: 'Không có trang công khai ở địa chỉ này',
    notFoundText: 'Đơn vị này chưa công khai kết quả khảo sát, hoặc địa chỉ không đúng.',
    notReleased: 'Chưa có số liệu công bố',
    notReleasedText: 'Số liệu được công bố theo quý, một tuần sau khi quý kết thúc.',
    badRequest: 'Địa chỉ không đúng',
    badRequestText: 'Kỳ báo cáo hoặc ngôn ngữ trong địa chỉ không hợp lệ.',
    footer: 'Khảo sát mức độ hài lòng của người dân tại bộ phận một cửa (SIPAS).',
  },
  en: {
    heading: 'Citizen satisfaction',
    released: 'Figures released on {date}; they do not change afterwards.',
    switchLanguage: 'Tiếng Việt',
    switchLanguageName: 'Chuyển sang tiếng Việt',
    satisfied: 'satisfied',
    interval: '95% interval: {low} – {high}',
    ratings: '{n} ratings',
    notPublished: 'Not published: too few ratings to be sure nobody can be recognised.',
    noRatings: 'No ratings yet.',
    targets: 'Against the targets of {year}',
    targetTthc: 'Satisfaction with administrative procedures',
    targetAtLeast: 'at least {threshold}',
    targetAbove: 'above {threshold}',
    noTargets: 'The unit has entered no targets for this year.',
    status: {
      met: '✓ Met (the whole interval lies above the target)',
      not_met: '✗ Not met (the whole interval lies below the target)',
      uncertain: '≈ Uncertain (the target lies inside the interval)',
      not_enough_data: '… Not enough data to compare',
      not_published: '– Not published (too few ratings)',
    } satisfies Record<Status, string>,
    statusShort: {
      met: '✓ Met',
      not_met: '✗ Not met',
      uncertain: '≈ Uncertain',
      not_enough_data: '… Not enough data',
      not_published: '– Not published',
    } satisfies Record<Status, string>,
    domains: 'By domain',
    domain: 'Domain',
    share: 'Satisfied',
    count: 'Ratings',
    target: 'Target {threshold}: {status}',
    domainsNotShown:
      '{count} other domains are not published on their own, having too few ratings; they are counted in the overall result.',
    noDomains: 'No domain has enough ratings to be published on its own.',
    coverage: 'Coverage: {share} ratings per 100 dossiers handled ({n} / {dossiers} dossiers).',
    coverageEstimated: 'Dossiers of {months} were not entered and are estimated from the other months.',
    followUp: 'Citizens’ comments: {comments}; by the release day the unit had answered {answered}.',
    followUpMedian: 'Time to answer (median): {days} days.',
    trend: 'Month by month',
    trendCaption: 'Satisfaction per month, with its 95% interval and the number of ratings',
    trendChartLabel:
      'Chart of satisfaction per month: dots are the shares, vertical bars the 95% intervals, the dashed line the target. The table below holds the same figures.',
    month: 'Month',
    notPublishedShort: 'not published',
    noRatingsShort: 'no ratings',
    subUnits: 'Sub-units with a public page',
    parent: 'Part of',
    openData: 'Open data',
    openDataIntro: 'The same figures, to download or reuse:',
    openDataPeriods: 'Other periods',
    badge: 'Badge for the unit’s web portal',
    badgeHint: 'Copy this code into the unit’s web page:',
    copy: 'Copy code',
    copied: 'Copied',
    method: 'Method',
    methodText:
      'Satisfaction is the number of answers Satisfied or Very satisfied divided by all valid answers to the overall question, with its 95% (Wilson) interval and the number of ratings n; a result is compared with a target only when n is enough for ±5 points, given the dossiers the unit handled. The page publishes only aggregates of at least {min} ratings, never anyone’s own answer or comment, and also hides figures that, subtracted from one another, would reveal a smaller group; figures are released each quarter, a week after it ends.',
    earlier: 'Earlier quarters',
    notFound: 'No public page at this address',
    notFoundText: 'This unit does not publish its survey results, or the address is wrong.',
    notReleased: 'No figures released yet',
    notReleasedText: 'Figures are released each quarter, a week after it ends.',
    badRequest: 'Wrong address',
    badRequestText: 'The period or language in the address is not valid.',
    footer: 'Citizen satisfaction survey at the one-stop desks (SIPAS).',
  },
};

/** Fills `{name}` placeholders. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}

const locale = (language: Language) => (language === 'vi' ? 'vi-VN' : 'en-GB');

/** A percentage with one decimal, written the language's way: 91,2% or 91.2%. */
export function percent(value: number, language: Language): string {
  return `${new Intl.NumberFormat(locale(language), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value)}%`;
}

/** A whole number with the language's grouping: 3.350 or 3,350. */
export function whole(value: number, language: Language): string {
  return new Intl.NumberFormat(locale(language)).format(value);
}

/** A day `YYYY-MM-DD` as people write it: 08/10/2026 or 8 October 2026. */
export function day(value: string, language: Language): string {
  const [year, month, date] = value.split('-');
  return language === 'vi'
    ? `${date}/${month}/${year}`
    : new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${value}T00:00:00Z`),
      );
}

/** A month `YYYY-MM` in full: Tháng 7/2026, July 2026. */
export function monthName(month: string, language: Language): string {
  return language === 'vi'
    ? `Tháng ${Number(month.slice(5))}/${month.slice(0, 4)}`
    : new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${month}-01T00:00:00Z`),
      );
}

/** A month `YYYY-MM` for a chart's axis: T7, Jul. */
export function monthShort(month: string, language: Language): string {
  return language === 'vi'
    ? `T${Number(month.slice(5))}`
    : new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
}

/** A period key as people write it: Quý II/2026, Q2 2026; 9 tháng đầu năm 2026; … */
export function periodName(key: string, language: Language): string {
  const year = key.slice(0, 4);
  const quarter = /-Q([1-4])$/.exec(key)?.[1];
  if (quarter)
    return language === 'vi' ? `Quý ${['I', 'II', 'III', 'IV'][Number(quarter) - 1]}/${year}` : `Q${quarter} ${year}`;
  if (key.endsWith('-H1')) return language === 'vi' ? `6 tháng đầu năm ${year}` : `First half of ${year}`;
  if (key.endsWith('-9M')) return language === 'vi' ? `9 tháng đầu năm ${year}` : `First nine months of ${year}`;
  if (/^\d{4}-\d{2}$/.test(key)) return monthName(key, language);
  return language === 'vi' ? `Năm ${year}` : year;
}
