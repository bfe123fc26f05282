import { sql, type Kysely } from 'kysely';

// Frozen: the domain list, the five SIPAS elements and version 1 of the two default
// questionnaires. Later wording changes are new questionnaire versions, never edits here.

const domains: [code: string, vi: string, en: string][] = [
  ['land', 'Đất đai', 'Land'],
  ['construction', 'Xây dựng', 'Construction'],
  ['health', 'Y tế', 'Health'],
  ['education', 'Giáo dục và đào tạo', 'Education and training'],
  ['civil_status', 'Hộ tịch', 'Civil status'],
  ['certification', 'Chứng thực', 'Certification'],
  ['business_investment', 'Đăng ký kinh doanh và đầu tư', 'Business and investment'],
  ['labour_social', 'Lao động, người có công và xã hội', 'Labour and social affairs'],
  ['environment', 'Tài nguyên và môi trường', 'Natural resources and environment'],
  ['agriculture', 'Nông nghiệp', 'Agriculture'],
  ['transport', 'Giao thông vận tải', 'Transport'],
  ['justice', 'Tư pháp', 'Justice'],
  ['culture', 'Văn hóa, thể thao và du lịch', 'Culture, sports and tourism'],
  ['other', 'Lĩnh vực khác', 'Other'],
];

const elements: [code: string, vi: string, en: string][] = [
  ['access', 'Tiếp cận dịch vụ', 'Access to the service'],
  ['procedure', 'Thủ tục hành chính', 'Administrative procedures'],
  ['civil_servant', 'Công chức trực tiếp giải quyết công việc', 'The civil servant handling the matter'],
  ['result', 'Kết quả giải quyết', 'The result'],
  ['feedback', 'Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị', 'Receiving and handling feedback'],
];

const quickOverall = {
  vi: 'Ông/Bà hài lòng thế nào với việc giải quyết công việc hôm nay?',
  en: 'How satisfied are you with how your matter was handled today?',
};

const quickReasons: [code: string, element: string, vi: string, en: string][] = [
  ['wait_long', 'access', 'Phải chờ đợi lâu', 'I had to wait a long time'],
  [
    'facilities',
    'access',
    'Nơi chờ chật chội, thiếu chỗ ngồi hoặc trang thiết bị',
    'The waiting area lacked seats or equipment',
  ],
  [
    'unclear_procedure',
    'procedure',
    'Thủ tục, giấy tờ khó hiểu hoặc không được niêm yết',
    'The procedure or required papers were unclear or not posted',
  ],
  ['extra_papers', 'procedure', 'Bị yêu cầu thêm giấy tờ ngoài quy định', 'I was asked for papers beyond the rules'],
  [
    'unhelpful_staff',
    'civil_servant',
    'Cán bộ thiếu nhiệt tình, hướng dẫn chưa rõ',
    'Staff were unhelpful or explained poorly',
  ],
  ['harassment', 'civil_servant', 'Bị gây phiền hà, nhũng nhiễu', 'I was hassled or pressured for favours'],
  ['late_or_wrong', 'result', 'Kết quả trễ hẹn hoặc có sai sót', 'The result was late or had errors'],
  [
    'no_feedback_channel',
    'feedback',
    'Không biết góp ý ở đâu, hoặc góp ý không được trả lời',
    'No way to give feedback, or feedback went unanswered',
  ],
];

const fullCriteria: [code: string, element: string, vi: string, en: string][] = [
  [
    'access.signage',
    'access',
    'Nơi tiếp nhận và trả kết quả dễ tìm, có biển chỉ dẫn rõ ràng',
    'The desk was easy to find, with clear signs',
  ],
  [
    'access.seating',
    'access',
    'Có đủ chỗ ngồi chờ, sạch sẽ, thoáng mát',
    'There were enough clean, comfortable seats while waiting',
  ],
  [
    'access.equipment',
    'access',
    'Trang thiết bị phục vụ (máy lấy số, máy tra cứu, bút, mẫu đơn) đầy đủ, dễ sử dụng',
    'Equipment (queue tickets, lookup terminal, pens, forms) was available and easy to use',
  ],
  [
    'procedure.posted',
    'procedure',
    'Thủ tục hành chính được niêm yết công khai, đầy đủ, dễ hiểu',
    'The procedure was publicly posted, complete and easy to understand',
  ],
  [
    'procedure.documents',
    'procedure',
    'Thành phần hồ sơ phải nộp đúng quy định',
    'The documents I had to submit matched the rules',
  ],
  ['procedure.fees', 'procedure', 'Phí, lệ phí phải nộp đúng quy định', 'The fees I paid matched the rules'],
  [
    'procedure.time_limit',
    'procedure',
    'Thời hạn giải quyết ghi trên phiếu hẹn đúng quy định',
    'The processing time on my receipt matched the rules',
  ],
  [
    'civil_servant.courtesy',
    'civil_servant',
    'Công chức có thái độ lịch sự, tôn trọng',
    'The civil servant was polite and respectful',
  ],
  [
    'civil_servant.guidance',
    'civil_servant',
    'Công chức hướng dẫn tận tình, dễ hiểu, chỉ cần bổ sung hồ sơ một lần',
    'The civil servant explained clearly, so I needed to complete my file at most once',
  ],
  [
    'civil_servant.integrity',
    'civil_servant',
    'Công chức không gây phiền hà, nhũng nhiễu, không yêu cầu thêm ngoài quy định',
    'The civil servant caused no trouble and asked for nothing beyond the rules',
  ],
  [
    'result.correct',
    'result',
    'Kết quả nhận được đúng quy định, thông tin chính xác',
    'The result was as the rules provide, with accurate information',
  ],
  ['result.on_time', 'result', 'Nhận kết quả đúng hẹn hoặc sớm hơn', 'I received the result on time or earlier'],
  [
    'feedback.channel',
    'feedback',
    'Có cách góp ý, phản ánh thuận tiện (hòm thư, đường dây nóng, trực tuyến)',
    'There was a convenient way to give feedback (box, hotline, online)',
  ],
  [
    'feedback.answered',
    'feedback',
    'Góp ý, phản ánh được tiếp nhận và trả lời kịp thời',
    'Feedback was received and answered in time',
  ],
];

const fullOverall = {
  vi: 'Nhìn chung, Ông/Bà hài lòng thế nào với sự phục vụ của cơ quan?',
  en: 'Overall, how satisfied are you with the service of this office?',
};

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('domain')
    .values(domains.map(([code, name_vi, name_en], index) => ({ code, name_vi, name_en, position: (index + 1) * 10 })))
    .execute();

  await db
    .insertInto('sipas_element')
    .values(elements.map(([code, name_vi, name_en], index) => ({ code, name_vi, name_en, position: index + 1 })))
    .execute();

  await db
    .insertInto('questionnaire')
    .values([
      {
        id: 'quick-1',
        code: 'quick',
        version: 1,
        title_vi: 'Đánh giá nhanh',
        title_en: 'Quick rating',
      },
      {
        id: 'full-1',
        code: 'full',
        version: 1,
        title_vi: 'Khảo sát mức độ hài lòng (SIPAS)',
        title_en: 'Satisfaction survey (SIPAS)',
      },
    ])
    .execute();

  await db
    .insertInto('question')
    .values([
      {
        questionnaire_id: 'quick-1',
        code: 'overall',
        role: 'overall',
        element_code: null,
        position: 1,
        text_vi: quickOverall.vi,
        text_en: quickOverall.en,
      },
      ...fullCriteria.map(([code, element_code, text_vi, text_en], index) => ({
        questionnaire_id: 'full-1',
        code,
        role: 'criterion',
        element_code,
        position: index + 1,
        text_vi,
        text_en,
      })),
      {
        questionnaire_id: 'full-1',
        code: 'overall',
        role: 'overall',
        element_code: null,
        position: fullCriteria.length + 1,
        text_vi: fullOverall.vi,
        text_en: fullOverall.en,
      },
    ])
    .execute();

  await db
    .insertInto('reason')
    .values(
      quickReasons.map(([code, element_code, text_vi, text_en], index) => ({
        questionnaire_id: 'quick-1',
        code,
        element_code,
        position: index + 1,
        text_vi,
        text_en,
      })),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from reason; delete from question; delete from questionnaire; delete from sipas_element; delete from domain;`.execute(
    db,
  );
}
