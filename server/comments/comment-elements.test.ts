import { describe, expect, it } from 'vitest';
import { commentElements } from './comment-elements.ts';

describe('commentElements', () => {
  it.each([
    ['Phải chờ lâu quá, không có ghế ngồi', ['access']],
    ['phai cho lau qua, khong co ghe ngoi', ['access']],
    ['Thủ tục rắc rối, bắt bổ sung giấy tờ 3 lần', ['procedure']],
    ['Bị thu thêm lệ phí ngoài quy định', ['procedure']],
    ['Cán bộ thái độ hách dịch, còn đòi bồi dưỡng', ['civil_servant']],
    ['CAN BO NHUNG NHIEU, DOI PHONG BI', ['civil_servant']],
    ['Cần bổ sung hồ sơ', ['procedure']],
    ['Hẹn 12/03 nhưng trễ hẹn cả tuần mới có kết quả', ['result']],
    ['Sổ đỏ in sai tên', ['result']],
    ['Gọi đường dây nóng không ai trả lời', ['feedback']],
    ['Góp ý từ tháng trước chưa được phản hồi', ['feedback']],
    [
      'Chờ đợi lâu, công chức hướng dẫn không rõ, kết quả trả chậm, phản ánh không ai nghe',
      ['access', 'civil_servant', 'result', 'feedback'],
    ],
    ['Rất tốt, cảm ơn', []],
    ['Trẻ em được ưu tiên', []],
    ['Cái quạt hỏng', []],
  ])('%s → %j', (comment, elements) => {
    expect(commentElements(comment)).toEqual(elements);
  });

  it('reads words whatever their case, diacritics and line breaks', () => {
    expect(commentElements('THÁI\nĐỘ')).toEqual(['civil_servant']);
    expect(commentElements('Thai Do')).toEqual(['civil_servant']);
  });
});
