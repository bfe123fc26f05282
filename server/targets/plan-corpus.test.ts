import { describe, expect, it } from 'vitest';
import { extractTargets, type PlanExtraction } from './plan-extraction.ts';

/**
 * Short excerpts written for this test in the ways reform plans state their targets —
 * with and without diacritics, with OCR debris, with the traps that catch an extractor —
 * and the targets a careful reader finds in each: `metric[:domain] comparison percent year`.
 * None is copied from a real plan.
 */
interface Excerpt {
  name: string;
  text: string;
  targets: string[];
  header?: Partial<Omit<PlanExtraction, 'targets'>>;
}

const PLAN_2025 = 'KẾ HOẠCH\nCải cách hành chính năm 2025\n\n';
const PLAN_2026 = 'KẾ HOẠCH\nCải cách hành chính năm 2026\n\n';

const corpus: Excerpt[] = [
  // Ways of stating a target on the handling of procedures and on the agencies' service.
  {
    name: 'from … upwards',
    text: 'Phấn đấu mức độ hài lòng của người dân, tổ chức đối với việc giải quyết thủ tục hành chính đạt từ 92% trở lên.',
    targets: ['tthc gte 92 null'],
  },
  {
    name: 'at least, share of people',
    text: 'Tỷ lệ người dân hài lòng khi thực hiện thủ tục hành chính tại Bộ phận Một cửa đạt ít nhất 88%.',
    targets: ['tthc gte 88 null'],
  },
  {
    name: 'not lower than',
    text: 'Bảo đảm sự hài lòng của cá nhân, tổ chức về giải quyết TTHC không thấp hơn 85%.',
    targets: ['tthc gte 85 null'],
  },
  {
    name: 'above, on dossiers',
    text: 'Mức độ hài lòng về việc giải quyết hồ sơ hành chính của công dân trên 90%.',
    targets: ['tthc gt 90 null'],
  },
  {
    name: 'SIPAS index',
    text: 'Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) của xã đạt tối thiểu 87%.',
    targets: ['agency_service gte 87 null'],
  },
  {
    name: 'agencies, "trên địa bàn đạt trên"',
    text: 'Mức độ hài lòng của người dân, doanh nghiệp đối với sự phục vụ của các cơ quan hành chính nhà nước trên địa bàn đạt trên 93%.',
    targets: ['agency_service gt 93 null'],
  },
  {
    name: 'sign ≥',
    text: 'Sự hài lòng của người dân với cơ quan hành chính nhà nước cấp xã ≥ 90%.',
    targets: ['agency_service gte 90 null'],
  },
  {
    name: 'kept at a level',
    text: 'Duy trì mức độ hài lòng của tổ chức, công dân về thủ tục hành chính ở mức 95%.',
    targets: ['tthc gte 95 null'],
  },
  {
    name: 'the public service centre is a place, not the agencies’ service',
    text: 'Mức độ hài lòng của người dân khi đến giao dịch tại Trung tâm Phục vụ hành chính công đạt tối thiểu 90%.',
    targets: ['tthc gte 90 null'],
  },

  // Domains: before the figure, after it, in lists.
  {
    name: 'one domain before the figure',
    text: 'Mức độ hài lòng của người dân đối với giải quyết thủ tục hành chính trong lĩnh vực đất đai đạt tối thiểu 85%.',
    targets: ['domain:land gte 85 null'],
  },
  {
    name: 'a list of three domains',
    text: 'Tỷ lệ hài lòng của tổ chức, cá nhân khi giải quyết thủ tục thuộc các lĩnh vực đất đai, xây dựng, đầu tư đạt trên 80%.',
    targets: ['domain:land gt 80 null', 'domain:construction gt 80 null', 'domain:business_investment gt 80 null'],
  },
  {
    name: 'public health and education',
    text: 'Sự hài lòng của người dân về dịch vụ y tế công, giáo dục công lập đạt từ 85% trở lên.',
    targets: ['domain:health gte 85 null', 'domain:education gte 85 null'],
  },
  {
    name: 'the domain after the figure',
    text: 'Mức độ hài lòng của người dân đạt trên 85% đối với lĩnh vực đất đai.',
    targets: ['domain:land gt 85 null'],
  },
  {
    name: 'a list of domains after the figure',
    text: 'Phấn đấu mức độ hài lòng đạt tối thiểu 88% đối với các lĩnh vực đất đai, xây dựng và đầu tư.',
    targets: ['domain:land gte 88 null', 'domain:construction gte 88 null', 'domain:business_investment gte 88 null'],
  },
  {
    name: 'civil status and certification after the figure',
    text: 'Mức độ hài lòng của người dân đạt 90% trong các lĩnh vực hộ tịch, chứng thực.',
    targets: ['domain:civil_status gte 90 null', 'domain:certification gte 90 null'],
  },
  {
    name: 'the field opens the sentence',
    text: 'Đối với lĩnh vực tài nguyên và môi trường, mức độ hài lòng của tổ chức, cá nhân đạt tối thiểu 86%.',
    targets: ['domain:environment gte 86 null'],
  },
  {
    name: 'an overall figure and a lower one for some domains',
    text: 'Mức độ hài lòng về giải quyết TTHC đạt tối thiểu 90%, trong đó lĩnh vực đất đai, xây dựng đạt tối thiểu 85%.',
    targets: ['tthc gte 90 null', 'domain:land gte 85 null', 'domain:construction gte 85 null'],
  },
  {
    name: 'health care at the commune station',
    text: 'Mức độ hài lòng đối với dịch vụ khám bệnh, chữa bệnh tại trạm y tế xã đạt 80% trở lên.',
    targets: ['domain:health gte 80 null'],
  },
  {
    name: 'labour and social affairs',
    text: 'Sự hài lòng của người dân về giải quyết chế độ chính sách cho người có công, bảo trợ xã hội đạt trên 90%.',
    targets: ['domain:labour_social gt 90 null'],
  },
  {
    name: 'business registration',
    text: 'Mức độ hài lòng về thủ tục đăng ký kinh doanh đạt tối thiểu 92%.',
    targets: ['domain:business_investment gte 92 null'],
  },
  {
    name: 'justice and civil status written as one field',
    text: 'Mức độ hài lòng của người dân đối với lĩnh vực tư pháp – hộ tịch đạt 95%.',
    targets: ['domain:justice gte 95 null', 'domain:civil_status gte 95 null'],
  },
  {
    name: 'construction permits and transport',
    text: 'Mức độ hài lòng với thủ tục cấp giấy phép xây dựng và giao thông vận tải đạt tối thiểu 87%.',
    targets: ['domain:construction gte 87 null', 'domain:transport gte 87 null'],
  },
  {
    name: 'a second domain after a semicolon carries on the first',
    text: 'Mức độ hài lòng của người dân đối với thủ tục hành chính lĩnh vực nông nghiệp đạt 85%; lĩnh vực văn hóa, thể thao và du lịch đạt 90%.',
    targets: ['domain:agriculture gte 85 null', 'domain:culture gte 90 null'],
  },

  // Satisfaction and other percentages in one sentence: only satisfaction is a target.
  {
    name: 'on-time handling after satisfaction',
    text: 'Mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt tối thiểu 90%, tỷ lệ hồ sơ giải quyết đúng hạn đạt 98%.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'on-time handling before satisfaction',
    text: 'Phấn đấu 100% hồ sơ được giải quyết đúng hạn và mức độ hài lòng của người dân đạt trên 85%.',
    targets: ['tthc gt 85 null'],
  },
  {
    name: 'online dossiers, satisfaction, digitised results',
    text: 'Tỷ lệ hồ sơ trực tuyến đạt 50%, mức độ hài lòng đạt 90% và 95% kết quả giải quyết được số hóa.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'online services after a semicolon',
    text: 'Mức độ hài lòng của người dân đạt tối thiểu 90%; 80% thủ tục hành chính được cung cấp dịch vụ công trực tuyến toàn trình.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'satisfaction named, then another measure gets the figure',
    text: 'Mức độ hài lòng của người dân được nâng lên, tỷ lệ giải quyết hồ sơ đúng hạn đạt 99%.',
    targets: [],
  },
  {
    name: 'the reform index and the satisfaction index',
    text: 'Chỉ số cải cách hành chính đạt trên 85% và chỉ số hài lòng của người dân đạt trên 88%.',
    targets: ['tthc gt 88 null'],
  },
  {
    name: 'a rise against last year',
    text: 'Mức độ hài lòng đạt tối thiểu 90%, tăng 5% so với năm 2024.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'procedures, then the agencies’ service',
    text: 'Mức độ hài lòng của người dân về giải quyết TTHC đạt 90%, về sự phục vụ của cơ quan hành chính nhà nước đạt 93%.',
    targets: ['tthc gte 90 null', 'agency_service gte 93 null'],
  },
  {
    name: 'no space after the comma',
    text: 'Mức độ hài lòng đạt tối thiểu 90%,tỷ lệ hồ sơ đúng hạn đạt 98%',
    targets: ['tthc gte 90 null'],
  },

  // Text that lost its diacritics.
  {
    name: 'no diacritics: procedures',
    text: 'Muc do hai long cua nguoi dan ve giai quyet thu tuc hanh chinh dat toi thieu 90%',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'no diacritics: three domains',
    text: 'Ty le hai long cua to chuc, ca nhan doi voi linh vuc dat dai, xay dung, dau tu dat tren 85%',
    targets: ['domain:land gt 85 null', 'domain:construction gt 85 null', 'domain:business_investment gt 85 null'],
  },
  {
    name: 'no diacritics: agencies',
    text: 'Su hai long cua nguoi dan doi voi su phuc vu cua co quan hanh chinh nha nuoc dat tu 90% tro len',
    targets: ['agency_service gte 90 null'],
  },
  {
    name: 'no diacritics: health and education, then on-time handling',
    text: 'muc do hai long doi voi dich vu y te, giao duc cong lap dat toi thieu 90%; ty le ho so dung han dat 98%',
    targets: ['domain:health gte 90 null', 'domain:education gte 90 null'],
  },
  {
    name: 'no diacritics, capitals, domain after the figure',
    text: 'MUC DO HAI LONG CUA NGUOI DAN DAT TREN 80% DOI VOI LINH VUC HO TICH',
    targets: ['domain:civil_status gt 80 null'],
  },
  {
    name: 'no diacritics: on-time handling only',
    text: 'Ty le ho so giai quyet dung han dat 98%, ty le thanh toan truc tuyen dat 30%',
    targets: [],
  },

  // OCR debris.
  {
    name: 'OCR: horn read as r, zero for o',
    text: 'Murc do hài l0ng của người dân đạt t0i thieu 90%.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'OCR: stray accent, letter O in the figure',
    text: 'Mức độ hài lòng của người dân đạt toi thiéu 9O%',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'OCR: words split across lines',
    text: 'Mức độ hài lò\nng của người dân về thủ tục hành chính đạt tối\nthiểu 92%.',
    targets: ['tthc gte 92 null'],
  },
  {
    name: 'OCR: words joined',
    text: 'Mức độ hàilòng của người dân về giải quyết thủ tục hành chính đạttối thiểu 91%.',
    targets: ['tthc gte 91 null'],
  },
  {
    name: 'OCR: a word hyphenated at the end of a line',
    text: 'Mức độ hài lòng của người dân đối với sự phục vụ của cơ quan hành chính nhà nước đạt tối thi-\nểu 94%.',
    targets: ['agency_service gte 94 null'],
  },
  {
    name: 'OCR: apostrophes for horns',
    text: "Mu'c đô hai lòng cua ngu'ơi dân vê thu tuc hanh chinh đat it nhât 89 %",
    targets: ['tthc gte 89 null'],
  },
  {
    name: 'OCR: figure with a letter O, domain after',
    text: 'Murc độ hài lòng đối với lĩnh vực đất đai đạt trên 8O %',
    targets: ['domain:land gt 80 null'],
  },
  {
    name: 'OCR: one for l, l for one',
    text: 'Mức độ hài 1òng của người dân về thủ tục hành chính đạt 9l%',
    targets: ['tthc gte 91 null'],
  },
  {
    name: 'OCR: percent sign read as o/o',
    text: 'Mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt tối thiểu 90 o/o.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'OCR: percent sign read as 0/o, glued to the figure',
    text: 'Muc do hai long cua nguoi dan ve giai quyet thu tuc hanh chinh dat toi thieu 900/o',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'percent in words, domain after',
    text: 'Mức độ hài lòng của người dân đạt tối thiểu 85 phần trăm đối với lĩnh vực xây dựng.',
    targets: ['domain:construction gte 85 null'],
  },
  {
    name: 'PDF text: a line broken inside a word group, blank lines',
    text: '- Mức độ hài lòng của người dân và doanh nghiệp trong giải quyết thủ tục hành \n\nchính đạt mức trên 82%. \n\n- 100% cơ quan áp dụng ISO 9001.',
    targets: ['tthc gt 82 null'],
  },
  {
    name: 'OCR: figure glued to the word before',
    text: 'Mức độ hài lòng của người dân về thủ tục hành chính đạt tối thiểu90%.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'OCR: stray marks on unaccented text',
    text: 'Mưc đo hai long cua nguoi dan đat toi thiéu 90% đoi voi linh vuc y te',
    targets: ['domain:health gte 90 null'],
  },

  // Years.
  {
    name: 'by the year',
    text: 'Đến năm 2025, mức độ hài lòng của người dân về giải quyết thủ tục hành chính đạt tối thiểu 95%.',
    targets: ['tthc gte 95 2025'],
  },
  {
    name: 'the year after the figure',
    text: 'Mức độ hài lòng của người dân đối với sự phục vụ của cơ quan hành chính nhà nước đạt trên 90% vào năm 2026.',
    targets: ['agency_service gt 90 2026'],
  },
  {
    name: 'a period before the figure',
    text: 'Giai đoạn 2021-2025, mức độ hài lòng của người dân đạt tối thiểu 90%.',
    targets: ['tthc gte 90 2025'],
  },
  {
    name: 'a period after the figure',
    text: 'Mức độ hài lòng của người dân đạt tối thiểu 90% trong giai đoạn 2021 - 2025.',
    targets: ['tthc gte 90 2025'],
  },
  {
    name: 'two years, two figures',
    text: 'Mức độ hài lòng về TTHC năm 2025 đạt 90%, năm 2030 đạt 95%.',
    targets: ['tthc gte 90 2025', 'tthc gte 95 2030'],
  },
  {
    name: 'two figures, each followed by its year',
    text: 'Mức độ hài lòng của người dân đạt 90% năm 2025 và 95% năm 2030.',
    targets: ['tthc gte 90 2025', 'tthc gte 95 2030'],
  },
  {
    name: 'the year of the title',
    text: `${PLAN_2025}1. Mục tiêu\n- Mức độ hài lòng của người dân đạt tối thiểu 92%.`,
    targets: ['tthc gte 92 2025'],
    header: { year: 2025 },
  },
  {
    name: 'a result reported, then the aim',
    text: 'Năm 2024, mức độ hài lòng của người dân đã đạt 84%; năm 2025 phấn đấu đạt tối thiểu 90%.',
    targets: ['tthc gte 90 2025'],
  },
  {
    name: 'a figure for the year before the plan’s is a result',
    text: `${PLAN_2025}Năm 2024, mức độ hài lòng của người dân đạt 84%. Phấn đấu năm 2025 mức độ hài lòng đạt 90%.`,
    targets: ['tthc gte 90 2025'],
  },
  {
    name: 'last year’s result in brackets',
    text: 'Mức độ hài lòng đạt tối thiểu 90% (năm 2024 đạt 84,5%).',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'a result reported from a survey',
    text: 'Kết quả khảo sát năm 2023, mức độ hài lòng của người dân đạt 82,66%.',
    targets: [],
  },
  {
    name: 'the year of a list’s lead-in',
    text: 'Mục tiêu cụ thể đến năm 2025:\n- Mức độ hài lòng về giải quyết thủ tục hành chính đạt tối thiểu 95%;\n- Mức độ hài lòng về sự phục vụ của cơ quan hành chính nhà nước đạt tối thiểu 92%.',
    targets: ['tthc gte 95 2025', 'agency_service gte 92 2025'],
  },
  {
    name: 'no diacritics: a past result is not a target',
    text: 'Muc do hai long nam 2024 da dat 84%',
    targets: [],
  },
  {
    name: 'OCR: year with a letter O',
    text: 'Đến năm 2O26 mức độ hài lòng của người dân về thủ tục hành chính đạt tối thiểu 93%',
    targets: ['tthc gte 93 2026'],
  },

  // Figures that are not targets.
  { name: 'dissatisfaction', text: 'Tỷ lệ người dân không hài lòng dưới 5%.', targets: [] },
  { name: 'a floor', text: 'Không để mức độ hài lòng của người dân giảm xuống dưới 70%.', targets: [] },
  {
    name: 'the reform index in points',
    text: 'Chỉ số cải cách hành chính năm 2022 của xã đạt 86,5/100 điểm (86,5%), xếp thứ 8/17 xã, thị trấn.',
    targets: [],
  },
  {
    name: 'surveys of every procedure',
    text: 'Tổ chức khảo sát, đánh giá mức độ hài lòng của người dân đối với 100% thủ tục hành chính.',
    targets: [],
  },
  { name: 'on-time dossiers', text: 'Phấn đấu 98% hồ sơ được giải quyết đúng hạn, trước hạn.', targets: [] },
  {
    name: 'a rise, not a level',
    text: 'Mức độ hài lòng của người dân tăng 3% so với cùng kỳ năm trước.',
    targets: [],
  },
  { name: 'surveys everywhere', text: 'Khảo sát sự hài lòng của người dân tại 100% cơ quan, đơn vị.', targets: [] },

  // The figure counts satisfied people.
  {
    name: 'share of satisfied people, agencies',
    text: 'Phấn đấu 95% người dân, tổ chức hài lòng với sự phục vụ của các cơ quan hành chính nhà nước.',
    targets: ['agency_service gte 95 null'],
  },
  {
    name: 'more than a share of satisfied people',
    text: 'Trên 90% tổ chức, cá nhân hài lòng về việc giải quyết thủ tục hành chính.',
    targets: ['tthc gt 90 null'],
  },
  {
    name: 'share of respondents, education',
    text: 'Có ít nhất 85% số người được hỏi đánh giá hài lòng đối với dịch vụ giáo dục công lập.',
    targets: ['domain:education gte 85 null'],
  },
  {
    name: 'on-time dossiers, then satisfied people',
    text: '98% hồ sơ giải quyết đúng hạn, 95% người dân hài lòng.',
    targets: ['tthc gte 95 null'],
  },

  // The plan's own number, date and year, not those of the documents it cites.
  {
    name: 'header with cited documents',
    text:
      'ỦY BAN NHÂN DÂN\nHUYỆN AN PHÚ\nSố: 58/KH-UBND\nAn Phú, ngày 02 tháng 02 năm 2025\n\nKẾ HOẠCH\nCải cách hành chính năm 2025\n\n' +
      'Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ;\nCăn cứ Quyết định số 1234/QĐ-UBND ngày 20 tháng 12 năm 2024 của UBND tỉnh;\n' +
      '- Mức độ hài lòng của người dân đạt tối thiểu 90%.',
    targets: ['tthc gte 90 2025'],
    header: { planNumber: '58/KH-UBND', planDate: '2025-02-02', year: 2025 },
  },
  {
    name: 'header whose number and day are left blank',
    text:
      'Số:      /KH-UBND\nBình Minh, ngày     tháng 01 năm 2025\n\nKẾ HOẠCH\nCải cách hành chính năm 2025\n\n' +
      'Căn cứ Kế hoạch số 300/KH-UBND ngày 25/12/2024 của UBND tỉnh;\nMức độ hài lòng của người dân đạt tối thiểu 91%.',
    targets: ['tthc gte 91 2025'],
    header: { planNumber: null, planDate: null, year: 2025 },
  },
  {
    name: 'a plan that starts by citing the decision it carries out',
    text:
      'KẾ HOẠCH\nThực hiện công tác cải cách hành chính năm 2025\n\n' +
      'Thực hiện Quyết định số 45/QĐ-UBND ngày 05/01/2025 của UBND huyện, UBND xã ban hành Kế hoạch như sau:\n' +
      '- Mức độ hài lòng của người dân về thủ tục hành chính đạt trên 90%.',
    targets: ['tthc gt 90 2025'],
    header: { planNumber: null, planDate: null, year: 2025 },
  },
  {
    name: 'header without diacritics',
    text:
      'UY BAN NHAN DAN XA TAN AN\nSo: 07/KH-UBND\nTan An, ngay 9 thang 1 nam 2026\n\nKE HOACH\nCai cach hanh chinh nam 2026\n\n' +
      'Can cu Ke hoach so 99/KH-UBND ngay 30/12/2025 cua UBND huyen;\nMuc do hai long cua nguoi dan dat toi thieu 91%',
    targets: ['tthc gte 91 2026'],
    header: { planNumber: '07/KH-UBND', planDate: '2026-01-09', year: 2026 },
  },
  {
    name: 'the plan’s number and date, a commune plan of 2024',
    text:
      'ỦY BAN NHÂN DÂN XÃ PHÚ LỘC\nSố: 112/KH-UBND\nPhú Lộc, ngày 15 tháng 3 năm 2024\n\nKẾ HOẠCH\nKhảo sát sự hài lòng của người dân\n\n' +
      'Căn cứ Kế hoạch số 20/KH-UBND ngày 10 tháng 01 năm 2023 của UBND huyện;\n\nMục tiêu: mức độ hài lòng của người dân đạt tối thiểu 90%.',
    targets: ['tthc gte 90 2024'],
    header: { planNumber: '112/KH-UBND', planDate: '2024-03-15', year: 2024 },
  },
  {
    name: 'a plan for a period',
    text: 'KẾ HOẠCH\nCải cách hành chính giai đoạn 2026-2030\n\nPhấn đấu mức độ hài lòng của người dân đạt tối thiểu 95%.',
    targets: ['tthc gte 95 2030'],
    header: { year: 2030 },
  },

  // More phrasings, traps and headers.
  {
    name: 'raised above a level by the end of a year',
    text: 'Nâng mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước lên trên 92% vào cuối năm 2025.',
    targets: ['agency_service gt 92 2025'],
  },
  {
    name: 'an average, after a semicolon',
    text: '100% cơ quan, đơn vị thực hiện khảo sát; mức độ hài lòng bình quân đạt từ 90% trở lên.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'health, then education',
    text: 'Mức độ hài lòng của người dân đối với dịch vụ y tế đạt 85%, đối với dịch vụ giáo dục đạt 88%.',
    targets: ['domain:health gte 85 null', 'domain:education gte 88 null'],
  },
  {
    name: 'domains with ≥',
    text: 'Chỉ tiêu: mức độ hài lòng của tổ chức, cá nhân về giải quyết TTHC lĩnh vực đất đai ≥ 85%, lĩnh vực xây dựng ≥ 88%.',
    targets: ['domain:land gte 85 null', 'domain:construction gte 88 null'],
  },
  {
    name: 'a remark after the figure',
    text: 'Tỉ lệ hài lòng của người dân đạt tối thiểu 90 %, trong đó không có phản ánh, kiến nghị về thái độ phục vụ.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'a share of people by the end of a year',
    text: 'Phấn đấu đến cuối năm 2025 có trên 95% người dân hài lòng khi giải quyết thủ tục hành chính tại xã.',
    targets: ['tthc gt 95 2025'],
  },
  {
    name: 'no diacritics: agencies with a year',
    text: 'Muc do hai long cua nguoi dan, doanh nghiep doi voi su phuc vu cua co quan hanh chinh nha nuoc nam 2025 dat toi thieu 91%.',
    targets: ['agency_service gte 91 2025'],
  },
  {
    name: 'a year as a heading of the sentence',
    text: 'Năm 2025: mức độ hài lòng của người dân về giải quyết thủ tục hành chính không dưới 90%.',
    targets: ['tthc gte 90 2025'],
  },
  {
    name: 'online public services',
    text: 'Mức độ hài lòng của người dân khi thực hiện các dịch vụ công trực tuyến đạt trên 80%.',
    targets: ['tthc gt 80 null'],
  },
  {
    name: 'no diacritics, stray marks: land',
    text: 'Muc đo hai long cua nguoi dan ve cac thu tuc thuoc linh vuc đat đai đat tren 85%',
    targets: ['domain:land gt 85 null'],
  },
  {
    name: 'OCR: a syllable split by a space',
    text: 'Mức độ hài  lòng của người dân đạt tối thiể u 90%',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'labour, invalids and social affairs is one domain',
    text: 'Mức độ hài lòng của tổ chức, công dân trong lĩnh vực lao động - thương binh và xã hội đạt 90%.',
    targets: ['domain:labour_social gte 90 null'],
  },
  {
    name: 'a rise after the target',
    text: 'Phấn đấu năm 2026 tỷ lệ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước đạt ít nhất 93%, tăng 2% so với năm 2025.',
    targets: ['agency_service gte 93 2026'],
  },
  {
    name: 'a share of surveyed people',
    text: 'Đảm bảo tối thiểu 90% người dân được khảo sát hài lòng với kết quả giải quyết thủ tục hành chính.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'a result of last year, carried on',
    text: 'Kết quả năm 2024: mức độ hài lòng về TTHC đạt 86,2%, về sự phục vụ đạt 84,7%.',
    targets: [],
  },
  {
    name: 'kept from a level upwards',
    text: 'Giữ vững mức độ hài lòng của người dân từ 95% trở lên, không để xảy ra khiếu nại.',
    targets: ['tthc gte 95 null'],
  },
  {
    name: 'investors and investment',
    text: 'Mức độ hài lòng của nhà đầu tư đối với thủ tục đầu tư đạt tối thiểu 85%',
    targets: ['domain:business_investment gte 85 null'],
  },
  {
    name: 'public administrative services',
    text: 'Mức độ hài lòng đối với dịch vụ hành chính công đạt mức 90%',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'a rate of satisfied people',
    text: 'Đạt tỷ lệ trên 90% người dân hài lòng về giải quyết thủ tục hành chính.',
    targets: ['tthc gt 90 null'],
  },
  {
    name: 'the province’s figure in brackets',
    text: 'Mức độ hài lòng của người dân về giải quyết TTHC đạt tối thiểu 90% (chỉ tiêu tỉnh giao là 88%).',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'OCR: letter O in the figure and the year',
    text: 'Mức độ hài lòng về sự phục vụ của cơ quan hành chính nhà nước đạt tối thiểu 9O% trong năm 2O25',
    targets: ['agency_service gte 90 2025'],
  },
  {
    name: 'a list item with a colon',
    text: '- Tỷ lệ hài lòng: đạt trên 90%.',
    targets: ['tthc gt 90 null'],
  },
  {
    name: 'domains listed after a colon',
    text: 'Mức độ hài lòng của người dân, doanh nghiệp đạt trên 85% ở các lĩnh vực: đất đai, xây dựng, tài nguyên và môi trường.',
    targets: ['domain:land gt 85 null', 'domain:construction gt 85 null', 'domain:environment gt 85 null'],
  },
  {
    name: 'a period and a yearly average',
    text: 'Mức độ hài lòng của người dân giai đoạn 2026 - 2030 đạt bình quân trên 90%/năm.',
    targets: ['tthc gt 90 2030'],
  },
  {
    name: 'header on its own lines, plan for the next year',
    text: 'UBND XÃ HÒA BÌNH\nSố: 215 /KH-UBND\nHòa Bình, ngày 30 tháng 12 năm 2024\nKẾ HOẠCH\nCải cách hành chính năm 2025\nThực hiện Kế hoạch số 180/KH-UBND ngày 20/12/2024 của UBND huyện, UBND xã xây dựng kế hoạch như sau:\n- Mức độ hài lòng của người dân đạt tối thiểu 90%.',
    targets: ['tthc gte 90 2025'],
    header: { planNumber: '215/KH-UBND', planDate: '2024-12-30', year: 2025 },
  },
  {
    name: 'header on one line',
    text: 'Số:  09/KH-UBND        Tân Lập, ngày 05/02/2025\nKẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025\nMức độ hài lòng về thủ tục hành chính đạt 92%.',
    targets: ['tthc gte 92 2025'],
    header: { planNumber: '09/KH-UBND', planDate: '2025-02-05', year: 2025 },
  },
  {
    name: 'a result of two years before the plan',
    text: `${PLAN_2025}Năm 2023, chỉ số SIPAS của huyện đạt 82,5%, thấp hơn mức bình quân của tỉnh.`,
    targets: [],
  },
  {
    name: 'the agencies’ service index kept',
    text: 'Tiếp tục duy trì chỉ số hài lòng về sự phục vụ hành chính trên 85%.',
    targets: ['agency_service gt 85 null'],
  },
  {
    name: 'respectively',
    text: 'Phấn đấu mức độ hài lòng của người dân đối với việc cung cấp dịch vụ y tế công, giáo dục công lập lần lượt đạt 85% và 88%.',
    targets: ['domain:health gte 85 null', 'domain:education gte 88 null'],
  },
  {
    name: 'no diacritics: domain named after the figure',
    text: 'muc do hai long dat 88% doi voi thu tuc hanh chinh linh vuc xay dung',
    targets: ['domain:construction gte 88 null'],
  },
  {
    name: 'two figures with their years after a comma',
    text: 'Mức độ hài lòng của người dân đối với việc giải quyết TTHC đạt tối thiểu 90% năm 2025, 92% năm 2026.',
    targets: ['tthc gte 90 2025', 'tthc gte 92 2026'],
  },

  // Tables of targets, as text extracted from them, and ranges.
  {
    name: 'a table of targets, one cell per line',
    text: 'STT\nChỉ tiêu\nĐơn vị tính\nNăm 2025\n1\nMức độ hài lòng của người dân về giải quyết thủ tục hành chính\n%\n≥ 90\n2\nTỷ lệ hồ sơ giải quyết đúng hạn\n%\n98',
    targets: ['tthc gte 90 2025'],
  },
  {
    name: 'a table row with bars and the unit in brackets',
    text: '| 3 | Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) (%) | 85 |\n| 4 | Tỷ lệ dịch vụ công trực tuyến toàn trình (%) | 80 |',
    targets: ['agency_service gte 85 null'],
  },
  {
    name: 'a range: its lower end is the target',
    text: 'Mức độ hài lòng của người dân đạt từ 85% đến 90%.',
    targets: ['tthc gte 85 null'],
  },
  {
    name: 'a range with a dash',
    text: 'Phấn đấu mức độ hài lòng đối với lĩnh vực đất đai đạt 80% - 85% trong năm 2026.',
    targets: ['domain:land gte 80 2026'],
  },
  {
    name: 'the year in brackets after the figure',
    text: 'Tỷ lệ hài lòng của người dân, doanh nghiệp đối với việc giải quyết TTHC đạt tối thiểu 95% (năm 2025).',
    targets: ['tthc gte 95 2025'],
  },

  // Further wording, OCR and headers.
  {
    name: 'the SIPAS index of a year',
    text: '- Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước (chỉ số SIPAS) năm 2026 đạt trên 86%.',
    targets: ['agency_service gt 86 2026'],
  },
  {
    name: 'at the one-stop desks of every level',
    text: 'Mức độ hài lòng của cá nhân, tổ chức đối với việc giải quyết TTHC tại Bộ phận Một cửa các cấp đạt tỷ lệ từ 95% trở lên.',
    targets: ['tthc gte 95 null'],
  },
  {
    name: 'health, then education, each above',
    text: 'Phấn đấu tỷ lệ người dân hài lòng đối với cung ứng dịch vụ y tế đạt trên 80% và giáo dục đạt trên 82%.',
    targets: ['domain:health gt 80 null', 'domain:education gt 82 null'],
  },
  {
    name: 'OCR: circumflexes for horns',
    text: 'Mưc đô hai long cua ngươi dân, tô chưc vê giai quyêt thu tuc hanh chinh đat tôi thiêu 90%',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'no diacritics: OCR figure and sign',
    text: 'Muc do hai long cua nguoi dan doi voi su phuc vu cua co quan hanh chinh nha nuoc dat toi thieu 9O °/o',
    targets: ['agency_service gte 90 null'],
  },
  {
    name: 'procedures named after the figure',
    text: 'Mức độ hài lòng của người dân, doanh nghiệp đạt tối thiểu 90% đối với thủ tục hành chính thuộc thẩm quyền giải quyết của UBND xã.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'public administrative services raised to a level',
    text: 'Duy trì và nâng cao chỉ số hài lòng của người dân đối với dịch vụ hành chính công lên mức tối thiểu 92%.',
    targets: ['tthc gte 92 null'],
  },
  {
    name: 'two horizons, the later first',
    text: 'Phấn đấu đến năm 2030, mức độ hài lòng của người dân về giải quyết TTHC đạt trên 95%; đến năm 2025 đạt tối thiểu 90%.',
    targets: ['tthc gt 95 2030', 'tthc gte 90 2025'],
  },
  {
    name: 'a result below its target',
    text: 'Năm 2022, mức độ hài lòng của người dân chỉ đạt 78,5%, thấp hơn chỉ tiêu đề ra (85%).',
    targets: [],
  },
  {
    name: 'a share of people in a year, land',
    text: 'Trong năm 2025, tối thiểu 90% người dân, doanh nghiệp hài lòng với việc giải quyết TTHC trong lĩnh vực đất đai.',
    targets: ['domain:land gte 90 2025'],
  },
  {
    name: 'medical examination at the district health centre',
    text: 'Mức độ hài lòng về chất lượng dịch vụ khám, chữa bệnh tại Trung tâm Y tế huyện đạt tối thiểu 85%.',
    targets: ['domain:health gte 85 null'],
  },
  {
    name: 'feedback handled, then satisfaction',
    text: 'Bảo đảm 100% ý kiến phản ánh, kiến nghị được xử lý; mức độ hài lòng đạt trên 90%.',
    targets: ['tthc gt 90 null'],
  },
  {
    name: 'capitals, two domains, upwards',
    text: 'MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN VỀ THỦ TỤC HÀNH CHÍNH LĨNH VỰC HỘ TỊCH, CHỨNG THỰC ĐẠT 95% TRỞ LÊN',
    targets: ['domain:civil_status gte 95 null', 'domain:certification gte 95 null'],
  },
  {
    name: 'header of a district plan issued in December for the next year',
    text: 'UBND HUYỆN THỌ XUÂN\nSố: 1520/KH-UBND\nThọ Xuân, ngày 28 tháng 12 năm 2025\nKẾ HOẠCH\nCải cách hành chính huyện Thọ Xuân năm 2026\nCăn cứ Kế hoạch số 300/KH-UBND ngày 20/12/2025 của UBND tỉnh về CCHC năm 2026;\nI. MỤC TIÊU\n1. Mức độ hài lòng của người dân đạt tối thiểu 92%.',
    targets: ['tthc gte 92 2026'],
    header: { planNumber: '1520/KH-UBND', planDate: '2025-12-28', year: 2026 },
  },
  {
    name: 'OCR header: circumflex, l for one, O for zero',
    text: 'Sô: 25/KH-UBND\nXuân Hòa, ngày l0 tháng 02 năm 2O26\nKE HOACH\nThuc hien cai cach hanh chinh nam 2026\nMuc do hai long dat toi thieu 91%',
    targets: ['tthc gte 91 2026'],
    header: { planNumber: '25/KH-UBND', planDate: '2026-02-10', year: 2026 },
  },
  {
    name: 'a result for the year before the plan, then the aim',
    text: `${PLAN_2026}Mức độ hài lòng của người dân đối với giải quyết TTHC lĩnh vực đất đai năm 2025 đạt 82%, năm 2026 phấn đấu đạt 85%.`,
    targets: ['domain:land gte 85 2026'],
  },
  {
    name: 'dissatisfaction after satisfaction',
    text: 'Mức độ hài lòng đạt 90%, mức độ không hài lòng dưới 3%.',
    targets: ['tthc gte 90 null'],
  },
  {
    name: 'the attitude of civil servants',
    text: 'Phấn đấu đạt 85% số người được khảo sát hài lòng về thái độ phục vụ của công chức.',
    targets: ['agency_service gte 85 null'],
  },
  {
    name: 'transport and justice',
    text: 'Mức độ hài lòng của tổ chức, cá nhân trong thực hiện TTHC lĩnh vực giao thông vận tải, tư pháp đạt tối thiểu 88%.',
    targets: ['domain:transport gte 88 null', 'domain:justice gte 88 null'],
  },
  {
    name: 'online public services, then online payments',
    text: 'Mức độ hài lòng của người dân đối với dịch vụ công trực tuyến toàn trình đạt từ 80% trở lên; tỷ lệ thanh toán trực tuyến đạt 50%.',
    targets: ['tthc gte 80 null'],
  },
  {
    name: 'satisfaction named, only on-time handling given a figure',
    text: 'c) Tiếp tục nâng cao mức độ hài lòng của người dân; phấn đấu 95% hồ sơ được giải quyết trước hạn.',
    targets: [],
  },
  {
    name: 'public preschool and school education',
    text: 'Mức độ hài lòng của người dân về dịch vụ giáo dục mầm non, phổ thông công lập đạt tối thiểu 87 %.',
    targets: ['domain:education gte 87 null'],
  },
];

const describeTarget = (target: PlanExtraction['targets'][number]) =>
  `${target.metric}${target.domain ? `:${target.domain}` : ''} ${target.comparison} ${target.percent} ${target.year}`;

/** Found and expected targets of every excerpt, matched one for one. */
function score() {
  let found = 0;
  let expected = 0;
  let right = 0;
  const misses: string[] = [];
  let headersRight = 0;
  let headers = 0;
  for (const excerpt of corpus) {
    const extraction = extractTargets(excerpt.text);
    const got = extraction.targets.map(describeTarget);
    const wanted = [...excerpt.targets];
    found += got.length;
    expected += wanted.length;
    for (const target of got) {
      const at = wanted.indexOf(target);
      if (at >= 0) {
        wanted.splice(at, 1);
        right++;
      } else misses.push(`${excerpt.name}: found ${target}`);
    }
    for (const target of wanted) misses.push(`${excerpt.name}: missed ${target}`);
    if (excerpt.header) {
      headers++;
      const header = { planNumber: extraction.planNumber, planDate: extraction.planDate, year: extraction.year };
      if (Object.entries(excerpt.header).every(([field, value]) => header[field as keyof typeof header] === value))
        headersRight++;
      else misses.push(`${excerpt.name}: header ${JSON.stringify(header)}`);
    }
  }
  return { found, expected, right, misses, headers, headersRight };
}

describe('target extraction on a corpus of excerpts', () => {
  it('has at least 60 excerpts, with and without diacritics, with OCR debris', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(140);
    expect(corpus.filter((excerpt) => !/[à-ỹđ]/i.test(excerpt.text)).length).toBeGreaterThanOrEqual(6);
    expect(corpus.filter((excerpt) => excerpt.name.startsWith('OCR')).length).toBeGreaterThanOrEqual(10);
  });

  it('finds the targets a careful reader finds, with high precision and recall', () => {
    const { found, expected, right, misses, headers, headersRight } = score();
    const precision = right / found;
    const recall = right / expected;
    const summary = `${corpus.length} excerpts, ${expected} targets expected, ${found} found, ${right} right: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; headers ${headersRight}/${headers}`;
    process.stdout.write(`${summary}${misses.map((miss) => `\n  ${miss}`).join('')}\n`);
    expect(precision).toBeGreaterThanOrEqual(0.98);
    expect(recall).toBeGreaterThanOrEqual(0.98);
    expect(headersRight).toBe(headers);
  });
});
