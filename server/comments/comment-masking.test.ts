import { describe, expect, it } from 'vitest';
import { maskComment } from './comment-masking.ts';

const PHONE = '[số điện thoại]';
const ID = '[số định danh]';
const EMAIL = '[email]';
const DIGITS = '[dãy số]';

describe('maskComment', () => {
  it.each([
    // Mobile numbers, in the forms people write them
    ['Gọi tôi 0912345678 nhé', `Gọi tôi ${PHONE} nhé`],
    ['sđt: 0912 345 678', `sđt: ${PHONE}`],
    ['SĐT 0912.345.678.', `SĐT ${PHONE}.`],
    ['liên hệ 0912-345-678', `liên hệ ${PHONE}`],
    ['+84 912 345 678 (Zalo)', `${PHONE} (Zalo)`],
    ['+84912345678', PHONE],
    ['84912345678', PHONE],
    ['số 039.8765.432', `số ${PHONE}`],
    ['SĐT0912345678', `SĐT${PHONE}`],
    ['STK-19036688990011', `STK-${DIGITS}`],
    [
      'mã a123-4567-89ab và 5f0e9c7a-1234-4567-8901-abcdef012345',
      'mã a123-4567-89ab và 5f0e9c7a-1234-4567-8901-abcdef012345',
    ],
    // Landlines, with and without the area code
    ['(024) 3825 1234', PHONE],
    ['0243.825.1234', PHONE],
    ['+84 24 3825 1234', PHONE],
    ['máy bàn 3825 1234', `máy bàn ${PHONE}`],
    // Citizen ID numbers: 12 digits (CCCD), 9 digits (old CMND)
    ['CCCD 038090001234 của tôi', `CCCD ${ID} của tôi`],
    ['CCCD: 038 090 001 234', `CCCD: ${ID}`],
    ['CMND 173456789', `CMND ${ID}`],
    // E-mail addresses
    ['gửi về nguyen.van.a@gmail.com giúp', `gửi về ${EMAIL} giúp`],
    ['Email: tran_thi+hs@so-noivu.thanhhoa.gov.vn.', `Email: ${EMAIL}.`],
    // Bank accounts and other long runs of digits
    ['STK 19036688990011 Techcombank', `STK ${DIGITS} Techcombank`],
    ['thẻ 9704 1234 5678 9012', `thẻ ${DIGITS}`],
    ['MST 0101234567-001', `MST ${DIGITS}`],
    // Kept: dates, dossier numbers, amounts, hotlines, short numbers
    ['Hẹn ngày 12/03/2026 mà 15-03-2026 mới trả', 'Hẹn ngày 12/03/2026 mà 15-03-2026 mới trả'],
    ['hẹn 2026-03-12, đến 12.03.2026 vẫn chưa có', 'hẹn 2026-03-12, đến 12.03.2026 vẫn chưa có'],
    ['hẹn 5/3 trả', 'hẹn 5/3 trả'],
    ['Hồ sơ 000.00.12.H56-260315-0001 bị trễ', 'Hồ sơ 000.00.12.H56-260315-0001 bị trễ'],
    ['mã hồ sơ H56.22-260315-0012', 'mã hồ sơ H56.22-260315-0012'],
    ['thu thêm 2.500.000 đồng', 'thu thêm 2.500.000 đồng'],
    ['lệ phí 1,200,000đ', 'lệ phí 1,200,000đ'],
    ['phí 15.000.000.000 là sai', 'phí 15.000.000.000 là sai'],
    ['nộp 2500000 đ', 'nộp 2500000 đ'],
    ['đường dây nóng 1900 1234 không ai nghe', 'đường dây nóng 1900 1234 không ai nghe'],
    ['chờ 45 phút, quầy số 3, 2 lần, phòng 204', 'chờ 45 phút, quầy số 3, 2 lần, phòng 204'],
    ['năm 2025 và 2026', 'năm 2025 và 2026'],
    ['Không có gì', 'Không có gì'],
  ])('%s → %s', (comment, stored) => {
    expect(maskComment(comment)).toBe(stored);
  });

  it('masks every number of a comment, and leaves nothing of them', () => {
    const stored = maskComment('0912345678, 0987654321 hoặc a@b.vn; CCCD 001234567890');
    expect(stored).toBe(`${PHONE}, ${PHONE} hoặc ${EMAIL}; CCCD ${ID}`);
    expect(stored).not.toMatch(/\d/);
  });
});
