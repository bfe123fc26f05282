import type { ElementCode } from '../questionnaires/questionnaire.table.ts';
import { fold } from '../targets/plan-words.ts';

/**
 * Tags a comment with the SIPAS elements it speaks about, so that reports can count comments
 * per element as they count the reasons chosen after a low rating. The rules are Vietnamese
 * keywords written without diacritics and matched on the comment folded the same way
 * (lower case, no diacritics, đ → d), so "chờ lâu", "CHỜ LÂU" and "cho lau" all count.
 *
 * Folding merges words that diacritics keep apart (quát / quạt, trễ / trẻ, chờ / chỗ / cho),
 * so a keyword that would be ambiguous alone is written with the word beside it. The elements
 * follow the reasons' mapping (DESIGN §3): waiting and the premises are *access*; papers,
 * posted procedures and fees *procedure*; the civil servant's conduct and guidance
 * *civil_servant*; a late or wrong result *result*; channels and answers to feedback *feedback*.
 */
export const ELEMENT_KEYWORDS: Record<ElementCode, string[]> = {
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

export const ELEMENT_ORDER: ElementCode[] = ['access', 'procedure', 'civil_servant', 'result', 'feedback'];

const RULES = ELEMENT_ORDER.map((element) => ({
  element,
  pattern: new RegExp(`(?<![a-z0-9])(?:${ELEMENT_KEYWORDS[element].join('|')})(?![a-z0-9])`),
}));

/** The SIPAS elements a comment speaks about, in the elements' order; none when it names none. */
export function commentElements(comment: string): ElementCode[] {
  const folded = fold(comment).replace(/\s+/g, ' ');
  return RULES.filter((rule) => rule.pattern.test(folded)).map((rule) => rule.element);
}
