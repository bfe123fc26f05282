/** What citizens read, in Vietnamese first and English; every key exists in both. */
const vi = {
  switchLanguage: 'English',
  switchLanguageLabel: 'Switch to English',
  loading: 'Đang tải…',
  surveyTitle: 'Đánh giá mức độ hài lòng',
  anonymous: 'Đánh giá ẩn danh: không hỏi tên, số điện thoại hay số giấy tờ.',
  chooseDomain: 'Ông/Bà vừa giải quyết thủ tục thuộc lĩnh vực nào?',
  changeDomain: 'Đổi lĩnh vực',
  domainLabel: 'Lĩnh vực',
  reasonsQuestion: 'Ông/Bà chưa hài lòng vì điều gì? (có thể chọn nhiều)',
  commentLabel: 'Góp ý thêm (không bắt buộc)',
  commentHint: 'Xin đừng ghi họ tên, số điện thoại hay số giấy tờ.',
  charactersLeft: 'Còn {n} ký tự',
  noOpinion: 'Không ý kiến',
  overallRequired: 'Vui lòng chọn mức độ hài lòng chung trước khi gửi.',
  send: 'Gửi đánh giá',
  sending: 'Đang gửi…',
  thanksTitle: 'Cảm ơn Ông/Bà đã đánh giá!',
  thanksBody: 'Ý kiến của Ông/Bà giúp cơ quan phục vụ người dân tốt hơn.',
  savedOffline: 'Chưa gửi được vì mất kết nối mạng. Đánh giá đã được lưu trên máy và sẽ tự động gửi lại khi có mạng.',
  keepOpen: 'Ông/Bà vui lòng giữ trang này mở cho đến khi gửi xong.',
  retryNow: 'Thử gửi lại ngay',
  sentLater: 'Đã gửi xong. Cảm ơn Ông/Bà!',
  deskNotFound: 'Không tìm thấy quầy này. Vui lòng quét lại mã QR tại quầy.',
  deskInactive: 'Quầy này hiện không nhận đánh giá.',
  tokenNotFound: 'Mã trên phiếu hẹn không đúng. Vui lòng quét lại mã QR trên phiếu.',
  tokenUsed: 'Mã trên phiếu hẹn này đã được dùng để đánh giá. Mỗi hồ sơ chỉ đánh giá một lần. Cảm ơn Ông/Bà!',
  tokenExpired: 'Mã trên phiếu hẹn này đã hết hạn đánh giá.',
  rateLimited: 'Có quá nhiều đánh giá từ mạng này. Đánh giá đã được lưu và sẽ tự gửi sau ít phút.',
  rejected: 'Không gửi được đánh giá này ({code}). Vui lòng báo cán bộ tại quầy.',
  loadFailed: 'Không tải được phiếu đánh giá. Vui lòng kiểm tra kết nối mạng rồi thử lại.',
  tryAgain: 'Thử lại',
  kioskQuestion: 'Ông/Bà có hài lòng với sự phục vụ hôm nay không?',
  kioskTapHint: 'Chạm vào một biểu tượng',
  kioskSend: 'Gửi',
  kioskSkip: 'Bỏ qua',
  kioskNotPaired: 'Máy tính bảng này chưa được ghép với quầy.',
  kioskPairHint: 'Cán bộ quản lý quầy mở đường dẫn ghép nối (có khóa thiết bị) trên máy này một lần.',
  kioskPending: '{n} đánh giá chờ gửi',
  kioskOffline: 'Mất kết nối',
  kioskUnpaired: 'Chưa ghép nối — đánh giá được giữ lại',
  kioskRejected: '{n} đánh giá bị từ chối',
} as const;

type Strings = { readonly [K in keyof typeof vi]: string };

const en: Strings = {
  switchLanguage: 'Tiếng Việt',
  switchLanguageLabel: 'Chuyển sang tiếng Việt',
  loading: 'Loading…',
  surveyTitle: 'Satisfaction rating',
  anonymous: 'Anonymous: we never ask for your name, phone number or ID number.',
  chooseDomain: 'Which kind of matter did you come for?',
  changeDomain: 'Change',
  domainLabel: 'Domain',
  reasonsQuestion: 'What were you not satisfied with? (choose any)',
  commentLabel: 'Anything else to tell us (optional)',
  commentHint: 'Please do not write your name, phone number or ID number.',
  charactersLeft: '{n} characters left',
  noOpinion: 'No opinion',
  overallRequired: 'Please choose your overall satisfaction before sending.',
  send: 'Send rating',
  sending: 'Sending…',
  thanksTitle: 'Thank you for your rating!',
  thanksBody: 'Your opinion helps this office serve people better.',
  savedOffline:
    'Not sent yet: there is no connection. Your rating is saved on this device and will be sent when the connection returns.',
  keepOpen: 'Please keep this page open until it has been sent.',
  retryNow: 'Try sending now',
  sentLater: 'Sent. Thank you!',
  deskNotFound: 'This desk was not found. Please scan the QR code at the desk again.',
  deskInactive: 'This desk is not taking ratings at the moment.',
  tokenNotFound: 'The code on this receipt is not valid. Please scan the QR code on the receipt again.',
  tokenUsed: 'The code on this receipt has already been used to rate. Each dossier is rated once. Thank you!',
  tokenExpired: 'The code on this receipt can no longer be used to rate.',
  rateLimited: 'Too many ratings from this network. Your rating is saved and will be sent in a few minutes.',
  rejected: 'This rating could not be sent ({code}). Please tell the staff at the desk.',
  loadFailed: 'The survey could not be loaded. Please check your connection and try again.',
  tryAgain: 'Try again',
  kioskQuestion: 'Are you satisfied with the service today?',
  kioskTapHint: 'Tap one of the faces',
  kioskSend: 'Send',
  kioskSkip: 'Skip',
  kioskNotPaired: 'This tablet is not paired with a desk.',
  kioskPairHint: 'The desk manager opens the pairing link (with the device key) on this tablet once.',
  kioskPending: '{n} ratings waiting to be sent',
  kioskOffline: 'Offline',
  kioskUnpaired: 'Not paired — ratings are kept',
  kioskRejected: '{n} ratings refused',
};

export const strings = { vi, en } satisfies Record<'vi' | 'en', Strings>;
export type StringKey = keyof typeof vi;

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** The message a citizen sees for an error code of the API. */
export function problemKey(code: string): StringKey | undefined {
  switch (code) {
    case 'desk_not_found':
      return 'deskNotFound';
    case 'desk_inactive':
    case 'questionnaire_unavailable':
      return 'deskInactive';
    case 'dossier_token_not_found':
      return 'tokenNotFound';
    case 'dossier_token_used':
      return 'tokenUsed';
    case 'dossier_token_expired':
      return 'tokenExpired';
    default:
      return undefined;
  }
}
